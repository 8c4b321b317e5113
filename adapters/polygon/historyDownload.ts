/**
 * Downloads history (minute bars, or quotes) over Polygon REST into one CSV file, page by
 * page, resumable after an interruption.
 *
 * Resumption: after each page the rows are appended and flushed, then a sidecar
 * `<out>.progress.json` records the file's committed length, the last row's time and how
 * many rows share that time. A rerun with the same request cuts the file back to the
 * committed length (a page half-written when the process died is dropped), asks Polygon
 * again from the last time, and skips the rows it already has: no gap, no duplicate. The
 * sidecar is removed once the download is complete.
 */
import { open, readFile, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import * as z from 'zod';
import type { Bar, Quote } from '../../core/types.ts';
import { frontContractSegments, isProductRoot, type ContractSegment } from './futuresContracts.ts';
import { BAR_CSV_HEADER, QUOTE_CSV_HEADER, barCsvLine, quoteCsvLine } from './historyCsv.ts';
import type { IndexTimespan, PolygonRest, RowPage, TimeWindow } from './polygonRest.ts';
import { rejectionCause } from './polygonRows.ts';
import { MiaError } from '../../core/errors.ts';

export type DownloadKind = 'bars' | 'quotes';

/** What to download: resolved symbol, time range and the contract serving each stretch. */
export interface DownloadPlan {
  kind: DownloadKind;
  /** As asked: `ES`, `ESZ4`, `I:SPX`. */
  symbol: string;
  /** ms UTC, [from, to). */
  from: number;
  to: number;
  /** Polygon futures resolution ('1min', '5mins', '1hr', '1day'); bars only. */
  resolution: string;
  /** 'futures' (per-contract endpoints) or 'index' (v2 aggregates of `I:` tickers). */
  market: 'futures' | 'index';
  segments: ContractSegment[];
}

/** A download that cannot start as asked (exit code 2): it would clobber or mix files. */
export class DownloadStateError extends MiaError<'DOWNLOAD_STATE_INVALID'> {
  override readonly name = 'DownloadStateError';
  constructor(
    message: string,
    /** The command-line flag to change, when one is to blame. */
    readonly flag?: string,
  ) {
    super('DOWNLOAD_STATE_INVALID', message);
  }
}

/** Normalises `SPX`, `VIX` and `I:...` to Polygon's index tickers; anything else is futures. */
function indexTicker(symbol: string): string | null {
  if (symbol.startsWith('I:')) return symbol;
  return symbol === 'SPX' || symbol === 'VIX' || symbol === 'NDX' ? `I:${symbol}` : null;
}

/**
 * The plan for `symbol` over [from, to): a product root (`ES`) is split into its front
 * contracts by the calendar roll rule; a contract (`ESZ4`) or an index (`I:SPX`) is one segment.
 */
export function planDownload(kind: DownloadKind, symbol: string, from: number, to: number, resolution = '1min'): DownloadPlan {
  if (!(from < to)) throw new DownloadStateError(`the range is empty: --from must be before --to`, '--from');
  const index = indexTicker(symbol);
  if (index) {
    if (kind === 'quotes') throw new DownloadStateError(`indices have no quotes (${symbol})`, '--quotes');
    indexResolution(resolution);
    return { kind, symbol, from, to, resolution, market: 'index', segments: [{ ticker: index, from, to }] };
  }
  const segments = isProductRoot(symbol) ? frontContractSegments(symbol, from, to) : [{ ticker: symbol, from, to }];
  return { kind, symbol, from, to, resolution, market: 'futures', segments };
}

/** Polygon futures resolutions (`1min`, `5mins`, `1hr`, `1day`) as a v2 multiplier and timespan. */
export function indexResolution(resolution: string): { multiplier: number; timespan: IndexTimespan } {
  const m = /^(\d+)(min|mins|hr|hrs|hour|hours|day|days)$/.exec(resolution);
  if (!m || Number(m[1]) < 1) throw new DownloadStateError(`unsupported resolution "${resolution}" (e.g. 1min, 5mins, 1hr, 1day)`, '--resolution');
  const unit = m[2]!;
  const timespan: IndexTimespan = unit.startsWith('min') ? 'minute' : unit.startsWith('h') ? 'hour' : 'day';
  return { multiplier: Number(m[1]), timespan };
}

const progressSchema = z.object({
  version: z.literal(1),
  kind: z.enum(['bars', 'quotes']),
  symbol: z.string(),
  from: z.number(),
  to: z.number(),
  resolution: z.string(),
  /** Committed length of the CSV file in bytes. */
  bytes: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  /** Rejected rows by cause (older progress files have none). */
  rejectedBy: z.record(z.string(), z.number().int().nonnegative()).default({}),
  firstTime: z.number().nullable(),
  /** Time of the last committed row and how many committed rows carry it. */
  lastTime: z.number().nullable(),
  rowsAtLastTime: z.number().int().nonnegative(),
});
export type DownloadProgress = z.infer<typeof progressSchema>;

export const progressFileOf = (out: string): string => `${out}.progress.json`;

export interface DownloadOptions {
  rest: PolygonRest;
  plan: DownloadPlan;
  out: string;
  /** Start over even if `out` exists or a different download was interrupted there. */
  force?: boolean;
  signal?: AbortSignal;
  /** After each committed page: the last time written and the rows so far. */
  onPage?: (p: { lastTime: number | null; rows: number; segment: ContractSegment }) => void;
}

export interface DownloadResult {
  file: string;
  kind: DownloadKind;
  rows: number;
  /** Rows Polygon sent that failed validation (counted, not written). */
  rejected: number;
  /** The same rows by cause, e.g. `{"one-sided quote: no ask price (ask side of the book empty)": 570}`. */
  rejectedBy: Record<string, number>;
  /** True when an interrupted download was continued. */
  resumed: boolean;
  first: number | null;
  last: number | null;
  segments: ContractSegment[];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

async function readProgress(path: string): Promise<DownloadProgress> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: ReturnType<typeof progressSchema.safeParse>;
  try {
    parsed = progressSchema.safeParse(JSON.parse(text));
  } catch (err) {
    throw new Error(`corrupt download progress file ${path} (${(err as Error).message}); left untouched: remove it or use --force`);
  }
  if (!parsed.success) throw new Error(`corrupt download progress file ${path} (${parsed.error.issues[0]?.message}); left untouched: remove it or use --force`);
  return parsed.data;
}

/** How a resumed plan differs from the interrupted one, as the flag to fix. */
function mismatch(plan: DownloadPlan, p: DownloadProgress): { flag: string; was: string } | null {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (p.symbol !== plan.symbol) return { flag: '--symbol', was: p.symbol };
  if (p.from !== plan.from) return { flag: '--from', was: iso(p.from) };
  if (p.to !== plan.to) return { flag: '--to', was: iso(p.to) };
  if (p.resolution !== plan.resolution) return { flag: '--resolution', was: p.resolution };
  if (p.kind !== plan.kind) return { flag: '--out', was: `a ${p.kind} download` };
  return null;
}

/** Decides between a fresh start and a resume, and prepares the file accordingly. */
async function prepare(plan: DownloadPlan, out: string, force: boolean): Promise<DownloadProgress & { resumed: boolean; skipAtLastTime: number }> {
  const sidecar = progressFileOf(out);
  const header = `${plan.kind === 'bars' ? BAR_CSV_HEADER : QUOTE_CSV_HEADER}\n`;
  const fresh = async () => {
    await writeFile(out, header);
    const progress: DownloadProgress = {
      version: 1,
      kind: plan.kind,
      symbol: plan.symbol,
      from: plan.from,
      to: plan.to,
      resolution: plan.resolution,
      bytes: Buffer.byteLength(header),
      rows: 0,
      rejected: 0,
      rejectedBy: {},
      firstTime: null,
      lastTime: null,
      rowsAtLastTime: 0,
    };
    await writeAtomically(sidecar, JSON.stringify(progress));
    return { ...progress, resumed: false, skipAtLastTime: 0 };
  };
  const [haveOut, haveSidecar] = await Promise.all([exists(out), exists(sidecar)]);
  if (force || !haveOut) return fresh();
  if (!haveSidecar) throw new DownloadStateError(`${out} already exists (a finished download or another file); use --force to overwrite it`, '--out');
  const progress = await readProgress(sidecar);
  const diff = mismatch(plan, progress);
  if (diff) {
    throw new DownloadStateError(
      `${out} holds an interrupted download of different parameters (${diff.flag} was ${diff.was}); rerun with the same ${diff.flag}, or use --force to start over`,
      diff.flag,
    );
  }
  const size = (await stat(out)).size;
  if (size < progress.bytes) {
    throw new Error(`${out} is shorter (${size} bytes) than its progress file says (${progress.bytes}); left untouched: use --force to start over`);
  }
  // Rows after the last committed page were written by a process that died before committing them.
  if (size > progress.bytes) await truncate(out, progress.bytes);
  // Rows at the last committed time are on disk already; the first that many come again.
  return { ...progress, resumed: true, skipAtLastTime: progress.rowsAtLastTime };
}

/**
 * Removes a download that never got a row (its header-only file and progress sidecar),
 * e.g. when the plan turned out to lack the dataset. A download holding rows is kept.
 * @returns true when something was removed
 */
export async function discardIfEmpty(out: string): Promise<boolean> {
  const sidecar = progressFileOf(out);
  if (!(await exists(sidecar))) return false;
  const progress = await readProgress(sidecar).catch(() => null);
  if (!progress || progress.rows > 0) return false;
  await Promise.all([unlink(out).catch(() => undefined), unlink(sidecar)]);
  return true;
}

type Row = Bar | Quote;

function pagesOf(rest: PolygonRest, plan: DownloadPlan, segment: ContractSegment, window: TimeWindow, signal?: AbortSignal): AsyncIterable<RowPage<Row>> {
  if (plan.kind === 'quotes') return rest.futuresQuotePages(segment.ticker, window, signal);
  if (plan.market === 'index') {
    const { multiplier, timespan } = indexResolution(plan.resolution);
    return rest.indexBarPages(segment.ticker, window, multiplier, timespan, signal);
  }
  return rest.futuresBarPages(segment.ticker, window, plan.resolution, signal);
}

/**
 * Runs (or resumes) the download of `plan` into `out`. On an error the file and its
 * progress sidecar hold every committed page: rerunning the same request continues.
 */
export async function downloadHistory({ rest, plan, out, force = false, signal, onPage }: DownloadOptions): Promise<DownloadResult> {
  const state = await prepare(plan, out, force);
  const sidecar = progressFileOf(out);
  const line = plan.kind === 'bars' ? (r: Row) => barCsvLine(r as Bar) : (r: Row) => quoteCsvLine(r as Quote);
  const file = await open(out, 'a');
  try {
    for (const segment of plan.segments) {
      if (state.lastTime !== null && segment.to <= state.lastTime) continue;
      const window = { from: state.lastTime === null ? segment.from : Math.max(segment.from, state.lastTime), to: segment.to };
      if (window.from >= window.to) continue;
      for await (const page of pagesOf(rest, plan, segment, window, signal)) {
        let text = '';
        for (const row of page.items) {
          // Already on disk: earlier than the last committed row, or one of the rows sharing its time.
          if (state.lastTime !== null && row.time < state.lastTime) continue;
          if (state.lastTime !== null && row.time === state.lastTime) {
            if (state.skipAtLastTime > 0) {
              state.skipAtLastTime--;
              continue;
            }
            state.rowsAtLastTime++;
          } else {
            state.lastTime = row.time;
            state.rowsAtLastTime = 1;
            state.skipAtLastTime = 0;
          }
          text += line(row);
          state.rows++;
          state.firstTime ??= row.time;
        }
        state.rejected += page.rejected.length;
        for (const r of page.rejected) {
          const cause = rejectionCause(r.reason);
          state.rejectedBy[cause] = (state.rejectedBy[cause] ?? 0) + 1;
        }
        if (text.length > 0) {
          await file.write(text);
          await file.sync();
          state.bytes += Buffer.byteLength(text);
        }
        const { resumed: _resumed, skipAtLastTime: _skip, ...progress } = state;
        await writeAtomically(sidecar, JSON.stringify(progress));
        onPage?.({ lastTime: state.lastTime, rows: state.rows, segment });
      }
    }
  } finally {
    await file.close();
  }
  await unlink(sidecar);
  return {
    file: out,
    kind: plan.kind,
    rows: state.rows,
    rejected: state.rejected,
    rejectedBy: state.rejectedBy,
    resumed: state.resumed,
    first: state.firstTime,
    last: state.lastTime,
    segments: plan.segments,
  };
}
