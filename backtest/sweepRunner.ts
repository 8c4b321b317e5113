/**
 * The narrow contract walk-forward, sweeps, stress windows and A/B comparisons run
 * backtests through: a request (configuration and a window of trading days) and what they
 * read back from a run. The engine (backtest/engine.ts) is bound to it by an adapter; tests
 * bind their own runners, so every robustness rule is testable without the engine.
 */
import type { MiaConfig } from '../config/schema.ts';
import type { Trade } from '../core/types.ts';
import type { BacktestMetrics, BacktestResult, BacktestTrade } from './result.ts';
import { computeMetrics, type PerformanceMetrics } from './metrics.ts';

/** One backtest to run. Days are CME trading days `YYYY-MM-DD`, both ends inclusive. */
export interface BacktestRequest {
  config: MiaConfig;
  /** First and last trading day judged; absent = the data's first / last day. */
  from?: string;
  to?: string;
  /**
   * Earliest trading day whose bars may warm the features up (past data only, never
   * after `from`); trades and metrics still count only from `from`. Absent = no warm-up.
   */
  warmupFrom?: string;
  /** 'summary' drops the equity curve and signals (in-sample sweeps); default 'full'. */
  detail?: 'summary' | 'full';
}

/** What robustness reads from a run: a BacktestResult without its fills (any BacktestResult is one). */
export interface BacktestOutcome {
  period: BacktestResult['period'];
  metrics: BacktestMetrics;
  performance: PerformanceMetrics;
  trades: BacktestTrade[];
  counts: BacktestResult['counts'];
  /** Present with detail 'full'. */
  equity?: BacktestResult['equity'];
  signals?: BacktestResult['signals'];
}

/** Runs one backtest. */
export type BacktestRunner = (request: BacktestRequest) => Promise<BacktestOutcome>;

/** Runs many backtests (in parallel where it can); results in request order. */
export type BatchRunner = (requests: readonly BacktestRequest[]) => Promise<BacktestOutcome[]>;

/** A batch runner that runs one request after the other (tests, one core). */
export const serialBatch =
  (runner: BacktestRunner): BatchRunner =>
  async (requests) => {
    const out: BacktestOutcome[] = [];
    for (const r of requests) out.push(await runner(r));
    return out;
  };

/** The part of a result a request's detail asks for (what crosses a worker boundary). */
export function outcomeOf(result: BacktestOutcome, detail: BacktestRequest['detail'] = 'full'): BacktestOutcome {
  const { period, metrics, performance, trades, counts } = result;
  if (detail === 'summary') return { period, metrics, performance, trades, counts };
  return { period, metrics, performance, trades, counts, equity: result.equity ?? [], signals: result.signals ?? [] };
}

/**
 * The stitched out-of-sample record of a walk-forward (or calibration): its period, from the
 * first window's out-of-sample day to the last's, and computeMetrics over every window's
 * out-of-sample trades (signal times when every window had its signals).
 */
export function stitchedPerformance(
  windows: ReadonlyArray<{ outOfSample: { from: string; to: string } }>,
  trades: readonly BacktestTrade[],
  base: Pick<MiaConfig, 'symbol' | 'startingEquity'>,
  signalTimes: number[] | null,
): { period: { from: string; to: string }; performance: PerformanceMetrics } {
  const period = { from: windows[0]!.outOfSample.from, to: windows.at(-1)!.outOfSample.to };
  const performance = computeMetrics({ trades: metricTrades(trades, base.symbol), startingEquity: base.startingEquity, period, ...(signalTimes ? { signalTimes } : {}) });
  return { period, performance };
}

/** A result's trades as the metrics module takes them (times in ms). */
export function metricTrades(trades: readonly BacktestTrade[], symbol: string): Trade[] {
  return trades.map((t) => ({
    symbol,
    side: t.side,
    qty: t.qty,
    entryTime: Date.parse(t.entryTime),
    exitTime: Date.parse(t.exitTime),
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    commission: t.commission,
    pnl: t.pnl,
  }));
}

