/**
 * A batch runner on a worker pool: each request runs in a worker on the engine. The bars
 * are loaded once, in this thread, into shared memory that every worker reads (no copy per
 * worker: sharedBars.ts), and kept as long as the pool; data that does not fit shared
 * columns is loaded by each worker from the same paths instead. Streams go as paths and
 * each worker loads them once (sweepStreams.ts).
 */
import { dataKey, shareBars, type SharedBars } from './sharedBars.ts';
import type { EngineData } from './sweepEngine.ts';
import type { SweepTask } from './sweepWorkerTask.ts';
import type { BacktestOutcome, BatchRunner } from './sweepRunner.ts';
import { WorkerPool } from './workerPool.ts';

export const SWEEP_TASK = new URL('./sweepWorkerTask.ts', import.meta.url);

/** A pool of engine workers (default one per core); close() it when done. */
export const sweepPool = (workers?: number): WorkerPool => new WorkerPool({ task: SWEEP_TASK, ...(workers !== undefined ? { workers } : {}) });

/** The shared bars of each pool, by data: they live (and are freed) with their pool. */
const sharedOf = new WeakMap<WorkerPool, Map<string, Promise<SharedBars | null>>>();

/** `data` as the pool's workers read it: shared columns, loaded on first use. */
export function poolData(pool: WorkerPool, data: EngineData): Promise<SharedBars | null> {
  let byKey = sharedOf.get(pool);
  if (!byKey) sharedOf.set(pool, (byKey = new Map()));
  const key = dataKey(data);
  let shared = byKey.get(key);
  if (!shared) {
    shared = shareBars(data);
    byKey.set(key, shared);
    shared.catch(() => byKey.delete(key)); // a failed load is retried, not remembered
  }
  return shared;
}

/** `onProgress` hears (done, total) of each batch as its runs finish. */
export const poolBatch =
  (pool: WorkerPool, data: EngineData, onProgress?: (done: number, total: number) => void): BatchRunner =>
  async (requests) => {
    if (requests.length === 0) return [];
    const shared = await poolData(pool, data);
    const taskData: SweepTask['data'] = shared ?? { files: [...data.files], ...(data.loader ? { loader: data.loader } : {}), ...(data.streams ? { streams: data.streams } : {}) };
    const streams: SweepTask['streams'] | undefined = shared && data.streams ? { ...(data.loader ? { loader: data.loader } : {}), streams: data.streams } : undefined;
    return pool.run<SweepTask, BacktestOutcome>(
      requests.map((request) => ({ data: taskData, ...(streams ? { streams } : {}), request })),
      onProgress,
    );
  };
