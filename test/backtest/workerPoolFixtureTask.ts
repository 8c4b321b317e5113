/**
 * A task module for the worker-pool tests: squares a number after a delay, or fails in
 * one of the ways a real task can (throws, kills its worker, throws outside the task).
 */
export interface FixturePayload {
  n: number;
  delayMs?: number;
  fail?: 'throw' | 'exit' | 'uncaught';
}

/** Calls in this worker so far: shows that module state (a cache) lives as long as the worker. */
let calls = 0;

export async function runTask(p: FixturePayload): Promise<{ square: number; callsInWorker: number }> {
  calls++;
  if (p.delayMs) await new Promise((r) => setTimeout(r, p.delayMs));
  if (p.fail === 'throw') throw new Error(`fixture refused ${p.n}`);
  if (p.fail === 'exit') process.exit(7);
  if (p.fail === 'uncaught') {
    setTimeout(() => {
      throw new Error(`fixture blew up on ${p.n}`);
    }, 0);
    return new Promise(() => {}); // never answers: only the crash can end it
  }
  return { square: p.n * p.n, callsInWorker: calls };
}
