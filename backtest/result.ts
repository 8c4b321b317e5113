/**
 * What a backtest produces: the JSON `mia backtest --json OUT` writes, the input of the
 * reports (terminal, HTML), of walk-forward / A/B / attribution, and the evidence the
 * deployment gates judge. Times are ISO-8601 UTC, money is dollars.
 */
import type { PerformanceMetrics } from './metrics.ts';
import type { MonteCarloReport } from './monteCarlo.ts';
import type { AvailabilityReport } from './availability.ts';

/** One data file the run read, so anyone can check the result came from it. */
export interface DataProvenance {
  file: string;
  sha256: string;
  format: string;
  rows: number;
  /** First and last bar open times (ISO UTC), after --from/--to. */
  from: string | null;
  to: string | null;
  /** Provenance label as `mia run` prints it (`replay:<file>#<sha256>`). */
  label: string;
  /** The instrument or contract the file holds, as its loader read it (`ES`, `NQ`, `ESZ13`). */
  symbol?: string;
}

export interface BacktestProvenance {
  data: DataProvenance[];
  /** Option chain files used for gamma (with --chains). */
  chains: DataProvenance[];
  /** sha256 of the canonical JSON of the effective configuration. */
  configHash: string;
  /** MIA version (package.json) that produced the result. */
  mia: string;
  /** Requested window, when --from/--to were given (YYYY-MM-DD). */
  window: { from: string | null; to: string | null };
}

export interface BacktestTrade {
  side: 'long' | 'short';
  qty: number;
  entryTime: string;
  exitTime: string;
  entryPrice: number;
  exitPrice: number;
  /** Round-turn commission, dollars. */
  commission: number;
  /** Net of commission, dollars. */
  pnl: number;
  /** What closed it: 'stop' | 'target' | 'time-stop' | 'flatten' | 'exit' ... */
  exitReason?: string;
  /** The contract traded: the data's own, else the front quarterly contract at entry (ESU23, ESZ23 ...). */
  contract?: string;
}

export interface BacktestFill {
  clientOrderId: string;
  executionId: string;
  purpose: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  time: string;
  commission: number;
}

export interface BacktestSignal {
  time: string;
  side: 'buy' | 'sell';
  score: number;
  threshold: number;
  price: number;
  available: string[];
}

/** The headline metrics (the contract) plus everything the reports need. */
export interface BacktestMetrics {
  trades: number;
  winRate: number | null;
  profitFactor: number | null;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: number;
  maxDrawdownPct: number;
  recoveryFactor: number | null;
  netProfit: number;
  cagr: number | null;
  signalsPerMonth: number | null;
}

/** The contract's headline metrics, read off the metrics module's full output. */
export function headlineMetrics(p: PerformanceMetrics): BacktestMetrics {
  return {
    trades: p.trades,
    winRate: p.winRate,
    profitFactor: p.profitFactor,
    sharpe: p.sharpe,
    sortino: p.sortino,
    maxDrawdown: p.maxDrawdown,
    maxDrawdownPct: p.maxDrawdownPct,
    recoveryFactor: p.recoveryFactor,
    netProfit: p.netProfit,
    cagr: p.cagr,
    signalsPerMonth: p.signalsPerMonth,
  };
}

export interface BacktestResult {
  provenance: BacktestProvenance;
  /** Trading days judged (YYYY-MM-DD, inclusive). */
  period: { from: string; to: string };
  metrics: BacktestMetrics;
  /** The full metrics module output (monthly/daily returns, stability, ...). */
  performance: PerformanceMetrics;
  trades: BacktestTrade[];
  fills: BacktestFill[];
  signals: BacktestSignal[];
  /** Mark-to-market equity, one point per bar close where it changed plus each day end. */
  equity: Array<{ time: string; equity: number }>;
  /** Share of bars on which each feature was available, in [0, 1]. */
  featureAvailability: Record<string, number>;
  /** Available confluence weight, per feature the share of bars and of signals, proxies, signals held back (backtest/availability.ts). */
  availability?: AvailabilityReport;
  /** Counters: bars, orders, risk refusals, rejects (the engine adds the optional ones). */
  counts: {
    bars: number;
    orders: number;
    riskRefusals: number;
    rejects: number;
    signals?: number;
    fills?: number;
    trades?: number;
    /** Times the backtest's operator resumed a limited risk state (`--operator-resume next-day`). */
    operatorResumes?: number;
  };
  /** The effective configuration sections that shaped the trades. */
  config: Record<string, unknown>;
  /** Risk at the end of the run: a kill is never resumed by the backtest, so it is reported here. */
  risk?: BacktestRiskOutcome;
  /** Trade-order shuffling and bootstrap of the trades (`--monte-carlo N`). */
  monteCarlo?: MonteCarloReport;
}

export interface BacktestRiskOutcome {
  /** 'normal' | 'limited' | 'killed' | 'reconciling' at the end. */
  finalState: string;
  /** Reasons risk was limited at the end (e.g. consecutive-losses). */
  reasons: string[];
  /** The kill that stopped trading, if any (ISO time, who, why). */
  killed: { time: string; by: string; reason: string } | null;
  /** Contracts still open when the data ended (0 after the final flatten). */
  openPositionAtEnd: number;
  /** The operator policy of the run. */
  operatorResume: 'next-day' | 'never';
}
