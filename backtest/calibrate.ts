/**
 * Calibration (phase 1, `mia calibrate`): a seeded search of the threshold, feature weights
 * and session multipliers (calibrateSpace.ts), chosen walk-forward for a target band of
 * signals per month (default the plan's 25-35) and an objective (profit factor or
 * expectancy) with a minimum trade count. Only out-of-sample results are reported as the
 * calibration's numbers; in-sample figures stay in each window's detail.
 *
 * Per window (walkForwardWindows.ts, as `--walk-forward`): on the in-sample days the base
 * configuration runs once, and each drawn candidate (weights and multipliers) has its
 * threshold bisected towards the band's centre (signals per month fall as the threshold
 * rises; at most `steps` runs, stopping once in the central half of the band: a rate at the
 * band's edge in sample falls outside it out of sample as often as not); every point run
 * is a candidate row. A row is eligible when its in-sample signals per month lie inside
 * the band, it made at least `minTrades` trades and its objective is defined; the best
 * eligible objective wins (ties: the lower candidate index); the winner runs on the
 * out-of-sample days that follow (warming its features on the in-sample bars, never
 * trading them). A window without an eligible candidate trades nothing, and says so.
 * The out-of-sample trades and signals of all windows are stitched into one record
 * (backtest/metrics.ts computeMetrics, as every metric is).
 *
 * In sample, the band judges signals per month counted on weekdays (signals per weekday of
 * the window x the 21.74 weekdays of an average month), not per calendar month: a window of
 * N trading days spans N to N+2k calendar days depending on where its weekends fall, so a
 * Monday-to-Friday window's calendar rate reads 7/5 of a window that spans a weekend for
 * the same signals per trading day. Over whole months both measures agree; the stitched
 * out-of-sample record reports both, and its headline (and `inBand`) is the calendar one.
 *
 * Runs go through a `BatchRunner` (sweepRunner.ts): a worker pool, one thread, or any
 * other runner with that contract (a distributed queue), in batches of `batchSize`, which
 * is also the progress step. Deterministic: the same data, configuration, seed and space
 * give the same result, whatever the runner.
 */
import type { MiaConfig } from '../config/schema.ts';
import type { PerformanceMetrics } from './metrics.ts';
import { headlineMetrics, type BacktestMetrics, type BacktestTrade } from './result.ts';
import { stitchedPerformance, type BacktestOutcome, type BacktestRequest, type BatchRunner } from './sweepRunner.ts';
import { applyParams, drawCandidates, type CalibrationSpace, type Candidate } from './calibrateSpace.ts';
import { formatSpan, parseSpan, walkForwardWindows, type DayRange, type Span } from './walkForwardWindows.ts';

export type CalibrationObjective = 'profitFactor' | 'expectancy';
export const CALIBRATION_OBJECTIVES: readonly CalibrationObjective[] = ['profitFactor', 'expectancy'];

/** Signals per month, both ends inclusive. */
export interface SignalBand {
  min: number;
  max: number;
}

/** The plan's selectivity: 25 to 35 signals a month. */
export const PLAN_BAND: SignalBand = { min: 25, max: 35 };

/** Weekdays in an average calendar month (365.25 x 5/7 / 12). */
export const WEEKDAYS_PER_MONTH = (365.25 * 5) / 7 / 12;

/** Signals per month counted on the period's weekdays (null without signal times). */
export function weekdayRate(p: PerformanceMetrics): number | null {
  return p.signals !== null && p.tradingDays > 0 ? (p.signals / p.tradingDays) * WEEKDAYS_PER_MONTH : null;
}

export interface CalibrateOptions {
  /** The base configuration (candidate 0, and everything the search does not touch). */
  config: MiaConfig;
  /** Trading days to calibrate on, `YYYY-MM-DD` inclusive (usually the data's first and last). */
  from: string;
  to: string;
  runner: BatchRunner;
  space: CalibrationSpace;
  /** Candidates including the base; default 64. */
  candidates?: number;
  /** Threshold bisection steps per candidate and window; default 8. */
  steps?: number;
  seed?: number;
  band?: SignalBand;
  objective?: CalibrationObjective;
  /** In-sample trades a candidate needs; default 5. */
  minTrades?: number;
  inSample: Span | string;
  outOfSample: Span | string;
  anchored?: boolean;
  /** Out-of-sample runs warm up on their in-sample bars; default true. */
  warmup?: boolean;
  /** Requests per call of the runner (the progress step); default: one bisection step's candidates at once. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CalibrationWindow {
  index: number;
  inSample: DayRange;
  outOfSample: DayRange;
  /** Candidates whose in-sample signals per month fell inside the band. */
  inBand: number;
  /** Candidates in band with enough trades and a defined objective. */
  eligible: number;
  chosen: {
    index: number;
    params: Record<string, number>;
    /** `signalsPerMonth` per calendar month; `signalsPerMonthWeekdays` (what the band judged) on weekdays. */
    inSample: { trades: number; signalsPerMonth: number | null; signalsPerMonthWeekdays: number | null; objective: number };
  } | null;
  /** Every candidate's in-sample figures, by candidate index (the choice's whole evidence). */
  candidates: Array<{ index: number; threshold: number; trades: number; signalsPerMonth: number | null; signalsPerMonthWeekdays: number | null; objective: number | null; eligible: boolean }>;
  /** Why nothing was chosen (null when a candidate was). */
  reason: string | null;
  /** The chosen set's out-of-sample figures (null when nothing was chosen). */
  result: { trades: number; signals: number; signalsPerMonth: number | null; signalsPerMonthWeekdays: number | null; profitFactor: number | null; netProfit: number } | null;
}

export interface CalibrationResult {
  settings: {
    from: string;
    to: string;
    inSample: string;
    outOfSample: string;
    anchored: boolean;
    warmup: boolean;
    band: SignalBand;
    objective: CalibrationObjective;
    minTrades: number;
    candidates: number;
    seed: number;
    space: CalibrationSpace;
  };
  windows: CalibrationWindow[];
  /** The stitched out-of-sample record: the calibration's numbers. */
  outOfSample: {
    period: { from: string; to: string };
    metrics: BacktestMetrics;
    performance: PerformanceMetrics;
    trades: BacktestTrade[];
    signals: number;
    /** Per calendar month (the headline, as every report counts it). */
    signalsPerMonth: number | null;
    /** Per month counted on weekdays (as the band judged candidates in sample). */
    signalsPerMonthWeekdays: number | null;
    /** Out-of-sample signals per (calendar) month inside the band. */
    inBand: boolean;
  };
  /** The last window's choice: what a calibration hands on (null when it chose nothing). */
  final: { index: number; params: Record<string, number>; config: MiaConfig } | null;
}

interface Row {
  candidate: Candidate;
  outcome: BacktestOutcome;
  spm: number | null;
  objective: number | null;
  inBand: boolean;
  eligible: boolean;
}

const inside = (x: number | null, band: SignalBand): boolean => x !== null && x >= band.min && x <= band.max;

function objectiveOf(p: PerformanceMetrics, objective: CalibrationObjective): number | null {
  const v = p[objective];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Checks a band; a RangeError names it. */
export function checkBand(band: SignalBand): void {
  if (!(Number.isFinite(band.min) && Number.isFinite(band.max) && band.min >= 0 && band.min <= band.max)) {
    throw new RangeError(`calibrate: signals-per-month band ${band.min}-${band.max} must be two numbers >= 0, low <= high`);
  }
}

/** Best row by the objective among eligible rows; ties go to the lower candidate index, then the lower threshold. */
function best(rows: readonly Row[]): Row | null {
  let out: Row | null = null;
  for (const r of rows) {
    if (!r.eligible) continue;
    if (out === null || r.objective! > out.objective!) out = r;
    else if (r.objective === out.objective && (r.candidate.index < out.candidate.index || (r.candidate.index === out.candidate.index && r.candidate.config.strategy.threshold < out.candidate.config.strategy.threshold))) out = r;
  }
  return out;
}

function whyNone(rows: readonly Row[], band: SignalBand, minTrades: number): string {
  const inBand = rows.filter((r) => r.inBand);
  if (inBand.length === 0) {
    const spms = rows.map((r) => r.spm ?? 0);
    return `no candidate had ${band.min}-${band.max} signals per month (on weekdays) in sample (they ranged ${Math.min(...spms).toFixed(1)} .. ${Math.max(...spms).toFixed(1)})`;
  }
  if (inBand.every((r) => r.outcome.performance.trades < minTrades)) return `${inBand.length} candidate(s) in band, none with ${minTrades} trades in sample`;
  return `${inBand.length} candidate(s) in band, none with a defined objective (a profit factor needs a losing trade)`;
}

export async function calibrate(options: CalibrateOptions): Promise<CalibrationResult> {
  const band = options.band ?? PLAN_BAND;
  checkBand(band);
  const objective = options.objective ?? 'profitFactor';
  const minTrades = options.minTrades ?? 5;
  const seed = options.seed ?? 1;
  const warmup = options.warmup ?? true;
  const anchored = options.anchored ?? false;
  const inSample = typeof options.inSample === 'string' ? parseSpan(options.inSample, 'inSample') : options.inSample;
  const outOfSample = typeof options.outOfSample === 'string' ? parseSpan(options.outOfSample, 'outOfSample') : options.outOfSample;
  const candidates = drawCandidates(options.config, options.space, options.candidates ?? 64, seed);
  const windows = walkForwardWindows({ from: options.from, to: options.to, inSample, outOfSample, anchored });

  const steps = options.steps ?? 8;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new RangeError(`calibrate: steps must be an integer >= 1, got ${steps}`);
  const total = windows.length * (1 + (candidates.length - 1) * steps) + windows.length;
  let done = 0;
  const batchSize = options.batchSize ?? Number.MAX_SAFE_INTEGER;
  const run = async (requests: BacktestRequest[]): Promise<BacktestOutcome[]> => {
    const out: BacktestOutcome[] = [];
    for (let i = 0; i < requests.length; i += batchSize) {
      const chunk = requests.slice(i, i + batchSize);
      const got = await options.runner(chunk);
      if (got.length !== chunk.length) throw new Error(`calibrate: ${chunk.length} runs but ${got.length} results`);
      out.push(...got);
      done += chunk.length;
      options.onProgress?.(done, total);
    }
    return out;
  };

  // In sample, per window: the base once; every draw's threshold bisected towards the band
  // (signals fall as the threshold rises), each evaluated point a candidate row.
  const choices: Array<{ rows: Row[]; chosen: Row | null }> = [];
  for (const w of windows) {
    const rows: Row[] = [];
    const evaluate = async (points: Candidate[]): Promise<Row[]> => {
      const outcomes = await run(points.map((c) => ({ config: c.config, from: w.inSample.from, to: w.inSample.to, detail: 'summary' as const })));
      return points.map((candidate, i): Row => {
        const outcome = outcomes[i]!;
        const spm = weekdayRate(outcome.performance);
        const value = objectiveOf(outcome.performance, objective);
        const inBand = inside(spm, band);
        return { candidate, outcome, spm, objective: value, inBand, eligible: inBand && value !== null && outcome.performance.trades >= minTrades };
      });
    };
    rows.push(...(await evaluate([candidates[0]!])));
    const search = candidates.slice(1).map((c) => ({ c, lo: options.space.threshold[0], hi: options.space.threshold[1], done: false }));
    const centre = (band.min + band.max) / 2;
    const near = (band.max - band.min) / 4;
    for (let step = 0; step < steps; step++) {
      const open = search.filter((x) => !x.done);
      if (open.length === 0) break;
      const points = open.map((x) => {
        const threshold = Math.max(0.001, Number(((x.lo + x.hi) / 2).toFixed(3)));
        const params = { 'strategy.threshold': threshold, ...x.c.params };
        return { index: x.c.index, params, config: applyParams(options.config, params) };
      });
      const got = await evaluate(points);
      got.forEach((row, i) => {
        const x = open[i]!;
        rows.push(row);
        const t = row.candidate.params['strategy.threshold']!;
        if (row.spm !== null && Math.abs(row.spm - centre) <= near) x.done = true;
        else if ((row.spm ?? 0) > centre) x.lo = t;
        else x.hi = t;
        if (x.hi - x.lo < 0.002) x.done = true;
      });
      done += (steps - step - 1) * (open.length - open.filter((x) => !x.done).length); // skipped steps
      options.onProgress?.(done, total);
    }
    choices.push({ rows, chosen: best(rows) });
  }

  // Out of sample: each window's choice on the days after its in-sample window.
  const oosRequests: BacktestRequest[] = [];
  const at = new Map<number, number>();
  windows.forEach((w, wi) => {
    const chosen = choices[wi]!.chosen;
    if (!chosen) return;
    at.set(wi, oosRequests.length);
    oosRequests.push({ config: chosen.candidate.config, from: w.outOfSample.from, to: w.outOfSample.to, ...(warmup ? { warmupFrom: w.inSample.from } : {}), detail: 'full' });
  });
  const oosOutcomes = await run(oosRequests);
  done = total;
  options.onProgress?.(done, total);

  const trades: BacktestTrade[] = [];
  const signalTimes: number[] = [];
  const results: CalibrationWindow[] = windows.map((w, wi) => {
    const { rows, chosen } = choices[wi]!;
    const k = at.get(wi);
    const oos = k === undefined ? null : oosOutcomes[k]!;
    if (oos) {
      trades.push(...oos.trades);
      for (const s of oos.signals ?? []) signalTimes.push(Date.parse(s.time));
    }
    return {
      index: w.index,
      inSample: w.inSample,
      outOfSample: w.outOfSample,
      inBand: rows.filter((r) => r.inBand).length,
      eligible: rows.filter((r) => r.eligible).length,
      chosen: chosen
        ? { index: chosen.candidate.index, params: chosen.candidate.params, inSample: { trades: chosen.outcome.performance.trades, signalsPerMonth: chosen.outcome.performance.signalsPerMonth, signalsPerMonthWeekdays: chosen.spm, objective: chosen.objective! } }
        : null,
      candidates: rows.map((r) => ({ index: r.candidate.index, threshold: r.candidate.config.strategy.threshold, trades: r.outcome.performance.trades, signalsPerMonth: r.outcome.performance.signalsPerMonth, signalsPerMonthWeekdays: r.spm, objective: r.objective, eligible: r.eligible })),
      reason: chosen ? null : whyNone(rows, band, minTrades),
      result: oos
        ? {
            trades: oos.performance.trades,
            signals: oos.signals?.length ?? 0,
            signalsPerMonth: oos.performance.signalsPerMonth,
            signalsPerMonthWeekdays: weekdayRate(oos.performance),
            profitFactor: oos.performance.profitFactor,
            netProfit: oos.performance.netProfit,
          }
        : null,
    };
  });

  const { period, performance } = stitchedPerformance(windows, trades, options.config, signalTimes);
  const last = choices.at(-1)!.chosen;
  return {
    settings: {
      from: options.from,
      to: options.to,
      inSample: formatSpan(inSample),
      outOfSample: formatSpan(outOfSample),
      anchored,
      warmup,
      band: { ...band },
      objective,
      minTrades,
      candidates: candidates.length,
      seed,
      space: options.space,
    },
    windows: results,
    outOfSample: {
      period,
      metrics: headlineMetrics(performance),
      performance,
      trades,
      signals: signalTimes.length,
      signalsPerMonth: performance.signalsPerMonth,
      signalsPerMonthWeekdays: weekdayRate(performance),
      inBand: inside(performance.signalsPerMonth, band),
    },
    final: last ? { index: last.candidate.index, params: last.candidate.params, config: last.candidate.config } : null,
  };
}
