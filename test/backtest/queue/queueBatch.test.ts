/**
 * The queue BatchRunner against a real redis-server of the test's own, with queue workers in
 * this process running a synthetic runner (the engine's own run is test/cli/queueWorker.test.ts):
 * outcomes in request order over two workers, a deterministic failure reported with its
 * parameters after N attempts, Redis restarted empty mid-run (the lost jobs are queued again
 * and the result is unchanged), Redis gone for good (a clear error, no result), data fetched
 * from Redis once and verified by sha256, and no secret ever queued.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sweep } from '../../../backtest/sweep.ts';
import { expandGrid, parseGridSpec } from '../../../backtest/sweepGrid.ts';
import { serialBatch, type BacktestRequest } from '../../../backtest/sweepRunner.ts';
import { queueBatch, type QueueBatch, type QueueProgress } from '../../../backtest/queue/queueBatch.ts';
import { DataStore, dataKey, dataRefs, uploadData } from '../../../backtest/queue/queueData.ts';
import { QueueError } from '../../../backtest/queue/queueError.ts';
import { startQueueWorker, type JobRunner, type QueueWorker } from '../../../backtest/queue/queueWorker.ts';
import { hasRedisServer, NO_REDIS, startRedis, type TestRedis } from '../../fixtures/redisServer.ts';
import { recordingRunner, syntheticMarket } from '../walkForwardFixture.ts';

const market = syntheticMarket('2023-01-02', '2023-06-30', 21);
const points = expandGrid(parseGridSpec({ 'strategy.threshold': [0.2, 0.25, 0.3], 'strategy.quantity': [1, 2] }), { env: {} });
const window = { from: '2023-02-01', to: '2023-04-28', minTrades: 5 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasRedisServer())(`queue batch runner on a local Redis${hasRedisServer() ? '' : ` (skipped: ${NO_REDIS})`}`, () => {
  let redis: TestRedis;
  const dir = mkdtempSync(join(tmpdir(), 'mia-queue-'));
  const dataFile = join(dir, 'bars.csv');
  writeFileSync(dataFile, 'timestamp,open,high,low,close,volume\n2023-03-14T14:30:00Z,4000,4001,3999,4000.25,10\n');
  const workers: QueueWorker[] = [];
  const batches: QueueBatch[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(batches.splice(0).map((b) => b.close()));
    await Promise.all(workers.splice(0).map((w) => w.close()));
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({ MIA_QUEUE_PASSWORD: redis.password });
  /** A synthetic runner that takes `delayMs` per request (first requests slowest) and may fail. */
  const synthetic =
    (delayMs: (r: BacktestRequest) => number, fail?: (r: BacktestRequest) => boolean): JobRunner =>
    async (_data, request) => {
      await sleep(delayMs(request));
      if (fail?.(request)) throw new Error(`synthetic refusal of threshold ${request.config.strategy.threshold}`);
      return recordingRunner(market).run(request);
    };
  const worker = async (name: string, runner: JobRunner) => {
    const w = await startQueueWorker({ url: redis.url, env: env(), name, cacheDir: join(dir, `cache-${name}`), lockMs: 2000, closeMs: 2000, runner });
    workers.push(w);
    return w;
  };
  const batch = (extra: Partial<Parameters<typeof queueBatch>[0]> = {}) => {
    const b = queueBatch({ url: redis.url, env: env(), data: { files: [dataFile] }, pollMs: 50, ...extra });
    batches.push(b);
    return b;
  };

  it('gives the in-process sweep, rows in grid order, over two workers whatever their timing', async () => {
    const inProcess = await sweep({ points, batch: serialBatch(recordingRunner(market).run), ...window });
    await worker('a', synthetic((r) => (r.config.strategy.threshold === 0.2 ? 120 : 10)));
    await worker('b', synthetic(() => 30));
    const progress: QueueProgress[] = [];
    const b = batch({ onProgress: (p) => progress.push(p) });
    const queued = await sweep({ points, batch: b.run, ...window });
    expect(queued).toEqual(inProcess);
    expect(b.workersSeen()).toEqual(['a', 'b']);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ total: points.length, done: points.length, running: 0, failed: 0, retried: 0, workers: 2 });
    // Finished jobs are removed from Redis: nothing of the run is left in the queue.
    const r = new Redis({ port: redis.port, password: redis.password });
    try {
      expect(await r.keys('bull:mia-backtest:*-*-*')).toEqual([]);
    } finally {
      r.disconnect();
    }
  }, 60_000);

  it('reports a job that fails every attempt with its parameters, and withdraws the jobs still waiting', async () => {
    let calls = 0;
    await worker('a', async (data, request) => {
      calls++;
      return synthetic(() => 30, (r) => r.config.strategy.quantity === 2)(data, request);
    });
    // Two attempts: the report names the job by the parameters that set it apart in its batch.
    const failing = sweep({ points, batch: batch({ attempts: 2 }).run, ...window });
    await expect(failing).rejects.toBeInstanceOf(QueueError);
    await failing.catch((e: QueueError) => {
      expect(e.code).toBe('QUEUE_JOB_FAILED');
      expect(e.message).toMatch(/job 2 of 6 \(strategy\.threshold=0\.2 strategy\.quantity=2, days 2023-02-01\.\.2023-04-28\) failed after 2 attempt\(s\): synthetic refusal of threshold 0\.2$/);
    });

    // One attempt, 40 jobs: once the second fails, the 38 still waiting are withdrawn, not run.
    calls = 0;
    const base = points[0]!.config;
    const requests = Array.from({ length: 40 }, (_, i) => ({ config: { ...base, strategy: { ...base.strategy, quantity: i + 1 } }, from: '2023-02-01', to: '2023-02-28' }));
    await expect(batch({ attempts: 1 }).run(requests)).rejects.toThrow(/job 2 of 40 \(strategy\.quantity=2, days 2023-02-01\.\.2023-02-28\) failed after 1 attempt/);
    const r = new Redis({ port: redis.port, password: redis.password });
    try {
      await sleep(300);
      expect(await r.llen('bull:mia-backtest:wait')).toBe(0);
      expect(calls).toBeLessThan(20);
    } finally {
      r.disconnect();
    }
  }, 60_000);

  it('resumes when Redis restarts empty mid-run: lost jobs are queued again and the result is unchanged', async () => {
    const inProcess = await sweep({ points, batch: serialBatch(recordingRunner(market).run), ...window });
    await worker('a', synthetic(() => 150));
    const notices: string[] = [];
    let restarted = false;
    const b = batch({
      redisTimeoutMs: 20_000,
      onNotice: (l) => notices.push(l),
      onProgress: (p) => {
        if (p.done >= 2 && !restarted) {
          restarted = true;
          void redis.kill().then(() => redis.start());
        }
      },
    });
    const queued = await sweep({ points, batch: b.run, ...window });
    expect(restarted).toBe(true);
    expect(queued).toEqual(inProcess);
    expect(notices.some((l) => /vanished from Redis .*queued again/.test(l))).toBe(true);
  }, 60_000);

  it('fails with a clear message, and no result, when Redis stays away', async () => {
    await worker('a', synthetic(() => 150));
    const b = batch({ redisTimeoutMs: 1500, onProgress: (p) => void (p.done >= 1 && redis.kill()) });
    const run = sweep({ points, batch: b.run, ...window });
    await expect(run).rejects.toThrow(/lost Redis at redis:\/\/127\.0\.0\.1:\d+ for \d+ s while .*\(\d of 6 jobs done\); the run stops without a result/);
    await run.catch((e: QueueError) => {
      expect(e.code).toBe('QUEUE_REDIS_LOST');
      expect(e.message).not.toContain(redis.password);
    });
    await redis.start();
  }, 60_000);

  it('refuses to queue a configuration holding a secret', async () => {
    const b = batch();
    const config = { ...points[0]!.config, feed: { ...points[0]!.config.feed, apiKey: 'abc' } } as BacktestRequest['config'];
    await expect(b.run([{ config }])).rejects.toMatchObject({ code: 'QUEUE_SECRET_IN_JOB' });
  });

  it('a worker lacking the data fetches it from Redis once and checks its sha256', async () => {
    const conn = new Redis({ port: redis.port, password: redis.password });
    try {
      const [ref] = await dataRefs([dataFile]);
      await uploadData(conn, [ref!]);
      const elsewhere = { ...ref!, path: join(dir, 'not-on-this-worker.csv') };
      const store = new DataStore(conn, { cacheDir: join(dir, 'fetch-cache') });
      const [p1, p2] = await Promise.all([store.pathOf(elsewhere), store.pathOf(elsewhere)]);
      expect(p1).toBe(join(dir, 'fetch-cache', ref!.sha256, 'bars.csv'));
      expect(p2).toBe(p1);
      expect(store.fetched).toBe(1);
      // A second worker process finds it in the cache and verifies it without Redis.
      const again = new DataStore(conn, { cacheDir: join(dir, 'fetch-cache') });
      await conn.del(dataKey(ref!.sha256));
      expect(await again.pathOf(elsewhere)).toBe(p1);
      expect(again.fetched).toBe(0);

      // Bytes under the hash that are not that hash's bytes are refused; absent bytes are named.
      await conn.set(dataKey(ref!.sha256), 'not the file');
      const fresh = new DataStore(conn, { cacheDir: join(dir, 'other-cache') });
      await expect(fresh.pathOf(elsewhere)).rejects.toMatchObject({ code: 'QUEUE_DATA_MISMATCH' });
      await conn.del(dataKey(ref!.sha256));
      await expect(fresh.pathOf(elsewhere)).rejects.toMatchObject({ code: 'QUEUE_DATA_MISSING' });
    } finally {
      conn.disconnect();
    }
  });

  it('rejects a bad --queue URL without connecting', () => {
    expect(() => queueBatch({ url: 'http://x:1', data: { files: [dataFile] } })).toThrow(/expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => queueBatch({ url: 'not a url', data: { files: [dataFile] } })).toThrow(/not a URL/);
  });
});
