/** The backtest's terminal tables: feature availability and the walk-forward windows. */
import { describe, expect, it } from 'vitest';
import { featureAvailabilityLines, walkForwardTable } from '../../cli/backtestTables.ts';
import type { BacktestMetrics } from '../../backtest/result.ts';
import type { WalkForwardResult } from '../../backtest/walkForward.ts';

const metrics = (trades: number, netProfit: number, sharpe: number | null): BacktestMetrics =>
  ({ trades, netProfit, sharpe, profitFactor: 1.25, maxDrawdown: 300 }) as unknown as BacktestMetrics;

describe('backtest terminal tables', () => {
  it('feature availability names the features with data (by share) and those without', () => {
    const lines = featureAvailabilityLines({ gammaLevels: 0, volumeConfirmation: 1, multiTimeframe: 0.985, orderBook: 0 });
    expect(lines[0]).toBe('features 2 of 4 had data (share of bars scored)');
    expect(lines[1]).toBe('  with data  volumeConfirmation 100%, multiTimeframe 99%');
    expect(lines[2]).toContain('no data    gammaLevels, orderBook');
    expect(featureAvailabilityLines({})).toEqual([]);
  });

  it('walk-forward: one aligned row per window, a window without an eligible candidate says so, then the stitched record', () => {
    const wf = {
      settings: { from: '2023-03-01', to: '2023-03-31', inSample: '5d', outOfSample: '3d', anchored: false, objective: 'sharpe', minTrades: 5, warmup: true, candidates: 2 },
      windows: [
        { index: 0, inSample: { from: '2023-03-01', to: '2023-03-07' }, outOfSample: { from: '2023-03-08', to: '2023-03-10' }, chosen: { index: 1, params: { 'strategy.stopPoints': 4 } }, eligible: 2, inSampleMetrics: metrics(12, 450.5, 1.3), outOfSampleMetrics: metrics(6, -120, null), netProfit: -120, profitable: false },
        { index: 1, inSample: { from: '2023-03-06', to: '2023-03-10' }, outOfSample: { from: '2023-03-13', to: '2023-03-15' }, chosen: null, eligible: 0, inSampleMetrics: null, outOfSampleMetrics: null, netProfit: 0, profitable: false },
      ],
      outOfSample: { period: { from: '2023-03-08', to: '2023-03-15' }, metrics: metrics(6, -120, -0.5), performance: {}, trades: [], equity: [] },
      robustness: 0,
      parameterStability: [],
    } as unknown as WalkForwardResult;
    const lines = walkForwardTable(wf);
    expect(lines[0]).toContain('rolling 5d in sample, 3d out of sample, best by sharpe (>= 5 trades) of 2 candidate(s)');
    const [header, first, second] = [lines[1]!, lines[2]!, lines[3]!];
    expect(first).toContain('2023-03-01..2023-03-07');
    expect(first).toContain('450.50');
    expect(first).toContain('n/a'); // an undefined out-of-sample Sharpe is not printed as a number
    expect(first).toContain('#1 {"strategy.stopPoints":4}');
    expect(second).toContain('none eligible (0)');
    // Columns line up: the OOS net column ends at the same place in the header and each row.
    const end = header.indexOf('OOS net') + 'OOS net'.length;
    expect(first.slice(0, end).trimEnd().endsWith('-120.00')).toBe(true);
    expect(lines.at(-1)).toBe('robustness 0% of windows profitable out of sample');
  });
});
