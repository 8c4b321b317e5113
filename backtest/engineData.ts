/**
 * What a backtest replays: bars from one or more market-data files (any format `mia data
 * inspect` reads, through adapters/files/replaySource.ts), cut to a window of CME trading
 * days, and option chains (CBOE `*_quotedata.csv`, saved Polygon snapshots) for gamma.
 *
 * Several files are concatenated in time order; files that overlap in time are refused
 * (naming both), as are files of different bar lengths: a backtest never silently picks
 * one of two prices for the same minute.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { provenanceLabel, type Bar, type OptionChainSnapshot } from '../core/types.ts';
import { TradingDayTracker } from '../core/tradingDay.ts';
import { openReplaySource } from '../adapters/files/replaySource.ts';
import type { LoaderOptions } from '../adapters/files/seriesTypes.ts';
import { CboeChainError, cboeChainFromBytes } from '../adapters/files/cboeChain.ts';
import { latestPolygonTimestamp, parsePolygonChainReport, PolygonChainError } from '../adapters/files/polygonChain.ts';
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
  const data: DataProvenance[] = ordered.map(({ handle, bars: kept }) => ({
    file: handle.series.file,
    sha256: handle.series.sha256,
    format: handle.series.format,
    rows: handle.series.rows,
    from: iso(kept[0]?.time),
    to: iso(kept.at(-1)?.time),
    label: provenanceLabel(handle.provenance),
  }));
  return { bars, barMs, data };
}

export interface ChainData {
  /** In time order. */
  chains: OptionChainSnapshot[];
  files: DataProvenance[];
}

/**
 * Every option chain in `dir`: `*_quotedata.csv` (CBOE exports, timed by their header) and
 * `*.json` (saved Polygon snapshots, timed by their latest timestamp). Other files are ignored.
 */
export async function loadChainDir(dir: string): Promise<ChainData> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    throw new BacktestInputError('--chains', `cannot read directory "${dir}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const loaded: { chain: OptionChainSnapshot; prov: DataProvenance }[] = [];
  for (const name of names) {
    const file = resolve(join(dir, name));
    const cboe = name.endsWith('_quotedata.csv');
    if (!cboe && !name.endsWith('.json')) continue;
    const bytes = await readFile(file);
    let chain: OptionChainSnapshot;
    try {
      if (cboe) {
        chain = cboeChainFromBytes(bytes, file).snapshot;
      } else {
        const body: unknown = JSON.parse(bytes.toString('utf8'));
        const time = latestPolygonTimestamp(body);
        if (time === null) throw new PolygonChainError('the snapshot carries no timestamp: its time is unknown');
        chain = parsePolygonChainReport(body, { underlying: 'SPX', time }).snapshot;
      }
    } catch (err) {
      if (err instanceof CboeChainError || err instanceof PolygonChainError || err instanceof SyntaxError) {
        throw new BacktestInputError('--chains', `${file}: ${err.message}`);
      }
      throw err;
    }
    const at = iso(chain.time);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    loaded.push({
      chain,
      prov: { file, sha256, format: cboe ? 'cboe' : 'polygon', rows: chain.contracts.length, from: at, to: at, label: provenanceLabel({ kind: 'replay', file, sha256 }) },
    });
  }
  loaded.sort((a, b) => a.chain.time - b.chain.time);
  return { chains: loaded.map((l) => l.chain), files: loaded.map((l) => l.prov) };
}
