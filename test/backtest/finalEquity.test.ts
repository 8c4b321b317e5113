/**
 * finalEquity is starting equity plus net profit, also when the data ends with a position
 * open: the session's last forced flatten fills on the bar that ends it, after that bar's
 * close was marked, and its costs belong to the result.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { runBacktest } from '../../backtest/engine.ts';
import { barsInWindow, loadBacktestData, type BacktestData } from '../../backtest/engineData.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const SAMPLE = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
let data: BacktestData;
beforeAll(async () => {
  if (hasSharedData(SAMPLE)) data = await loadBacktestData([sharedData(SAMPLE)], {}, { from: null, to: null });
});

describe.skipIf(!hasSharedData(SAMPLE))('final equity', () => {
  it('equals starting equity plus net profit when the run ends on a forced flatten', { timeout: 60_000 }, async () => {
    const config = configSchema.parse({
      strategy: { minAvailableWeight: 0, maxBarsInTrade: 500, stopPoints: 9, targetPoints: 30 },
      risk: { maxTradesPerDay: 1000, maxConsecutiveLosses: 100, trailingDrawdown: 100_000, dailyLossLimit: 100_000 },
    });
    const day = barsInWindow(data.bars, { from: '2023-03-14', to: '2023-03-14' });
    // Cut the day at a bar where a position is open, so that the end of the data flattens it.
    let checked = 0;
    for (const cut of [200, 320, 450, 600, 750]) {
      const r = await runBacktest({ config, bars: day.slice(0, cut), barMs: data.barMs });
      const last = r.trades.at(-1);
      if (!last || last.exitReason !== 'flatten') continue;
      checked++;
      const net = r.trades.reduce((s, t) => s + t.pnl, 0);
      expect(r.metrics.netProfit).toBeCloseTo(net, 6);
      expect(r.performance.finalEquity).toBeCloseTo(config.startingEquity + net, 6);
      expect(r.equity.at(-1)!.equity).toBeCloseTo(config.startingEquity + net, 2);
    }
    expect(checked).toBeGreaterThan(0);
  });
});
