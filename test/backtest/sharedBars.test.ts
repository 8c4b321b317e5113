/**
 * Bars shared between pool workers (issue 16 item 5) on real ES minute bars (FirstRate,
 * March 2023): the columns live in SharedArrayBuffers that a worker reads and writes in
 * place (no copy crosses), they read back bar for bar as the object loader's bars, and the
 * engine over them gives the in-process outcome, equity and signals included.
 */
import { describe, expect, it } from 'vitest';
import { shareBars, sharedBytes, sharedTable } from '../../backtest/sharedBars.ts';
import { cachedData, runOnBars, runOnEngine } from '../../backtest/sweepEngine.ts';
import { WorkerPool } from '../../backtest/workerPool.ts';
import { loadConfig } from '../../config/load.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const MARCH = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';

describe.skipIf(!hasSharedData(MARCH))('shared bars (real ES bars)', () => {
  const data = { files: [sharedData(MARCH)] };

  it('are the object loader bars, in shared memory a worker reads and writes in place', async () => {
    const shared = (await shareBars(data))!;
    expect(shared).not.toBeNull();
    const { bars } = await cachedData(data);
    const table = sharedTable(shared);
    expect(table.bars.length).toBe(bars.length);
    for (let i = 0; i < bars.length; i++) expect(table.bars.barAt(i)).toEqual(bars[i]);
    expect(sharedBytes(shared)).toBeLessThan(bars.length * 40);

    const pool = new WorkerPool({ task: new URL('./sharedBarsFixtureTask.ts', import.meta.url), workers: 1 });
    try {
      const original = shared.columns.volume[0]!;
      const [seen] = await pool.run<unknown, { shared: boolean; first: number }>([{ shared, mark: original + 1234 }]);
      expect(seen).toEqual({ shared: true, first: original });
      expect(shared.columns.volume[0]).toBe(original + 1234); // the worker wrote into this thread's memory
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('give the engine the outcome of the object bars, warm-up, equity and signals included', async () => {
    const shared = (await shareBars(data))!;
    const config = loadConfig({ env: { MIA__strategy__minAvailableWeight: '0' } });
    const request = { config, from: '2023-03-15', to: '2023-03-16', warmupFrom: '2023-03-13', detail: 'full' as const };
    const [columns, objects] = await Promise.all([runOnBars(sharedTable(shared), request), runOnEngine(data, request)]);
    expect(columns).toEqual(objects);
    expect(objects.trades.length).toBeGreaterThan(0);
    expect(objects.signals!.length).toBeGreaterThan(0);
  }, 60_000);
});
