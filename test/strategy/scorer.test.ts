import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Scorer, type ScoredSignal, type ScorerParams } from '../../strategy/scorer.ts';
import { VwapTrend, defaultVwapTrendParams } from '../../strategy/features/vwapTrend.ts';
import { SimulatedBars } from '../../adapters/simulated/simulatedBars.ts';
import { strategySchema, type StrategySettingsInput } from '../../config/strategySchema.ts';
import { FEATURE_NAMES } from '../../strategy/confluence.ts';
import type { Bar } from '../../core/types.ts';
import { chicagoTime } from '../../core/zonedTime.ts';
import { hasSharedData } from '../fixtures/sharedData.ts';
import { ES_MARCH, ES_SEPTEMBER, easternToUtc, firstRateBars } from './fixtures/firstRate.ts';
import { mirrorBar } from './fixtures/marketEvents.ts';

const MINUTE = 60_000;
// Price-only bars carry two weighted features: the availability guard (strategy.minAvailableWeight) is off to study the edge logic.
const params: ScorerParams = { threshold: 0.25, atrBars: 14, barMs: MINUTE, strategy: strategySchema.parse({ minAvailableWeight: 0 }) };
const flat = { preMarket: 1, opening: 1, midday: 1, powerHour: 1, afterHours: 1, overnight: 1 };
const noWeights = Object.fromEntries(FEATURE_NAMES.map((n) => [n, 0]));
/** A strategy scored on the VWAP trend alone, without multipliers: the scorer's edge logic in isolation. */
const vwapOnly = (extra: StrategySettingsInput = {}) =>
  strategySchema.parse({ ...extra, weights: { ...noWeights, vwapTrend: 1 }, session: flat, expiryCycle: false });

const simulated = (seed: number, n: number): Bar[] => {
  const gen = new SimulatedBars({ symbol: 'ES', seed, start: Date.parse('2023-07-10T13:00:00Z'), startPrice: 4000 });
  return Array.from({ length: n }, () => gen.next());
};

/** Runs a scorer over bars; returns each bar's score and threshold, and the signals. */
const score = (bars: readonly Bar[], p: ScorerParams = params) => {
  const s = new Scorer(p);
  const scores: number[] = [];
  const thresholds: number[] = [];
  const signals: (ScoredSignal | null)[] = [];
  for (const b of bars) {
    signals.push(s.onBar(b));
    scores.push(s.lastScore);
    thresholds.push(s.lastThreshold);
  }
  return { scores, thresholds, signals };
};

const sides = (sig: (ScoredSignal | null)[]) => sig.map((s) => s?.side ?? null);
const opposite = (s: 'buy' | 'sell' | null) => (s === 'buy' ? 'sell' : s === 'sell' ? 'buy' : null);

describe('easternToUtc (test helper)', () => {
  it('handles EST, EDT and the 2023-03-12 switch', () => {
    expect(easternToUtc(2023, 3, 10, 9, 30)).toBe(Date.parse('2023-03-10T14:30:00Z'));
    expect(easternToUtc(2023, 3, 13, 9, 30)).toBe(Date.parse('2023-03-13T13:30:00Z'));
    expect(easternToUtc(2023, 3, 12, 18, 0)).toBe(Date.parse('2023-03-12T22:00:00Z'));
  });
});

describe('Scorer', () => {
  it('with only the VWAP trend weighted and no multipliers, the score is that feature, 0 while unavailable', () => {
    const bars = simulated(7, 300);
    const f = new VwapTrend({ ...defaultVwapTrendParams, atrBars: params.atrBars });
    const { scores } = score(bars, { ...params, strategy: vwapOnly() });
    bars.forEach((b, i) => {
      const v = f.update(b);
      expect(scores[i]).toBe(v.available ? v.value : 0);
    });
  });

  it('is edge-triggered: a steady trend gives one signal per side, not one per bar', () => {
    const start = Date.parse('2023-07-11T14:00:00Z');
    const mk = (i: number, close: number): Bar => ({ symbol: 'ES', time: start + i * MINUTE, open: close, high: close + 0.5, low: close - 0.5, close, volume: 100 });
    const up = Array.from({ length: 60 }, (_, i) => mk(i, 4000 + i));
    const down = Array.from({ length: 90 }, (_, i) => mk(60 + i, 4059 - 2 * i));
    const { scores, signals } = score([...up, ...down], { ...params, strategy: vwapOnly() });
    const fired = signals.flatMap((s, i) => (s ? [{ i, side: s.side }] : []));
    expect(fired.map((f) => f.side)).toEqual(['buy', 'sell']);
    // the trend keeps the score beyond the threshold long after each signal
    expect(scores.slice(fired[0]!.i, 60).every((x) => x > 0.25)).toBe(true);
    expect(scores.slice(fired[1]!.i).every((x) => x < -0.25)).toBe(true);
  });

  it('property: a signal fires exactly when the score enters the zone beyond its own bar\'s threshold, and carries that bar', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0.05, max: 0.6, noNaN: true }), (seed, threshold) => {
        const bars = simulated(seed, 400);
        const { scores, thresholds, signals } = score(bars, { ...params, threshold });
        bars.forEach((b, i) => {
          const above = (k: number) => k >= 0 && scores[k]! > thresholds[k]!;
          const below = (k: number) => k >= 0 && scores[k]! < -thresholds[k]!;
          const expected = above(i) && !above(i - 1) ? 'buy' : below(i) && !below(i - 1) ? 'sell' : null;
          const s = signals[i]!;
          expect(s?.side ?? null).toBe(expected);
          // the base threshold times a volatility multiplier (0.8, 1 or 1.4)
          expect([0.8, 1, 1.4].map((m) => m * threshold).some((t) => Math.abs(t - thresholds[i]!) < 1e-12)).toBe(true);
          if (s) {
            expect(s).toMatchObject({ side: expected, score: scores[i], threshold: thresholds[i], time: b.time + MINUTE, price: b.close });
            expect(Object.keys(s.features).sort()).toEqual([...FEATURE_NAMES].sort());
            expect(s.available.length).toBeGreaterThan(0);
            for (const name of FEATURE_NAMES) if (!s.available.includes(name)) expect(s.features[name]).toBe(0);
          }
        });
      }),
      { numRuns: 10 },
    );
  });

  it('property: no look-ahead - signals on a truncated series are the same as on the full series up to the cut', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 299 }), (seed, cut) => {
        const bars = simulated(seed, 300);
        expect(score(bars.slice(0, cut)).signals).toEqual(score(bars).signals.slice(0, cut));
      }),
      { numRuns: 10 },
    );
  });

  it('property: symmetry - mirroring prices (and aggressor volumes) around the first price flips the score and the signal sides', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const bars = simulated(seed, 500);
        const c = bars[0]!.open;
        const up = score(bars);
        const down = score(bars.map((b) => mirrorBar(b, c)));
        up.scores.forEach((x, i) => expect(down.scores[i]).toBeCloseTo(-x, 9));
        expect(down.thresholds).toEqual(up.thresholds);
        expect(sides(down.signals)).toEqual(sides(up.signals).map(opposite));
      }),
      { numRuns: 10 },
    );
  });

  for (const rel of [ES_MARCH, ES_SEPTEMBER]) {
    it.skipIf(!hasSharedData(rel))(`both long and short signals fire on real ES minute bars (${rel}; skipped when absent)`, () => {
      const bars = firstRateBars(rel);
      expect(bars.length).toBeGreaterThan(10_000);
      expect(bars.every((b, i) => i === 0 || b.time > bars[i - 1]!.time)).toBe(true);
      // the zone conversion is right when no bar lands in the 16:00-17:00 CT maintenance break
      expect(bars.filter((b) => chicagoTime(b.time).hour === 16)).toEqual([]);
      const { signals } = score(bars);
      const fired = signals.filter((s): s is ScoredSignal => s !== null);
      const longs = fired.filter((s) => s.side === 'buy').length;
      const shorts = fired.filter((s) => s.side === 'sell').length;
      expect(longs).toBeGreaterThan(50);
      expect(shorts).toBeGreaterThan(50);
      // edge-triggered: far fewer signals than bars
      expect(fired.length).toBeLessThan(bars.length / 5);
      // bars only: the renormalised score rests on the bar features
      for (const s of fired) expect(s.available.every((n) => ['volumeConfirmation', 'vwapTrend', 'multiTimeframe', 'battleNavale'].includes(n))).toBe(true);
    });
  }
});
