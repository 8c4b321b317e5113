import { describe, it, expect } from 'vitest';
import { BarDeltaTracker } from '../../../strategy/features/barDelta.ts';
import type { Bar } from '../../../core/types.ts';

const bar = (extra: Partial<Bar> = {}): Bar => ({ symbol: 'ES', time: 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, ...extra });
const trade = (size: number, aggressor?: 'buy' | 'sell') => ({ symbol: 'ES', time: 0, price: 1, size, ...(aggressor ? { aggressor } : {}) });

describe('BarDeltaTracker', () => {
  it("prefers the bar's own ask/bid volume", () => {
    const t = new BarDeltaTracker();
    t.onTrade(trade(5, 'sell'));
    expect({ ...t.close(bar({ askVolume: 7, bidVolume: 3 })) }).toEqual({ ask: 7, bid: 3, available: true });
  });

  it('else sums the prints with an aggressor since the previous bar, then starts over', () => {
    const t = new BarDeltaTracker();
    t.onTrade(trade(5, 'buy'));
    t.onTrade(trade(2, 'sell'));
    t.onTrade(trade(4, 'buy'));
    t.onTrade(trade(9)); // no aggressor: not counted
    t.onTrade(trade(-1, 'buy')); // bad size: ignored
    t.onTrade(trade(Number.NaN, 'sell'));
    expect({ ...t.close(bar()) }).toEqual({ ask: 9, bid: 2, available: true });
    expect({ ...t.close(bar()) }).toEqual({ ask: 0, bid: 0, available: false });
  });

  it('is unavailable with neither, and ignores half or negative bar fields', () => {
    const t = new BarDeltaTracker();
    expect(t.close(bar()).available).toBe(false);
    expect(t.close(bar({ askVolume: 3 })).available).toBe(false);
    expect(t.close(bar({ askVolume: -3, bidVolume: 1 })).available).toBe(false);
  });
});
