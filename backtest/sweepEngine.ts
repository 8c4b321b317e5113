/**
 * The engine (backtest/engine.ts) behind the robustness runner contract: the data files
 * are loaded once per process (per worker thread in a pool) and cached by their paths and
 * loader options; each request cuts its window of trading days out of the cached bars,
 * with the warm-up bars before it when asked. Streams (chains, VIX, trades/quotes/books:
 * sweepStreams.ts) are replayed beside the bars as `mia backtest` replays them.
 */
import type { LoaderOptions } from '../adapters/files/seriesTypes.ts';
import { TradingDayTracker } from '../core/tradingDay.ts';
import { BacktestEmptyError, runBacktest } from './engine.ts';
import { loadBacktestData, windowRange, type BacktestData, type BacktestTableData } from './engineData.ts';
import { BarColumns, arrayBarTable, type BarTable } from '../core/barColumns.ts';
import { computeMetrics } from './metrics.ts';
import { headlineMetrics } from './result.ts';
import { outcomeOf, type BacktestOutcome, type BacktestRequest, type BacktestRunner } from './sweepRunner.ts';
import { cachedStreams, hasStreams, streamInput, type StreamInputs, type StreamSources } from './sweepStreams.ts';

/** Where a runner's bars come from: file paths (never bars: workers load them themselves). */
export interface EngineData {
  files: readonly string[];
  loader?: LoaderOptions;
  /** Streams replayed beside the bars (`--chains`, `--vix`, `--stream`); absent = bars only. */
  streams?: StreamSources;
}

const cache = new Map<string, Promise<BacktestData>>();

/** The whole data set of `files`, loaded once per thread. */
export function cachedData(data: EngineData): Promise<BacktestData> {
  const key = JSON.stringify([data.files, data.loader ?? {}]);
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = loadBacktestData(data.files, data.loader ?? {}, { from: null, to: null });
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key)); // a failed load is retried, not remembered
  }
  return loaded;
}

/** Runs one request on the engine over cached data. */
export async function runOnEngine(data: EngineData, request: BacktestRequest): Promise<BacktestOutcome> {
  const all = await cachedData(data);
  const table = { bars: arrayBarTable(all.bars), barMs: all.barMs, data: all.data };
  return runOnBars(table, request, await engineStreams(data, table));
}

/** The streams of `data` for the engine, loaded once per thread (null without streams). */
export function engineStreams(data: EngineData, table: BacktestTableData): Promise<StreamInputs | null> {
  return hasStreams(data.streams) ? cachedStreams(data.streams, data.loader ?? {}, table) : Promise.resolve(null);
}

/**
 * Runs one request on the engine over bars already in memory (objects or columns, e.g. the
 * columns a worker shares with the others): the request's window, with its warm-up days,
 * is a view of them.
 */
export async function runOnBars(all: BacktestTableData, request: BacktestRequest, streams: StreamInputs | null = null): Promise<BacktestOutcome> {
  const from = request.from ?? null;
  const to = request.to ?? null;
  const warmupFrom = request.warmupFrom !== undefined && from !== null && request.warmupFrom < from ? request.warmupFrom : null;
  const [a, b] = windowRange(all.bars, { from: warmupFrom ?? from, to });
  const bars = sliceTable(all.bars, a, b);
  let tradeFrom: number | undefined;
  if (warmupFrom !== null) {
    const days = new TradingDayTracker();
    let i = 0;
    while (i < bars.length && days.dayOf(bars.timeAt(i)) < from!) i++;
    tradeFrom = i < bars.length ? bars.timeAt(i) : Infinity;
  }
  try {
    const result = await runBacktest({
      config: request.config,
      bars,
      barMs: all.barMs,
      data: streams ? [...all.data, ...streams.provenance] : all.data,
      ...streamInput(streams),
      window: { from, to },
      ...(tradeFrom !== undefined ? { tradeFrom } : {}),
      // Availability needs a second pass; sweeps only read metrics.
      featureAvailability: request.detail !== 'summary',
    });
    return outcomeOf(result, request.detail);
  } catch (err) {
    // A window without bars (a holiday, a gap in the files) trades nothing: an empty record.
    if (err instanceof BacktestEmptyError && from !== null && to !== null) return emptyOutcome(request, from, to);
    throw err;
  }
}

/** Rows [a, b) of a table: a view for columns, a copy of the references otherwise. */
function sliceTable(bars: BarTable, a: number, b: number): BarTable {
  if (bars instanceof BarColumns) return bars.slice(a, b);
  if (a === 0 && b === bars.length) return bars;
  const out = [];
  for (let i = a; i < b; i++) out.push(bars.barAt(i));
  return arrayBarTable(out);
}

/** A runner on the engine in this thread. */
export const engineRunner =
  (data: EngineData): BacktestRunner =>
  (request) =>
    runOnEngine(data, request);

function emptyOutcome(request: BacktestRequest, from: string, to: string): BacktestOutcome {
  const performance = computeMetrics({ trades: [], startingEquity: request.config.startingEquity, period: { from, to }, signalTimes: [] });
  return outcomeOf(
    { period: performance.period, metrics: headlineMetrics(performance), performance, trades: [], counts: { bars: 0, orders: 0, riskRefusals: 0, rejects: 0 }, equity: [], signals: [] },
    request.detail,
  );
}

/** Trading days on which the data has bars, sorted. */
export async function dataDays(data: EngineData): Promise<string[]> {
  const { bars } = await cachedData(data);
  const days = new TradingDayTracker();
  const out: string[] = [];
  for (const b of bars) {
    const d = days.dayOf(b.time);
    if (out.at(-1) !== d) out.push(d);
  }
  return out;
}
