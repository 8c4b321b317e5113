/**
 * Walk-forward analysis (DOMAIN.md: the backtest -> simulation gate is judged out of
 * sample). For each window: every candidate parameter set is backtested on the in-sample
 * days only, one is chosen by the objective (sweep.ts chooseBest), and the chosen set is
 * run on the out-of-sample days that follow. The out-of-sample trades of all windows are
 * stitched into one record whose metrics come from computeMetrics, as every metric does.
 *
 * No look-ahead: an in-sample request ends the trading day before its out-of-sample
 * window starts, and the choice reads only in-sample results. The out-of-sample run may
 * warm its features up on the in-sample bars before it (past data); trades count only
 * inside the window.
 *
 * All in-sample runs of all windows go to the batch runner at once (the worker pool keeps
 * every core busy), then all out-of-sample runs.
 */
import type { Objective } from '../config/backtestSchema.ts';
import type { MiaConfig } from '../config/schema.ts';
import { tradingDay } from '../core/tradingDay.ts';
import type { PerformanceMetrics } from './metrics.ts';
import type { BacktestMetrics, BacktestResult, BacktestTrade } from './result.ts';
import { chooseBest, sweepRows } from './sweep.ts';
import type { GridPoint } from './sweepGrid.ts';
import { headlineMetrics } from './result.ts';
import { stitchedPerformance, type BacktestOutcome, type BacktestRequest, type BatchRunner } from './sweepRunner.ts';
import { parameterStability, type ParameterStability } from './walkForwardStability.ts';
import { formatSpan, parseSpan, walkForwardWindows, type DayRange, type Span } from './walkForwardWindows.ts';

export interface WalkForwardOptions {
  /** The configuration without swept parameters: starting equity, symbol, and the set run when there is no grid. */
  baseConfig: MiaConfig;
  /** Candidate parameter sets (sweepGrid.ts expandGrid); empty = the base configuration alone. */
  points?: readonly GridPoint[];
  /** Trading days to analyse, `YYYY-MM-DD` inclusive (usually the data's first and last). */
  from: string;
  to: string;
  /** `60d` / `6m` or a Span. */
  inSample: Span | string;
  outOfSample: Span | string;
  anchored?: boolean;
  /** Default 'sharpe'. */
  objective?: Objective;
  /** In-sample trades a set needs to be eligible; default 5. */
  minTrades?: number;
  /** Out-of-sample runs warm up on their in-sample bars; default true. */
  warmup?: boolean;
  batch: BatchRunner;
}

export interface WalkForwardWindowResult {
  index: number;
  inSample: DayRange;
  outOfSample: DayRange;
  /** The chosen set; null when no candidate was eligible (nothing is traded out of sample). */
  chosen: { index: number; params: Record<string, unknown> } | null;
  /** Candidates eligible in sample. */
  eligible: number;
  /** The chosen set's in-sample metrics. */
  inSampleMetrics: BacktestMetrics | null;
  /** The chosen set's out-of-sample metrics (null when nothing was chosen). */
  outOfSampleMetrics: BacktestMetrics | null;
  /** Out-of-sample net profit, dollars (0 when nothing was chosen). */
  netProfit: number;
  profitable: boolean;
}

export interface WalkForwardResult {
  settings: {
    from: string;
    to: string;
    inSample: string;
    outOfSample: string;
    anchored: boolean;
    objective: Objective;
    minTrades: number;
    warmup: boolean;
    candidates: number;
  };
  windows: WalkForwardWindowResult[];
  /** The stitched out-of-sample record: computeMetrics over every window's OOS trades. */
  outOfSample: {
    period: { from: string; to: string };
    metrics: BacktestMetrics;
    performance: PerformanceMetrics;
    trades: BacktestTrade[];
    /** Out-of-sample equity: each window's marks shifted by the P&L of the windows before it. */
    equity: Array<{ time: string; equity: number }>;
  };
  /** Share of windows whose out-of-sample run made money, in [0, 1]. */
  robustness: number;
  parameterStability: ParameterStability[];
}

export async function walkForward(options: WalkForwardOptions): Promise<WalkForwardResult> {
  const inSample = typeof options.inSample === 'string' ? parseSpan(options.inSample, 'inSample') : options.inSample;
  const outOfSample = typeof options.outOfSample === 'string' ? parseSpan(options.outOfSample, 'outOfSample') : options.outOfSample;
  const objective = options.objective ?? 'sharpe';
  const minTrades = options.minTrades ?? 5;
  const warmup = options.warmup ?? true;
  const anchored = options.anchored ?? false;
  const base = options.baseConfig;
  const points: readonly GridPoint[] = options.points && options.points.length > 0 ? options.points : [{ index: 0, params: {}, config: base }];
  const windows = walkForwardWindows({ from: options.from, to: options.to, inSample, outOfSample, anchored });

  // In sample: every candidate on every window's in-sample days, nothing later.
  const isRequests: BacktestRequest[] = windows.flatMap((w) =>
    points.map((p) => ({ config: p.config, from: w.inSample.from, to: w.inSample.to, detail: 'summary' as const })),
  );
  const isOutcomes = await options.batch(isRequests);
  if (isOutcomes.length !== isRequests.length) throw new Error(`walk-forward: ${isRequests.length} in-sample runs but ${isOutcomes.length} results`);

  const choices = windows.map((w, wi) => {
    const rows = sweepRows(points, isOutcomes.slice(wi * points.length, (wi + 1) * points.length), objective, minTrades);
    const best = chooseBest(rows, objective);
    const row = best === null ? null : rows.find((r) => r.index === best)!;
    return { window: w, rows, row, point: row ? points.find((p) => p.index === row.index)! : null };
  });

  // Out of sample: the chosen set on the days after its in-sample window.
  const oosRequests: BacktestRequest[] = [];
  const oosOf = new Map<number, number>();
  for (const c of choices) {
    if (!c.point) continue;
    oosOf.set(c.window.index, oosRequests.length);
    oosRequests.push({
      config: c.point.config,
      from: c.window.outOfSample.from,
      to: c.window.outOfSample.to,
      ...(warmup ? { warmupFrom: c.window.inSample.from } : {}),
      detail: 'full',
    });
  }
  const oosOutcomes = await options.batch(oosRequests);
  if (oosOutcomes.length !== oosRequests.length) throw new Error(`walk-forward: ${oosRequests.length} out-of-sample runs but ${oosOutcomes.length} results`);

  const trades: BacktestTrade[] = [];
  const equity: Array<{ time: string; equity: number }> = [];
  let signalTimes: number[] | null = [];
  let carried = 0; // P&L of the windows before, added to each window's own equity marks
  const results: WalkForwardWindowResult[] = choices.map((c) => {
    const at = oosOf.get(c.window.index);
    const oos: BacktestOutcome | null = at === undefined ? null : oosOutcomes[at]!;
    if (oos) {
      checkInside(oos.trades, c.window.outOfSample, c.window.index);
      trades.push(...oos.trades);
      if (oos.signals && signalTimes) signalTimes.push(...oos.signals.map((s) => Date.parse(s.time)));
      else signalTimes = null;
      for (const m of stitchable(oos)) equity.push({ time: m.time, equity: m.equity + carried });
      carried += oos.performance.netProfit;
    }
    const netProfit = oos ? oos.performance.netProfit : 0;
    return {
      index: c.window.index,
      inSample: c.window.inSample,
      outOfSample: c.window.outOfSample,
      chosen: c.row ? { index: c.row.index, params: c.row.params } : null,
      eligible: c.rows.filter((r) => r.eligible).length,
      inSampleMetrics: c.row ? c.row.metrics : null,
      outOfSampleMetrics: oos ? oos.metrics : null,
      netProfit,
      profitable: netProfit > 0,
    };
  });

  const { period, performance } = stitchedPerformance(windows, trades, base, signalTimes);
  const swept = options.points && options.points.length > 0 ? Object.keys(options.points[0]!.params) : [];
  return {
    settings: {
      from: options.from,
      to: options.to,
      inSample: formatSpan(inSample),
      outOfSample: formatSpan(outOfSample),
      anchored,
      objective,
      minTrades,
      warmup,
      candidates: points.length,
    },
    windows: results,
    outOfSample: { period, metrics: headlineMetrics(performance), performance, trades, equity },
    robustness: results.filter((w) => w.profitable).length / results.length,
    parameterStability: parameterStability(
      swept,
      results.map((w) => (w.chosen ? w.chosen.params : null)),
    ),
  };
}

/** An out-of-sample trade closed outside its window would leak into its neighbour. */
function checkInside(trades: readonly BacktestTrade[], range: DayRange, window: number): void {
  for (const t of trades) {
    const entry = tradingDay(Date.parse(t.entryTime));
    const exit = tradingDay(Date.parse(t.exitTime));
    if (entry < range.from || exit > range.to) {
      throw new Error(`walk-forward window ${window}: the runner returned a trade ${t.entryTime} .. ${t.exitTime} outside its out-of-sample days ${range.from} .. ${range.to}`);
    }
  }
}

/** A window's equity marks, or its realised equity at each trade exit when it has none. */
function stitchable(o: BacktestOutcome): BacktestResult['equity'] {
  if (o.equity && o.equity.length > 0) return o.equity;
  let e = o.performance.startingEquity;
  return o.trades.map((t) => ({ time: t.exitTime, equity: (e += t.pnl) }));
}
