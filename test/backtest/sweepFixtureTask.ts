/** A worker task for the sweep tests: the synthetic market's runner (walkForwardFixture.ts) in a worker. */
import type { BacktestOutcome, BacktestRequest } from '../../backtest/sweepRunner.ts';
import { recordingRunner, syntheticMarket } from './walkForwardFixture.ts';

const runner = recordingRunner(syntheticMarket('2023-01-02', '2023-06-30', 21));

export async function runTask(task: { request: BacktestRequest; delayMs: number }): Promise<BacktestOutcome> {
  // Uneven task times, so that tasks finish out of order on two workers.
  await new Promise((r) => setTimeout(r, task.delayMs));
  return runner.run(task.request);
}
