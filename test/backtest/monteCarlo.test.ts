import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { monteCarlo, monteCarloReport } from '../../backtest/monteCarlo.ts';
import { MetricsInputError } from '../../backtest/metricsInputError.ts';
import type { Trade } from '../../core/types.ts';

const options = { seed: 7, runs: 2_000, startingEquity: 10_000 };

/** Max drawdown in $ of start + running sum, written out here (not the module's helper). */
const maxDrawdownOf = (start: number, pnl: readonly number[]): number => {
  let equity = start;
  let peak = start;
  let worst = 0;
  for (const x of pnl) {
    equity += x;
    peak = Math.max(peak, equity);
    worst = Math.max(worst, peak - equity);
  }
  return worst;
};

const permutations = <T,>(xs: readonly T[]): T[][] =>
  xs.length <= 1 ? [[...xs]] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));

/** Type-7 quantile of an exact (sorted, equally likely) population. */
const quantile = (sorted: readonly number[], q: number) => {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!);
};

describe('monteCarlo', () => {
  const pnl = [300, -120, 80, -250, 410, -60, 150];

  it('is deterministic for a seed, and another seed draws other sequences', () => {
    expect(monteCarlo(pnl, 'bootstrap', options)).toEqual(monteCarlo(pnl, 'bootstrap', options));
    expect(monteCarlo(pnl, 'shuffle', options)).toEqual(monteCarlo(pnl, 'shuffle', options));
    expect(monteCarlo(pnl, 'bootstrap', { ...options, seed: 8 }).netProfit).not.toEqual(monteCarlo(pnl, 'bootstrap', options).netProfit);
  });

  it('shuffle keeps the net profit of every sequence; only the drawdown varies', () => {
    const r = monteCarlo(pnl, 'shuffle', options);
    const net = pnl.reduce((a, b) => a + b, 0);
    expect(r.netProfit).toEqual({ p5: net, p50: net, p95: net });
    expect(r.totalReturn.p50).toBeCloseTo(net / 10_000, 12);
    expect(r.probabilityOfLoss).toBe(0);
    expect(r.maxDrawdown.p5).toBeLessThan(r.maxDrawdown.p95);
  });

  it('shuffle drawdown percentiles match the exact distribution over all orders', () => {
    const exact = permutations(pnl).map((p) => maxDrawdownOf(10_000, p)).sort((a, b) => a - b); // 5,040 orders
    const r = monteCarlo(pnl, 'shuffle', { ...options, runs: 20_000 });
    const range = exact.at(-1)! - exact[0]!;
    expect(Math.abs(r.maxDrawdown.p5 - quantile(exact, 0.05))).toBeLessThan(0.03 * range);
    expect(Math.abs(r.maxDrawdown.p50 - quantile(exact, 0.5))).toBeLessThan(0.03 * range);
    expect(Math.abs(r.maxDrawdown.p95 - quantile(exact, 0.95))).toBeLessThan(0.03 * range);
    expect(r.maxDrawdownPct.p50).toBeCloseTo(r.maxDrawdown.p50 / 10_000, 1);
  });

  it('bootstrap resamples with replacement: +/-100 over 4 trades loses with probability 5/16, median net 0', () => {
    const r = monteCarlo([100, -100, 100, -100], 'bootstrap', { ...options, runs: 20_000 });
    // Net = 100 * (2k - 4), k ~ Binomial(4, 1/2): P(k < 2) = 5/16; P(k = 2) = 6/16 holds the median.
    expect(r.probabilityOfLoss).toBeGreaterThan(5 / 16 - 0.015);
    expect(r.probabilityOfLoss).toBeLessThan(5 / 16 + 0.015);
    expect(r.netProfit).toEqual({ p5: -400, p50: 0, p95: 400 }); // P(net <= 200) = 15/16 < 0.95
    expect(r.trades).toBe(4);
  });

  it('no trades: every percentile is 0, nothing is lost', () => {
    for (const method of ['shuffle', 'bootstrap'] as const) {
      const r = monteCarlo([], method, options);
      for (const p of [r.totalReturn, r.netProfit, r.maxDrawdown, r.maxDrawdownPct]) expect(p).toEqual({ p5: 0, p50: 0, p95: 0 });
      expect(r.probabilityOfLoss).toBe(0);
    }
  });

  it('property: percentiles are ordered and finite; drawdowns within the worst possible', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2_000, max: 2_000, noNaN: true }), { maxLength: 40 }), fc.integer(), (xs, seed) => {
        for (const method of ['shuffle', 'bootstrap'] as const) {
          const r = monteCarlo(xs, method, { seed, runs: 200, startingEquity: 50_000 });
          for (const p of [r.totalReturn, r.netProfit, r.maxDrawdown, r.maxDrawdownPct]) {
            expect([p.p5, p.p50, p.p95].every(Number.isFinite)).toBe(true);
            expect(p.p5 <= p.p50 && p.p50 <= p.p95).toBe(true);
          }
          // No sequence can lose more than every losing trade taken back to back.
          const bound = method === 'shuffle' ? -xs.filter((x) => x < 0).reduce((a, b) => a + b, 0) : -Math.min(0, ...xs) * xs.length;
          expect(r.maxDrawdown.p95).toBeLessThanOrEqual(bound + 1e-6);
          expect(r.maxDrawdown.p5).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('monteCarloReport runs both methods on the trades P&L', () => {
    const trades = pnl.map((x, i): Trade => ({ symbol: 'ES', side: 'long', qty: 1, entryTime: i, exitTime: i + 1, entryPrice: 1, exitPrice: 1, commission: 0, pnl: x }));
    const report = monteCarloReport(trades, options);
    expect(report.shuffle).toEqual(monteCarlo(pnl, 'shuffle', options));
    expect(report.bootstrap).toEqual(monteCarlo(pnl, 'bootstrap', options));
  });

  it('refuses bad input with a typed error naming it', () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(MetricsInputError);
        return (err as MetricsInputError).field;
      }
      return 'no error';
    };
    expect(field(() => monteCarlo(pnl, 'shuffle', { ...options, runs: 0 }))).toBe('runs');
    expect(field(() => monteCarlo(pnl, 'shuffle', { ...options, seed: 1.5 }))).toBe('seed');
    expect(field(() => monteCarlo(pnl, 'shuffle', { ...options, startingEquity: -1 }))).toBe('startingEquity');
    expect(field(() => monteCarlo([1, Number.NaN], 'bootstrap', options))).toBe('pnl[1]');
  });
});
