/**
 * The benchmark input of issue 16: the shared FirstRate 1-minute months (2023-03 and
 * 2023-09) stitched end to end, alternately, each copy shifted by whole weeks so that times
 * keep increasing and every bar keeps its weekday, until about 1.05M real ES minute bars.
 * Written once as `timestamp,open,high,low,close,volume` with ISO UTC stamps (`...Z`) to a
 * temporary file, and reused while its name (bar count) matches.
 * Run alone: `node --import tsx bench/stitchedEsCsv.ts [bars] [out.csv]` prints the path.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSeries } from '../adapters/files/loadSeries.ts';
import type { Bar } from '../core/types.ts';

const WEEK = 7 * 86_400_000;
export const FIRSTRATE_MONTHS = [
  fileURLToPath(new URL('../../shared/data/es/firstrate/edisoniver_2023-03/ES_1min_sample.csv', import.meta.url)),
  fileURLToPath(new URL('../../shared/data/es/firstrate/victor-thai_2023-09/ES_1min_sample.csv', import.meta.url)),
];

/** True when the shared data is here (benchmarks skip otherwise). */
export const haveFirstRate = (): boolean => FIRSTRATE_MONTHS.every((f) => existsSync(f));

/** Path of the stitched CSV of at least `target` bars (written on first use). */
export async function stitchedEsCsv(target = 1_050_000, out?: string): Promise<string> {
  const file = out ?? join(tmpdir(), 'mia-bench', `es-firstrate-stitched-${target}.csv`);
  if (existsSync(file)) return file;
  const months: Bar[][] = [];
  for (const f of FIRSTRATE_MONTHS) {
    const s = await loadSeries(f);
    if (s.kind !== 'bars') throw new Error(`${f} is not a bar file`);
    months.push(s.items);
  }
  const chunks: string[] = ['timestamp,open,high,low,close,volume\n'];
  let n = 0;
  let lastEnd = -Infinity;
  for (let copy = 0; n < target; copy++) {
    const month = months[copy % months.length]!;
    // The first whole-week shift that puts this copy after everything written so far.
    const shift = Math.max(0, Math.ceil((lastEnd - month[0]!.time + 1) / WEEK)) * WEEK;
    const lines: string[] = [];
    for (const b of month) {
      if (n >= target) break;
      lines.push(`${new Date(b.time + shift).toISOString()},${b.open},${b.high},${b.low},${b.close},${b.volume}\n`);
      n++;
    }
    chunks.push(lines.join(''));
    lastEnd = month.at(-1)!.time + shift + 60_000;
  }
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(`${file}.tmp`, chunks.join(''));
  renameSync(`${file}.tmp`, file);
  return file;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${await stitchedEsCsv(Number(process.argv[2] ?? 1_050_000), process.argv[3])}\n`);
}
