/**
 * Labels under the live exit rules, on hand-made bars: entry at the next bar's open plus
 * slippage, bracket from the fill price, stop before target on an ambiguous bar, the time
 * stop at the next open, shorts mirrored, and no label when the data ends first.
 */
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../core/types.ts';
import { labelSignal, type ExitRules } from '../../../strategy/ml/labelling.ts';

const MIN = 60_000;
const T0 = Date.parse('2023-03-08T15:00:00Z');
const rules: ExitRules = { stopPoints: 8, targetPoints: 12, maxBarsInTrade: 3, barMs: MIN, tickSize: 0.25, slippageTicks: 1, pointValue: 50, commissionPerContract: 2.25 };
/** Bar i opens at T0 + i minutes. */
const bar = (i: number, open: number, high: number, low: number, close: number): Bar => ({ symbol: 'ES', time: T0 + i * MIN, open, high, low, close, volume: 100 });
/** A signal at the close of bar 0 (= the open of bar 1). */
const at = (side: 'buy' | 'sell') => ({ time: T0 + MIN, side });

describe('labelSignal', () => {
  it('long to target: entry at the next open + 1 tick, target 12 points above the fill, win', () => {
    const bars = [bar(0, 100, 100, 100, 100), bar(1, 100, 101, 99, 100), bar(2, 100, 112.25, 99, 112), bar(3, 100, 112.5, 99, 112)];
    const o = labelSignal(at('buy'), bars, rules)!;
    expect(o.entryPrice).toBe(100.25);
    // 112.25 is only touched on bar 2 (a limit needs the market through it): filled on bar 3.
    expect(o).toMatchObject({ exitReason: 'target', exitPrice: 112.25, exitTime: T0 + 3 * MIN, knownAt: T0 + 4 * MIN, label: 1 });
    expect(o.pnl).toBeCloseTo(12 * 50 - 4.5, 9);
  });

  it('long to stop: the stop fills 1 tick through, loss; a bar that hits both legs is a stop', () => {
    const stopped = labelSignal(at('buy'), [bar(0, 100, 100, 100, 100), bar(1, 100, 101, 99, 100), bar(2, 100, 101, 92, 95)], rules)!;
    expect(stopped).toMatchObject({ exitReason: 'stop', exitPrice: 92, label: 0 });
    expect(stopped.pnl).toBeCloseTo(-8.25 * 50 - 4.5, 9);
    const both = labelSignal(at('buy'), [bar(0, 100, 100, 100, 100), bar(1, 100, 101, 99, 100), bar(2, 100, 115, 90, 100)], rules)!;
    expect(both.exitReason).toBe('stop');
  });

  it('the bracket is not live on the entry bar', () => {
    // Bar 1 (the entry bar) spans both legs; bar 2 reaches the target.
    const o = labelSignal(at('buy'), [bar(0, 100, 100, 100, 100), bar(1, 100, 120, 80, 100), bar(2, 100, 113, 99, 112)], rules)!;
    expect(o.exitReason).toBe('target');
    expect(o.exitTime).toBe(T0 + 2 * MIN);
  });

  it('time stop: once the position is maxBarsInTrade bars old at a close, exit at the next open - 1 tick', () => {
    // Entry fills on bar 1, dated its close (T0+2m); the close of bar 4 (T0+5m) is 3 bars later.
    const flat = [0, 1, 2, 3, 4, 5, 6].map((i) => bar(i, 100 + i, 100.5 + i, 99.5 + i, 100 + i));
    const o = labelSignal(at('buy'), flat, rules)!;
    expect(o).toMatchObject({ exitReason: 'time-stop', exitTime: T0 + 5 * MIN, exitPrice: 104.75, label: 1 });
    expect(o.pnl).toBeCloseTo((104.75 - 101.25) * 50 - 4.5, 9);
    // A 1-point gain does not pay the costs: a loss.
    const small = [0, 1, 2, 3, 4, 5].map((i) => bar(i, 100, 100.5, 99.5, 100));
    expect(labelSignal(at('buy'), small, rules)!.label).toBe(0);
  });

  it('short is the mirror: entry at the open - 1 tick, target below, stop above', () => {
    const bars = [bar(0, 100, 100, 100, 100), bar(1, 100, 101, 99, 100), bar(2, 100, 101, 87.5, 88)];
    const o = labelSignal(at('sell'), bars, rules)!;
    expect(o.entryPrice).toBe(99.75);
    expect(o).toMatchObject({ exitReason: 'target', exitPrice: 87.75, label: 1 });
    const up = labelSignal(at('sell'), [bar(0, 100, 100, 100, 100), bar(1, 100, 101, 99, 100), bar(2, 100, 108, 99, 107)], rules)!;
    expect(up).toMatchObject({ exitReason: 'stop', exitPrice: 108, label: 0 });
  });

  it('no label when the data ends before the trade closes (or before the entry)', () => {
    expect(labelSignal(at('buy'), [bar(0, 100, 100, 100, 100), bar(1, 100, 101, 99, 100), bar(2, 100, 101, 99, 100)], rules)).toBeNull();
    expect(labelSignal(at('buy'), [bar(0, 100, 100, 100, 100)], rules)).toBeNull();
    // The time stop is due but there is no next bar to exit on.
    const four = [0, 1, 2, 3, 4].map((i) => bar(i, 100, 100.5, 99.5, 100));
    expect(labelSignal(at('buy'), four, rules)).toBeNull();
  });
});
