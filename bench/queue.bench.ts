/**
 * The job queue against the in-process pool (issue 18), on real ES minute bars (FirstRate,
 * March 2023), same jobs, same run:
 * - jobs per second of a batch of 1-day backtests (two parameter sets on every trading day):
 *   the local pool (piscina, bars shared between threads) with 1 and 2 threads, and the
 *   BullMQ queue on a local redis-server with 1 and 2 `mia worker` processes; scaling 1 -> 2;
 * - per-job overhead of the queue against the pool: a batch of empty jobs (weekend days,
 *   no bar: the engine answers at once), time per job on 1 worker vs 1 thread.
 * Each side runs one warm-up batch first (threads start, data loaded or fetched); each
 * figure is the best of 3 runs of its batch.
 * Run: `node --import tsx bench/queue.bench.ts`. Needs redis-server (else the queue half is skipped).
 * On a 2-core machine 2 workers can at best double the rate; the machine's load is printed.
 */
import { loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadConfig } from '../config/load.ts';
import { dataDays } from '../backtest/sweepEngine.ts';
import { poolBatch, sweepPool } from '../backtest/sweepPool.ts';
import { queueBatch } from '../backtest/queue/queueBatch.ts';
import type { BacktestRequest, BatchRunner } from '../backtest/sweepRunner.ts';
import { hasRedisServer, startRedis } from '../test/fixtures/redisProcess.ts';

const MARCH = fileURLToPath(new URL('../../shared/data/es/firstrate/edisoniver_2023-03/ES_1min_sample.csv', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/mia.js', import.meta.url));
const data = { files: [MARCH] };

const env = { MIA__strategy__minAvailableWeight: '0' };
const configs = [4, 6, 8, 10].map((stop) => loadConfig({ env: { ...env, MIA__strategy__stopPoints: String(stop) } }));
const days = await dataDays(data);
const work: BacktestRequest[] = days.flatMap((d) => configs.map((config) => ({ config, from: d, to: d, detail: 'summary' as const })));
// Weekend days hold no bar: the engine answers an empty record at once, so what is timed is the carrying.
const saturdays: string[] = [];
for (let t = Date.parse(`${days[0]}T00:00:00Z`); saturdays.length < 20; t += 86_400_000) {
  if (new Date(t).getUTCDay() === 6) saturdays.push(new Date(t).toISOString().slice(0, 10));
}
const empty: BacktestRequest[] = Array.from({ length: 60 }, (_, i) => ({ config: configs[i % 2]!, from: saturdays[i % saturdays.length]!, to: saturdays[i % saturdays.length]!, detail: 'summary' }));

const RUNS = 3;

/** Best of RUNS timings of the batch, in ms. */
async function timed(batch: BatchRunner, requests: readonly BacktestRequest[]): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const out = await batch(requests);
    if (out.length !== requests.length) throw new Error('short batch');
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

interface Row {
  what: string;
  jobs: number;
  ms: number;
}
const rows: Row[] = [];
const load0 = loadavg()[0]!;

for (const threads of [1, 2]) {
  const pool = sweepPool(threads);
  try {
    const batch = poolBatch(pool, data);
    await batch(work.slice(0, threads * 2)); // warm-up: threads, shared bars
    rows.push({ what: `pool, ${threads} thread(s), 1-day jobs`, jobs: work.length, ms: await timed(batch, work) });
    if (threads === 1) rows.push({ what: 'pool, 1 thread, empty jobs', jobs: empty.length, ms: await timed(batch, empty) });
  } finally {
    await pool.close();
  }
}

if (!hasRedisServer()) {
  process.stdout.write('queue: skipped (redis-server is not installed)\n');
} else {
  const redis = await startRedis();
  const cache = mkdtempSync(join(tmpdir(), 'mia-bench-queue-'));
  const workers: ChildProcess[] = [];
  const startWorker = () =>
    new Promise<void>((ready, fail) => {
      const child = spawn(process.execPath, [BIN, 'worker', '--queue', redis.url, '--cache-dir', cache], { env: { ...process.env, MIA_QUEUE_PASSWORD: redis.password }, stdio: ['ignore', 'ignore', 'pipe'] });
      workers.push(child);
      let text = '';
      child.stderr!.on('data', (b: Buffer) => {
        text += b.toString();
        if (text.includes('serving')) ready();
      });
      child.once('exit', (code) => fail(new Error(`mia worker exited (${code}): ${text}`)));
    });
  const q = queueBatch({ url: redis.url, env: { MIA_QUEUE_PASSWORD: redis.password }, data, pollMs: 20 });
  try {
    for (const n of [1, 2]) {
      while (workers.length < n) await startWorker();
      await q.run(work.slice(0, n * 4)); // warm-up: each worker's thread and data
      rows.push({ what: `queue, ${n} worker(s), 1-day jobs`, jobs: work.length, ms: await timed(q.run, work) });
      if (n === 1) rows.push({ what: 'queue, 1 worker, empty jobs', jobs: empty.length, ms: await timed(q.run, empty) });
    }
  } finally {
    await q.close();
    await Promise.all(workers.map((w) => new Promise((gone) => (w.exitCode !== null ? gone(null) : (w.once('exit', gone), w.kill('SIGTERM'))))));
    await redis.stop();
    rmSync(cache, { recursive: true, force: true });
  }
}

const rate = (r: Row) => (r.jobs / r.ms) * 1000;
process.stdout.write(`machine load (1 min) at start ${load0.toFixed(2)}, at end ${loadavg()[0]!.toFixed(2)}; ${work.length} 1-day jobs over ${days.length} days, ${empty.length} empty jobs\n`);
for (const r of rows) process.stdout.write(`${r.what.padEnd(34)} ${String(r.jobs).padStart(4)} jobs  ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${rate(r).toFixed(1).padStart(7)} jobs/s  ${(r.ms / r.jobs).toFixed(1).padStart(7)} ms/job\n`);
const find = (prefix: string) => rows.find((r) => r.what.startsWith(prefix));
const ratio = (a?: Row, b?: Row) => (a && b ? (rate(b) / rate(a)).toFixed(2) : '-');
process.stdout.write(`scaling 1 -> 2: pool x${ratio(find('pool, 1 thread(s), 1-day'), find('pool, 2 thread'))}, queue x${ratio(find('queue, 1 worker(s), 1-day'), find('queue, 2 worker'))}\n`);
const pe = find('pool, 1 thread, empty');
const qe = find('queue, 1 worker, empty');
if (pe && qe) process.stdout.write(`per-job overhead, empty jobs on one worker: queue ${(qe.ms / qe.jobs).toFixed(1)} ms/job vs pool ${(pe.ms / pe.jobs).toFixed(1)} ms/job (queue adds ${((qe.ms - pe.ms) / qe.jobs).toFixed(1)} ms/job)\n`);
const p1 = find('pool, 1 thread(s), 1-day');
const q1 = find('queue, 1 worker(s), 1-day');
if (p1 && q1) process.stdout.write(`1-day jobs on one worker: queue ${(q1.ms / q1.jobs).toFixed(1)} ms/job vs pool ${(p1.ms / p1.jobs).toFixed(1)} ms/job\n`);
