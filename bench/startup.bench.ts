/**
 * Start-up (issue 16, deliverable 4): wall time of `mia status` (no session running: it
 * answers and exits) and of `mia run --max-bars 1` (a whole session of one simulated bar
 * on the in-process venue: an upper bound of the time to the first bar), each beside the
 * same-run baseline `node -e 0`, as best and range of RUNS runs, with the bundle (bin/mia.js
 * default) and from the TypeScript sources (MIA_NO_BUNDLE=1), and the run's own first-bar time
 * (`firstBarMs` in its summary), and `mia status` answered by a running mia (a paced simulated
 * session: the client then also reads control.json, loads zod and node:http, and waits for
 * the answer). Aims: status < 150 ms, first bar < 300 ms.
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

function wall(args: string[], env: NodeJS.ProcessEnv = {}): number[] {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, args, { cwd: home, env: { ...process.env, MIA_HOME: home, ...env }, stdio: 'ignore' });
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
}

/** The run's own figure: `firstBarMs` of its --json summary (process start to the first bar reaching the session). */
function firstBar(args: string[], env: NodeJS.ProcessEnv = {}): number[] {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, [...args, '--json', '--home', join(home, `fb${i}-${out.length}-${Math.random().toString(36).slice(2)}`)], { cwd: home, env: { ...process.env, ...env }, encoding: 'utf8' });
    const ms = (JSON.parse(r.stdout) as { firstBarMs?: number }).firstBarMs;
    if (typeof ms === 'number') out.push(ms);
  }
  return out;
}

/** `mia status` against a running mia: a simulated session paced at 1 minute per second, stopped afterwards. */
async function statusOfRunning(): Promise<number[]> {
  const runHome = join(home, 'running');
  const child = spawn(process.execPath, [mia, 'run', '--venue', 'simulated', '--speed', '1', '--max-bars', '100000', '--home', runHome], { stdio: 'ignore' });
  try {
    for (let waited = 0; !existsSync(join(runHome, 'control.json')); waited += 50) {
      if (waited > 30_000 || child.exitCode !== null) throw new Error('the running mia never published control.json');
      await new Promise((r) => setTimeout(r, 50));
    }
    return wall([mia, 'status', '--home', runHome]);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

// A stale bundle would silently time the TypeScript sources through tsx.
const { bundleIsFresh } = (await import(pathToFileURL(join(root, 'bin/bundle.js')).href)) as { bundleIsFresh(): boolean };
if (!bundleIsFresh()) process.stdout.write('WARNING: dist/ is stale or missing: "(bundle)" rows run the sources. Run `node bin/bundle.js` first.\n');
spawnSync(process.execPath, [mia, '--help'], { stdio: 'ignore' }); // warms the file cache (a stale bundle is not rebuilt: build it first, `npm run build`)
const base = wall(['-e', '0']);
const best = (xs: number[]) => Math.min(...xs);
const fmt = (xs: number[]) => `${best(xs).toFixed(0)} ms (${best(xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
const rows: [string, number[], number | null][] = [
  ['mia status (bundle)', wall([mia, 'status']), 150],
  ['mia status, a mia running (bundle)', await statusOfRunning(), 150],
  ['mia status (sources, tsx)', wall([mia, 'status'], { MIA_NO_BUNDLE: '1' }), null],
  ['mia run --max-bars 1, whole process (bundle)', wall([mia, 'run', '--max-bars', '1', '--venue', 'simulated', '--home', join(home, 'r')]), null],
  ['mia run: first bar (bundle)', firstBar([mia, 'run', '--max-bars', '1', '--venue', 'simulated']), 300],
  ['mia run: first bar, paper DTC (bundle)', firstBar([mia, 'run', '--max-bars', '1']), 300],
  ['mia run --max-bars 1 (sources, tsx)', wall([mia, 'run', '--max-bars', '1', '--venue', 'simulated', '--home', join(home, 'r2')], { MIA_NO_BUNDLE: '1' }), null],
];
rmSync(home, { recursive: true, force: true });
process.stdout.write(`${'figure'.padEnd(44)} ${'best (range)'.padEnd(20)} ${'baseline node -e 0'.padEnd(20)} ratio  aim\n`);
for (const [name, xs, aim] of rows) {
  process.stdout.write(`${name.padEnd(44)} ${fmt(xs).padEnd(20)} ${fmt(base).padEnd(20)} ${(best(xs) / best(base)).toFixed(1).padStart(5)}  ${aim === null ? '' : `< ${aim} ms: ${best(xs) < aim ? 'met' : 'NOT met'}`}\n`);
}
