/**
 * Parameter sweep: every grid point backtested over the same window (through a batch
 * runner: the worker pool, or serially), rows in grid order whatever the workers' timing,
 * and the choice of the best point by an objective.
 *
 * Choice rule (walk-forward uses the same): a point is eligible when it made at least
 * `minTrades` trades and its objective is defined (not null); the best eligible value wins
 * (highest, or lowest for drawdowns); an exact tie goes to the earlier grid point.
 */
import type { Objective } from '../config/backtestSchema.ts';
import type { BacktestMetrics } from './result.ts';
import type { PerformanceMetrics } from './metrics.ts';
import type { GridPoint } from './sweepGrid.ts';
import type { BacktestOutcome, BatchRunner } from './sweepRunner.ts';

/** Objectives where less is better. */
const MINIMISED: ReadonlySet<Objective> = new Set(['maxDrawdown', 'maxDrawdownPct']);

export interface SweepRow {
  index: number;
  params: Record<string, unknown>;
  period: { from: string; to: string };
  metrics: BacktestMetrics;
  /** The objective's value (null when undefined for this run). */
  objective: number | null;
  /** Enough trades and a defined objective. */
  eligible: boolean;
}

export interface SweepResult {
  window: { from: string | null; to: string | null };
  objective: Objective;
  minTrades: number;
  rows: SweepRow[];
  /** Grid index of the chosen point, null when none is eligible. */
  best: number | null;
}

export interface SweepOptions {
  points: readonly GridPoint[];
  batch: BatchRunner;
  from?: string;
  to?: string;
  objective?: Objective;
  minTrades?: number;
}

export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const objective = options.objective ?? 'sharpe';
  const minTrades = options.minTrades ?? 0;
  const requests = options.points.map((p) => ({
    config: p.config,
    detail: 'summary' as const,
    ...(options.from !== undefined ? { from: options.from } : {}),
    ...(options.to !== undefined ? { to: options.to } : {}),
  }));
  const outcomes = await options.batch(requests);
  const rows = sweepRows(options.points, outcomes, objective, minTrades);
  return { window: { from: options.from ?? null, to: options.to ?? null }, objective, minTrades, rows, best: chooseBest(rows, objective) };
}

/** Rows of outcomes that are in the points' order. */
export function sweepRows(points: readonly GridPoint[], outcomes: readonly BacktestOutcome[], objective: Objective, minTrades: number): SweepRow[] {
  if (outcomes.length !== points.length) throw new Error(`sweep: ${points.length} points but ${outcomes.length} results`);
  return points.map((p, i) => {
    const o = outcomes[i]!;
    const value = objectiveValue(o.performance, objective);
    return {
      index: p.index,
      params: p.params,
      period: o.period,
      metrics: o.metrics,
      objective: value,
      eligible: value !== null && o.performance.trades >= minTrades,
    };
  });
}

/** A metric as an objective: null when undefined or not finite. */
export function objectiveValue(p: PerformanceMetrics, objective: Objective): number | null {
  const v = p[objective];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Grid index of the best eligible row (ties: the earlier row), null when none is eligible. */
export function chooseBest(rows: readonly SweepRow[], objective: Objective): number | null {
  const sign = MINIMISED.has(objective) ? -1 : 1;
  let best: SweepRow | null = null;
  for (const r of rows) {
    if (!r.eligible) continue;
    if (best === null || sign * r.objective! > sign * best.objective! || (r.objective === best.objective && r.index < best.index)) best = r;
  }
  return best === null ? null : best.index;
}
