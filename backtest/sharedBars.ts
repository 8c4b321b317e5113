/**
 * Bars shared between the worker threads of a pool instead of copied (issue 16 item 5):
 * the data files are parsed once, in the thread that starts the pool, into columns of
 * typed arrays on SharedArrayBuffers (core/barColumns.ts), and every task hands the
 * workers the same memory. A structured clone of a SharedArrayBuffer is a second view of
 * it, so a task message costs a few handles whatever the data's size, and N workers hold
 * one copy of the bars (~28 bytes a bar) instead of N copies of one object per bar.
 */
import { BarColumns, mapColumns, type Column, type ColumnSet } from '../core/barColumns.ts';
import { loadBacktestTable, type BacktestTableData } from './engineData.ts';
import type { DataProvenance } from './result.ts';
import type { EngineData } from './sweepEngine.ts';


/** What crosses to a worker: the columns (shared memory), their length, and the data's description. */
export interface SharedBars {
  /** Which files and loader options these bars are (a worker may cache by it). */
  key: string;
  symbol: string;
  length: number;
  barMs: number;
  data: DataProvenance[];
  columns: ColumnSet;
}

export const dataKey = (data: EngineData): string => JSON.stringify([data.files, data.loader ?? {}]);

/**
 * Loads `data` once into shared columns. Null when the bars do not fit one column set
 * (several symbols, side volumes on some bars only): workers then load the files themselves.
 */
export async function shareBars(data: EngineData): Promise<SharedBars | null> {
  const loaded = await loadBacktestTable(data.files, data.loader ?? {}, { from: null, to: null });
  if (!(loaded.bars instanceof BarColumns)) return null;
  const t = BarColumns.concat([loaded.bars], true);
  const n = t.length;
  const view = <C extends Column>(c: C): C => c.subarray(0, n) as C;
  return {
    key: dataKey(data),
    symbol: t.symbol,
    length: n,
    barMs: loaded.barMs,
    data: loaded.data,
    columns: mapColumns(t, view),
  };
}

/** The engine's data over shared columns (no copy). */
export function sharedTable(s: SharedBars): BacktestTableData {
  return { bars: BarColumns.over(s.symbol, s.length, s.columns), barMs: s.barMs, data: s.data };
}

/** Bytes of shared memory the columns use. */
export function sharedBytes(s: SharedBars): number {
  return Object.values(s.columns).reduce((sum, c) => sum + (c ? c.byteLength : 0), 0);
}
