/**
 * Turns what a backtest session left (the memory journal, the observed signals and equity
 * marks, the session summary) into the BacktestResult: ISO-8601 UTC times, dollars, the
 * metrics of backtest/metrics.ts, provenance and the configuration hash.
 */
import { canonicalHash } from '../core/canonicalHash.ts';
import { commissionPerContract, frontContractAt, instrumentFor } from '../config/instruments.ts';
import { parseContract } from '../core/contractRoll.ts';
import type { MiaConfig } from '../config/schema.ts';
import type { SessionSummary } from '../session/session.ts';
import type { Journal } from '../adapters/store/journal.ts';
import { applyFill, emptyBook } from '../core/positionBook.ts';
import { tradingDay } from '../core/tradingDay.ts';
import type { Trade } from '../core/types.ts';
import type { ScoredSignal } from '../strategy/scorer.ts';
import { computeMetrics, type EquityMark } from './metrics.ts';
import { monteCarloReport } from './monteCarlo.ts';
import type { BacktestInput, OperatorResumePolicy } from './engine.ts';
import type { BacktestFill, BacktestMetrics, BacktestResult, BacktestRiskOutcome, BacktestSignal, BacktestTrade } from './result.ts';
import { headlineMetrics } from './result.ts';
import type { AvailabilityReport } from './availability.ts';

/** What the result keeps of a signal (not its feature vector). */
export type ObservedSignal = Pick<ScoredSignal, 'time' | 'side' | 'score' | 'threshold' | 'price' | 'available'>;

export interface ResultParts {
  input: BacktestInput;
  config: MiaConfig;
  policy: OperatorResumePolicy;
  summary: SessionSummary;
  journal: Journal;
  signals: readonly ObservedSignal[];
  marks: readonly EquityMark[];
  featureAvailability: Record<string, number>;
  availability?: AvailabilityReport;
  operatorResumes: number;
  risk: Omit<BacktestRiskOutcome, 'openPositionAtEnd' | 'operatorResume'>;
  /** Trading day of the first judged bar. */
  firstDay: string;
  /** Close time of the last bar published (ms UTC). */
  lastTime: number;
  pointValue: number;
  miaVersion: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const cents = (x: number): number => Math.round(x * 100) / 100;

/** What closed a trade, from the purpose of the order whose fill closed it. */
export function exitReason(purpose: string | undefined): string {
  if (purpose === 'bracket-stop') return 'stop';
  if (purpose === 'bracket-target') return 'target';
  return purpose ?? 'unknown';
}

export function assembleResult(p: ResultParts): BacktestResult {
  const { journal, config } = p;
  // Looked up per fill (not a map of every order: a killed run journals ~100k refusals).
  const purposeOf = { get: (clientOrderId: string): string | undefined => journal.order(clientOrderId)?.request.purpose };

  // The journal's trades, with the order that closed each one: the fills replayed through
  // the position book close trades in the same order the orchestrator journaled them.
  const journaled = journal.trades() as readonly Trade[];
  const reasons: string[] = [];
  let book = emptyBook(config.symbol);
  for (const fill of journal.fills()) {
    const r = applyFill(book, fill, p.pointValue);
    book = r.book;
    for (let i = 0; i < r.closed.length; i++) reasons.push(exitReason(purposeOf.get(fill.clientOrderId)));
  }
  // A file of one named contract (Lean's ESZ13) trades that contract; a continuous series, the front one at each entry.
  const root = instrumentFor(config.symbol).root;
  const ownContract = (p.input.data ?? []).some((d) => d.symbol !== undefined && parseContract(d.symbol) !== null);
  const trades: BacktestTrade[] = journaled.map((t, i) => ({
    side: t.side,
    qty: t.qty,
    entryTime: iso(t.entryTime),
    exitTime: iso(t.exitTime),
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    commission: cents(t.commission),
    pnl: cents(t.pnl),
    exitReason: reasons[i] ?? 'unknown',
    contract: ownContract ? config.symbol : frontContractAt(root, t.entryTime),
  }));
  const fills: BacktestFill[] = journal.fills().map((f) => ({
    clientOrderId: f.clientOrderId,
    executionId: f.executionId,
    purpose: purposeOf.get(f.clientOrderId) ?? 'unknown',
    side: f.side,
    qty: f.qty,
    price: f.price,
    time: iso(f.time),
    commission: cents(f.commission),
  }));
  const signals: BacktestSignal[] = p.signals.map((s) => ({
    time: iso(s.time),
    side: s.side,
    score: s.score,
    threshold: s.threshold,
    price: s.price,
    // The engine interns these lists (identical ones shared): shared here too, the JSON is the same.
    available: s.available,
  }));

  const lastExit = journaled.reduce((m, t) => Math.max(m, t.exitTime), -Infinity);
  const lastMark = p.marks.at(-1)?.time ?? -Infinity;
  const period = { from: p.firstDay, to: tradingDay(Math.max(p.lastTime, lastExit, lastMark)) };
  const performance = computeMetrics({
    trades: journaled,
    startingEquity: config.startingEquity,
    period,
    equityMarks: p.marks,
    signalTimes: p.signals.map((s) => s.time),
  });
  const metrics: BacktestMetrics = headlineMetrics(performance);

  const shaping = {
    symbol: config.symbol,
    startingEquity: config.startingEquity,
    venue: {
      slippageTicks: config.venue.slippageTicks,
      commissionPerContract: commissionPerContract(config),
      marginPerContract: config.venue.marginPerContract,
    },
    strategy: config.strategy,
    risk: config.risk,
    operatorResume: p.policy,
  };
  const mc = p.input.monteCarlo;
  const result: BacktestResult = {
    provenance: {
      data: p.input.data ?? [],
      chains: p.input.chainFiles ?? [],
      configHash: canonicalHash(shaping),
      mia: p.miaVersion,
      window: p.input.window ?? { from: null, to: null },
    },
    period: performance.period,
    metrics,
    performance,
    trades,
    fills,
    signals,
    equity: p.marks.map((m) => ({ time: iso(m.time), equity: cents(m.equity) })),
    featureAvailability: p.featureAvailability,
    ...(p.availability ? { availability: p.availability } : {}),
    counts: {
      bars: p.summary.bars,
      orders: p.summary.orders,
      riskRefusals: p.summary.riskRefusals,
      rejects: p.summary.rejects,
      signals: signals.length,
      fills: fills.length,
      trades: trades.length,
      operatorResumes: p.operatorResumes,
    },
    config: shaping,
    risk: { ...p.risk, openPositionAtEnd: p.summary.openPosition, operatorResume: p.policy },
  };
  if (mc) result.monteCarlo = monteCarloReport(journaled, { runs: mc.runs, seed: mc.seed ?? config.feed.seed, startingEquity: config.startingEquity });
  return result;
}

export { canonicalHash } from '../core/canonicalHash.ts';
