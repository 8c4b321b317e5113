/**
 * A bar file loaded straight into columns (core/barColumns.ts) for a replay: the file is
 * read in chunks, hashed and parsed as it streams, rows going into typed arrays, so the
 * whole text, its decoded string and one object per bar never exist at once (a 1M-bar CSV
 * costs ~50 MB of columns instead of ~300 MB of buffer, string and objects).
 *
 * CSV and Sierra Chart text go through the very row reader and checks of ohlcvText.ts
 * (same numbers, same rejections, same zone handling); every other format, and a text
 * file whose rows name several symbols, is loaded by openReplaySource and put in columns
 * afterwards. What a replay does not use is left out: the gap report and the row index.
 */
import { resolve } from 'node:path';
import { BarColumns, arrayBarTable, type BarTable } from '../../core/barColumns.ts';
import type { Bar, Provenance } from '../../core/types.ts';
import { checkCommonOptions } from './loaderOptions.ts';
import { openReplaySource, type ReplayOptions } from './replaySource.ts';
import { inferPeriod } from './sessionGaps.ts';
import type { SeriesFormat } from './seriesTypes.ts';
import { scanTextRows, type StreamHead } from './textRowScan.ts';

export interface ColumnarReplay {
  bars: BarTable;
  barMs: number;
  file: string;
  sha256: string;
  format: SeriesFormat;
  /** The instrument the file names (or its path suggests): the backtest trades only its own. */
  symbol: string;
  /** Bars accepted. */
  rows: number;
  /** Rows refused by the checks (see `mia data inspect` for each one's reason). */
  rejected: number;
  provenance: Provenance;
}

const CHUNK = 4 << 20;

/** Loads `path` for a replay, as columns when it is CSV or Sierra text (see the module notes). `chunkBytes`: read size (tests). */
export async function loadColumnarReplay(path: string, options: ReplayOptions = {}, chunkBytes = CHUNK): Promise<ColumnarReplay> {
  const file = resolve(path);
  const plain = options.barMinutes === undefined && options.fromMs === undefined && options.toMs === undefined;
  if (plain) {
    checkCommonOptions(file, options);
    const streamed = await streamText(file, options, chunkBytes);
    if (streamed) return streamed;
  }
  const handle = await openReplaySource(file, options);
  return {
    bars: BarColumns.fromBars(handle.bars)?.trim() ?? arrayBarTable(handle.bars),
    barMs: handle.barMs,
    file: handle.series.file,
    sha256: handle.series.sha256,
    format: handle.series.format,
    symbol: handle.series.symbol,
    rows: handle.series.rows,
    rejected: handle.series.rejected,
    provenance: handle.provenance,
  };
}

/** The streaming path; null when the file is not CSV/Sierra text or does not fit one column set. */
async function streamText(file: string, options: ReplayOptions, chunkBytes: number): Promise<ColumnarReplay | null> {
  let bars: BarColumns | null = null;
  let head: StreamHead | null = null;
  const tail = await scanTextRows(file, options, chunkBytes, {
    start(h) {
      head = h;
      bars = new BarColumns(h.symbol, h.estimate, h.sides);
      return true;
    },
    row(bar) {
      bars!.push(bar);
    },
  });
  if (!tail || !bars || !head) return null;
  const table = bars as BarColumns;
  const sample: { time: number }[] = [];
  for (let i = 0; i < Math.min(table.length, 2_001); i++) sample.push({ time: table.time[i]! });
  return {
    bars: table.trim(),
    barMs: inferPeriod(sample) ?? 60_000,
    file,
    sha256: tail.sha256,
    format: (head as StreamHead).format,
    symbol: (head as StreamHead).symbol,
    rows: table.length,
    rejected: tail.rejected,
    provenance: { kind: 'replay', file, sha256: tail.sha256 },
  };
}

