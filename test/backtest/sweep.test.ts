/**
 * Sweeps on a worker pool: the same rows in grid order with 1 and 2 workers and in process
 * (synthetic runner in the workers), then on the engine over real ES minute bars
 * (FirstRate, March 2023); a worker's error surfaces as a rejection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sweep } from '../../backtest/sweep.ts';
import { expandGrid, parseGridSpec } from '../../backtest/sweepGrid.ts';
import { engineRunner } from '../../backtest/sweepEngine.ts';
import { poolBatch, sweepPool } from '../../backtest/sweepPool.ts';
import { serialBatch } from '../../backtest/sweepRunner.ts';
import { WorkerPool } from '../../backtest/workerPool.ts';
import type { BacktestOutcome, BatchRunner } from '../../backtest/sweepRunner.ts';
import { recordingRunner, syntheticMarket } from './walkForwardFixture.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const MARCH = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const window = { from: '2023-03-14', to: '2023-03-14' };

describe('sweep on a worker pool (synthetic runner)', () => {
  const pools: WorkerPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });
  const points = expandGrid(parseGridSpec({ 'strategy.threshold': [0.2, 0.25, 0.3], 'strategy.quantity': [1, 2] }), { env: {} });
  const fixtureBatch = (workers: number): BatchRunner => {
    const pool = new WorkerPool({ task: new URL('./sweepFixtureTask.ts', import.meta.url), workers });
    pools.push(pool);
    // The first points take longest, so a second worker finishes later points first.
    return (requests) => pool.run<unknown, BacktestOutcome>(requests.map((request, i) => ({ request, delayMs: (requests.length - i) * 20 })));
  };

  it('gives the same rows in grid order with 1 and 2 workers as in process', async () => {
    const window = { from: '2023-02-01', to: '2023-04-28', minTrades: 5 };
    const inProcess = await sweep({ points, batch: serialBatch(recordingRunner(syntheticMarket('2023-01-02', '2023-06-30', 21)).run), ...window });
    const [one, two] = await Promise.all([sweep({ points, batch: fixtureBatch(1), ...window }), sweep({ points, batch: fixtureBatch(2), ...window })]);
    expect(one).toEqual(inProcess);
    expect(two).toEqual(inProcess);
    expect(inProcess.rows.map((r) => r.params)).toEqual(points.map((p) => p.params));
    expect(new Set(inProcess.rows.map((r) => r.metrics.netProfit)).size).toBe(points.length); // every point differs
    expect(inProcess.best).not.toBeNull();
  }, 120_000);
});

describe.skipIf(!hasSharedData(MARCH))('sweep on the engine and a worker pool (real ES bars)', () => {
  const data = { files: [sharedData(MARCH)] };
  const points = expandGrid(parseGridSpec({ 'strategy.stopPoints': [4, 8], 'strategy.targetPoints': [6, 12] }), { env: { MIA__strategy__minAvailableWeight: '0' } });

  it('gives the rows of the engine run in process, in grid order; a worker error rejects the sweep with its reason', async () => {
    const pool = sweepPool(2);
    try {
      const [inProcess, pooled] = await Promise.all([
        sweep({ points, batch: serialBatch(engineRunner(data)), ...window, minTrades: 1 }),
        sweep({ points, batch: poolBatch(pool, data), ...window, minTrades: 1 }),
      ]);
      expect(pooled).toEqual(inProcess);
      expect(inProcess.rows.map((r) => r.period)).toEqual(points.map(() => ({ from: '2023-03-14', to: '2023-03-14' })));
      // The grid matters on this day (otherwise the order would not be checked): not every point trades alike.
      expect(new Set(inProcess.rows.map((r) => JSON.stringify(r.metrics))).size).toBeGreaterThan(1);

      const missing = { files: [sharedData('es/firstrate/no-such-file.csv')] };
      await expect(sweep({ points, batch: poolBatch(pool, missing), ...window })).rejects.toThrow(/no-such-file\.csv/);
    } finally {
      await pool.close();
    }
  }, 180_000);
});
