import { describe, it, expect } from 'vitest';
import { SmartMoneyIndex } from '../../../strategy/features/smartMoneyIndex.ts';
import type { TradeTick } from '../../../core/types.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { NQ_TAPE, nqTape } from '../fixtures/nqTicks.ts';

const p = { largeSize: 10, windowBars: 2, averageWindows: 2, surgeRatio: 1.5, boost: 1.3 };
const t = (size: number, aggressor?: 'buy' | 'sell'): TradeTick => ({ symbol: 'ES', time: 0, price: 1, size, ...(aggressor ? { aggressor } : {}) });

describe('SmartMoneyIndex', () => {
  it('hand-computed: large buys vs sells over the window, x1.3 on a 1.5x surge', () => {
    const f = new SmartMoneyIndex(p);
    f.onTrade(t(10, 'buy'));
    f.onTrade(t(9, 'sell')); // small: counts as a print, not as smart money
    expect({ ...f.update() }).toEqual({ value: 1, available: true }); // window large volume 10
    f.onTrade(t(20, 'sell'));
    expect(f.update().value).toBeCloseTo((10 - 20) / 30, 12); // 30: average of 1 window, not yet 2
    f.onTrade(t(40, 'sell'));
    f.onTrade(t(50, 'buy'));
    // window: bars 2 and 3 -> B 50, S 60, large 110 > 1.5 * mean(10, 30) = 30: boosted
    const v = f.update();
    expect(v.value).toBeCloseTo(((50 - 60) / 110) * 1.3, 12);
    expect(f.surge).toBe(true);
  });

  it('clamps a boosted value to [-1, 1]', () => {
    const f = new SmartMoneyIndex({ ...p, windowBars: 1 });
    f.onTrade(t(10, 'buy'));
    f.update();
    f.onTrade(t(10, 'buy'));
    f.update();
    f.onTrade(t(100, 'buy'));
    expect(f.update().value).toBe(1);
  });

  it('reads 0 when prints have no large one, unavailable without aggressor prints', () => {
    const f = new SmartMoneyIndex(p);
    expect(f.update().available).toBe(false);
    f.onTrade(t(50)); // no aggressor side
    expect(f.update().available).toBe(false);
    f.onTrade(t(3, 'buy'));
    expect({ ...f.update() }).toEqual({ value: 0, available: true });
  });

  it.skipIf(!hasSharedData(NQ_TAPE))('on real NQ prints bucketed by minute: the window ratio from scratch, opposite when sides swap', () => {
    const trades = nqTape();
    const f = new SmartMoneyIndex({ ...p, largeSize: 8, windowBars: 3, averageWindows: 5 });
    const g = new SmartMoneyIndex({ ...p, largeSize: 8, windowBars: 3, averageWindows: 5 });
    const minutes = new Map<number, TradeTick[]>();
    for (const x of trades) minutes.set(Math.floor(x.time / 60_000), [...(minutes.get(Math.floor(x.time / 60_000)) ?? []), x]);
    const buckets = [...minutes.values()];
    let nonZero = 0;
    buckets.forEach((bucket, i) => {
      for (const x of bucket) {
        f.onTrade(x);
        g.onTrade({ ...x, aggressor: x.aggressor === 'buy' ? 'sell' : 'buy' });
      }
      const v = { ...f.update() };
      const large = buckets.slice(Math.max(0, i - 2), i + 1).flat().filter((x) => x.size >= 8);
      const b = large.filter((x) => x.aggressor === 'buy').reduce((a, x) => a + x.size, 0);
      const s = large.filter((x) => x.aggressor === 'sell').reduce((a, x) => a + x.size, 0);
      expect(v.available).toBe(true);
      const ratio = b + s > 0 ? (b - s) / (b + s) : 0;
      expect(Math.abs(v.value)).toBeCloseTo(Math.min(1, Math.abs(ratio) * (f.surge ? 1.3 : 1)), 12);
      expect(g.update().value).toBeCloseTo(-v.value, 12);
      if (v.value !== 0) nonZero++;
    });
    expect(nonZero).toBeGreaterThan(10);
  });
});
