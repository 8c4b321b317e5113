/**
 * A/B comparison of two configurations on the same data and days: headline metrics side
 * by side with their differences (B - A), and a paired comparison of daily P&L, which is
 * what tells the trader whether B is really better or just lucky.
 *
 * Pairing: both runs judge the same trading days; day i's P&L is the change of that run's
 * end-of-day equity (backtest/metrics.ts dailyReturns), so d_i = P&L_B(i) - P&L_A(i) in
 * dollars. The mean difference gets a 95% percentile-bootstrap interval: the days are
 * resampled with replacement (seeded, core/prng.ts), `resamples` times. Days are treated
 * as exchangeable (no block bootstrap): with autocorrelated P&L the interval is too narrow.
 */
import { Prng } from '../core/prng.ts';
import type { PerformanceMetrics } from './metrics.ts';
import type { BacktestMetrics } from './result.ts';
import { mean, quantileSorted, sampleStd } from './statistics.ts';
import type { BacktestOutcome, BacktestRequest, BatchRunner } from './sweepRunner.ts';
import type { MiaConfig } from '../config/schema.ts';

export interface PairedDays {
  days: number;
  /** Mean of B - A daily P&L, dollars. */
  meanDifference: number;
  /** Sample standard deviation of the daily differences (null under two days). */
  stdDifference: number | null;
  /** 95% percentile-bootstrap interval of the mean difference, dollars. */
  interval95: { low: number; high: number };
  /** Share of bootstrap means above zero. */
  probabilityBBetter: number;
  /** Days on which B made more / less / the same as A. */
  bBetterDays: number;
  aBetterDays: number;
  tiedDays: number;
  seed: number;
  resamples: number;
  /** 'B better' when the interval is above zero, 'A better' below it, otherwise no evidence either way. */
  verdict: 'B better' | 'A better' | 'no significant difference';
}

export interface ABComparison {
  period: { from: string; to: string };
  a: BacktestMetrics;
  b: BacktestMetrics;
  /** B - A for every headline metric; null where either side is null. */
  difference: Record<keyof BacktestMetrics, number | null>;
  daily: PairedDays;
  /** Daily P&L of both sides, dollars, day by day (for reports). */
  dailyPnl: Array<{ day: string; a: number; b: number }>;
}

export interface ABOptions {
  seed?: number;
  resamples?: number;
}

/** Compares two outcomes of the same period. */
export function abCompare(a: BacktestOutcome, b: BacktestOutcome, options: ABOptions = {}): ABComparison {
  const seed = options.seed ?? 1;
  const resamples = options.resamples ?? 10_000;
  if (!(Number.isInteger(resamples) && resamples > 0)) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (a.period.from !== b.period.from || a.period.to !== b.period.to) {
    throw new Error(`A/B: the runs judged different periods (A ${a.period.from} .. ${a.period.to}, B ${b.period.from} .. ${b.period.to}); compare on the same data and days`);
  }
  const pnlA = dailyPnl(a.performance);
  const pnlB = dailyPnl(b.performance);
  const dailyRows = pnlA.map((d, i) => ({ day: d.day, a: d.pnl, b: pnlB[i]!.pnl }));
  const diffs = dailyRows.map((r) => r.b - r.a);
  const difference = {} as Record<keyof BacktestMetrics, number | null>;
  for (const key of Object.keys(a.metrics) as (keyof BacktestMetrics)[]) {
    const x = a.metrics[key];
    const y = b.metrics[key];
    difference[key] = x === null || y === null ? null : y - x;
  }
  return { period: a.period, a: a.metrics, b: b.metrics, difference, daily: pairedDays(diffs, seed, resamples), dailyPnl: dailyRows };
}

/** Runs A and B over the same days (in parallel on a pool) and compares them. */
export async function runAB(
  batch: BatchRunner,
  configA: MiaConfig,
  configB: MiaConfig,
  window: { from?: string; to?: string } = {},
  options: ABOptions = {},
): Promise<ABComparison> {
  const request = (config: MiaConfig): BacktestRequest => ({ config, detail: 'summary', ...window });
  const [a, b] = await batch([request(configA), request(configB)]);
  return abCompare(a!, b!, options);
}

/** P&L of each trading day of the period, dollars: the change of end-of-day equity. */
export function dailyPnl(p: PerformanceMetrics): Array<{ day: string; pnl: number }> {
  let before = p.startingEquity;
  return p.dailyReturns.map((d) => {
    const pnl = d.equity - before;
    before = d.equity;
    return { day: d.day, pnl };
  });
}

/** Mean of paired differences with its seeded bootstrap interval. */
export function pairedDays(diffs: readonly number[], seed: number, resamples: number): PairedDays {
  const n = diffs.length;
  const m = mean(diffs) ?? 0;
  const means = new Float64Array(n === 0 ? 0 : resamples);
  if (n > 0) {
    const prng = new Prng(seed >>> 0);
    for (let r = 0; r < resamples; r++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += diffs[Math.floor(prng.next() * n)]!;
      means[r] = sum / n;
    }
    means.sort();
  }
  const low = quantileSorted(means, 0.025) ?? 0;
  const high = quantileSorted(means, 0.975) ?? 0;
  let above = 0;
  for (const x of means) if (x > 0) above++;
  return {
    days: n,
    meanDifference: m,
    stdDifference: sampleStd(diffs),
    interval95: { low, high },
    probabilityBBetter: means.length > 0 ? above / means.length : 0,
    bBetterDays: diffs.filter((d) => d > 0).length,
    aBetterDays: diffs.filter((d) => d < 0).length,
    tiedDays: diffs.filter((d) => d === 0).length,
    seed,
    resamples,
    verdict: low > 0 ? 'B better' : high < 0 ? 'A better' : 'no significant difference',
  };
}
