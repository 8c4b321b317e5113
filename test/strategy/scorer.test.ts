import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { Scorer, type ScoredSignal, type ScorerParams } from '../../strategy/scorer.ts';
import { VwapTrend, defaultVwapTrendParams } from '../../strategy/features/vwapTrend.ts';
import { SimulatedBars } from '../../adapters/simulated/simulatedBars.ts';
import type { Bar } from '../../core/types.ts';
import { chicagoTime } from '../../core/tradingDay.ts';
import { sharedData } from '../fixtures/sharedData.ts';

const MINUTE = 60_000;
const params: ScorerParams = { threshold: 0.25, atrBars: 14, barMs: MINUTE };
const ES_SAMPLE = sharedData('es/firstrate/edisoniver_2023-03/ES_1min_sample.csv');

const simulated = (seed: number, n: number): Bar[] => {
  const gen = new SimulatedBars({ symbol: 'ES', seed, start: Date.parse('2023-07-10T13:00:00Z'), startPrice: 4000 });
  return Array.from({ length: n }, () => gen.next());
};
const mirror = (b: Bar, c: number): Bar => ({ ...b, open: 2 * c - b.open, high: 2 * c - b.low, low: 2 * c - b.high, close: 2 * c - b.close });

/** Runs a scorer over bars; returns each bar's score and the signals. */
const score = (bars: readonly Bar[], p: ScorerParams = params) => {
  const s = new Scorer(p);
  const scores: number[] = [];
  const signals: (ScoredSignal | null)[] = [];
  for (const b of bars) {
    signals.push(s.onBar(b));
    scores.push(s.lastScore);
  }
  return { scores, signals };
};

const newYork = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});
/** UTC offset (ms) of New York at instant `ms`. */
const nyOffset = (ms: number): number => {
  const p = Object.fromEntries(newYork.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - ms;
};
/** Naive US/Eastern wall-clock fields -> ms UTC (two passes settle the DST offset). */
const easternToUtc = (y: number, mo: number, d: number, h: number, mi: number): number => {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const first = asUtc - nyOffset(asUtc);
  return asUtc - nyOffset(first);
};
/** FirstRate Data minute bars: `YYYY-MM-DD HH:MM:SS,open,high,low,close,volume`, no header. */
const parseFirstRate = (text: string, symbol: string): Bar[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [stamp, o, h, l, c, v] = line.split(',');
      const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):00$/.exec(stamp!);
      if (!m) throw new Error(`unexpected timestamp in ${line}`);
      const [y, mo, d, hh, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
      return { symbol, time: easternToUtc(y, mo, d, hh, mi), open: Number(o), high: Number(h), low: Number(l), close: Number(c), volume: Number(v) };
    });

describe('easternToUtc (test helper)', () => {
  it('handles EST, EDT and the 2023-03-12 switch', () => {
    expect(easternToUtc(2023, 3, 10, 9, 30)).toBe(Date.parse('2023-03-10T14:30:00Z'));
    expect(easternToUtc(2023, 3, 13, 9, 30)).toBe(Date.parse('2023-03-13T13:30:00Z'));
    expect(easternToUtc(2023, 3, 12, 18, 0)).toBe(Date.parse('2023-03-12T22:00:00Z'));
  });
});

describe('Scorer', () => {
  it('score is the VWAP-trend value, renormalised: 0 while the only feature is unavailable', () => {
    const bars = simulated(7, 300);
    const f = new VwapTrend({ ...defaultVwapTrendParams, atrBars: params.atrBars });
    const { scores } = score(bars);
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
    const { scores, signals } = score([...up, ...down]);
    const fired = signals.flatMap((s, i) => (s ? [{ i, side: s.side }] : []));
    expect(fired.map((f) => f.side)).toEqual(['buy', 'sell']);
    // the trend keeps the score beyond the threshold long after each signal
    expect(scores.slice(fired[0]!.i, 60).every((x) => x > 0.25)).toBe(true);
    expect(scores.slice(fired[1]!.i).every((x) => x < -0.25)).toBe(true);
  });

  it('property: a signal fires exactly on a threshold crossing, and carries the bar it fired on', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0.05, max: 0.6, noNaN: true }), (seed, threshold) => {
        const bars = simulated(seed, 400);
        const p = { ...params, threshold };
        const { scores, signals } = score(bars, p);
        bars.forEach((b, i) => {
          const prev = i === 0 ? 0 : scores[i - 1]!;
          const now = scores[i]!;
          const expected = now > threshold && prev <= threshold ? 'buy' : now < -threshold && prev >= -threshold ? 'sell' : null;
          const s = signals[i]!;
          expect(s?.side ?? null).toBe(expected);
          if (s) {
            expect(s).toEqual({
              side: expected, score: now, threshold, time: b.time + MINUTE, price: b.close,
              features: { vwapTrend: now }, available: ['vwapTrend'],
            });
          }
        });
      }),
      { numRuns: 25 },
    );
  });

  it('property: no look-ahead - signals on a truncated series are the same as on the full series up to the cut', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 299 }), (seed, cut) => {
        const bars = simulated(seed, 300);
        expect(score(bars.slice(0, cut)).signals).toEqual(score(bars).signals.slice(0, cut));
      }),
      { numRuns: 20 },
    );
  });

  it('property: symmetry - mirroring prices around the first price flips the score and the signal sides', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const bars = simulated(seed, 500);
        const c = bars[0]!.open;
        const up = score(bars);
        const down = score(bars.map((b) => mirror(b, c)));
        up.scores.forEach((x, i) => expect(down.scores[i]).toBeCloseTo(-x, 9));
        const sides = (sig: (ScoredSignal | null)[]) => sig.map((s) => s?.side ?? null);
        expect(sides(down.signals)).toEqual(sides(up.signals).map((s) => (s === 'buy' ? 'sell' : s === 'sell' ? 'buy' : null)));
      }),
      { numRuns: 20 },
    );
  });

  it.skipIf(!existsSync(ES_SAMPLE))(
    `both long and short signals fire on real ES minute bars (skipped when ${ES_SAMPLE} is absent)`,
    () => {
      const bars = parseFirstRate(readFileSync(ES_SAMPLE, 'utf8'), 'ES');
      expect(bars.length).toBeGreaterThan(10_000);
      expect(bars.every((b, i) => i === 0 || b.time > bars[i - 1]!.time)).toBe(true);
      // the zone conversion is right when no bar lands in the 16:00-17:00 CT maintenance break
      expect(bars.filter((b) => chicagoTime(b.time).hour === 16)).toEqual([]);
      const { signals } = score(bars);
      const fired = signals.filter((s): s is ScoredSignal => s !== null);
      const longs = fired.filter((s) => s.side === 'buy').length;
      const shorts = fired.filter((s) => s.side === 'sell').length;
      expect(longs).toBeGreaterThan(0);
      expect(shorts).toBeGreaterThan(0);
      // edge-triggered: far fewer signals than bars
      expect(fired.length).toBeLessThan(bars.length / 5);
    },
  );
});
