/**
 * Walk-forward on the engine over real ES minute bars (FirstRate, March 2023): in-sample
 * runs end before their out-of-sample days, removing every bar of one out-of-sample window
 * leaves that window's choice (and in-sample metrics) unchanged, and the stitched record is
 * computeMetrics over the out-of-sample trades.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeMetrics } from '../../backtest/metrics.ts';
import { expandGrid, parseGridSpec } from '../../backtest/sweepGrid.ts';
import { engineRunner } from '../../backtest/sweepEngine.ts';
import { metricTrades, serialBatch, type BacktestOutcome, type BacktestRequest, type BacktestRunner } from '../../backtest/sweepRunner.ts';
import { walkForward } from '../../backtest/walkForward.ts';
import { loadConfig } from '../../config/load.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const MARCH = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';

describe.skipIf(!hasSharedData(MARCH))('walk-forward on the engine (real ES bars)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-wf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { MIA__strategy__minAvailableWeight: '0' }; // price-only bars: the availability guard is off
  const base = loadConfig({ env });
  const points = expandGrid(parseGridSpec({ 'strategy.stopPoints': [4, 8] }), { env });
  const options = { baseConfig: base, points, from: '2023-03-13', to: '2023-03-20', inSample: '2d', outOfSample: '2d', minTrades: 1 } as const;

  const recording = (files: string[]) => {
    const requests: BacktestRequest[] = [];
    const outcomes: BacktestOutcome[] = [];
    const inner = engineRunner({ files });
    const run: BacktestRunner = async (r) => {
      requests.push(r);
      const o = await inner(r);
      outcomes.push(o);
      return o;
    };
    return { run, requests, outcomes };
  };

  it('chooses each window from in-sample bars only; its own out-of-sample bars cannot change the choice', async () => {
    const clean = recording([sharedData(MARCH)]);
    const result = await walkForward({ ...options, batch: serialBatch(clean.run) });
    expect(result.windows.map((w) => [w.inSample, w.outOfSample])).toEqual([
      [{ from: '2023-03-13', to: '2023-03-14' }, { from: '2023-03-15', to: '2023-03-16' }],
      [{ from: '2023-03-15', to: '2023-03-16' }, { from: '2023-03-17', to: '2023-03-20' }],
    ]);
    for (const w of result.windows) {
      for (const q of clean.requests.filter((q) => q.detail === 'summary' && q.from === w.inSample.from)) expect(q.to! < w.outOfSample.from).toBe(true);
    }
    const target = result.windows[0]!;
    expect(target.chosen).not.toBeNull();
    expect(target.outOfSampleMetrics!.trades).toBeGreaterThan(0);

    // Every bar of trading days 2023-03-15 and 03-16 removed (ET stamps 03-14 18:00 .. 03-16 16:59).
    const lines = readFileSync(sharedData(MARCH), 'utf8').split('\n');
    const kept = lines.filter((l) => !(l.slice(0, 19) >= '2023-03-14 18:00:00' && l.slice(0, 19) <= '2023-03-16 16:59:59'));
    expect(lines.length - kept.length).toBeGreaterThan(2000);
    const holed = join(dir, 'ES_1min_without_oos.csv');
    writeFileSync(holed, kept.join('\n'));
    const dirty = await walkForward({ ...options, batch: serialBatch(recording([holed]).run) });

    expect(dirty.windows[0]!.chosen).toEqual(target.chosen);
    expect(dirty.windows[0]!.inSampleMetrics).toEqual(target.inSampleMetrics);
    // The removal reached that window's out-of-sample run: it no longer trades.
    expect(dirty.windows[0]!.outOfSampleMetrics!.trades).toBe(0);

    // Stitching: computeMetrics over the concatenated out-of-sample trades, first OOS day .. last.
    const period = { from: '2023-03-15', to: '2023-03-20' };
    expect(result.outOfSample.period).toEqual(period);
    expect(result.outOfSample.trades.length).toBe(result.windows.reduce((n, w) => n + (w.outOfSampleMetrics?.trades ?? 0), 0));
    const oos = clean.outcomes.filter((_, i) => clean.requests[i]!.detail === 'full');
    expect(result.outOfSample.trades).toEqual(oos.flatMap((o) => o.trades));
    const expected = computeMetrics({
      trades: metricTrades(oos.flatMap((o) => o.trades), base.symbol),
      startingEquity: base.startingEquity,
      period,
      signalTimes: oos.flatMap((o) => o.signals!.map((x) => Date.parse(x.time))),
    });
    expect(result.outOfSample.performance).toEqual(expected);
    expect(result.outOfSample.metrics.netProfit).toBeCloseTo(result.windows.reduce((s, w) => s + w.netProfit, 0), 6);
  }, 240_000);
});
