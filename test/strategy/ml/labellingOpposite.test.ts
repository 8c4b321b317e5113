/**
 * Labels use the live exits, opposite-signal exits included: the next signal of the other
 * side closes the trade at the next open (before a later time stop or bracket), as the
 * session does; labelledSamples finds each signal's next opposite signal itself.
 */
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../core/types.ts';
import { labelSignal, type ExitRules } from '../../../strategy/ml/labelling.ts';
import { withOppositeSignals } from '../../../strategy/ml/trainFilter.ts';

const MIN = 60_000;
const T0 = Date.parse('2023-03-08T15:00:00Z');
const rules: ExitRules = { stopPoints: 8, targetPoints: 12, maxBarsInTrade: 10, barMs: MIN, tickSize: 0.25, slippageTicks: 1, pointValue: 50, commissionPerContract: 2.25 };
const bar = (i: number, open: number): Bar => ({ symbol: 'ES', time: T0 + i * MIN, open, high: open + 1, low: open - 1, close: open, volume: 100 });
const bars = Array.from({ length: 20 }, (_, i) => bar(i, 100 + i * 0.5));

describe('opposite-signal exits in labels', () => {
  it('a sell signal at the close of bar 4 exits the long at the open of bar 5', () => {
    const o = labelSignal({ time: T0 + MIN, side: 'buy', oppositeAt: T0 + 5 * MIN }, bars, rules)!;
    expect(o.exitReason).toBe('opposite-signal');
    expect(o.exitTime).toBe(T0 + 5 * MIN);
    expect(o.exitPrice).toBe(102.5 - 0.25);
    expect(o.entryPrice).toBe(100.5 + 0.25);
    expect(o.pnl).toBeCloseTo((102.25 - 100.75) * 50 - 4.5, 9);
    // Without it, the same trade runs to its time stop.
    expect(labelSignal({ time: T0 + MIN, side: 'buy' }, bars, rules)!.exitReason).toBe('time-stop');
  });

  it('withOppositeSignals pairs every signal with the next one of the other side, whatever the input order', () => {
    const signals = [
      { time: T0 + 6 * MIN, side: 'sell' as const },
      { time: T0 + MIN, side: 'buy' as const },
      { time: T0 + 3 * MIN, side: 'buy' as const },
      { time: T0 + 9 * MIN, side: 'buy' as const },
    ];
    expect(withOppositeSignals(signals).map((s) => s.oppositeAt)).toEqual([T0 + 9 * MIN, T0 + 6 * MIN, T0 + 6 * MIN, undefined]);
    // Both earlier buys end at the open after the sell's bar close.
    for (const s of withOppositeSignals(signals).slice(1, 3)) expect(labelSignal(s, bars, rules)).toMatchObject({ exitReason: 'opposite-signal', knownAt: T0 + 7 * MIN });
  });
});
