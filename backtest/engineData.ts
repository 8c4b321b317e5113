/**
 * What a backtest replays: bars from one or more market-data files (any format `mia data
 * inspect` reads, through adapters/files/replaySource.ts), cut to a window of CME trading
 * days, and option chains (CBOE `*quotedata*.csv`, saved Polygon snapshots) for gamma.
 *
 * Several files are concatenated in time order; files that overlap in time are refused
 * (naming both), as are files of different bar lengths: a backtest never silently picks
 * one of two prices for the same minute.
 */
import { provenanceLabel, type Bar, type BookSnapshot, type OptionChainSnapshot, type Quote, type TradeTick } from '../core/types.ts';
import { TradingDayTracker } from '../core/tradingDay.ts';
import { StreamedBars, type StreamedTail } from '../adapters/files/barStream.ts';
import { checkCommonOptions } from '../adapters/files/loaderOptions.ts';
import { inferPeriod } from '../adapters/files/sessionGaps.ts';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BarColumns, arrayBarTable, type BarTable } from '../core/barColumns.ts';
import type { LoadedSeries, LoaderOptions } from '../adapters/files/seriesTypes.ts';
import type { ChainSkip } from './chainSource.ts';
import type { VixReading } from '../adapters/files/vixDaily.ts';
import type { DataProvenance } from './result.ts';
import { MiaError } from '../core/errors.ts';

/** Bad input named by the flag (or file) it came from: the CLI turns it into exit code 2. */
export class BacktestInputError extends MiaError<'BACKTEST_INPUT_INVALID'> {
  override readonly name = 'BacktestInputError';
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super('BACKTEST_INPUT_INVALID', `${flag}: ${message}`);
  }
}

// The loaders (every file format, chains, VIX, streams) load when a function needs them: a
// streamed backtest starts its parsing worker before them (mia backtest's first bar waited
// for their modules, and the worker's start with it).
const replaySource = () => import('../adapters/files/replaySource.ts');
const barColumnsFile = () => import('../adapters/files/barColumnsFile.ts');

/** A window of CME trading days, both ends inclusive (YYYY-MM-DD); null = open. */
export interface DayWindow {
  from: string | null;
  to: string | null;
}

export interface BacktestData {
  /** Every bar of every file inside the window, in time order. */
  bars: Bar[];
  barMs: number;
  data: DataProvenance[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Checks a --from/--to value: a real calendar date written YYYY-MM-DD. */
export function parseDay(flag: string, value: string): string {
  if (!DAY.test(value) || !new Date(`${value}T00:00:00Z`).toISOString().startsWith(value)) {
    throw new BacktestInputError(flag, `must be a date YYYY-MM-DD (a CME trading day), got "${value}"`);
  }
  return value;
}

/** The bars whose CME trading day lies inside `window`. */
export function barsInWindow(bars: readonly Bar[], window: DayWindow): Bar[] {
  if (window.from === null && window.to === null) return bars.slice();
  const days = new TradingDayTracker();
  const from = window.from ?? '';
  const to = window.to ?? '9999-12-31';
  return bars.filter((b) => {
    const d = days.dayOf(b.time);
    return d >= from && d <= to;
  });
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** Loads, checks and concatenates the data files (see the module notes). */
export async function loadBacktestData(files: readonly string[], options: LoaderOptions, window: DayWindow): Promise<BacktestData> {
  if (files.length === 0) throw new BacktestInputError('--data', 'at least one market-data file is needed');
  if (window.from !== null && window.to !== null && window.from > window.to) {
    throw new BacktestInputError('--from', `${window.from} is after --to ${window.to}`);
  }
  const loaded = [];
  const { openReplaySource } = await replaySource();
  for (const file of files) {
    const handle = await openReplaySource(file, options);
    const bars = barsInWindow(handle.bars, window);
    loaded.push({ file, handle, bars });
  }
  const barMs = loaded[0]!.handle.barMs;
  for (const l of loaded) {
    if (l.handle.barMs !== barMs) {
      throw new BacktestInputError('--data', `${l.file} has ${l.handle.barMs / 60_000}-minute bars but ${loaded[0]!.file} has ${barMs / 60_000}-minute bars`);
    }
  }
  // Overlap is judged on the whole files, not the window: the same file twice is an error either way.
  const ordered = [...loaded].sort((a, b) => (a.handle.bars[0]?.time ?? Infinity) - (b.handle.bars[0]?.time ?? Infinity));
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1]!;
    const next = ordered[i]!;
    const prevLast = prev.handle.bars.at(-1);
    const nextFirst = next.handle.bars[0];
    if (prevLast && nextFirst && nextFirst.time <= prevLast.time) {
      throw new BacktestInputError(
        '--data',
        `${prev.file} (${iso(prev.handle.bars[0]!.time)} .. ${iso(prevLast.time)}) and ${next.file} (${iso(nextFirst.time)} .. ${iso(next.handle.bars.at(-1)!.time)}) overlap in time`,
      );
    }
  }
  const bars: Bar[] = [];
  for (const l of ordered) for (const b of l.bars) bars.push(b);
  const data: DataProvenance[] = ordered.map(({ handle, bars: kept }) => fileProvenance(handle.series, kept));
  return { bars, barMs, data };
}

/** One data file's provenance record, for the bars kept of it (a window may leave some out). */
export function fileProvenance(series: LoadedSeries, kept: readonly Bar[]): DataProvenance {
  return {
    file: series.file,
    sha256: series.sha256,
    format: series.format,
    rows: series.rows,
    from: iso(kept[0]?.time),
    to: iso(kept.at(-1)?.time),
    label: provenanceLabel(series.provenance),
    symbol: series.symbol,
  };
}

export interface BacktestTableData {
  /** Every bar of every file inside the window, in time order, as columns when they fit (or still streaming in: adapters/files/barStream.ts). */
  bars: BarTable;
  barMs: number;
  /** A streamed file's hash, rows and last time are read when asked for (the end of its parse). */
  data: DataProvenance[];
  /** A streamed file's loader error (the replay failed on it), once the parse stopped. */
  loadError?: () => Error | null;
}

/** Files at least this big stream (parsed in a worker while the replay runs); smaller ones load before it. */
export const STREAM_MIN_BYTES = 8 << 20;

/**
 * One big CSV/Sierra file, no window: the bars parsed in a worker thread as the replay
 * consumes them (adapters/files/barStream.ts): the same bars, checks and provenance as
 * loadColumnarReplay, the file's hash, row count and last time known at the end of the
 * parse. Null when the file is not for streaming.
 */
async function streamedTable(file: string, options: LoaderOptions, window: DayWindow, minBytes: number): Promise<BacktestTableData | null> {
  if (window.from !== null || window.to !== null) return null;
  const path = resolve(file);
  try {
    if (statSync(path).size < minBytes) return null;
  } catch {
    return null; // the full loader names the problem
  }
  checkCommonOptions(path, options);
  const bars = await StreamedBars.open(path, options);
  if (!bars) return null;
  // The bar length from the first 2,001 bars, as the in-thread loader infers it. Their
  // segment is awaited, not waited for: the caller's thread loads the engine meanwhile.
  await bars.whenHas(2_000);
  const sample: { time: number }[] = [];
  for (let i = 0; i < 2_001 && bars.has(i); i++) sample.push({ time: bars.timeAt(i) });
  const barMs = inferPeriod(sample) ?? 60_000;
  let tail: StreamedTail | null = null;
  const end = (): StreamedTail => (tail ??= bars.finish());
  // Same keys in the same order as loadBacktestTable's; the ones known at the end are getters.
  const provenance: DataProvenance = {
    file: path,
    get sha256() {
      return end().sha256;
    },
    format: bars.format,
    get rows() {
      return end().rows;
    },
    from: iso(sample[0]?.time),
    get to() {
      const n = end().rows;
      return iso(n > 0 ? bars.timeAt(n - 1) : undefined);
    },
    get label() {
      return provenanceLabel({ kind: 'replay', file: path, sha256: end().sha256 });
    },
    symbol: bars.symbol,
  };
  return { bars, barMs, data: [provenance], loadError: () => bars.error };
}

/** The index range [from, to) of `bars` whose CME trading day lies inside `window` (days only grow with time). */
export function windowRange(bars: BarTable, window: DayWindow): [number, number] {
  if (window.from === null && window.to === null) return [0, bars.length];
  const days = new TradingDayTracker();
  const from = window.from ?? '';
  const to = window.to ?? '9999-12-31';
  let a = 0;
  while (a < bars.length && days.dayOf(bars.timeAt(a)) < from) a++;
  let b = a;
  while (b < bars.length && days.dayOf(bars.timeAt(b)) <= to) b++;
  return [a, b];
}

/**
 * loadBacktestData for one long replay: the same checks, errors and provenance, the bars
 * loaded as columns while the file streams (adapters/files/barColumnsFile.ts) instead of
 * one object per bar. `mia backtest` replays through this. One file of `streamMinBytes` or
 * more streams in (see streamedTable; `mia backtest` asks for it from STREAM_MIN_BYTES, other
 * callers, such as the shared bars of a sweep, get a loaded table by default).
 */
export async function loadBacktestTable(files: readonly string[], options: LoaderOptions, window: DayWindow, streamMinBytes = Number.POSITIVE_INFINITY): Promise<BacktestTableData> {
  if (files.length === 0) throw new BacktestInputError('--data', 'at least one market-data file is needed');
  if (window.from !== null && window.to !== null && window.from > window.to) {
    throw new BacktestInputError('--from', `${window.from} is after --to ${window.to}`);
  }
  if (files.length === 1) {
    const streamed = await streamedTable(files[0]!, options, window, streamMinBytes);
    if (streamed) return streamed;
  }
  const loaded = [];
  const { loadColumnarReplay } = await barColumnsFile();
  for (const file of files) {
    const replay = await loadColumnarReplay(file, options);
    const [a, b] = windowRange(replay.bars, window);
    loaded.push({ file, replay, a, b });
  }
  const barMs = loaded[0]!.replay.barMs;
  for (const l of loaded) {
    if (l.replay.barMs !== barMs) {
      throw new BacktestInputError('--data', `${l.file} has ${l.replay.barMs / 60_000}-minute bars but ${loaded[0]!.file} has ${barMs / 60_000}-minute bars`);
    }
  }
  const first = (t: BarTable) => (t.length > 0 ? t.timeAt(0) : undefined);
  const last = (t: BarTable) => (t.length > 0 ? t.timeAt(t.length - 1) : undefined);
  const ordered = [...loaded].sort((x, y) => (first(x.replay.bars) ?? Infinity) - (first(y.replay.bars) ?? Infinity));
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1]!;
    const next = ordered[i]!;
    const prevLast = last(prev.replay.bars);
    const nextFirst = first(next.replay.bars);
    if (prevLast !== undefined && nextFirst !== undefined && nextFirst <= prevLast) {
      throw new BacktestInputError(
        '--data',
        `${prev.file} (${iso(first(prev.replay.bars))} .. ${iso(prevLast)}) and ${next.file} (${iso(nextFirst)} .. ${iso(last(next.replay.bars))}) overlap in time`,
      );
    }
  }
  const kept = ordered.map((l) => ({ l, table: l.replay.bars instanceof BarColumns ? l.replay.bars.slice(l.a, l.b) : null }));
  let bars: BarTable;
  if (kept.length === 1 && kept[0]!.table) {
    bars = kept[0]!.table;
  } else {
    const tables = kept.map((k) => k.table).filter((t): t is BarColumns => t !== null && t.length > 0);
    const columnar = kept.every((k) => k.table) && tables.every((t) => t.symbol === tables[0]?.symbol && (t.askVolume !== null) === (tables[0]?.askVolume !== null));
    if (columnar) {
      bars = BarColumns.concat(tables);
    } else {
      const all: Bar[] = [];
      for (const { l } of kept) for (let i = l.a; i < l.b; i++) all.push(l.replay.bars.barAt(i));
      bars = arrayBarTable(all);
    }
  }
  const data: DataProvenance[] = ordered.map(({ replay, a, b }) => ({
    file: replay.file,
    sha256: replay.sha256,
    format: replay.format,
    rows: replay.rows,
    from: iso(b > a ? replay.bars.timeAt(a) : undefined),
    to: iso(b > a ? replay.bars.timeAt(b - 1) : undefined),
    label: provenanceLabel(replay.provenance),
    symbol: replay.symbol,
  }));
  return { bars, barMs, data };
}

export interface ChainData {
  /** In time order. */
  chains: OptionChainSnapshot[];
  files: DataProvenance[];
  /** Chain files read but not used (another underlying than SPX). */
  skipped?: ChainSkip[];
}

/**
 * The SPX option chains of `path` (a directory or one file; see chainSource.ts): CBOE
 * exports of any name containing `quotedata`, saved Polygon snapshots. Nothing usable is an error.
 */
export async function loadChainDir(path: string): Promise<ChainData> {
  const { ChainSourceError, loadChainSource } = await import('./chainSource.ts');
  try {
    return await loadChainSource(path);
  } catch (err) {
    if (err instanceof ChainSourceError) throw new BacktestInputError('--chains', err.message);
    throw err;
  }
}

/** VIX daily closes for a replay, their provenance and how many of its trading days they cover. */
export interface VixStream {
  readings: VixReading[];
  /** `from`/`to`: the first and last close the replay's days apply (ISO of the close). */
  provenance: DataProvenance;
  /** Trading days of the bars, and those with a close of the 4 calendar days before them (a long weekend at most). */
  coverage: { tradingDays: number; withVix: number };
}

const VIX_LOOKBACK_DAYS = 4;

/**
 * The VIX file of `--vix` for `bars`: the readings the replay can apply (each from the
 * session after its close), with coverage. A file none of whose closes applies to any
 * trading day of the bars is an error naming both ranges: a backtest never claims a VIX
 * it did not use.
 */
export async function loadVixStream(path: string, bars: BarTable): Promise<VixStream> {
  const { loadVixDaily } = await import('../adapters/files/vixDaily.ts');
  const series = await loadVixDaily(path);
  const days = new TradingDayTracker();
  const tradingDays: string[] = [];
  for (let i = 0; i < bars.length; i++) {
    const d = days.dayOf(bars.timeAt(i));
    if (tradingDays.at(-1) !== d) tradingDays.push(d);
  }
  const applied: VixReading[] = [];
  let withVix = 0;
  let k = 0;
  for (const d of tradingDays) {
    while (k < series.readings.length && series.readings[k]!.day < d) k++;
    const r = series.readings[k - 1];
    if (!r) continue;
    if (applied.at(-1) !== r) applied.push(r);
    if ((Date.parse(d) - Date.parse(r.day)) / 86_400_000 <= VIX_LOOKBACK_DAYS) withVix++;
  }
  const first = series.readings[0]!.day;
  const last = series.readings.at(-1)!.day;
  if (withVix === 0) {
    throw new BacktestInputError('--vix', `${series.file} (${first} .. ${last}) has no close in the ${VIX_LOOKBACK_DAYS} days before any trading day of the data (${tradingDays[0] ?? '-'} .. ${tradingDays.at(-1) ?? '-'})`);
  }
  return {
    readings: series.readings,
    provenance: {
      file: series.file,
      sha256: series.sha256,
      format: 'vix-daily',
      rows: series.rows,
      from: iso(applied[0]?.time),
      to: iso(applied.at(-1)?.time),
      label: provenanceLabel({ kind: 'replay', file: series.file, sha256: series.sha256 }),
    },
    coverage: { tradingDays: tradingDays.length, withVix },
  };
}

/** The `--stream` files of a replay, merged by kind in time order, with their provenance and coverage. */
export interface ReplayStreams {
  items: { trades: TradeTick[]; quotes: Quote[]; books: BookSnapshot[] };
  provenance: DataProvenance[];
  coverage: Array<{ file: string; kind: 'trades' | 'quotes'; items: number; books: number; inBars: number; from: string | null; to: string | null }>;
}

/**
 * Loads the stream files (adapters/files/marketStream.ts) for `bars`: each must hold the
 * bars' instrument (named otherwise), and one that has no item inside the bars' time span
 * is refused (a backtest never claims a stream it did not use).
 */
export async function loadReplayStreams(files: readonly string[], options: LoaderOptions, bars: BarTable, barMs: number, data: readonly DataProvenance[]): Promise<ReplayStreams> {
  const first = bars.length > 0 ? bars.timeAt(0) : Infinity;
  const end = bars.length > 0 ? bars.timeAt(bars.length - 1) + barMs : -Infinity;
  const root = (s: string | undefined) => (s ? s.replace(/[FGHJKMNQUVXZ]\d{1,2}$/, '') : undefined);
  const dataRoot = root(data.find((d) => d.symbol !== undefined)?.symbol);
  const items: ReplayStreams['items'] = { trades: [], quotes: [], books: [] };
  const { loadMarketStream } = await import('../adapters/files/marketStream.ts');
  const provenance: DataProvenance[] = [];
  const coverage: ReplayStreams['coverage'] = [];
  for (const file of files) {
    const stream = await loadMarketStream(file, options);
    const { series } = stream;
    if (dataRoot !== undefined && root(series.symbol) !== dataRoot) {
      throw new BacktestInputError('--stream', `${series.file} holds ${series.symbol} but the bars hold ${dataRoot}: a stream must be of the bars' instrument`);
    }
    const times = (series.kind === 'trades' ? stream.trades : stream.quotes).map((x) => x.time);
    const inside = times.filter((t) => t >= first && t < end);
    if (inside.length === 0) {
      throw new BacktestInputError('--stream', `${series.file} (${series.from ?? '-'} .. ${series.to ?? '-'}) has no ${series.kind} inside the bars (${iso(first)} .. ${iso(end)})`);
    }
    items.trades.push(...stream.trades);
    items.quotes.push(...stream.quotes);
    items.books.push(...stream.books);
    provenance.push({ file: series.file, sha256: series.sha256, format: series.format, rows: series.rows, from: iso(inside[0]), to: iso(inside.at(-1)), label: provenanceLabel(series.provenance) });
    coverage.push({ file: series.file, kind: series.kind, items: times.length, books: stream.books.length, inBars: inside.length, from: iso(inside[0]), to: iso(inside.at(-1)) });
  }
  const byTime = (a: { time: number }, b: { time: number }) => a.time - b.time;
  items.trades.sort(byTime);
  items.quotes.sort(byTime);
  items.books.sort(byTime);
  return { items, provenance, coverage };
}
