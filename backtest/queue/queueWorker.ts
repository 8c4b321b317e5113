/**
 * What `mia worker` runs: a BullMQ worker on the backtest queue that takes jobs (one
 * request over data named by sha256, queueJob.ts), finds the data's bytes (queueData.ts),
 * runs the request on a local pool of engine threads over bars shared between them
 * (sweepPool.ts), and answers the outcome. The engine runs off the worker's main thread,
 * so the job's lock keeps being renewed however long a backtest takes; a worker that dies
 * leaves its lock to expire and another worker's stalled-job check takes the job back.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { EngineData } from '../sweepEngine.ts';
import type { BacktestOutcome, BacktestRequest } from '../sweepRunner.ts';
import { poolBatch, sweepPool } from '../sweepPool.ts';
import { DataStore } from './queueData.ts';
import { streamSources } from './queueStreams.ts';
import { authRefusal } from './queueError.ts';
import { JOB_FORMAT, QUEUE_NAME, decode, describeJob, encode, type QueueJobData, type QueueJobResult } from './queueJob.ts';
import { within } from './queueTimers.ts';
import { parseQueueUrl, redisOptions } from './queueUrl.ts';

/** Runs one request over local data files. */
export type JobRunner = (data: EngineData, request: BacktestRequest) => Promise<BacktestOutcome>;

export type WorkerEvent =
  | { kind: 'started'; id: string; what: string; attempt: number }
  | { kind: 'done'; id: string; ms: number }
  | { kind: 'failed'; id: string; error: string }
  | { kind: 'notice'; line: string };

export interface QueueWorkerOptions {
  url: string;
  env?: NodeJS.ProcessEnv;
  /** Engine threads, and jobs run at once (default 1). */
  threads?: number;
  cacheDir: string;
  sharedDir?: string;
  /** How long a job's lock lasts without renewal: a dead worker's job is taken back after about this (default 30 s). */
  lockMs?: number;
  /** How long close() waits for the jobs in hand before it drops them (they go back to the queue; default 30 s). */
  closeMs?: number;
  /** Worker name in job records (default `host:pid`). */
  name?: string;
  /** Runs a request (default: the local engine pool); tests pass their own. */
  runner?: JobRunner;
  onEvent?: (e: WorkerEvent) => void;
}

export interface QueueWorker {
  name: string;
  target: string;
  store: DataStore;
  /** Jobs this worker finished. */
  done(): number;
  close(): Promise<void>;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const target = parseQueueUrl(options.url, options.env);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const threads = options.threads ?? 1;
  const lockMs = options.lockMs ?? 30_000;
  const closeMs = options.closeMs ?? 30_000;
  const emit = options.onEvent ?? (() => undefined);
  let closing = false;
  const isClosing = () => closing;
  const redis = new Redis(redisOptions(target, 'worker', isClosing));
  redis.on('error', () => undefined); // ioredis reconnects; BullMQ reports what matters
  // A refused password ends the worker at once; an unreachable Redis is waited for.
  const ping = await within(redis.ping().then(() => null, (err: unknown) => err), 3000, 'no answer in 3 s');
  if (ping !== null) {
    const refused = authRefusal(ping, target.safe);
    if (refused) {
      redis.disconnect();
      throw refused;
    }
    emit({ kind: 'notice', line: `worker: waiting for Redis at ${target.safe}` });
  }
  const store = new DataStore(redis, { cacheDir: options.cacheDir, ...(options.sharedDir ? { sharedDir: options.sharedDir } : {}) });

  let runner = options.runner;
  let pool: ReturnType<typeof sweepPool> | null = null;
  if (!runner) {
    const p = (pool = sweepPool(threads));
    runner = async (data, request) => (await poolBatch(p, data)([request]))[0]!;
  }
  const run = runner;
  let finished = 0;

  const processor = async (job: Job<QueueJobData, QueueJobResult>): Promise<QueueJobResult> => {
    const d = job.data;
    if (d.format !== JOB_FORMAT) throw new UnrecoverableError(`job format ${String(d.format)}, this worker runs format ${JOB_FORMAT}: update MIA on one side`);
    emit({ kind: 'started', id: job.id!, what: describeJob(d), attempt: job.attemptsStarted });
    const t0 = performance.now();
    const [files, streams] = await Promise.all([Promise.all(d.files.map((ref) => store.pathOf(ref))), streamSources(store, d.streams, options.cacheDir)]);
    const outcome = await run({ files, loader: d.loader, ...(streams ? { streams } : {}) }, decode<BacktestRequest>(d.request));
    const ms = Math.round(performance.now() - t0);
    return { by: name, ms, outcome: encode(outcome) };
  };

  const worker = new Worker<QueueJobData, QueueJobResult>(QUEUE_NAME, processor, {
    connection: redisOptions(target, 'worker', isClosing),
    name,
    concurrency: threads,
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.round(lockMs / 2)),
    maxStalledCount: 2,
    autorun: true,
  });
  worker.on('completed', (job, result) => {
    finished++;
    emit({ kind: 'done', id: job.id!, ms: result.ms });
  });
  worker.on('failed', (job, err) => emit({ kind: 'failed', id: job?.id ?? '?', error: err.message }));
  worker.on('error', (err) => emit({ kind: 'notice', line: `worker: ${err.message}` }));
  await worker.waitUntilReady();

  return {
    name,
    target: target.safe,
    store,
    done: () => finished,
    close: async () => {
      closing = true;
      // A graceful close lets the jobs in hand finish; without Redis it could wait forever.
      const closed = await within(worker.close().then(() => true), closeMs, false);
      if (!closed) await within(worker.close(true).catch(() => undefined), 1000, undefined);
      await pool?.close();
      redis.disconnect();
    },
  };
}
