/**
 * Issue 16, deliverable 1: `mia backtest` over ~1.05M real ES minute bars (the shared
 * FirstRate months stitched end to end, bench/stitchedEsCsv.ts), as a user runs it (its own
 * process: start-up, load, replay, result, JSON written), against the bare read-split-parse
 * of the same CSV in its own process (bench/bareParse.mjs), alternated in the same run.
 * Each figure: best and range of RUNS runs; peak RSS and CPU from the child itself
 * (bench/processUsage.mjs). Aim: ratio <= 1.0 (backtest wall / baseline wall), peak RSS < 300 MiB.
 * Run: `node --import tsx bench/backtestCli.bench.ts [runs] [bars]`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haveFirstRate, stitchedEsCsv } from './stitchedEsCsv.ts';

const RUNS = Number(process.argv[2] ?? 3);
const BARS = Number(process.argv[3] ?? 1_050_000);
const AIM_RATIO = 1.0;
const AIM_RSS_MIB = 300;

if (!haveFirstRate()) {
  process.stdout.write('skipped: the FirstRate samples of ../shared/data are absent (the benchmark runs on real bars only)\n');
  process.exit(0);
}
const csv = await stitchedEsCsv(BARS);
// MIA_BENCH_ROOT: another checkout's `mia` (e.g. the commit before a change), same input and baseline.
const root = process.env.MIA_BENCH_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const preload = fileURLToPath(new URL('./processUsage.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mia-bench-cli-'));

interface Run {
  wallMs: number;
  cpuMs: number;
  rssMib: number;
}

function timed(args: string[], cwd = dir): Run {
  const usage = join(dir, 'usage.json');
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', preload, ...args], { cwd, env: { ...process.env, MIA_BENCH_USAGE: usage }, stdio: ['ignore', 'ignore', 'inherit'] });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  const u = JSON.parse(readFileSync(usage, 'utf8')) as { maxRssKb: number; userUs: number; systemUs: number };
  return { wallMs, cpuMs: (u.userUs + u.systemUs) / 1000, rssMib: u.maxRssKb / 1024 };
}

const out = join(dir, 'result.json');
const base: Run[] = [];
const back: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  base.push(timed([fileURLToPath(new URL('./bareParse.mjs', import.meta.url)), csv]));
  back.push(timed([join(root, 'bin/mia.js'), 'backtest', '--data', csv, '--json', out, '--quiet', '--no-evidence']));
}
const result = readFileSync(out);
const parsed = JSON.parse(result.toString('utf8')) as { trades: unknown; metrics: unknown; counts: { bars: number } };
const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
rmSync(dir, { recursive: true, force: true });

const best = (rs: Run[], k: keyof Run) => Math.min(...rs.map((r) => r[k]));
const range = (rs: Run[], k: keyof Run, d = 0) => `${Math.min(...rs.map((r) => r[k])).toFixed(d)}-${Math.max(...rs.map((r) => r[k])).toFixed(d)}`;
const ratioWall = best(back, 'wallMs') / best(base, 'wallMs');
const ratioCpu = best(back, 'cpuMs') / best(base, 'cpuMs');
const perRunRatios = back.map((b, i) => b.wallMs / base[i]!.wallMs);
const rate = (ms: number) => Math.round(parsed.counts.bars / (ms / 1000)).toLocaleString('en-US');
const lines = [
  `mia                  ${root}\ninput                ${csv} (${parsed.counts.bars.toLocaleString('en-US')} bars published)`,
  `                     ${'figure'.padEnd(24)} ${'baseline (bare parse)'.padEnd(24)} ratio`,
  `wall ms (best, range) ${`${best(back, 'wallMs').toFixed(0)} (${range(back, 'wallMs')})`.padEnd(24)} ${`${best(base, 'wallMs').toFixed(0)} (${range(base, 'wallMs')})`.padEnd(24)} ${ratioWall.toFixed(2)} (per run ${Math.min(...perRunRatios).toFixed(2)}-${Math.max(...perRunRatios).toFixed(2)}); aim <= ${AIM_RATIO}: ${ratioWall <= AIM_RATIO ? 'met' : 'NOT met'}`,
  `cpu ms (best, range)  ${`${best(back, 'cpuMs').toFixed(0)} (${range(back, 'cpuMs')})`.padEnd(24)} ${`${best(base, 'cpuMs').toFixed(0)} (${range(base, 'cpuMs')})`.padEnd(24)} ${ratioCpu.toFixed(2)}`,
  `peak rss MiB          ${`${best(back, 'rssMib').toFixed(0)} (${range(back, 'rssMib')})`.padEnd(24)} ${`${best(base, 'rssMib').toFixed(0)} (${range(base, 'rssMib')})`.padEnd(24)} ${(best(back, 'rssMib') / best(base, 'rssMib')).toFixed(2)}; aim < ${AIM_RSS_MIB}: ${best(back, 'rssMib') < AIM_RSS_MIB ? 'met' : 'NOT met'}`,
  `bars/s (wall)         ${rate(best(back, 'wallMs')).padEnd(24)} ${rate(best(base, 'wallMs')).padEnd(24)}`,
  `result sha256         file ${sha(result)}`,
  `                      trades+metrics ${sha(JSON.stringify({ trades: parsed.trades, metrics: parsed.metrics }))}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
