/**
 * Inside one worker of backtest/workerPool.ts: loads the task module once, then runs the
 * tasks the pool sends, one at a time, and answers each with its value or its error.
 */
import { parentPort } from 'node:worker_threads';

type TaskModule = { runTask?: (payload: unknown) => unknown };

export async function serve(taskUrl: string): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('workerPoolWorker must run in a worker thread');
  const mod = (await import(taskUrl)) as TaskModule;
  const runTask = mod.runTask;
  if (typeof runTask !== 'function') throw new Error(`${taskUrl} does not export runTask(payload)`);
  port.on('message', async (msg: { job: number; payload: unknown }) => {
    try {
      const value = await runTask(msg.payload);
      port.postMessage({ job: msg.job, ok: true, value });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ job: msg.job, ok: false, error: { name: e.name, message: e.message, stack: e.stack } });
    }
  });
}
