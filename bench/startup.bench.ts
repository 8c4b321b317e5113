/**
 * Start-up (issue 16, deliverable 4): wall time of `mia status` (no session running: it
 * answers and exits) and of `mia run --max-bars 1` (a whole session of one simulated bar
 * on the in-process venue: an upper bound of the time to the first bar), each beside the
 * same-run baseline `node -e 0`, as best, median and range of RUNS runs, with the bundle
 * (bin/mia.js default) and from the TypeScript sources (MIA_NO_BUNDLE=1), and the run's own
 * first-bar time (`firstBarMs` in its summary), and `mia status` answered by a running mia (a
 * paced simulated session: the client then also reads control.json, loads zod and node:http,
 * and waits for the answer). Aims: status < 150 ms, first bar < 300 ms.
 * The rows take turns, one run each per round: a burst of load from another process spreads
 * over all of them instead of falling on one row.
 * MIA_BENCH_ROOT: another checkout's `mia` (e.g. the commit before a change), same baseline.
 * Run: `node --import tsx bench/startup.bench.ts [runs]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const RUNS = Number(process.argv[2] ?? 5);
const root = process.env.MIA_BENCH_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'mia-bench-start-'));
const mia = join(root, 'bin/mia.js');

/** One timed run of `node args` (wall ms). */
function wall(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const start = process.hrtime.bigint();
  spawnSync(process.execPath, args, { cwd: home, env: { ...process.env, MIA_HOME: home, ...env }, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

let fresh = 0;
/** The run's own figure: `firstBarMs` of its --json summary (process start to the first bar reaching the session). */
function firstBar(args: string[]): number | null {
  const r = spawnSync(process.execPath, [...args, '--json', '--home', join(home, `fb${fresh++}`)], { cwd: home, encoding: 'utf8' });
  const ms = (JSON.parse(r.stdout) as { firstBarMs?: number }).firstBarMs;
  return typeof ms === 'number' ? ms : null;
}

/** A paced simulated session for `mia status` to ask (1 simulated minute per second); stopped at the end. */
async function startRunning(runHome: string) {
  const child = spawn(process.execPath, [mia, 'run', '--venue', 'simulated', '--speed', '1', '--max-bars', '100000', '--home', runHome], { stdio: 'ignore' });
  for (let waited = 0; !existsSync(join(runHome, 'control.json')); waited += 50) {
    if (waited > 30_000 || child.exitCode !== null) throw new Error('the running mia never published control.json');
    await new Promise((r) => setTimeout(r, 50));
  }
  return async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
}

// A stale bundle would silently time the TypeScript sources through tsx.
const { bundleIsFresh } = (await import(pathToFileURL(join(root, 'bin/bundle.js')).href)) as { bundleIsFresh(): boolean };
if (!bundleIsFresh()) process.stdout.write('WARNING: dist/ is stale or missing: "(bundle)" rows run the sources. Run `node bin/bundle.js` first.\n');
spawnSync(process.execPath, [mia, '--help'], { stdio: 'ignore' }); // warms the file cache (a stale bundle is not rebuilt: build it first, `npm run build`)
const runHome = join(home, 'running');
const stopRunning = await startRunning(runHome);

interface Row {
  name: string;
  once: () => number | null;
  aim: number | null;
  xs: number[];
}
const row = (name: string, once: () => number | null, aim: number | null = null): Row => ({ name, once, aim, xs: [] });
const base = row('node -e 0', () => wall(['-e', '0']));
const rows: Row[] = [
  base,
  row('mia status (bundle)', () => wall([mia, 'status']), 150),
  row('mia status, a mia running (bundle)', () => wall([mia, 'status', '--home', runHome]), 150),
  row('mia status (sources, tsx)', () => wall([mia, 'status'], { MIA_NO_BUNDLE: '1' })),
  row('mia run --max-bars 1, whole process (bundle)', () => wall([mia, 'run', '--max-bars', '1', '--venue', 'simulated', '--home', join(home, `r${fresh++}`)])),
  row('mia run: first bar (bundle)', () => firstBar([mia, 'run', '--max-bars', '1', '--venue', 'simulated']), 300),
  row('mia run: first bar, paper DTC (bundle)', () => firstBar([mia, 'run', '--max-bars', '1']), 300),
  row('mia run --max-bars 1 (sources, tsx)', () => wall([mia, 'run', '--max-bars', '1', '--venue', 'simulated', '--home', join(home, `r${fresh++}`)], { MIA_NO_BUNDLE: '1' })),
];
try {
  for (let i = 0; i < RUNS; i++) {
    for (const r of rows) {
      const x = r.once();
      if (x !== null) r.xs.push(x);
    }
  }
} finally {
  await stopRunning();
  rmSync(home, { recursive: true, force: true });
}

const best = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const fmt = (xs: number[]) => `${best(xs).toFixed(0)} / ${median(xs).toFixed(0)} (${best(xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
process.stdout.write(`${'figure'.padEnd(44)} ${'best / median (range)'.padEnd(24)} ${'node -e 0, same rounds'.padEnd(24)} ratio  aim (best)\n`);
for (const r of rows.slice(1)) {
  const aim = r.aim === null ? '' : `< ${r.aim} ms: ${best(r.xs) < r.aim ? 'met' : 'NOT met'}`;
  process.stdout.write(`${r.name.padEnd(44)} ${fmt(r.xs).padEnd(24)} ${fmt(base.xs).padEnd(24)} ${(best(r.xs) / best(base.xs)).toFixed(1).padStart(5)}  ${aim}\n`);
}
