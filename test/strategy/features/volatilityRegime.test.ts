import { describe, it, expect } from 'vitest';
import { VolatilityRegimeTracker } from '../../../strategy/features/volatilityRegime.ts';
import type { Bar } from '../../../core/types.ts';

const p = {
  atrBars: 2, averageBars: 3, lowVix: 15, highVix: 25, lowAtrRatio: 0.8, highAtrRatio: 1.5,
  vixMaxAgeMs: 1000, lowThreshold: 0.8, normalThreshold: 1, highThreshold: 1.4,
};
/** A bar with a true range of `range` around 100 (closes stay at 100). */
const bar = (range: number): Bar => ({ symbol: 'ES', time: 0, open: 100, high: 100 + range / 2, low: 100 - range / 2, close: 100, volume: 1 });

describe('VolatilityRegimeTracker', () => {
  it('hand-computed ATR / ATR20: a range expansion is high, a contraction with a low VIX is low', () => {
    const v = new VolatilityRegimeTracker(p);
    const r = (range: number, time = 0) => ({ ...v.update(bar(range), time) });
    expect(r(2)).toMatchObject({ regime: 'normal', available: false }); // ATR not ready
    r(2); // ATR 2
    r(2); // ATR 2
    expect(r(2)).toMatchObject({ regime: 'normal', atrRatio: 1, available: true }); // ATRs 2 2 2
    // ATR (2 + 8) / 2 = 5; mean ATR (2 + 2 + 5) / 3 = 3: ratio 5/3 > 1.5
    expect(r(8)).toMatchObject({ regime: 'high', thresholdMultiplier: 1.4, atrRatio: 5 / 3 });
    r(1); // ATR 4.5
    // next bar: ATR 1, mean (5 + 4.5 + 1) / 3 = 3.5: ratio 0.29 < 0.8; with a VIX of 14 that is low
    const withVix = new VolatilityRegimeTracker(p);
    for (const range of [2, 2, 2, 2, 8, 1]) withVix.update(bar(range), 0);
    withVix.setVix(14, 0);
    expect(withVix.update(bar(1), 500)).toMatchObject({ regime: 'low', thresholdMultiplier: 0.8, vix: 14, atrRatio: 1 / 3.5 });
    // without a VIX the same bar is not "low": the evidence is missing
    expect(v.update(bar(1), 500)).toMatchObject({ regime: 'normal', atrRatio: 1 / 3.5 });
    expect(v.update(bar(1), 500).vix).toBeNaN();
    // the VIX reading goes stale
    expect(withVix.update(bar(1), 1001).vix).toBeNaN();
  });

  it('a VIX above 25 is high on its own; a low VIX needs a low ATR ratio too', () => {
    const v = new VolatilityRegimeTracker(p);
    v.setVix(30, 0);
    expect(v.update(bar(2), 0)).toMatchObject({ regime: 'high', available: true });
    v.setVix(12, 0);
    expect(v.update(bar(2), 0)).toMatchObject({ regime: 'normal', available: true });
    v.setVix(-1, 0); // ignored
    v.setVix(Number.NaN, 0); // ignored
    expect(v.update(bar(2), 0).vix).toBe(12);
  });
});
