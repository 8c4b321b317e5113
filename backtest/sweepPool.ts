/**
 * A batch runner on a worker pool: each request runs in a worker on the engine, over data
 * the worker loads from the same paths and keeps for the pool's lifetime.
 */
import type { EngineData } from './sweepEngine.ts';
import type { SweepTask } from './sweepWorkerTask.ts';
import type { BacktestOutcome, BatchRunner } from './sweepRunner.ts';
import { WorkerPool } from './workerPool.ts';

export const SWEEP_TASK = new URL('./sweepWorkerTask.ts', import.meta.url);

/** A pool of engine workers (default one per core); close() it when done. */
export const sweepPool = (workers?: number): WorkerPool => new WorkerPool({ task: SWEEP_TASK, ...(workers !== undefined ? { workers } : {}) });

/** `onProgress` hears (done, total) of each batch as its runs finish. */
export const poolBatch =
  (pool: WorkerPool, data: EngineData, onProgress?: (done: number, total: number) => void): BatchRunner =>
  (requests) =>
    pool.run<SweepTask, BacktestOutcome>(
      requests.map((request) => ({ data: { files: [...data.files], ...(data.loader ? { loader: data.loader } : {}) }, request })),
      onProgress,
    );
