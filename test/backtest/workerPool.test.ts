import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool, WorkerTaskError } from '../../backtest/workerPool.ts';
import type { FixturePayload } from './workerPoolFixtureTask.ts';

const task = new URL('./workerPoolFixtureTask.ts', import.meta.url);
type Out = { square: number; callsInWorker: number };

describe('WorkerPool', () => {
  let pool: WorkerPool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  it('runs TypeScript tasks in worker threads and returns results in input order whatever the timing', async () => {
    pool = new WorkerPool({ task, workers: 2 });
    // Early inputs are the slowest, so they finish last.
    const inputs: FixturePayload[] = [5, 4, 3, 2, 1, 0].map((n) => ({ n, delayMs: n * 15 }));
    const out = await pool.run<FixturePayload, Out>(inputs);
    expect(out.map((o) => o.square)).toEqual(inputs.map((p) => p.n * p.n));
    // Both workers served tasks and kept their module state between tasks.
    expect(out.reduce((n, o) => Math.max(n, o.callsInWorker), 0)).toBeGreaterThan(1);
  }, 60_000);

  it('reuses its workers across runs and reports progress', async () => {
    pool = new WorkerPool({ task, workers: 1 });
    const progress: Array<[number, number]> = [];
    await pool.run<FixturePayload, Out>([{ n: 1 }, { n: 3 }], (done, total) => progress.push([done, total]));
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const [second] = await pool.run<FixturePayload, Out>([{ n: 2 }]);
    expect(second!.callsInWorker).toBe(3);
  }, 60_000);

  it('rejects with the task error when a task throws, and stays usable', async () => {
    pool = new WorkerPool({ task, workers: 2 });
    const run = pool.run<FixturePayload, Out>([{ n: 1 }, { n: 2, fail: 'throw' }, { n: 3 }]);
    await expect(run).rejects.toThrow(/task 1 failed: fixture refused 2/);
    await expect(run).rejects.toBeInstanceOf(WorkerTaskError);
    const again = await pool.run<FixturePayload, Out>([{ n: 4 }]);
    expect(again[0]!.square).toBe(16);
  }, 60_000);

  it('rejects (never hangs) when a worker exits or crashes, and replaces it', async () => {
    pool = new WorkerPool({ task, workers: 2 });
    await expect(pool.run<FixturePayload, Out>([{ n: 1 }, { n: 2, fail: 'exit' }])).rejects.toThrow(/task 1 failed: its worker died: .*code: 7/);
    const crash = pool.run<FixturePayload, Out>([{ n: 3, fail: 'uncaught' }]);
    await expect(crash).rejects.toThrow(/task 0 failed: its worker died: fixture blew up on 3/);
    await crash.catch((e: WorkerTaskError) => expect(e.crashed).toBe(true));
    const again = await pool.run<FixturePayload, Out>([{ n: 5 }, { n: 6 }]);
    expect(again.map((o) => o.square)).toEqual([25, 36]);
  }, 60_000);

  it('rejects when the task module cannot be loaded', async () => {
    pool = new WorkerPool({ task: new URL('./noSuchTaskModule.ts', import.meta.url), workers: 1 });
    await expect(pool.run([{ n: 1 }])).rejects.toThrow(/task 0 failed: .*noSuchTaskModule/);
  }, 60_000);

  it('refuses a bad worker count', () => {
    expect(() => new WorkerPool({ task, workers: 0 })).toThrow(/workers must be a positive integer/);
  });
});
