/**
 * Availability everywhere: the result, the terminal summary, the HTML headline and the
 * evidence state the available confluence weight and the features; Battle Navale's colour
 * from the candle body is labelled a proxy; by default price bars alone (volume +
 * multi-timeframe, 30% of the weight) fire nothing, and the summary says why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { runBacktest } from '../../backtest/engine.ts';
import { barsInWindow, loadBacktestData, type BacktestData } from '../../backtest/engineData.ts';
import { availabilityReport } from '../../backtest/availability.ts';
import { backtestEvidence } from '../../backtest/evidence.ts';
import { renderTerminalReport } from '../../backtest/report/terminalReport.ts';
import { defaultStrategySettings } from '../../config/strategySchema.ts';
import { Confluence } from '../../strategy/confluence.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const SAMPLE = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
let data: BacktestData;
beforeAll(async () => {
  if (hasSharedData(SAMPLE)) data = await loadBacktestData([sharedData(SAMPLE)], {}, { from: null, to: null });
});

describe('the availability guard', () => {
  it('defaults above any two features of the plan weights', () => {
    const s = defaultStrategySettings();
    const w = Object.values(s.weights).sort((a, b) => b - a);
    expect(s.minAvailableWeight).toBeGreaterThan((w[0]! + w[1]!) / w.reduce((a, b) => a + b, 0));
    const c = new Confluence(s.weights, s.minAvailableWeight);
    c.set(1, { value: 1, available: true }); // volume
    c.set(9, { value: 1, available: true }); // multi-timeframe
    c.update();
    expect(c.availableShare).toBeCloseTo(0.3, 9);
    expect(c.rawScore).toBe(0);
    expect(c.guarded).toBe(true);
    expect(c.unguardedScore).toBe(1);
  });

  it('reports per feature weight, bar and signal shares, the proxy, and why signals were held back', () => {
    const weights = defaultStrategySettings().weights;
    const r = availabilityReport({
      weights,
      minAvailableWeight: 0.4,
      barShares: { volumeConfirmation: 1, multiTimeframe: 0.9, battleNavale: 1, gammaLevels: 0.1 },
      meanWeightShare: 0.32,
      navaleProxyShare: 1,
      signals: [{ available: ['volumeConfirmation', 'gammaLevels', 'multiTimeframe'] }, { available: ['volumeConfirmation', 'multiTimeframe'] }],
      heldByAvailability: 12,
      heldByMl: 3,
    });
    expect(r.features.gammaLevels).toMatchObject({ weight: 0.2, bars: 0.1, signals: 0.5 });
    expect(r.features.battleNavale!.proxy!.what).toMatch(/candle body/);
    expect(r.weight.signals).toBeCloseTo((0.5 + 0.3) / 2, 9);
    expect(r.available).toEqual(['volumeConfirmation', 'multiTimeframe', 'battleNavale']);
    expect(r.why).toMatch(/12 crossing\(s\) held back.*minAvailableWeight 40%.*3 signal\(s\) refused by the ML filter/);
  });
});

describe.skipIf(!hasSharedData(SAMPLE))('availability on real price-only bars', () => {
  it('fires nothing by default, and every surface says what was available and why', { timeout: 60_000 }, async () => {
    const bars = barsInWindow(data.bars, { from: '2023-03-14', to: '2023-03-15' });
    const r = await runBacktest({ config: configSchema.parse({}), bars, barMs: data.barMs, data: data.data });
    expect(r.signals).toHaveLength(0);
    const a = r.availability!;
    expect(a.heldBack.availability).toBeGreaterThan(10);
    expect(a.weight.bars).toBeLessThan(0.4);
    expect(a.features.battleNavale!.proxy).toBeDefined();
    expect(a.features.gammaLevels!.bars).toBe(0);
    expect(r.featureAvailability.volumeConfirmation).toBeGreaterThan(0.9);

    const text = renderTerminalReport(r, { color: false, width: 200 });
    expect(text).toMatch(/available weight \d+% on average over bars \(strategy\.minAvailableWeight 40%\)/);
    expect(text).toMatch(/battleNavale .*PROXY: colour from the candle body/);
    expect(text).toMatch(/crossing\(s\) held back/);

    const [evidence] = backtestEvidence(r, '2026-01-01T00:00:00.000Z');
    expect(evidence!.detail).toMatchObject({ availableWeight: { minimum: 0.4 }, heldBack: { availability: a.heldBack.availability } });
    expect((evidence!.detail as { availableFeatures: string[] }).availableFeatures).toContain('battleNavale (proxy)');

    // With the guard off the same bars fire, and each signal's available weight is reported.
    const open = await runBacktest({ config: configSchema.parse({ strategy: { minAvailableWeight: 0 } }), bars, barMs: data.barMs, data: data.data });
    expect(open.signals.length).toBeGreaterThan(0);
    expect(open.availability!.weight.signals).toBeCloseTo(0.3, 1);
    expect(open.availability!.heldBack.availability).toBe(0);
  });
});
