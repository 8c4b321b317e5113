/**
 * The research part of the report: signals per calendar month at their rate (a partial
 * month scaled by its covered share), feature contribution split by the entry signal's
 * availability, and the rendered section (one mark per entry and exit, buy-and-hold from
 * the closes given, the band on the signals chart).
 */
import { describe, expect, it } from 'vitest';
import { entrySignals, featureContribution, signalsByMonth } from '../../../backtest/report/researchStats.ts';
import { renderHtmlReport } from '../../../backtest/report/htmlReport.ts';
import type { BacktestSignal, BacktestTrade } from '../../../backtest/result.ts';
import { attrOf } from './htmlText.ts';
import { handResult } from './resultFixtures.ts';

const sig = (time: string, side: 'buy' | 'sell', available: string[]): BacktestSignal => ({ time, side, score: 0.5, threshold: 0.3, price: 4000, available });
const trade = (side: 'long' | 'short', entryTime: string, pnl: number): BacktestTrade => ({ side, qty: 1, entryTime, exitTime: entryTime.replace('T15', 'T16'), entryPrice: 4000, exitPrice: 4001, commission: 4.5, pnl });

describe('signals per month', () => {
  it('counts by the CME trading day and scales a partial month to its rate', () => {
    const signals = [{ time: '2023-09-25T15:00:00.000Z' }, { time: '2023-09-26T15:00:00.000Z' }, { time: '2023-10-02T15:00:00.000Z' }, { time: '2023-09-29T22:30:00.000Z' }];
    const months = signalsByMonth(signals, { from: '2023-09-25', to: '2023-10-09' });
    expect(months.map((m) => [m.month, m.signals])).toEqual([['2023-09', 2], ['2023-10', 2]]); // 09-29 22:30 UTC is trading day 10-02
    expect(months[0]!.covered).toBeCloseTo(6 / 30, 9);
    expect(months[0]!.perMonth).toBeCloseTo(2 / (6 / 30), 9);
    expect(months[1]!.covered).toBeCloseTo(9 / 31, 9);
    expect(signalsByMonth([], { from: '2023-11-01', to: '2024-01-31' }).map((m) => [m.month, m.covered])).toEqual([['2023-11', 1], ['2023-12', 1], ['2024-01', 1]]);
  });
});

describe('feature contribution', () => {
  it('assigns each trade to the latest signal of its direction at or before its entry', () => {
    const signals = [sig('2023-09-25T14:00:00Z', 'buy', ['a']), sig('2023-09-25T14:30:00Z', 'sell', ['b']), sig('2023-09-25T14:59:00Z', 'buy', ['a', 'b'])];
    const trades = [trade('long', '2023-09-25T15:00:00Z', 100), trade('short', '2023-09-25T15:00:00Z', -50), trade('long', '2023-09-25T13:00:00Z', 10)];
    expect(entrySignals(trades, signals).map((s) => s?.time ?? null)).toEqual(['2023-09-25T14:59:00Z', '2023-09-25T14:30:00Z', null]);
    const c = featureContribution(trades, signals, ['a', 'b', 'c']);
    expect(c.find((x) => x.feature === 'a')).toEqual({ feature: 'a', present: { trades: 1, winRate: 1, pnl: 100 }, absent: { trades: 2, winRate: 0.5, pnl: -40 } });
    expect(c.find((x) => x.feature === 'b')!.present).toEqual({ trades: 2, winRate: 0.5, pnl: 50 });
    expect(c.find((x) => x.feature === 'c')!.present.winRate).toBeNull();
  });
});

describe('research section', () => {
  const result = handResult(
    [
      { side: 'long', entry: '2024-01-08T15:00:00.000Z', exit: '2024-01-08T16:00:00.000Z', entryPrice: 4800, exitPrice: 4804 },
      { side: 'short', entry: '2024-01-09T15:00:00.000Z', exit: '2024-01-09T16:00:00.000Z', entryPrice: 4806, exitPrice: 4809 },
    ],
    { from: '2024-01-08', to: '2024-01-09' },
  );
  const closes = [0, 1, 2, 3].map((i) => ({ t: Date.parse('2024-01-08T15:00:00.000Z') + i * 12 * 3_600_000, v: 4800 + i * 2 }));

  it('marks every entry and exit on the price and draws buy-and-hold from the closes', () => {
    const html = renderHtmlReport(result, { closes, pointValue: 50, band: { min: 25, max: 35 } });
    expect((html.match(/class="marker /g) ?? []).length).toBe(4);
    expect(html).toContain('class="marker exit-win"');
    expect(html).toContain('class="marker exit-loss"');
    // Buy-and-hold of one contract: +6 points x $50 from the first close to the last.
    expect(attrOf(html, 'equity-vs-hold', 'aria-label')).toContain('vs $300.00');
    expect(attrOf(html, 'signals-per-month', 'data-band')).toBe('25-35');
    expect(html).toContain('id="feature-contribution"');
  });

  it('says so when no closes were given', () => {
    const html = renderHtmlReport(result);
    expect(html).toContain('id="no-prices"');
    expect(html).not.toContain('id="price-chart"');
    expect(html).toContain('id="signals-per-month"');
  });
});
