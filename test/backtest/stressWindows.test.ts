import { describe, expect, it } from 'vitest';
import { BUILTIN_STRESS_WINDOWS, planStress, runStress } from '../../backtest/stressWindows.ts';
import { serialBatch } from '../../backtest/sweepRunner.ts';
import { weekdays } from '../../backtest/walkForwardWindows.ts';
import { loadConfig } from '../../config/load.ts';
import { recordingRunner, syntheticMarket } from './walkForwardFixture.ts';

describe('stress windows', () => {
  it('the built-in list has real, ordered, distinct windows including the March 2023 bank crisis', () => {
    const names = BUILTIN_STRESS_WINDOWS.map((w) => w.name);
    expect(new Set(names).size).toBe(names.length);
    for (const w of BUILTIN_STRESS_WINDOWS) expect(w.from <= w.to).toBe(true);
    expect(BUILTIN_STRESS_WINDOWS.find((w) => w.name === 'regional-banks-2023')).toMatchObject({ from: '2023-03-09', to: '2023-03-24' });
  });

  it('runs the covered windows on their covered days and skips the others', () => {
    // Data: 2023-03-08 .. 2023-03-23, like the FirstRate March 2023 sample.
    const days = weekdays('2023-03-08', '2023-03-23');
    const plan = planStress(BUILTIN_STRESS_WINDOWS, days);
    expect(plan.run.map((p) => p.window.name)).toEqual(['regional-banks-2023']);
    expect(plan.run[0]).toMatchObject({ from: '2023-03-09', to: '2023-03-23', coverage: 11 / 12 });
    expect(plan.skipped).toHaveLength(BUILTIN_STRESS_WINDOWS.length - 1);
    expect(plan.skipped[0]!.reason).toMatch(/not covered by the data \(2023-03-08 \.\. 2023-03-23\)/);
  });

  it('reports metrics per covered window from runs on exactly those days', async () => {
    const market = syntheticMarket('2023-01-02', '2023-06-30', 3);
    const r = recordingRunner(market);
    const windows = [
      { name: 'inside', from: '2023-02-06', to: '2023-02-17', description: '' },
      { name: 'edge', from: '2023-06-26', to: '2023-07-07', description: 'half covered' },
      { name: 'before', from: '2022-06-01', to: '2022-06-30', description: '' },
    ];
    const report = await runStress(serialBatch(r.run), loadConfig({ env: {} }), windows, [...market.keys()]);
    expect(report.windows.map((w) => [w.name, w.period.from, w.period.to, w.partial])).toEqual([
      ['inside', '2023-02-06', '2023-02-17', false],
      ['edge', '2023-06-26', '2023-06-30', true],
    ]);
    expect(r.requests.map((q) => [q.from, q.to])).toEqual([
      ['2023-02-06', '2023-02-17'],
      ['2023-06-26', '2023-06-30'],
    ]);
    expect(report.windows[0]!.metrics).toEqual(r.outcomes[0]!.metrics);
    expect(report.skipped.map((s) => s.name)).toEqual(['before']);
  });
});
