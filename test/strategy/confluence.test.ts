import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Confluence, FEATURE_INDEX, FEATURE_NAMES, finalScore, sideOfScore } from '../../strategy/confluence.ts';
import { featureWeightsSchema } from '../../config/strategySchema.ts';

const defaults = featureWeightsSchema.parse({});
const fill = (c: Confluence, entries: Partial<Record<(typeof FEATURE_NAMES)[number], number>>) => {
  c.available.fill(0);
  c.values.fill(0);
  for (const [name, v] of Object.entries(entries)) {
    const i = FEATURE_INDEX[name as keyof typeof FEATURE_INDEX];
    c.values[i] = v!;
    c.available[i] = 1;
  }
};

describe('Confluence', () => {
  it("the default weights are the plan's final formula (DOMAIN.md)", () => {
    expect(defaults).toEqual({
      gammaLevels: 0.2, volumeConfirmation: 0.15, optionsFlow: 0.12, orderBook: 0.13,
      tickMomentum: 0.08, deltaDivergence: 0.08, smartMoney: 0.09, multiTimeframe: 0.15,
      vwapTrend: 0, aggressionBias: 0, battleNavale: 0,
    });
    expect(FEATURE_NAMES.map((n) => FEATURE_INDEX[n])).toEqual(FEATURE_NAMES.map((_, i) => i));
  });

  it('hand-computed renormalisation: unavailable features drop out, the rest are rescaled', () => {
    const c = new Confluence(defaults);
    fill(c, { gammaLevels: 1, volumeConfirmation: -0.5, optionsFlow: 0.25, orderBook: -1, tickMomentum: 0.5, deltaDivergence: 0, smartMoney: -0.2, multiTimeframe: 0.8 });
    expect(c.combine()).toBeCloseTo(0.2 - 0.075 + 0.03 - 0.13 + 0.04 + 0 - 0.018 + 0.12, 12);
    expect(c.availableShare).toBeCloseTo(1, 12);
    // bars only: volume confirmation and multi-timeframe carry 0.15 each
    fill(c, { volumeConfirmation: 0.6, multiTimeframe: -0.2 });
    expect(c.combine()).toBeCloseTo((0.15 * 0.6 + 0.15 * -0.2) / 0.3, 12);
    expect(c.availableShare).toBeCloseTo(0.3, 12);
    // a zero-weight feature is reported but does not score
    fill(c, { vwapTrend: 1 });
    expect(c.combine()).toBe(0);
    expect(c.availableNames()).toEqual(['vwapTrend']);
  });

  it('scores 0 when less than minAvailableWeight of the weight is available, or nothing is', () => {
    const c = new Confluence(defaults, 0.5);
    fill(c, { gammaLevels: 1, orderBook: 1 }); // 0.33 of the weight
    expect(c.combine()).toBe(0);
    fill(c, { gammaLevels: 1, orderBook: 1, multiTimeframe: 1 }); // 0.48
    expect(c.combine()).toBe(0);
    fill(c, { gammaLevels: 1, orderBook: 1, multiTimeframe: 1, tickMomentum: 1 }); // 0.56
    expect(c.combine()).toBeCloseTo(1, 12);
    const empty = new Confluence(defaults);
    expect(empty.combine()).toBe(0);
  });

  it('refuses a negative or non-finite weight, naming it', () => {
    expect(() => new Confluence({ ...defaults, smartMoney: -0.1 })).toThrow(/strategy\.weights\.smartMoney/);
    expect(() => new Confluence({ ...defaults, orderBook: Number.NaN })).toThrow(/orderBook/);
  });

  it('property: the score is the weighted mean over the available features, in [-1, 1], and odd', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: FEATURE_NAMES.length, maxLength: FEATURE_NAMES.length }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: FEATURE_NAMES.length, maxLength: FEATURE_NAMES.length }),
        fc.array(fc.boolean(), { minLength: FEATURE_NAMES.length, maxLength: FEATURE_NAMES.length }),
        (ws, vs, av) => {
          const weights = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, ws[i]!])) as typeof defaults;
          const c = new Confluence(weights);
          vs.forEach((v, i) => {
            c.values[i] = v;
            c.available[i] = av[i] ? 1 : 0;
          });
          const num = vs.reduce((a, v, i) => a + (av[i] ? ws[i]! * v : 0), 0);
          const den = ws.reduce((a, w, i) => a + (av[i] ? w : 0), 0);
          const s = c.combine();
          expect(s).toBeCloseTo(den > 0 ? num / den : 0, 9);
          expect(Math.abs(s)).toBeLessThanOrEqual(1 + 1e-12);
          vs.forEach((v, i) => (c.values[i] = -v));
          expect(c.combine()).toBeCloseTo(-s, 12);
        },
      ),
    );
  });

  it('final score: times session and expiry multipliers, clamped; sides by threshold', () => {
    expect(finalScore(0.5, 1.2, 1.3)).toBeCloseTo(0.78, 12);
    expect(finalScore(0.9, 1.2, 1.3)).toBe(1);
    expect(finalScore(-0.9, 1.2, 1.3)).toBe(-1);
    expect(finalScore(0.4, 0.5, 0.7)).toBeCloseTo(0.14, 12);
    expect([sideOfScore(0.3, 0.25), sideOfScore(-0.3, 0.25), sideOfScore(0.25, 0.25), sideOfScore(-0.25, 0.25)]).toEqual([1, -1, 0, 0]);
  });
});
