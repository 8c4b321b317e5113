import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { OptionChainSnapshot } from '../../core/types.ts';
import { strategySchema, type StrategySettingsInput } from '../../config/strategySchema.ts';
import { StrategyPipeline, expiryFactorOfEasternDay, type PipelineDeps, type PipelineReading } from '../../strategy/pipeline.ts';
import { expiryCycleFactor } from '../../strategy/gamma/expiryCycle.ts';
import { ZoneClock } from '../../core/zonedTime.ts';
import { FEATURE_NAMES } from '../../strategy/confluence.ts';
import { hasSharedData } from '../fixtures/sharedData.ts';
import { ES_MARCH, ES_SEPTEMBER, firstRateBars } from './fixtures/firstRate.ts';
import { NQ_TAPE, barsFromTrades, nqTape } from './fixtures/nqTicks.ts';
import { leanEs, leanZip } from './fixtures/leanEs.ts';
import { merge, mirrorEvent, mirrorLevels, replay, truncateAtBar, type MarketEvent } from './fixtures/marketEvents.ts';
import { BASIS, MINUTE, syntheticMarket, testLevels } from './fixtures/syntheticMarket.ts';

// These tests study the features on whatever data they get: the availability guard (strategy.minAvailableWeight) is off.
const settingsWith = (input: StrategySettingsInput = {}) => strategySchema.parse({ minAvailableWeight: 0, ...input });
/** Large prints of the synthetic market are 25+ lots. */
const synthSettings = settingsWith({ features: { smartMoney: { largeSize: 25 } } });

interface Row {
  values: number[];
  available: boolean[];
  reading: PipelineReading;
}

/** Runs a fresh pipeline over the events; one row per bar (copies of the reused objects). */
function run(events: readonly MarketEvent[], deps: Partial<PipelineDeps> = {}, settings = synthSettings): Row[] {
  const p = new StrategyPipeline(settings, { barMs: MINUTE, computeLevels: testLevels, ...deps });
  const rows: Row[] = [];
  replay(p, events, (_, r) => {
    expect(r).not.toBeNull();
    rows.push({ values: Array.from(p.confluence.values), available: Array.from(p.confluence.available, (a) => a === 1), reading: { ...r! } });
  });
  return rows;
}

/** The computeLevels of a mirrored run: the mirror image of the original run's levels. */
const mirroredLevels = (c: number, spxCentre: number) => (chain: OptionChainSnapshot) => {
  const original = mirrorEvent({ kind: 'chain', chain }, c, spxCentre);
  if (original.kind !== 'chain') throw new Error('unreachable');
  return mirrorLevels(testLevels(original.chain), spxCentre);
};

/** No look-ahead: at each cut t, a fresh run on the events truncated at bar t ends exactly where the full run was at t. */
function expectNoLookAhead(events: readonly MarketEvent[], full: Row[], cuts: number[], deps: Partial<PipelineDeps> = {}, settings = synthSettings): void {
  for (const t of cuts) {
    const truncated = run(truncateAtBar(events, t), deps, settings);
    expect(truncated.length).toBe(t + 1);
    expect(truncated[t]).toEqual(full[t]);
  }
}

/** Symmetry: every feature and the score change sign; availability, threshold and multipliers do not. */
function expectMirrored(up: Row[], down: Row[]): void {
  expect(down.length).toBe(up.length);
  up.forEach((u, i) => {
    const d = down[i]!;
    expect(d.available).toEqual(u.available);
    u.values.forEach((v, k) => {
      if (Math.abs(v + d.values[k]!) > 1e-9) throw new Error(`bar ${i}: ${FEATURE_NAMES[k]} is ${v} but ${d.values[k]} mirrored`);
    });
    expect(d.reading.score).toBeCloseTo(-u.reading.score, 9);
    expect(d.reading.rawScore).toBeCloseTo(-u.reading.rawScore, 9);
    expect(d.reading.threshold).toBe(u.reading.threshold);
    expect(d.reading.sessionMultiplier).toBe(u.reading.sessionMultiplier);
    expect(d.reading.expiryFactor).toBe(u.reading.expiryFactor);
    expect(d.reading.regime).toBe(u.reading.regime);
  });
}

const cutsOf = (n: number, count: number) => Array.from({ length: count }, (_, i) => Math.floor(((i + 1) * (n - 1)) / count));

describe('StrategyPipeline on a synthetic market with every input', () => {
  it('makes every feature available once warmed up, each value in [-1, 1], unavailable ones reading 0', () => {
    const { events } = syntheticMarket(11, 600);
    const rows = run(events);
    const last = rows.at(-1)!;
    expect(Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, last.available[i]]))).toEqual(Object.fromEntries(FEATURE_NAMES.map((n) => [n, true])));
    for (const r of rows) {
      r.values.forEach((v, k) => {
        expect(Math.abs(v)).toBeLessThanOrEqual(1);
        if (!r.available[k]) expect(v).toBe(0);
      });
      expect(Math.abs(r.reading.score)).toBeLessThanOrEqual(1);
    }
    // and the features are not constant: each takes both signs somewhere
    FEATURE_NAMES.forEach((name, k) => {
      const seen = rows.map((r) => r.values[k]!);
      expect({ name, pos: seen.some((v) => v > 0), neg: seen.some((v) => v < 0) }).toEqual({ name, pos: true, neg: true });
    });
  });

  it('property: no look-ahead - every feature and the score at bar t are the same on the events truncated at t', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer({ min: 0, max: 399 }), { minLength: 3, maxLength: 3 }), (seed, cuts) => {
        const { events } = syntheticMarket(seed, 400);
        expectNoLookAhead(events, run(events), cuts);
      }),
      { numRuns: 4 },
    );
  });

  it('property: symmetry - mirrored prices, swapped sides and swapped calls/puts flip every feature and the score', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { bars, events } = syntheticMarket(seed, 400);
        const c = bars[0]!.open;
        const up = run(events);
        const down = run(events.map((e) => mirrorEvent(e, c, c - BASIS)), { computeLevels: mirroredLevels(c, c - BASIS) });
        expectMirrored(up, down);
        expect(up.some((r) => r.available.every(Boolean))).toBe(true);
      }),
      { numRuns: 4 },
    );
  });

  it('malformed inputs are counted and change nothing', () => {
    const { events } = syntheticMarket(5, 200);
    const clean = run(events);
    const p = new StrategyPipeline(synthSettings, { barMs: MINUTE, computeLevels: testLevels });
    const dirty: MarketEvent[] = [];
    for (const e of events) {
      if (e.kind === 'bar') {
        dirty.push({ kind: 'trade', trade: { symbol: 'ES', time: e.bar.time, price: Number.NaN, size: 1, aggressor: 'buy' } });
        dirty.push({ kind: 'trade', trade: { symbol: 'ES', time: e.bar.time, price: 4000, size: -3, aggressor: 'sell' } });
        dirty.push({ kind: 'quote', quote: { symbol: 'ES', time: e.bar.time, bid: 1, ask: 2, bidSize: 0, askSize: 0 } });
        dirty.push({ kind: 'book', book: { symbol: 'ES', time: e.bar.time, bids: [], asks: [{ price: 1, size: 1 }] } });
        dirty.push({ kind: 'chain', chain: { underlying: 'SPX', time: e.bar.time, spot: Number.NaN, contracts: [], provenance: { kind: 'simulated', seed: 0 } } });
      }
      dirty.push(e);
      if (e.kind === 'bar') dirty.push({ kind: 'bar', bar: { ...e.bar, high: e.bar.low - 1 } });
    }
    const rows: number[][] = [];
    let nulls = 0;
    replay(p, dirty, (_, r) => (r ? rows.push(Array.from(p.confluence.values)) : nulls++));
    expect(rows).toEqual(clean.map((r) => r.values));
    expect(nulls).toBe(200);
    expect(p.rejected).toEqual({ bars: 200, quotes: 200, trades: 400, books: 200, chains: 200 });
  });

  it('a chain the level computation refuses keeps the previous levels and is counted', () => {
    const { events } = syntheticMarket(9, 300);
    let calls = 0;
    const p = new StrategyPipeline(synthSettings, {
      barMs: MINUTE,
      computeLevels: (chain) => {
        if (++calls > 1) throw new Error('no gamma in this chain');
        return testLevels(chain);
      },
    });
    replay(p, events);
    expect(calls).toBeGreaterThan(1);
    expect(p.rejected.chains).toBe(calls - 1);
    expect(p.availableFeatures()).toContain('gammaLevels');
  });

  it('bars of the VIX symbol set the volatility regime and are not traded bars', () => {
    const { bars, events } = syntheticMarket(3, 200);
    const p = new StrategyPipeline(synthSettings, { barMs: MINUTE, computeLevels: testLevels });
    const withVix: MarketEvent[] = [{ kind: 'bar', bar: { symbol: 'VIX', time: bars[0]!.time - 86_400_000, open: 30, high: 31, low: 29, close: 30, volume: 0 } }, ...events];
    const regimes: string[] = [];
    let vixReadings = 0;
    replay(p, withVix, (_, r) => (r ? regimes.push(r.regime) : vixReadings++));
    expect(vixReadings).toBe(1);
    expect(regimes).toHaveLength(200);
    // VIX 30 > 25: high from the first bar, threshold x1.4
    expect(new Set(regimes)).toEqual(new Set(['high']));
    expect(p.reading.threshold).toBeCloseTo(0.25 * 1.4, 12);
  });
});

describe('StrategyPipeline on real data', () => {
  const bars = () => firstRateBars(ES_MARCH);

  it.skipIf(!hasSharedData(ES_MARCH))(`ES minute bars (${ES_MARCH}): bar features available, the others not, no look-ahead, mirror symmetry`, () => {
    const all = bars().slice(0, 6000);
    const events = merge(MINUTE, all);
    const full = run(events, {}, settingsWith());
    const last = full.at(-1)!;
    const available = FEATURE_NAMES.filter((_, k) => last.available[k]);
    // bars without aggressor volume, no ticks, no book, no chain: only the bar features
    expect(available.sort()).toEqual(['battleNavale', 'multiTimeframe', 'volumeConfirmation', 'vwapTrend']);
    expect(full.filter((r) => Math.abs(r.reading.score) > 0.3).length).toBeGreaterThan(100);
    expectNoLookAhead(events, full, cutsOf(all.length, 6), {}, settingsWith());
    const c = all[0]!.open;
    expectMirrored(full, run(events.map((e) => mirrorEvent(e, c)), {}, settingsWith()));
  });

  it.skipIf(!hasSharedData(ES_SEPTEMBER))(`ES minute bars (${ES_SEPTEMBER}): the score leans both ways, about evenly`, () => {
    const rows = run(merge(MINUTE, firstRateBars(ES_SEPTEMBER)), {}, settingsWith());
    const pos = rows.filter((r) => r.reading.score > 0.25).length;
    const neg = rows.filter((r) => r.reading.score < -0.25).length;
    expect(pos).toBeGreaterThan(500);
    expect(neg).toBeGreaterThan(500);
    expect(Math.min(pos, neg) / Math.max(pos, neg)).toBeGreaterThan(0.5);
  });

  const lean = leanZip('20131008', 'quote');
  it.skipIf(!hasSharedData(lean))(`ES trade bars with real top-of-book sizes (${lean}): order book imbalance joins, no look-ahead, symmetry`, () => {
    const { bars: es, quotes } = leanEs('20131008', '201312');
    const events = merge(MINUTE, es, quotes.map((quote) => ({ kind: 'quote' as const, quote })));
    const full = run(events, {}, settingsWith());
    const k = FEATURE_NAMES.indexOf('orderBook');
    const withBook = full.filter((r) => r.available[k]);
    expect(withBook.length).toBeGreaterThan(es.length * 0.9);
    expect(withBook.some((r) => r.values[k]! > 0.2) && withBook.some((r) => r.values[k]! < -0.2)).toBe(true);
    expectNoLookAhead(events, full, cutsOf(es.length, 5), {}, settingsWith());
    const c = es[0]!.open;
    expectMirrored(full, run(events.map((e) => mirrorEvent(e, c)), {}, settingsWith()));
  });

  it.skipIf(!hasSharedData(NQ_TAPE))(`NQ prints with aggressor sides (${NQ_TAPE}): tick features available, no look-ahead, symmetry`, () => {
    const trades = nqTape();
    const nqBars = barsFromTrades(trades);
    const events = merge(MINUTE, nqBars, trades.map((trade) => ({ kind: 'trade' as const, trade })));
    // NQ prints are 1-22 lots: "large" here is 10+
    const settings = settingsWith({ features: { smartMoney: { largeSize: 10 } } });
    const full = run(events, {}, settings);
    const last = full.at(-1)!;
    for (const name of ['tickMomentum', 'aggressionBias', 'smartMoney', 'deltaDivergence', 'battleNavale'] as const) {
      expect({ name, available: last.available[FEATURE_NAMES.indexOf(name)] }).toEqual({ name, available: true });
    }
    expectNoLookAhead(events, full, cutsOf(nqBars.length, 5), {}, settings);
    const c = nqBars[0]!.open;
    expectMirrored(full, run(events.map((e) => mirrorEvent(e, c)), {}, settings));
  });
});

describe('StrategyPipeline expiry-cycle factor', () => {
  it("by date arithmetic per Eastern day equals strategy/gamma's expiryCycleFactor at every hour of three years (DST switches, month and year ends)", () => {
    const eastern = new ZoneClock('America/New_York');
    const from = Date.parse('2022-12-25T00:00:00Z');
    const to = Date.parse('2025-12-31T23:00:00Z');
    let mismatches = 0;
    for (let t = from; t <= to; t += 3_600_000) {
      if (expiryFactorOfEasternDay(eastern.dayNumber(t)) !== expiryCycleFactor(t) && mismatches++ < 5) {
        throw new Error(`${new Date(t).toISOString()}: ${expiryFactorOfEasternDay(eastern.dayNumber(t))} vs ${expiryCycleFactor(t)}`);
      }
    }
    expect(mismatches).toBe(0);
  });

  it('an injected expiry factor is used as given, once per Eastern day', () => {
    const calls: number[] = [];
    const p = new StrategyPipeline(settingsWith(), { barMs: MINUTE, expiryFactor: (t) => (calls.push(t), 1.25) });
    const t0 = Date.parse('2023-07-10T13:00:00Z');
    for (let i = 0; i < 3000; i++) {
      const r = p.onBar({ symbol: 'ES', time: t0 + i * MINUTE, open: 4000, high: 4001, low: 3999, close: 4000.25, volume: 10 });
      expect(r!.expiryFactor).toBe(1.25);
    }
    expect(calls.length).toBe(3); // 13:00 UTC Monday to 15:00 UTC Wednesday: three Eastern dates
  });
});
