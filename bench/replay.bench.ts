/**
 * Replay throughput in bars per second, from a CSV file and from MIA's bar cache, each
 * measured end to end (read the file, hash it, parse and check every row, report gaps,
 * then drain the replay source), against a baseline measured in the same run that only
 * reads the file and splits it into lines and fields.
 * Run: `node --import tsx bench/replay.bench.ts [file.csv]`.
 * Aim: the replay feed within 2x of the baseline (ratio baseline time / replay time >= 0.5).
 *
 * Input: the FirstRate 1-minute sample of ../shared/data (16 200 real bars); without it, a
 * CSV of simulated bars written to a temporary directory.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBarCache } from '../adapters/files/barCache.ts';
import { loadSeries } from '../adapters/files/loadSeries.ts';
import { openReplaySource } from '../adapters/files/replaySource.ts';
import { SimulatedBars } from '../adapters/simulated/simulatedBars.ts';

const RUNS = 15;
const AIM_RATIO = 0.5;

const dir = mkdtempSync(join(tmpdir(), 'mia-bench-replay-'));
const realCsv = fileURLToPath(new URL('../../shared/data/es/firstrate/edisoniver_2023-03/ES_1min_sample.csv', import.meta.url));

function simulatedCsv(): string {
  const sim = new SimulatedBars({ symbol: 'ES', seed: 7, start: Date.UTC(2024, 0, 2) });
  const lines: string[] = [];
  for (let i = 0; i < 16_200; i++) {
    const b = sim.next();
    const t = new Date(b.time).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`${t},${b.open.toFixed(2)},${b.high.toFixed(2)},${b.low.toFixed(2)},${b.close.toFixed(2)},${b.volume}`);
  }
  const file = join(dir, 'simulated.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const csv = process.argv[2] ?? (existsSync(realCsv) ? realCsv : simulatedCsv());
const cache = join(dir, 'bars.miabars');
const loaded = await loadSeries(csv);
if (loaded.kind !== 'bars') throw new Error(`${csv} is not a bar file`);
await writeBarCache(cache, loaded.items, loaded);

/** Best time of RUNS runs of `op` (after two warm-up runs), in ms, and what it returned. */
async function best(op: () => Promise<number>): Promise<{ ms: number; count: number }> {
  let count = 0;
  for (let i = 0; i < 2; i++) count = await op();
  let ms = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    count = await op();
    ms = Math.min(ms, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms, count };
}

/** Baseline: the least a text reader does: read, decode, split into lines and fields. */
async function readAndSplit(): Promise<number> {
  const text = (await readFile(csv)).toString('utf8');
  let rows = 0;
  for (const line of text.split('\n')) if (line.length > 0 && line.split(',').length > 1) rows++;
  return rows;
}

/** Lines only (for reference): read, decode, split into lines. */
async function readLines(): Promise<number> {
  const text = (await readFile(csv)).toString('utf8');
  return text.split('\n').length;
}

async function replay(file: string): Promise<number> {
  const { source } = await openReplaySource(file);
  let n = 0;
  let sum = 0;
  for (let bar = source.next(); bar; bar = source.next()) {
    n++;
    sum += bar.close;
  }
  if (Number.isNaN(sum)) console.log('unreachable');
  return n;
}

const baseline = await best(readAndSplit);
const lines = await best(readLines);
const fromCsv = await best(() => replay(csv));
const fromCache = await best(() => replay(cache));

const perSecond = (r: { ms: number; count: number }) => r.count / (r.ms / 1000);
const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M`;
console.log(`Replay throughput (node ${process.version}, best of ${RUNS}), ${loaded.rows} bars from ${csv}\n`);
console.log(`${'pass'.padEnd(40)} ${'ms'.padStart(8)} ${'bars/s'.padStart(10)} ${'vs baseline'.padStart(12)}`);
const row = (name: string, r: { ms: number; count: number }) =>
  console.log(`${name.padEnd(40)} ${r.ms.toFixed(2).padStart(8)} ${fmt(perSecond(r)).padStart(10)} ${(baseline.ms / r.ms).toFixed(2).padStart(12)}`);
row('baseline: read + split lines and fields', baseline);
row('reference: read + split lines only', lines);
row('replay from CSV (load, check, drain)', fromCsv);
row('replay from MIA cache (load, drain)', fromCache);
console.log('');
for (const [name, r] of [['CSV', fromCsv], ['cache', fromCache]] as const) {
  const ratio = baseline.ms / r.ms;
  console.log(`replay from ${name}: ${(r.ms / baseline.ms).toFixed(2)}x the baseline's time, ${ratio >= AIM_RATIO ? 'meets' : 'misses'} the within-2x aim`);
}
rmSync(dir, { recursive: true, force: true });
