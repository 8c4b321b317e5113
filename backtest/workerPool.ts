/**
 * A pool of worker threads running one task module (a file exporting `runTask(payload)`),
 * on piscina: inputs in, results out in input order whatever the workers' timing. One
 * worker per core by default (os.availableParallelism()). Workers live as long as the pool,
 * so whatever a task module caches (data it loaded or was handed) serves every later task.
 *
 * Failures never hang: a task that throws rejects its batch with the task's message; a
 * worker that dies (uncaught error, process.exit, out of memory) rejects the batch of the
 * task it was running, and piscina starts a new one. A failed batch stops: its tasks not
 * yet finished are cancelled (piscina ends a thread that was running one).
 *
 * TypeScript in workers: MIA runs .ts sources through tsx, and a worker does not inherit
 * the loader hooks of the thread that starts it. Each thread therefore runs
 * workerPoolWorker.cjs (plain CommonJS), which registers tsx in the thread and then imports
 * the task module. SharedArrayBuffers in a payload are shared with the worker, not copied.
 */
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { MiaError } from '../core/errors.ts';

export interface WorkerPoolOptions {
  /** Module (file URL or absolute path) exporting `runTask(payload): unknown | Promise<unknown>`. */
  task: URL | string;
  /** Worker threads; default os.availableParallelism(). */
  workers?: number;
}

/** A task failed or its worker died; `taskIndex` is the input's position in its batch. */
export class WorkerTaskError extends MiaError<'WORKER_TASK_FAILED'> {
  override readonly name = 'WorkerTaskError';
  constructor(
    message: string,
    readonly taskIndex: number,
    readonly crashed: boolean,
  ) {
    super('WORKER_TASK_FAILED', message);
  }
}

type Reply = { ok: true; value: unknown } | { ok: false; error: { name: string; message: string; stack?: string } };

const ENTRY = fileURLToPath(new URL('./workerPoolWorker.cjs', import.meta.url));

export class WorkerPool {
  readonly size: number;
  private readonly piscina: Piscina;
  private closed = false;

  constructor(options: WorkerPoolOptions) {
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
    this.size = workers;
    const task = options.task;
    const taskUrl = task instanceof URL ? task.href : task.startsWith('file:') ? task : pathToFileURL(task).href;
    this.piscina = new Piscina({
      filename: ENTRY,
      workerData: { task: taskUrl },
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: Number.POSITIVE_INFINITY, // a worker keeps its caches for the pool's life
      concurrentTasksPerWorker: 1,
      // Tasks last milliseconds to minutes: an idle thread waits on its port (not in a
      // blocking Atomics.wait), so that it can load the task module before its first task.
      atomics: 'disabled',
    });
    // A worker that dies while idle is replaced; nothing waits on it, so nothing to report.
    this.piscina.on('error', () => undefined);
  }

  /**
   * Runs every payload; results in payload order. Rejects with WorkerTaskError on the first
   * failure. `onProgress` hears (done, total) after each task.
   */
  run<In, Out>(payloads: readonly In[], onProgress?: (done: number, total: number) => void): Promise<Out[]> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (payloads.length === 0) return Promise.resolve([]);
    const abort = new AbortController();
    setMaxListeners(payloads.length + 10, abort.signal); // one listener per task of the batch
    const results = new Array<Out>(payloads.length);
    let done = 0;
    return new Promise<Out[]>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        abort.abort();
        reject(err);
      };
      payloads.forEach((payload, index) => {
        this.piscina.run(payload, { signal: abort.signal }).then(
          (reply: Reply) => {
            if (settled) return;
            if (!reply.ok) return fail(new WorkerTaskError(`task ${index} failed: ${reply.error.message}`, index, false));
            results[index] = reply.value as Out;
            done++;
            onProgress?.(done, payloads.length);
            if (done === payloads.length) {
              settled = true;
              resolve(results);
            }
          },
          (err: Error) => {
            if (settled) return;
            if (this.closed) return fail(new Error('worker pool closed'));
            // The handler answers every error of its own: a rejection is a thread that died.
            fail(new WorkerTaskError(`task ${index} failed: its worker died: ${err.message}`, index, true));
          },
        );
      });
    });
  }

  /** Stops every worker; pending batches reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}
