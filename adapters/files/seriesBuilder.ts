/**
 * Shared plumbing of the loaders: reading a file with its sha256, collecting accepted rows
 * behind the row checks and the time-order check, and assembling the LoadedSeries with
 * its gap report.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Bar, Provenance, Quote, TradeTick } from '../../core/types.ts';
import type { RollEvent } from '../../core/contractRoll.ts';
import { IssueLog } from './issueLog.ts';
import { TimeOrder, type Rejection } from './rowChecks.ts';
import { inferPeriod, reportGaps } from './sessionGaps.ts';
import { DataFileError, type ContractSummary, type LoadedSeries, type SeriesFormat, type SeriesKind } from './seriesTypes.ts';

export interface FileBytes {
  /** Absolute path. */
  file: string;
  bytes: Buffer;
  sha256: string;
}

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Reads a whole file; a missing or unreadable file is a DataFileError naming it. */
export async function readDataFile(path: string): Promise<FileBytes> {
  const file = resolve(path);
  try {
    const bytes = await readFile(file);
    return { file, bytes, sha256: sha256Hex(bytes) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataFileError('not-found', file, `no such file: ${file}`);
    throw new DataFileError('unreadable', file, `cannot read ${file}: ${code ?? (err as Error).message}`);
  }
}

/** Accepted rows of one series, in order, with their source rows (for the gap report). */
export class SeriesCollector<T extends { time: number }> implements RowIndex {
  readonly items: T[] = [];
  readonly rows: number[] = [];
  /** [first item index, entry] for each run of items from one zip entry or file. */
  private readonly entryRuns: [number, string | undefined][] = [];
  private readonly order: TimeOrder;

  constructor(
    readonly log: IssueLog,
    allowEqualTimes: boolean,
  ) {
    this.order = new TimeOrder(allowEqualTimes);
  }

  /** Keeps `item` unless `problem` or the time order rejects it (counted in the log). */
  offer(row: number, item: T, problem: Rejection | null): boolean {
    const why = problem ?? this.order.check(item.time);
    if (why) {
      this.log.reject(row, why[0], why[1]);
      return false;
    }
    this.order.accept(item.time);
    const runs = this.entryRuns;
    if (runs.length === 0 || runs[runs.length - 1]![1] !== this.log.entry) runs.push([this.items.length, this.log.entry]);
    this.items.push(item);
    this.rows.push(row);
    return true;
  }

  /** The zip entry or file item `i` came from. */
  entryOf(i: number): string | undefined {
    let lo = 0;
    let hi = this.entryRuns.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.entryRuns[mid]![0] <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.entryRuns[lo]?.[1];
  }

  /** Time of the last accepted row (-Infinity before the first): the hint for ambiguous wall-clock times. */
  get lastTime(): number {
    return this.order.lastTime;
  }
}

export interface SeriesMeta {
  format: SeriesFormat;
  file: string;
  sha256: string;
  timezone: string;
  symbol: string;
  tickSize: number | null;
  /** Bar period when the format states it; inferred from the times otherwise (bars only). */
  periodMs?: number | null;
  contracts?: ContractSummary[];
  rolls?: RollEvent[];
  notes?: string[];
  /** Defaults to `replay:<file>#<sha256>`. */
  provenance?: Provenance;
}

/** Source position of each item, for the gap report. */
export interface RowIndex {
  rows: ArrayLike<number>;
  entryOf?(i: number): string | undefined;
}

const isoOrNull = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** Assembles a LoadedSeries: runs the gap report over the accepted items, fills the summary. */
export function finishSeries(kind: 'bars', items: Bar[], index: RowIndex, log: IssueLog, meta: SeriesMeta): LoadedSeries;
export function finishSeries(kind: 'trades', items: TradeTick[], index: RowIndex, log: IssueLog, meta: SeriesMeta): LoadedSeries;
export function finishSeries(kind: 'quotes', items: Quote[], index: RowIndex, log: IssueLog, meta: SeriesMeta): LoadedSeries;
export function finishSeries(kind: SeriesKind, items: (Bar | TradeTick | Quote)[], index: RowIndex, log: IssueLog, meta: SeriesMeta): LoadedSeries {
  const periodMs = kind === 'bars' ? (meta.periodMs ?? inferPeriod(items)) : null;
  // Bars: a missing bar is a gap. Ticks and quotes: a full minute of open market without a print.
  reportGaps(items, index.rows, periodMs ?? 60_000, log, index.entryOf?.bind(index));
  const base = {
    format: meta.format,
    file: meta.file,
    sha256: meta.sha256,
    timezone: meta.timezone,
    symbol: meta.symbol,
    tickSize: meta.tickSize,
    rows: items.length,
    rejected: log.rejected,
    from: isoOrNull(items[0]?.time),
    to: isoOrNull(items.at(-1)?.time),
    issues: log.list,
    issueCounts: log.counts,
    periodMs,
    contracts: meta.contracts ?? [],
    rolls: meta.rolls ?? [],
    notes: meta.notes ?? [],
    provenance: meta.provenance ?? { kind: 'replay' as const, file: meta.file, sha256: meta.sha256 },
  };
  // Issues in source order (gaps are found after the rows).
  base.issues.sort((a, b) => (a.entry ?? '').localeCompare(b.entry ?? '') || a.row - b.row);
  if (kind === 'bars') return { ...base, kind, items: items as Bar[] };
  if (kind === 'trades') return { ...base, kind, items: items as TradeTick[] };
  return { ...base, kind, items: items as Quote[] };
}
