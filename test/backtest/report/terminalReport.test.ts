import { beforeAll, describe, expect, it } from 'vitest';
import { monteCarloReport } from '../../../backtest/monteCarlo.ts';
import { renderTerminalReport } from '../../../backtest/report/terminalReport.ts';
import type { BacktestResult } from '../../../backtest/result.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { ES_MARCH, handResult, realDataResult, syntheticResult } from './resultFixtures.ts';

const CONTRACT = ['trades', 'winRate', 'profitFactor', 'sharpe', 'sortino', 'maxDrawdown', 'maxDrawdownPct', 'recoveryFactor', 'netProfit', 'cagr', 'signalsPerMonth'] as const;
const ANSI = /\x1b\[[0-9;]*m/g;

/** Independent formatters (Intl), to check the report's own. */
const dollars = (x: number) => `${x < 0 ? '-' : ''}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const percent = (x: number) => `${(x * 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}%`;

/** The value printed after a metric's name. */
function valueOf(text: string, name: string): string {
  const m = new RegExp(`(?:^|\\s)${name}\\s+(.+?)(?:\\s{3}|$)`, 'm').exec(text);
  if (!m) throw new Error(`${name} not in:\n${text}`);
  return m[1]!.trim();
}

const week = { from: '2024-01-08', to: '2024-01-12' };
const noTrades = () => handResult([], week);
const allWinners = () =>
  handResult(
    [
      { side: 'long', entry: '2024-01-08T15:00:00Z', exit: '2024-01-08T15:30:00Z', entryPrice: 4800, exitPrice: 4804 },
      { side: 'short', entry: '2024-01-09T15:00:00Z', exit: '2024-01-09T16:00:00Z', entryPrice: 4810, exitPrice: 4801.5 },
      { side: 'long', entry: '2024-01-11T14:00:00Z', exit: '2024-01-11T14:05:00Z', entryPrice: 4790, exitPrice: 4792.25 },
    ],
    week,
  );
const oneTrade = () => handResult([{ side: 'short', entry: '2024-01-10T15:00:00Z', exit: '2024-01-10T15:45:00Z', entryPrice: 4800, exitPrice: 4806.75 }], week);

describe.skipIf(!hasSharedData(ES_MARCH))(`terminal report on real ES bars (${ES_MARCH})`, () => {
  let result: BacktestResult;
  beforeAll(async () => {
    result = await realDataResult();
  });

  it('lists every contract metric by its contract name with honest formatting', () => {
    const text = renderTerminalReport(result, { color: false, width: 100 });
    for (const name of CONTRACT) expect(text).toMatch(new RegExp(`(^|\\s)${name}\\s`, 'm'));
    const m = result.metrics;
    expect(valueOf(text, 'trades')).toBe(m.trades.toLocaleString('en-US'));
    expect(valueOf(text, 'netProfit')).toBe(dollars(m.netProfit));
    expect(valueOf(text, 'maxDrawdown')).toBe(dollars(m.maxDrawdown));
    expect(valueOf(text, 'winRate')).toBe(percent(m.winRate!));
    expect(valueOf(text, 'maxDrawdownPct')).toBe(percent(m.maxDrawdownPct));
    expect(valueOf(text, 'profitFactor')).toBe(m.profitFactor!.toFixed(2));
  });

  it('shows the period, one provenance line per file with its sha256, and the monthly returns', () => {
    const text = renderTerminalReport(result, { color: false, width: 120 });
    expect(text).toContain(`${result.period.from} .. ${result.period.to}`);
    const dataLines = text.split('\n').filter((l) => l.startsWith('data '));
    expect(dataLines).toHaveLength(1);
    expect(dataLines[0]).toContain(result.provenance.data[0]!.sha256.slice(0, 12));
    expect(dataLines[0]).toContain('ES_1min_sample.csv');
    expect(dataLines[0]).toContain(result.provenance.data[0]!.rows.toLocaleString('en-US'));
    for (const m of result.performance.monthlyReturns) expect(text).toContain(`${m.month} ${m.return > 0 ? '+' : ''}${percent(m.return)}`);
  });

  it('fits the width it is given and uses no colour unless asked', () => {
    for (const width of [60, 80, 120]) {
      const text = renderTerminalReport(result, { color: false, width });
      expect(text).not.toContain('\x1b');
      for (const line of text.split('\n')) expect(line.length, `width ${width}: ${line}`).toBeLessThanOrEqual(width);
    }
    const coloured = renderTerminalReport(result, { color: true, width: 80 });
    expect(coloured).toContain('\x1b[');
    expect(coloured.replace(ANSI, '')).toBe(renderTerminalReport(result, { color: false, width: 80 }));
  });
});

describe('terminal report edge cases', () => {
  it('no trades: n/a with the reason, never NaN or a made-up 0', () => {
    const text = renderTerminalReport(noTrades(), { color: false, width: 100 });
    expect(valueOf(text, 'trades')).toBe('0');
    expect(valueOf(text, 'winRate')).toBe('n/a (no trades)');
    expect(valueOf(text, 'profitFactor')).toBe('n/a (no trades)');
    expect(valueOf(text, 'recoveryFactor')).toBe('n/a (no drawdown)');
    expect(valueOf(text, 'netProfit')).toBe('$0.00');
    expect(text).not.toMatch(/NaN|Infinity|undefined|null/);
    expect(text).toContain('monthly 2024-01 0.00%');
  });

  it('all winners: a 100% win rate and no profit factor (no losing trade)', () => {
    const r = allWinners();
    const text = renderTerminalReport(r, { color: false, width: 100 });
    expect(valueOf(text, 'winRate')).toBe('100.00%');
    expect(valueOf(text, 'profitFactor')).toBe('n/a (no losing trade)');
    expect(valueOf(text, 'netProfit')).toBe(dollars(r.metrics.netProfit));
    expect(r.metrics.netProfit).toBeGreaterThan(0);
  });

  it('one losing trade: a 0% win rate and a negative net profit in red when coloured', () => {
    const r = oneTrade();
    const plain = renderTerminalReport(r, { color: false, width: 100 });
    expect(valueOf(plain, 'trades')).toBe('1');
    expect(valueOf(plain, 'winRate')).toBe('0.00%');
    expect(valueOf(plain, 'netProfit')).toBe(dollars(r.metrics.netProfit));
    expect(r.metrics.netProfit).toBeLessThan(0);
    expect(renderTerminalReport(r, { color: true, width: 100 })).toContain(`\x1b[31m${dollars(r.metrics.netProfit)}`);
  });

  it('several files and months wrap onto lines of the given width', () => {
    const r = syntheticResult(50_000, { every: 20, hold: 20, lookback: 10 });
    r.provenance.data.push({ ...r.provenance.data[0]!, file: '/very/long/path/'.repeat(8) + 'second <file>.csv', sha256: 'f'.repeat(64) });
    const text = renderTerminalReport(r, { color: false, width: 70 });
    const dataLines = text.split('\n').filter((l) => l.startsWith('data '));
    expect(dataLines).toHaveLength(2);
    expect(dataLines[1]).toContain('second <file>.csv');
    expect(dataLines[1]).toContain('ffffffffffff');
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(70);
    for (const m of r.performance.monthlyReturns) expect(text).toContain(m.month);
  });

  it('reports the end-of-run risk (a kill) and the Monte Carlo percentiles when the result has them', () => {
    const r = oneTrade() as BacktestResult & { risk?: unknown };
    const plain = renderTerminalReport(r, { color: false, width: 100 });
    expect(plain).not.toMatch(/^risk|monteCarlo/m);
    r.risk = { finalState: 'killed', reasons: ['daily-loss'], killed: { time: '2024-01-10T15:45:00.000Z', by: 'risk', reason: 'daily loss' }, openPositionAtEnd: 0, operatorResume: 'never' };
    const pnl = [r.trades[0]!.pnl];
    r.monteCarlo = monteCarloReport(
      r.trades.map((t) => ({ ...t, symbol: 'ES', entryTime: Date.parse(t.entryTime), exitTime: Date.parse(t.exitTime) })),
      { seed: 3, runs: 50, startingEquity: 50_000 },
    );
    const text = renderTerminalReport(r, { color: false, width: 160 });
    expect(text).toMatch(/^risk {4}final state killed · reasons daily-loss · KILLED 2024-01-10T15:45:00.000Z by risk: daily loss/m);
    // One trade: every shuffle has the same net profit.
    expect(text).toContain(`monteCarlo shuffle: netProfit p5 ${dollars(pnl[0]!)}  p50 ${dollars(pnl[0]!)}  p95 ${dollars(pnl[0]!)}`);
    expect(text).toContain('monteCarlo bootstrap:');
  });
});
