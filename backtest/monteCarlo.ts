/**
 * Monte Carlo robustness of a trade list (issue 6): how much of a backtest's result is the
 * luck of the order and the sample of its trades.
 *
 * - `shuffle`: the same trades in a random order. Net profit never changes; the drawdown
 *   does, and its spread shows how lucky the historical sequence was.
 * - `bootstrap`: as many trades drawn with replacement. Net profit and drawdown both vary.
 *
 * Each run replays `startingEquity` plus the trades' dollar P&L (fixed size, no
 * compounding, as the backtest traded them) and records total return, net profit and max
 * drawdown ($ and % of the peak, backtest/equityCurve.ts). The report gives the 5th, 50th
 * and 95th percentiles (linear interpolation, backtest/statistics.ts); for drawdowns p95 is
 * the pessimistic end. Seeded (core/prng.ts): the same seed gives the same report.
 */
import type { Trade } from '../core/types.ts';
import { Prng } from '../core/prng.ts';
import { drawdownOfPnl } from './equityCurve.ts';
import { quantileSorted } from './statistics.ts';
import { MetricsInputError } from './metricsInputError.ts';

export type MonteCarloMethod = 'shuffle' | 'bootstrap';

export interface MonteCarloOptions {
  seed: number;
  /** Simulated sequences (default 1,000). */
  runs?: number;
  /** Equity before the first trade, dollars (> 0). */
  startingEquity: number;
}

export interface Percentiles {
  p5: number;
  p50: number;
  p95: number;
}

export interface MonteCarloDistribution {
  method: MonteCarloMethod;
  runs: number;
  seed: number;
  /** Trades per sequence (the input's count). */
  trades: number;
  /** Final / starting equity - 1 (fraction). */
  totalReturn: Percentiles;
  netProfit: Percentiles;
  maxDrawdown: Percentiles;
  maxDrawdownPct: Percentiles;
  /** Share of runs that ended with a net loss, in [0, 1]. */
  probabilityOfLoss: number;
}

export interface MonteCarloReport {
  shuffle: MonteCarloDistribution;
  bootstrap: MonteCarloDistribution;
}

export const DEFAULT_MONTE_CARLO_RUNS = 1_000;

/** The distribution of outcomes of `pnl` (dollars per trade) under one resampling method. */
export function monteCarlo(pnl: readonly number[], method: MonteCarloMethod, options: MonteCarloOptions): MonteCarloDistribution {
  const runs = options.runs ?? DEFAULT_MONTE_CARLO_RUNS;
  if (!Number.isInteger(runs) || runs < 1) throw new MetricsInputError('runs', `must be a whole number >= 1, got ${runs}`);
  if (!Number.isInteger(options.seed)) throw new MetricsInputError('seed', `must be an integer, got ${options.seed}`);
  const start = options.startingEquity;
  if (!(Number.isFinite(start) && start > 0)) throw new MetricsInputError('startingEquity', `must be a finite amount > 0, got ${start}`);
  pnl.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new MetricsInputError(`pnl[${i}]`, `must be a finite amount, got ${x}`);
  });

  const rng = new Prng(options.seed >>> 0);
  const n = pnl.length;
  const sequence = Float64Array.from(pnl);
  const net = new Float64Array(runs);
  const dd = new Float64Array(runs);
  const ddPct = new Float64Array(runs);
  let losses = 0;
  for (let r = 0; r < runs; r++) {
    if (method === 'shuffle') {
      // Fisher-Yates: every permutation equally likely, whatever order the array is in.
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const x = sequence[i]!;
        sequence[i] = sequence[j]!;
        sequence[j] = x;
      }
    } else {
      for (let i = 0; i < n; i++) sequence[i] = pnl[Math.floor(rng.next() * n)]!;
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sequence[i]!;
    const drawdown = drawdownOfPnl(start, sequence);
    net[r] = sum;
    dd[r] = drawdown.maxDrawdown;
    ddPct[r] = drawdown.maxDrawdownPct;
    if (sum < 0) losses++;
  }
  const netProfit = percentiles(net);
  return {
    method,
    runs,
    seed: options.seed,
    trades: n,
    totalReturn: { p5: netProfit.p5 / start, p50: netProfit.p50 / start, p95: netProfit.p95 / start },
    netProfit,
    maxDrawdown: percentiles(dd),
    maxDrawdownPct: percentiles(ddPct),
    probabilityOfLoss: losses / runs,
  };
}

/** Both methods over a trade list's P&L (after commissions), with the same seed and runs. */
export function monteCarloReport(trades: readonly Trade[], options: MonteCarloOptions): MonteCarloReport {
  const pnl = trades.map((t) => t.pnl);
  return { shuffle: monteCarlo(pnl, 'shuffle', options), bootstrap: monteCarlo(pnl, 'bootstrap', options) };
}

/** 5th, 50th and 95th percentiles; sorts `values` in place. */
function percentiles(values: Float64Array): Percentiles {
  values.sort();
  return { p5: quantileSorted(values, 0.05)!, p50: quantileSorted(values, 0.5)!, p95: quantileSorted(values, 0.95)! };
}
