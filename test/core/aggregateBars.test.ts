/**
 * Bar aggregation: checked against the FirstRate 5/30-minute files (README §2a: exact
 * aggregations of the 1-minute file) and by properties on arbitrary minute series.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSeries } from '../../adapters/files/loadSeries.ts';
import { aggregateBars, BarAggregator, barsFromTrades } from '../../core/aggregateBars.ts';
import type { Bar, TradeTick } from '../../core/types.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const MIN = 60_000;
const DIR = 'es/firstrate/edisoniver_2023-03';

async function barsOf(rel: string): Promise<Bar[]> {
  const s = await loadSeries(sharedData(rel));
  if (s.kind !== 'bars') throw new Error('bars expected');
  return s.items;
}

describe.skipIf(!hasSharedData(`${DIR}/ES_5min_sample.txt`))('against the vendor aggregates', () => {
  it('1-minute -> 5- and 30-minute bars equal the 5min and 30min files bar for bar', async () => {
    const minute = await barsOf(`${DIR}/ES_1min_sample.csv`);
    const five = await barsOf(`${DIR}/ES_5min_sample.txt`);
    const thirty = await barsOf(`${DIR}/ES_30min_sample.txt`);
    expect(five).toHaveLength(3_240);
    expect(thirty).toHaveLength(540);
    expect(aggregateBars(minute, 5 * MIN)).toEqual(five);
    expect(aggregateBars(minute, 30 * MIN)).toEqual(thirty);
  });
});

const minuteSeries = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 1, max: 40 }),
      open: fc.integer({ min: 4000, max: 4100 }),
      up: fc.integer({ min: 0, max: 8 }),
      down: fc.integer({ min: 0, max: 8 }),
      closeAt: fc.double({ min: 0, max: 1, noNaN: true }),
      volume: fc.integer({ min: 0, max: 500 }),
      ask: fc.integer({ min: 0, max: 500 }),
    }),
    { minLength: 1, maxLength: 200 },
  )
  .map((rows) => {
    let t = Date.UTC(2024, 0, 2, 14, 0);
    return rows.map((r): Bar => {
      t += r.gap * MIN;
      const low = r.open - r.down * 0.25;
      const high = r.open + r.up * 0.25;
      const close = low + Math.round(((high - low) * r.closeAt) / 0.25) * 0.25;
      return { symbol: 'ES', time: t, open: r.open, high, low, close, volume: r.volume, askVolume: Math.min(r.ask, r.volume), bidVolume: r.volume - Math.min(r.ask, r.volume) };
    });
  });

describe('aggregateBars properties', () => {
  it('each output bar is the OHLCV of the input bars in its bucket', () => {
    fc.assert(
      fc.property(minuteSeries, fc.constantFrom(5, 15, 60), (bars, minutes) => {
        const period = minutes * MIN;
        const out = aggregateBars(bars, period);
        const groups = new Map<number, Bar[]>();
        for (const b of bars) {
          const k = Math.floor(b.time / period) * period;
          groups.set(k, [...(groups.get(k) ?? []), b]);
        }
        expect(out.map((b) => b.time)).toEqual([...groups.keys()]);
        for (const o of out) {
          const g = groups.get(o.time)!;
          expect(o.open).toBe(g[0]!.open);
          expect(o.close).toBe(g.at(-1)!.close);
          expect(o.high).toBe(Math.max(...g.map((b) => b.high)));
          expect(o.low).toBe(Math.min(...g.map((b) => b.low)));
          expect(o.volume).toBe(g.reduce((v, b) => v + b.volume, 0));
          expect(o.askVolume! + o.bidVolume!).toBe(o.volume);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the incremental aggregator gives the same bars, each as soon as its bucket closes', () => {
    fc.assert(
      fc.property(minuteSeries, (bars) => {
        const agg = new BarAggregator(15 * MIN);
        const out: Bar[] = [];
        for (const b of bars) {
          const done = agg.push(b);
          if (done) {
            expect(done.time + 15 * MIN).toBeLessThanOrEqual(b.time);
            out.push(done);
          }
        }
        out.push(agg.flush()!);
        expect(out).toEqual(aggregateBars(bars, 15 * MIN));
        expect(agg.flush()).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('drops bid/ask volume when any component lacks it; a symbol change closes the bar', () => {
    const t = Date.UTC(2024, 0, 2, 14, 0);
    const a: Bar = { symbol: 'ESH4', time: t, open: 1, high: 2, low: 1, close: 2, volume: 5, askVolume: 3, bidVolume: 2 };
    const b: Bar = { symbol: 'ESH4', time: t + MIN, open: 2, high: 3, low: 2, close: 3, volume: 4 };
    const c: Bar = { symbol: 'ESM4', time: t + 2 * MIN, open: 9, high: 9, low: 9, close: 9, volume: 1 };
    const out = aggregateBars([a, b, c], 5 * MIN);
    expect(out).toEqual([
      { symbol: 'ESH4', time: t, open: 1, high: 3, low: 1, close: 3, volume: 9 },
      { symbol: 'ESM4', time: t, open: 9, high: 9, low: 9, close: 9, volume: 1 },
    ]);
  });

  it.each([0, 7 * MIN, 90 * MIN, 2 * 3_600_000, 1.5 * MIN])('refuses period %i ms', (p) => {
    expect(() => aggregateBars([], p)).toThrow(RangeError);
  });
});

describe('barsFromTrades', () => {
  it('builds OHLCV with ask volume from buyer-initiated prints and bid volume from seller-initiated ones', () => {
    const t = Date.UTC(2025, 9, 9, 16, 0);
    const trades: TradeTick[] = [
      { symbol: 'NQ', time: t + 32, price: 100, size: 1, aggressor: 'sell' },
      { symbol: 'NQ', time: t + 500, price: 101, size: 2, aggressor: 'buy' },
      { symbol: 'NQ', time: t + 59_999, price: 99.5, size: 3, aggressor: 'buy' },
      { symbol: 'NQ', time: t + 60_000, price: 99.75, size: 1, aggressor: 'sell' },
      { symbol: 'NQ', time: t + 61_000, price: 99.5, size: 4 },
    ];
    expect(barsFromTrades(trades, MIN)).toEqual([
      { symbol: 'NQ', time: t, open: 100, high: 101, low: 99.5, close: 99.5, volume: 6, askVolume: 5, bidVolume: 1 },
      { symbol: 'NQ', time: t + MIN, open: 99.75, high: 99.75, low: 99.5, close: 99.5, volume: 5 },
    ]);
  });

  const NQ = 'nq_ticks/time_and_sales_nq_.csv';
  it.skipIf(!hasSharedData(NQ))('on the NQ prints: the first minute matches a Python count of the raw file', async () => {
    const s = await loadSeries(sharedData(NQ));
    if (s.kind !== 'trades') throw new Error('trades expected');
    const bars = barsFromTrades(s.items, MIN);
    // Prints stamped 18:00:xx Madrid: 737 rows, volume 793 (504 at the ask), O 25263.25 H 25272 L 25263.25 C 25269.25.
    expect(bars[0]).toEqual({ symbol: 'NQ', time: Date.UTC(2025, 9, 9, 16, 0), open: 25263.25, high: 25272, low: 25263.25, close: 25269.25, volume: 793, askVolume: 504, bidVolume: 289 });
    expect(bars.reduce((v, b) => v + b.volume, 0)).toBe(12_903 + 8_223);
  });
});
