/**
 * Fill-by-fill attribution: pairing by purpose and side then nearest time, unmatched fills
 * on either side, backtest fills outside the paper sessions left apart, signs (adverse for
 * the trader), slippage against the signal, and the verdict's tolerances.
 */
import { describe, expect, it } from 'vitest';
import { attribute, type PaperFill } from '../../backtest/attribution.ts';
import type { BacktestFill, BacktestSignal } from '../../backtest/result.ts';

const T0 = Date.parse('2023-03-08T15:00:00Z');
const MIN = 60_000;
const paperFill = (id: string, purpose: string, side: 'buy' | 'sell', price: number, minute: number): PaperFill => ({
  clientOrderId: id,
  executionId: `X-${id}`,
  purpose,
  side,
  qty: 1,
  price,
  time: T0 + minute * MIN,
});
const backtestFill = (id: string, purpose: string, side: 'buy' | 'sell', price: number, minute: number): BacktestFill => ({
  clientOrderId: id,
  executionId: `B-${id}`,
  purpose,
  side,
  qty: 1,
  price,
  time: new Date(T0 + minute * MIN).toISOString(),
  commission: 2.25,
});
const signal = (side: 'buy' | 'sell', price: number, minute: number): BacktestSignal => ({ time: new Date(T0 + minute * MIN).toISOString(), side, price, score: 0.5, threshold: 0.3, available: [] });
const ES = { tickSize: 0.25, pointValue: 50 };

describe('attribution', () => {
  it('pairs identical runs fill for fill with zero differences and calls it a match', () => {
    const paper = [paperFill('p1', 'entry', 'buy', 4000.25, 1), paperFill('p2', 'bracket-stop', 'sell', 3998, 5)];
    const backtest = [backtestFill('b1', 'entry', 'buy', 4000.25, 1), backtestFill('b2', 'bracket-stop', 'sell', 3998, 5)];
    const a = attribute({ paper: { fills: paper, trades: [] }, backtest: { fills: backtest, trades: [], signals: [signal('buy', 4000, 1)] }, ...ES });
    expect(a.pairs.map((p) => [p.paper.clientOrderId, p.backtest.clientOrderId, p.ticks, p.timeDiffMs])).toEqual([
      ['p1', 'b1', 0, 0],
      ['p2', 'b2', 0, 0],
    ]);
    // Entry slippage against the 4000 signal: one tick worse for a buy, on both sides.
    expect(a.pairs[0]!.slippageTicks).toEqual({ paper: 1, backtest: 1 });
    expect(a.pairs[1]!.slippageTicks).toBeNull();
    expect(a.summary).toMatchObject({ matched: 2, unmatchedPaper: 0, unmatchedBacktest: 0, maxAbsTicks: 0, matches: true, reasons: [] });
  });

  it('pairs within the same purpose and side by nearest time, and reports what is left on each side', () => {
    const paper = [paperFill('p1', 'entry', 'buy', 4000, 10), paperFill('p2', 'exit', 'sell', 4002, 20), paperFill('p3', 'flatten', 'sell', 4001, 200)];
    const backtest = [
      backtestFill('b0', 'entry', 'buy', 4000, 2), // farther from p1 than b1
      backtestFill('b1', 'entry', 'buy', 4000.5, 11),
      backtestFill('bx', 'exit', 'buy', 4002, 20), // same time, other side: never paired with p2
      backtestFill('b2', 'exit', 'sell', 4001.5, 21),
    ];
    const a = attribute({ paper: { fills: paper, trades: [] }, backtest: { fills: backtest, trades: [], signals: [] }, ...ES });
    expect(a.pairs.map((p) => [p.paper.clientOrderId, p.backtest.clientOrderId])).toEqual([
      ['p1', 'b1'],
      ['p2', 'b2'],
    ]);
    // Buy filled 2 ticks higher in the backtest: worse. Sell filled 2 ticks lower: worse too.
    expect(a.pairs[0]).toMatchObject({ ticks: 2, adverseTicks: 2, dollars: 25, timeDiffMs: MIN });
    expect(a.pairs[1]).toMatchObject({ ticks: -2, adverseTicks: 2, dollars: 25 });
    expect(a.unmatched.paper.map((u) => u.clientOrderId)).toEqual(['p3']);
    expect(a.unmatched.backtest.map((u) => u.clientOrderId)).toEqual(['b0', 'bx']);
    expect(a.summary.matches).toBe(false);
    expect(a.summary.reasons).toEqual([
      '1 paper fill(s) have no backtest counterpart',
      '2 backtest fill(s) have no paper counterpart',
      'price differs by up to 2 ticks (tolerance 1)',
    ]);
    expect(a.summary).toMatchObject({ meanAbsTicks: 2, medianAbsTicks: 2, maxAbsTicks: 2, maxAbsTimeDiffMs: MIN });
  });

  it('leaves backtest fills and trades outside the paper sessions apart, and compares P&L inside them', () => {
    const paper = [paperFill('p1', 'entry', 'buy', 4000, 1), paperFill('p2', 'exit', 'sell', 4001, 3)];
    const backtest = [backtestFill('b1', 'entry', 'buy', 4000, 1), backtestFill('b2', 'exit', 'sell', 4001, 3), backtestFill('b3', 'entry', 'buy', 4005, 600)];
    const trade = (pnl: number, exitMinute: number) => ({ symbol: 'ESH3', side: 'long' as const, qty: 1, entryTime: T0, exitTime: T0 + exitMinute * MIN, entryPrice: 4000, exitPrice: 4001, commission: 4.5, pnl });
    const a = attribute({
      paper: { fills: paper, trades: [trade(45.5, 3)] },
      backtest: {
        fills: backtest,
        trades: [{ side: 'long', qty: 1, entryTime: new Date(T0).toISOString(), exitTime: new Date(T0 + 3 * MIN).toISOString(), entryPrice: 4000, exitPrice: 4001, commission: 4.5, pnl: 45.5 }, { side: 'long', qty: 1, entryTime: new Date(T0 + 600 * MIN).toISOString(), exitTime: new Date(T0 + 610 * MIN).toISOString(), entryPrice: 4005, exitPrice: 4000, commission: 4.5, pnl: -254.5 }],
        signals: [],
      },
      ...ES,
      spans: [{ from: T0, to: T0 + 60 * MIN }],
    });
    expect(a.summary).toMatchObject({ matched: 2, unmatchedBacktest: 0, backtestOutsidePaper: 1, paperPnl: 45.5, backtestPnl: 45.5, pnlDifference: 0, matches: true });
  });

  it('the verdict follows the tolerances', () => {
    const paper = [paperFill('p1', 'entry', 'sell', 4000, 1)];
    const backtest = [backtestFill('b1', 'entry', 'sell', 3999.75, 2)];
    const run = (toleranceTicks: number, toleranceMs: number) =>
      attribute({ paper: { fills: paper, trades: [] }, backtest: { fills: backtest, trades: [], signals: [] }, ...ES, toleranceTicks, toleranceMs }).summary;
    expect(run(1, MIN).matches).toBe(true);
    expect(run(0.5, MIN).reasons).toEqual(['price differs by up to 1 ticks (tolerance 0.5)']);
    expect(run(1, 0).reasons).toEqual([`time differs by up to ${MIN} ms (tolerance 0)`]);
  });
});
