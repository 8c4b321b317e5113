/**
 * The fast paths of `mia backtest` change nothing in its result: the bars loaded as columns
 * (loadBacktestTable) replay to the byte-identical result of the bars loaded as objects
 * (loadBacktestData), windows and several files included; and signals that can only be
 * counted, delivered to the orchestrator in batches, give the byte-identical result and
 * summary of one step per signal, also when a kill, limits and operator resumes happen.
 */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { runBacktest } from '../../backtest/engine.ts';
import { loadBacktestData, loadBacktestTable } from '../../backtest/engineData.ts';
import { BarColumns } from '../../core/barColumns.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const MARCH = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const SEPTEMBER = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';
const have = hasSharedData(MARCH) && hasSharedData(SEPTEMBER);

describe.skipIf(!have)('backtest fast paths on real ES bars', () => {
  it('loads the same bars and provenance as columns as it does as objects (two files, windows)', { timeout: 60_000 }, async () => {
    const files = [sharedData(SEPTEMBER), sharedData(MARCH)];
    for (const window of [{ from: null, to: null }, { from: '2023-03-13', to: '2023-09-26' }, { from: '2023-03-20', to: null }]) {
      const objects = await loadBacktestData(files, {}, window);
      const table = await loadBacktestTable(files, {}, window);
      expect(table.bars).toBeInstanceOf(BarColumns);
      expect(table.bars.length).toBe(objects.bars.length);
      for (let i = 0; i < objects.bars.length; i++) expect(table.bars.barAt(i)).toEqual(objects.bars[i]);
      expect(table.data).toEqual(objects.data);
      expect(table.barMs).toBe(objects.barMs);
    }
  });

  it('gives the byte-identical result on columns, with signals batched or not, through a kill and operator resumes', { timeout: 120_000 }, async () => {
    const files = [sharedData(MARCH)];
    const window = { from: '2023-03-08', to: '2023-03-17' };
    const objects = await loadBacktestData(files, {}, window);
    const table = await loadBacktestTable(files, {}, window);
    // Tight limits: consecutive losses latch `limited` (resumed daily), then a kill ends trading.
    // Price-only bars: the availability guard is off so that the strategy trades at all.
    const config = configSchema.parse({ strategy: { minAvailableWeight: 0 }, risk: { maxConsecutiveLosses: 2, dailyLossLimit: 400, trailingDrawdown: 1_500 } });
    const run = (bars: typeof objects.bars | typeof table.bars, batchSignals: boolean) =>
      runBacktest({ config, bars, barMs: objects.barMs, data: objects.data, window, batchSignals, operatorResume: 'next-day' });
    const reference = await run(objects.bars, false);
    expect(reference.counts.riskRefusals).toBeGreaterThan(100);
    expect(reference.counts.operatorResumes).toBeGreaterThan(0);
    const expected = JSON.stringify(reference);
    expect(JSON.stringify(await run(table.bars, false))).toBe(expected);
    expect(JSON.stringify(await run(table.bars, true))).toBe(expected);
    expect(JSON.stringify(await run(objects.bars, true))).toBe(expected);
  });
});
