/**
 * A BatchRunner on a BullMQ queue (Redis): each request of a batch (one parameter set on
 * one window) becomes a job that any `mia worker` connected to the same Redis runs; the
 * outcomes come back in request order. Anything that evaluates through a BatchRunner
 * (sweep, walk-forward, stress, compare, calibration) goes distributed with one line:
 * `queueBatch({ url, data }).run` instead of `poolBatch(pool, data)`.
 *
 * The data files travel by content: the submitter hashes them (sha256), stores their bytes
 * in Redis once, and each job names them by hash (queueData.ts). Requests and outcomes
 * cross as structured-clone bytes (queueJob.ts), so the result is byte-identical to the
 * in-process run.
 *
 * Faults, never a silent partial result:
 * - a worker that dies mid-job (kill -9) stops renewing the job's lock; another worker's
 *   stalled-job check puts the job back and it runs again (same request, same outcome);
 * - a job that fails `attempts` times rejects the batch with its parameters and last error,
 *   and the batch's jobs still waiting are withdrawn;
 * - a job that vanished (Redis restarted without persistence, or was flushed) is queued
 *   again (its data stored again), at most `resubmits` times;
 * - Redis unreachable for longer than `redisTimeoutMs` rejects the batch, saying how many
 *   jobs were done: no result is made from part of the jobs.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { systemClock, type Clock } from '../../core/clock.ts';
import type { EngineData } from '../sweepEngine.ts';
import type { BacktestOutcome, BacktestRequest, BatchRunner } from '../sweepRunner.ts';
import { dataRefs, uploadData } from './queueData.ts';
import { QueueError, authRefusal } from './queueError.ts';
import { streamDataRefs, streamRefs } from './queueStreams.ts';
import { JOB_FORMAT, JOB_NAME, QUEUE_NAME, batchParams, decodeOutcome, describeJob, encodeRequest, type DataRef, type StreamRefs, type QueueJobData, type QueueJobResult } from './queueJob.ts';
import { sleep, within } from './queueTimers.ts';
import { parseQueueUrl, redisOptions, type QueueTarget } from './queueUrl.ts';

export interface QueueProgress {
  total: number;
  done: number;
  /** Jobs a worker is running now. */
  running: number;
  /** Jobs that failed for good (the batch then fails). */
  failed: number;
  /** Job runs started again: after an error, a dead worker or a lost job. */
  retried: number;
  /** Distinct workers that took a job of this run so far. */
  workers: number;
}

export interface QueueBatchOptions {
  /** `redis://HOST:PORT[/DB]`; the password in the URL or MIA_QUEUE_PASSWORD. */
  url: string;
  data: EngineData;
  env?: NodeJS.ProcessEnv;
  /** Runs of a job before it counts as failed (default 3). */
  attempts?: number;
  /** How often the jobs' states are read (default 200 ms). */
  pollMs?: number;
  /** How long Redis may be unreachable before the batch fails (default 60 s). */
  redisTimeoutMs?: number;
  /** Times a vanished job is queued again (default 3). */
  resubmits?: number;
  clock?: Clock;
  onProgress?: (p: QueueProgress) => void;
  /** Things a person should hear about: Redis lost or back, a job queued again. */
  onNotice?: (line: string) => void;
}

export interface QueueBatch {
  run: BatchRunner;
  /** Where the jobs go (no credentials). */
  target: string;
  /** Names (`host:pid`) of the workers that took jobs of this run. */
  workersSeen(): string[];
  close(): Promise<void>;
}

interface Pending {
  index: number;
  id: string;
  data: QueueJobData;
  resubmits: number;
  /** attemptsStarted last seen, to count restarts. */
  started: number;
}

export function queueBatch(options: QueueBatchOptions): QueueBatch {
  const target: QueueTarget = parseQueueUrl(options.url, options.env);
  const clock = options.clock ?? systemClock;
  const attempts = options.attempts ?? 3;
  const pollMs = options.pollMs ?? 200;
  const redisTimeoutMs = options.redisTimeoutMs ?? 60_000;
  const maxResubmits = options.resubmits ?? 3;
  const notice = options.onNotice ?? (() => undefined);
  const runId = randomUUID().slice(0, 13);
  const workers = new Set<string>();
  let redis: Redis | null = null;
  let queue: Queue | null = null;
  let refs: Promise<DataRef[]> | null = null;
  let streams: Promise<StreamRefs | undefined> | null = null;
  let batches = 0;
  let lostSince: number | null = null;
  let closing = false;
  const isClosing = () => closing;

  const connect = (): { redis: Redis; queue: Queue } => {
    if (!redis || !queue) {
      closing = false;
      redis = new Redis(redisOptions(target, 'client', isClosing));
      redis.on('error', () => undefined); // counted by the calls that fail (see persist)
      queue = new Queue(QUEUE_NAME, { connection: redisOptions(target, 'client', isClosing) });
      queue.on('error', () => undefined);
    }
    return { redis, queue };
  };

  /** Runs `op` until it succeeds; fails once Redis has been unreachable for redisTimeoutMs. */
  const persist = async <T>(what: string, op: () => Promise<T>, progress: () => string): Promise<T> => {
    for (;;) {
      try {
        const value = await op();
        if (lostSince !== null) notice(`queue: Redis at ${target.safe} is back`);
        lostSince = null;
        return value;
      } catch (err) {
        if (err instanceof QueueError) throw err;
        const refused = authRefusal(err, target.safe);
        if (refused) throw refused;
        const now = clock.now();
        if (lostSince === null) {
          lostSince = now;
          notice(`queue: Redis at ${target.safe} unreachable (${(err as Error).message}); waiting up to ${Math.round(redisTimeoutMs / 1000)} s`);
        } else if (now - lostSince >= redisTimeoutMs) {
          throw new QueueError(
            'QUEUE_REDIS_LOST',
            `queue: lost Redis at ${target.safe} for ${Math.round((now - lostSince) / 1000)} s while ${what} (${progress()}); the run stops without a result (none is made from part of the jobs): run it again when Redis is back`,
            { cause: err },
          );
        }
        await sleep(pollMs);
      }
    }
  };

  const run: BatchRunner = async (requests) => {
    if (requests.length === 0) return [];
    const { redis, queue } = connect();
    const batch = ++batches;
    const total = requests.length;
    const results = new Array<BacktestOutcome>(total);
    let done = 0;
    let retried = 0;
    const state = () => `${done} of ${total} jobs done`;

    refs ??= dataRefs(options.data.files);
    streams ??= streamRefs(options.data.streams);
    const [files, streamFiles] = await Promise.all([refs, streams]);
    const params = batchParams(requests);
    const pending = new Map<string, Pending>();
    const jobs = requests.map((request: BacktestRequest, index) => {
      const data: QueueJobData = {
        format: JOB_FORMAT,
        run: runId,
        index,
        files,
        loader: options.data.loader ?? {},
        ...(streamFiles ? { streams: streamFiles } : {}),
        request: encodeRequest(request),
        params: params[index]!,
        window: { from: request.from ?? null, to: request.to ?? null },
      };
      const p: Pending = { index, id: `${runId}-${batch}-${index}`, data, resubmits: 0, started: 0 };
      pending.set(p.id, p);
      return p;
    });
    const jobOptions = (id: string) => ({
      jobId: id,
      attempts,
      backoff: { type: 'fixed' as const, delay: 500 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    const add = async (ps: readonly Pending[]) => {
      await uploadData(redis, [...files, ...streamDataRefs(streamFiles)]);
      await queue.addBulk(ps.map((p) => ({ name: JOB_NAME, data: p.data, opts: jobOptions(p.id) })));
    };
    await persist('queueing the jobs', () => add(jobs), state);

    const withdraw = async () => {
      await Promise.allSettled([...pending.keys()].map((id) => queue.remove(id)));
    };

    try {
      while (pending.size > 0) {
        const ids = [...pending.keys()];
        const states = await persist('waiting for the jobs', () => Promise.all(ids.map((id) => queue.getJobState(id))), state);
        let running = 0;
        const lost: Pending[] = [];
        for (let k = 0; k < ids.length; k++) {
          const p = pending.get(ids[k]!)!;
          const s = states[k]!;
          if (s === 'active') running++;
          if (s === 'unknown') {
            lost.push(p);
            continue;
          }
          if (s !== 'completed' && s !== 'failed' && s !== 'active') continue;
          const job = await persist('reading a job', () => Job.fromId<QueueJobData, QueueJobResult>(queue, p.id), state);
          if (!job) {
            lost.push(p);
            continue;
          }
          if (job.processedBy) workers.add(job.processedBy);
          if (job.attemptsStarted > p.started) {
            retried += Math.max(0, job.attemptsStarted - Math.max(p.started, 1));
            p.started = job.attemptsStarted;
          }
          if (s === 'completed') {
            const answer = job.returnvalue;
            workers.add(answer.by);
            results[p.index] = decodeOutcome(answer);
            done++;
            pending.delete(p.id);
            await persist('removing a finished job', () => queue.remove(p.id), state);
          } else if (s === 'failed') {
            pending.delete(p.id);
            options.onProgress?.({ total, done, running, failed: 1, retried, workers: workers.size });
            throw new QueueError(
              'QUEUE_JOB_FAILED',
              `queue: job ${p.index + 1} of ${total} (${describeJob(p.data)}) failed after ${job.attemptsMade} attempt(s): ${job.failedReason}`,
            );
          }
        }
        for (const p of lost) {
          if (p.resubmits >= maxResubmits) {
            throw new QueueError('QUEUE_JOB_LOST', `queue: job ${p.index + 1} of ${total} (${describeJob(p.data)}) vanished from Redis ${p.resubmits + 1} times (restarted or flushed?); the run stops without a result`);
          }
          p.resubmits++;
          retried++;
          notice(`queue: job ${p.index + 1} of ${total} (${describeJob(p.data)}) vanished from Redis (restarted without persistence?); queued again`);
        }
        if (lost.length > 0) await persist('queueing lost jobs again', () => add(lost), state);
        options.onProgress?.({ total, done, running, failed: 0, retried, workers: workers.size });
        if (pending.size > 0) await sleep(pollMs);
      }
    } catch (err) {
      await withdraw();
      throw err;
    }
    return results;
  };

  return {
    run,
    target: target.safe,
    workersSeen: () => [...workers].sort(),
    close: async () => {
      closing = true;
      const q = queue;
      const r = redis;
      queue = null;
      redis = null;
      // Closing waits for Redis; a run that lost it must still end promptly.
      if (q) await within(q.close().catch(() => undefined), 1000, undefined);
      r?.disconnect();
    },
  };
}

