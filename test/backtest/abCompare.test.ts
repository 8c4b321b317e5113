import { describe, expect, it } from 'vitest';
import { abCompare, dailyPnl, pairedDays, runAB } from '../../backtest/abCompare.ts';
import { serialBatch } from '../../backtest/sweepRunner.ts';
import { loadConfig } from '../../config/load.ts';
import { recordingRunner, syntheticMarket } from './walkForwardFixture.ts';

const env = {};
const market = syntheticMarket('2023-01-02', '2023-03-31', 11);
const configAt = (threshold: number) => loadConfig({ env, overrides: { strategy: { threshold } } });

describe('A/B comparison', () => {
  it('a configuration against itself: zero differences, an interval that contains 0', async () => {
    const { run } = recordingRunner(market);
    const ab = await runAB(serialBatch(run), configAt(0.2), configAt(0.2), { from: '2023-01-02', to: '2023-03-31' }, { seed: 3, resamples: 2000 });
    for (const v of Object.values(ab.difference)) expect(v === null || v === 0).toBe(true);
    expect(ab.daily.meanDifference).toBe(0);
    expect(ab.daily.interval95.low).toBeLessThanOrEqual(0);
    expect(ab.daily.interval95.high).toBeGreaterThanOrEqual(0);
    expect(ab.daily.verdict).toBe('no significant difference');
    expect(ab.daily.tiedDays).toBe(ab.daily.days);
    expect(ab.a).toEqual(ab.b);
  });

  it('pairs the daily P&L by day: differences, mean and a bootstrap interval that finds a real edge', async () => {
    const { run } = recordingRunner(market);
    const window = { from: '2023-01-02', to: '2023-03-31' };
    // 0.2 follows every move at full size, 0.25 at half size: B - A = half of A's daily P&L (plus half the commission).
    const [a, b] = await Promise.all([run({ config: configAt(0.2), ...window }), run({ config: configAt(0.25), ...window })]);
    const ab = abCompare(a, b, { seed: 5, resamples: 4000 });
    const expected = dailyPnl(b.performance).map((d, i) => d.pnl - dailyPnl(a.performance)[i]!.pnl);
    expect(ab.dailyPnl.map((r) => r.b - r.a)).toEqual(expected);
    expect(ab.daily.meanDifference).toBeCloseTo(expected.reduce((s, x) => s + x, 0) / expected.length, 9);
    expect(ab.difference.netProfit).toBeCloseTo(b.metrics.netProfit - a.metrics.netProfit, 9);
    expect(ab.daily.interval95.low).toBeLessThan(ab.daily.meanDifference);
    expect(ab.daily.interval95.high).toBeGreaterThan(ab.daily.meanDifference);
    // Same seed, same interval; another seed, another one.
    expect(abCompare(a, b, { seed: 5, resamples: 4000 }).daily).toEqual(ab.daily);
    expect(abCompare(a, b, { seed: 6, resamples: 4000 }).daily.interval95).not.toEqual(ab.daily.interval95);
  });

  it('a constant daily edge is significant; its mirror favours A', () => {
    const diffs = Array.from({ length: 40 }, (_, i) => 100 + (i % 5) * 10);
    const up = pairedDays(diffs, 1, 2000);
    expect(up.meanDifference).toBe(120);
    expect(up.interval95.low).toBeGreaterThan(0);
    expect(up.verdict).toBe('B better');
    expect(up.probabilityBBetter).toBe(1);
    const down = pairedDays(diffs.map((d) => -d), 1, 2000);
    expect(down.verdict).toBe('A better');
    expect(down.interval95.high).toBeLessThan(0);
  });

  it('refuses runs of different periods', async () => {
    const { run } = recordingRunner(market);
    const a = await run({ config: configAt(0.2), from: '2023-01-02', to: '2023-01-31' });
    const b = await run({ config: configAt(0.2), from: '2023-01-02', to: '2023-02-28' });
    expect(() => abCompare(a, b)).toThrow(/different periods/);
  });
});
