/**
 * VIX daily closes (CBOE's `VIX_History.csv`: `DATE,OPEN,HIGH,LOW,CLOSE`, dates
 * `MM/DD/YYYY`; ISO `YYYY-MM-DD` is read too) as readings for the volatility regime. A
 * daily close is known only after the cash close (16:15 ET for VIX): each reading carries
 * that instant as `time`, and the replay applies it from the next session's open, never
 * to the bars of its own day (backtest/engineFeed.ts).
 *
 * Rows whose close is not a positive number are refused (the file is named, with the
 * line); days must ascend. A file of another shape (no CLOSE column, no DATE column) is
 * an `unknown-format` error naming what was expected.
 */
import { easternWallTimeToUtc } from '../../core/zonedTime.ts';
import { readDataFile } from './seriesBuilder.ts';
import { DataFileError } from './seriesTypes.ts';

export interface VixReading {
  /** Calendar day of the close, `YYYY-MM-DD`. */
  day: string;
  close: number;
  /** When the close is known: 16:15 ET on `day`, ms UTC. */
  time: number;
}

export interface VixSeries {
  file: string;
  sha256: string;
  rows: number;
  readings: VixReading[];
}

const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayOf(text: string): { y: number; m: number; d: number } | null {
  const us = US.exec(text);
  if (us) return { y: Number(us[3]), m: Number(us[1]), d: Number(us[2]) };
  const iso = ISO.exec(text);
  if (iso) return { y: Number(iso[1]), m: Number(iso[2]), d: Number(iso[3]) };
  return null;
}

/** Parses the text of a VIX daily file (`file` names it in errors). */
export function parseVixDaily(text: string, file: string): VixReading[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').split(',').map((h) => h.trim().toUpperCase());
  const dateCol = header.findIndex((h) => h === 'DATE');
  const closeCol = header.indexOf('CLOSE');
  if (dateCol < 0 || closeCol < 0) {
    throw new DataFileError('unknown-format', file, `${file}: not a VIX daily file (expected a header with DATE and CLOSE, as CBOE's VIX_History.csv; got "${lines[0] ?? ''}")`);
  }
  const out: VixReading[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const cells = line.split(',');
    const date = dayOf((cells[dateCol] ?? '').trim());
    const close = Number((cells[closeCol] ?? '').trim());
    if (!date || !(close > 0) || !Number.isFinite(close)) throw new DataFileError('unreadable', file, `${file} line ${i + 1}: expected a date and a positive CLOSE, got "${line}"`);
    const day = `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
    if (out.length > 0 && day <= out.at(-1)!.day) throw new DataFileError('unreadable', file, `${file} line ${i + 1}: ${day} does not follow ${out.at(-1)!.day} (days must ascend)`);
    out.push({ day, close, time: easternWallTimeToUtc(date.y, date.m, date.d, 16, 15) });
  }
  if (out.length === 0) throw new DataFileError('unreadable', file, `${file}: no VIX row`);
  return out;
}

export async function loadVixDaily(path: string): Promise<VixSeries> {
  const { file, bytes, sha256 } = await readDataFile(path);
  const readings = parseVixDaily(bytes.toString('utf8'), file);
  return { file, sha256, rows: readings.length, readings };
}
