import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RollingWindow, windowSlope } from '../../../strategy/features/rollingWindow.ts';
import { RollingAtr } from '../../../strategy/features/rollingAtr.ts';

/** Ordinary least-squares slope of ys against 0..n-1, written the textbook way. */
const naiveSlope = (ys: number[]) => {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
};

describe('RollingWindow', () => {
  it('keeps the last N values in time order with their sum and mean', () => {
    const w = new RollingWindow(3);
    expect(w.count).toBe(0);
    expect(w.mean).toBeNaN();
    expect(w.last).toBeNaN();
    w.push(1);
    w.push(2);
    expect([w.count, w.full, w.sum, w.mean, w.get(0), w.get(1), w.last]).toEqual([2, false, 3, 1.5, 1, 2, 2]);
    w.push(3);
    w.push(10); // evicts 1
    expect([w.count, w.full, w.sum, w.get(0), w.get(1), w.get(2), w.last]).toEqual([3, true, 15, 2, 3, 10, 10]);
    w.clear();
    expect([w.count, w.sum]).toEqual([0, 0]);
  });

  it('refuses a non-positive capacity', () => {
    expect(() => new RollingWindow(0)).toThrow(RangeError);
    expect(() => new RollingWindow(2.5)).toThrow(RangeError);
  });

  it('property: matches a plain array over any sequence, and its sum does not drift', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 300 }), (n, xs) => {
        const w = new RollingWindow(n);
        xs.forEach((x, i) => {
          w.push(x);
          const tail = xs.slice(Math.max(0, i + 1 - n), i + 1);
          expect(Array.from({ length: w.count }, (_, k) => w.get(k))).toEqual(tail);
          const exact = tail.reduce((a, b) => a + b, 0);
          expect(Math.abs(w.sum - exact)).toBeLessThanOrEqual(1e-6 * (1 + tail.reduce((a, b) => a + Math.abs(b), 0)));
        });
      }),
    );
  });

  it('windowSlope is the least-squares slope, and exactly opposite on a mirrored series', () => {
    const w = new RollingWindow(4);
    for (const y of [1, 3, 5, 7, 9]) w.push(y); // holds 3 5 7 9
    expect(windowSlope(w)).toBe(2);
    expect(windowSlope(new RollingWindow(3))).toBeNaN();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 15_000, max: 17_000 }), { minLength: 2, maxLength: 40 }), fc.integer({ min: 2, max: 12 }), (ticks, n) => {
        const prices = ticks.map((t) => t / 4); // the 0.25 grid
        const up = new RollingWindow(n);
        const down = new RollingWindow(n);
        const c = prices[0]!;
        for (const p of prices) {
          up.push(p);
          down.push(2 * c - p);
        }
        const tail = prices.slice(-Math.min(n, prices.length));
        expect(windowSlope(up)).toBeCloseTo(naiveSlope(tail), 9);
        // + 0 folds -0 into 0: a flat window has slope 0 both ways.
        expect(windowSlope(down) + 0).toBe(-windowSlope(up) + 0);
      }),
    );
  });
});

describe('RollingAtr', () => {
  it('is the simple mean of the last N true ranges (gaps count)', () => {
    const a = new RollingAtr(2);
    a.update(102, 98, 100); // TR 4 (first bar: high - low)
    expect([a.ready, a.value]).toEqual([false, 4]);
    a.update(106, 103, 105); // gap up: TR = 106 - min(103, 100) = 6
    expect([a.ready, a.value]).toEqual([true, 5]);
    a.update(105, 104, 104); // TR = max(105, 105) - min(104, 105) = 1 -> (6 + 1) / 2
    expect(a.value).toBe(3.5);
  });
});
