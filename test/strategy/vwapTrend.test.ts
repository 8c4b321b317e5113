import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { VwapTrend, defaultVwapTrendParams, type FeatureValue, type VwapTrendParams } from '../../strategy/features/vwapTrend.ts';
import { SimulatedBars } from '../../adapters/simulated/simulatedBars.ts';
import type { Bar } from '../../core/types.ts';

const MINUTE = 60_000;
const TUE_0900_CDT = Date.parse('2023-07-11T14:00:00Z');

const bar = (i: number, high: number, low: number, close: number, volume: number, start = TUE_0900_CDT): Bar => ({
  symbol: 'ES', time: start + i * MINUTE, open: close, high, low, close, volume,
});

/** Values copied out: the feature reuses one result object on purpose (no allocation per bar). */
const run = (bars: readonly Bar[], p: VwapTrendParams = defaultVwapTrendParams): FeatureValue[] => {
  const f = new VwapTrend(p);
  return bars.map((b) => ({ ...f.update(b) }));
};

const mirror = (b: Bar, c: number): Bar => ({ ...b, open: 2 * c - b.open, high: 2 * c - b.low, low: 2 * c - b.high, close: 2 * c - b.close });

const simulated = (seed: number, n: number, start: number): Bar[] => {
  const gen = new SimulatedBars({ symbol: 'ES', seed, start, startPrice: 4000 });
  return Array.from({ length: n }, () => gen.next());
};

describe('VwapTrend', () => {
  it('hand-computed VWAP, ATR, distance and slope (atrBars 3, slopeBars 2, weight 0.6)', () => {
    const p = { atrBars: 3, slopeBars: 2, distanceWeight: 0.6 };
    const values = run(
      [
        bar(0, 102, 98, 100, 100), // typical 100, TR 4,                    VWAP 100
        bar(1, 104, 100, 102, 200), // typical 102, TR 4,                   VWAP 30400/300
        bar(2, 106, 101, 105, 100), // typical 104, TR max(106,102)-101 = 5, VWAP 40800/400 = 102
        bar(3, 105, 99, 99, 400), // typical 101, TR 105-99 = 6,            VWAP 81200/800 = 101.5
      ],
      p,
    );
    expect(values[0]).toEqual({ value: 0, available: false });
    expect(values[1]).toEqual({ value: 0, available: false });
    // bar 2: ATR 13/3, distance (105-102)/ATR = 9/13, slope (102-100)/ATR * 10/2 = 30/13
    expect(values[2]!.available).toBe(true);
    expect(values[2]!.value).toBeCloseTo(Math.tanh(0.6 * (9 / 13) + 0.4 * (30 / 13)), 12);
    // bar 3: ATR (4+5+6)/3 = 5, distance (99-101.5)/5 = -0.5, slope (101.5 - 30400/300)/5 * 5
    expect(values[3]!.value).toBeCloseTo(Math.tanh(0.6 * -0.5 + 0.4 * (101.5 - 30400 / 300)), 12);
    expect(values[3]!.value).toBeLessThan(0);
  });

  it('a zero-volume bar does not move the VWAP', () => {
    const p = { atrBars: 2, slopeBars: 1, distanceWeight: 1 };
    // VWAP stays 100 (the zero-volume bar's typical 110 carries no weight); ATR (4 + 12)/2 = 8
    const values = run([bar(0, 102, 98, 100, 100), bar(1, 112, 108, 110, 0)], p);
    expect(values[1]!.value).toBeCloseTo(Math.tanh((110 - 100) / 8), 12);
  });

  it('is unavailable (value 0) until both the ATR window and the slope window are full', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (atrBars, slopeBars, seed) => {
        // every bar has a range, so the ATR is never zero and only the windows matter
        const bars = simulated(seed, 60, TUE_0900_CDT).map((b) => ({ ...b, high: b.high + 0.25 }));
        const values = run(bars, { atrBars, slopeBars, distanceWeight: 0.6 });
        const first = Math.max(atrBars, slopeBars + 1) - 1;
        values.forEach((v, i) => {
          expect(v.available).toBe(i >= first);
          if (!v.available) expect(v.value).toBe(0);
          else expect(Math.abs(v.value)).toBeLessThanOrEqual(1);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('is unavailable while the ATR is zero (flat market): nothing is invented', () => {
    const values = run(Array.from({ length: 30 }, (_, i) => bar(i, 100, 100, 100, 10)));
    expect(values.every((v) => !v.available && v.value === 0)).toBe(true);
  });

  it('resets the VWAP at the 17:00 Chicago trading-day boundary, not at UTC midnight', () => {
    const p = { atrBars: 3, slopeBars: 2, distanceWeight: 0.6 };
    // Tue 15:00-15:59 CDT around 100, then Tue 17:00 CDT (Wednesday's trading day) flat at 200
    const before = Array.from({ length: 60 }, (_, i) => bar(i, 101, 99, 100, 1_000, Date.parse('2023-07-11T20:00:00Z')));
    const after = Array.from({ length: 10 }, (_, i) => bar(i, 201, 199, 200, 10, Date.parse('2023-07-11T22:00:00Z')));
    const values = run([...before, ...after], p);
    const next = values.slice(60);
    // the new session needs slopeBars + 1 VWAP points again, although the ATR window is full
    expect(next.map((v) => v.available)).toEqual([false, false, true, true, true, true, true, true, true, true]);
    // from then on price sits on a flat session VWAP of 200: distance 0, slope 0
    for (const v of next.slice(2)) expect(v.value).toBeCloseTo(0, 12);

    // the same shape across 00:00 UTC (19:00 CDT) stays one session: no reset, price far above VWAP
    const eve = Array.from({ length: 60 }, (_, i) => bar(i, 101, 99, 100, 1_000, Date.parse('2023-07-11T23:00:00Z')));
    const night = Array.from({ length: 10 }, (_, i) => bar(i, 201, 199, 200, 10, Date.parse('2023-07-12T00:00:00Z')));
    const same = run([...eve, ...night], p).slice(60);
    expect(same.every((v) => v.available && v.value > 0.5)).toBe(true);
  });

  it('property: no look-ahead - the value at bar t on the series truncated at t equals the value at t on the full series', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 6 * 60 }), (seed, offsetMinutes) => {
        // 16:00 CT + offset: crosses the break and the 17:00 session reset
        const bars = simulated(seed, 150, Date.parse('2023-07-11T19:00:00Z') + offsetMinutes * MINUTE);
        const full = run(bars, { atrBars: 10, slopeBars: 4, distanceWeight: 0.6 });
        for (let t = 0; t < bars.length; t += 7) {
          expect(run(bars.slice(0, t + 1), { atrBars: 10, slopeBars: 4, distanceWeight: 0.6 })[t]).toEqual(full[t]);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('property: symmetry - mirroring prices around the first price flips the sign of the feature', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const bars = simulated(seed, 400, Date.parse('2023-07-11T19:00:00Z'));
        const c = bars[0]!.open;
        const up = run(bars);
        const down = run(bars.map((b) => mirror(b, c)));
        up.forEach((v, i) => {
          expect(down[i]!.available).toBe(v.available);
          expect(down[i]!.value).toBeCloseTo(-v.value, 9);
        });
        expect(up.some((v) => Math.abs(v.value) > 0.1)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});
