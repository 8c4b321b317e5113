/**
 * A pool of node:worker_threads running one task module (a file exporting
 * `runTask(payload)`): inputs in, results out in input order whatever the workers' timing.
 * One worker per core by default (os.availableParallelism()). Workers live as long as the
 * pool, so whatever a task module caches (loaded data files) serves every later task.
 *
 * Failures never hang: a task that throws rejects its batch with the task's message; a
 * worker that dies (uncaught error, process.exit, out of memory, a module that does not
 * load) rejects the batch of the task it was running and is replaced on demand.
 *
 * TypeScript in workers: MIA runs .ts sources through tsx, and a worker does not inherit
 * the loader hooks of the thread that starts it (neither bin/mia.js's register() nor
 * vitest's transform). Each worker therefore starts from a tiny ES module given as a
 * data: URL that registers tsx in the worker, then imports workerPoolWorker.ts.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
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

interface Batch {
  results: unknown[];
  remaining: number;
  onProgress: ((done: number, total: number) => void) | undefined;
  settled: boolean;
  resolve: (values: unknown[]) => void;
  reject: (err: Error) => void;
}

interface Job {
  batch: Batch;
  index: number;
  payload: unknown;
}

interface Slot {
  worker: Worker;
  id: number;
  job: Job | null;
  dead: boolean;
}

type Reply = { job: number; ok: true; value: unknown } | { job: number; ok: false; error: { name: string; message: string; stack?: string } };

const entryUrl = new URL('./workerPoolWorker.ts', import.meta.url).href;

/** The tsx loader's ES module API, resolved from this package (works from any cwd). */
const tsxApiUrl = (() => {
  const resolved = createRequire(import.meta.url).resolve('tsx/esm/api');
  // `require` resolves the CommonJS build; the worker imports the ES module beside it.
  return pathToFileURL(resolved.replace(/\.cjs$/, '.mjs')).href;
})();

const bootstrap = (taskUrl: string): URL => {
  const code = [
    `const { register } = await import(${JSON.stringify(tsxApiUrl)});`,
    'register();',
    `const { serve } = await import(${JSON.stringify(entryUrl)});`,
    `await serve(${JSON.stringify(taskUrl)});`,
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
};

export class WorkerPool {
  readonly size: number;
  private readonly taskUrl: string;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: WorkerPoolOptions) {
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
    this.size = workers;
    const task = options.task;
    this.taskUrl = task instanceof URL ? task.href : task.startsWith('file:') ? task : pathToFileURL(task).href;
  }

  /**
   * Runs every payload; results in payload order. Rejects with WorkerTaskError on the first
   * failure. `onProgress` hears (done, total) after each task.
   */
  run<In, Out>(payloads: readonly In[], onProgress?: (done: number, total: number) => void): Promise<Out[]> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (payloads.length === 0) return Promise.resolve([]);
    return new Promise<Out[]>((resolve, reject) => {
      const batch: Batch = {
        results: new Array<unknown>(payloads.length),
        remaining: payloads.length,
        onProgress,
        settled: false,
        resolve: resolve as (values: unknown[]) => void,
        reject,
      };
      payloads.forEach((payload, index) => this.queue.push({ batch, index, payload }));
      this.dispatch();
    });
  }

  /** Stops every worker; pending batches reject. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.fail(job.batch, new Error('worker pool closed'));
    const slots = this.slots.splice(0);
    for (const s of slots) {
      s.dead = true;
      if (s.job) this.fail(s.job.batch, new Error('worker pool closed'));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const job = this.queue[0]!;
      if (job.batch.settled) {
        this.queue.shift(); // its batch already failed: do not run the rest
        continue;
      }
      let slot = this.slots.find((s) => !s.dead && s.job === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      this.queue.shift();
      slot.job = job;
      slot.worker.postMessage({ job: job.index, payload: job.payload });
    }
  }

  private spawn(): Slot {
    const worker = new Worker(bootstrap(this.taskUrl), { workerData: null });
    const slot: Slot = { worker, id: this.nextId++, job: null, dead: false };
    worker.on('message', (reply: Reply) => this.onReply(slot, reply));
    worker.on('error', (err: Error) => this.onDeath(slot, `worker ${slot.id} crashed: ${err.message}`));
    worker.on('exit', (code: number) => this.onDeath(slot, `worker ${slot.id} exited (code ${code})`));
    this.slots.push(slot);
    return slot;
  }

  private onReply(slot: Slot, reply: Reply): void {
    const job = slot.job;
    if (!job || job.index !== reply.job) return;
    slot.job = null;
    const { batch } = job;
    if (!batch.settled) {
      if (reply.ok) {
        batch.results[job.index] = reply.value;
        batch.remaining--;
        batch.onProgress?.(batch.results.length - batch.remaining, batch.results.length);
        if (batch.remaining === 0) {
          batch.settled = true;
          batch.resolve(batch.results);
        }
      } else {
        this.fail(batch, new WorkerTaskError(`task ${job.index} failed: ${reply.error.message}`, job.index, false));
      }
    }
    this.dispatch();
  }

  private onDeath(slot: Slot, reason: string): void {
    if (slot.dead) return;
    slot.dead = true;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    const job = slot.job;
    slot.job = null;
    if (job) this.fail(job.batch, new WorkerTaskError(`${reason} while running task ${job.index}`, job.index, true));
    void slot.worker.terminate();
    if (!this.closed) this.dispatch();
  }

  private fail(batch: Batch, err: Error): void {
    if (batch.settled) return;
    batch.settled = true;
    batch.reject(err);
  }
}
