import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawdownOf } from '../../../backtest/equityCurve.ts';
import { downsampleMinMax, MAX_CHART_POINTS } from '../../../backtest/report/downsample.ts';

const identity = (x: number) => x;

describe('downsampleMinMax', () => {
  it('returns a short series whole (a copy)', () => {
    const series = [3, 1, 2];
    const out = downsampleMinMax(series, 10, identity);
    expect(out).toEqual(series);
    expect(out).not.toBe(series);
  });

  it('rejects a point budget too small to keep first, last, min and max', () => {
    expect(() => downsampleMinMax([1, 2, 3, 4, 5], 3, identity)).toThrow(/maxPoints/);
  });

  it('keeps a one-bar crash and a one-bar spike hidden in 50,000 points', () => {
    const series = Array.from({ length: 50_000 }, (_, i) => 100_000 + Math.sin(i / 500) * 1_000);
    series[31_337] = 60_000; // a crash lasting one point
    series[12_345] = 150_000; // a spike lasting one point
    const out = downsampleMinMax(series.map((v, i) => ({ i, v })), MAX_CHART_POINTS, (p) => p.v);
    expect(out.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
    expect(out.map((p) => p.i)).toContain(31_337);
    expect(out.map((p) => p.i)).toContain(12_345);
    // The deepest fall (spike to crash) survives exactly.
    expect(drawdownOf(out.map((p) => p.v))).toEqual(drawdownOf(series));
  });

  it('is a bounded, ordered subsequence keeping the ends and the extremes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 0, maxLength: 600 }),
        fc.integer({ min: 4, max: 80 }),
        (values, maxPoints) => {
          const indexed = values.map((v, i) => ({ i, v }));
          const out = downsampleMinMax(indexed, maxPoints, (p) => p.v);
          expect(out.length).toBeLessThanOrEqual(Math.max(maxPoints, 0));
          for (let k = 1; k < out.length; k++) expect(out[k]!.i).toBeGreaterThan(out[k - 1]!.i);
          if (values.length === 0) return;
          expect(out[0]!.i).toBe(0);
          expect(out[out.length - 1]!.i).toBe(values.length - 1);
          const kept = out.map((p) => p.v);
          expect(Math.min(...kept)).toBe(Math.min(...values));
          expect(Math.max(...kept)).toBe(Math.max(...values));
          // Never invents a fall, never hides more than it shows.
          expect(drawdownOf(kept).maxDrawdown).toBeLessThanOrEqual(drawdownOf(values).maxDrawdown);
        },
      ),
      { numRuns: 300 },
    );
  });
});
