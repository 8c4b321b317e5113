import { describe, it, expect } from 'vitest';
import { TickMomentum } from '../../../strategy/features/tickMomentum.ts';
import type { TradeTick } from '../../../core/types.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { NQ_TAPE, nqTape } from '../fixtures/nqTicks.ts';

const t = (time: number, price: number, size: number): TradeTick => ({ symbol: 'ES', time, price, size });

/** The plan's definition over the last `window` directed prints, recomputed from scratch. */
function naive(trades: TradeTick[], window: number, countWeight: number): number {
  const dirs = trades.slice(1).map((x, i) => ({ dir: Math.sign(x.price - trades[i]!.price), size: x.size }));
  const last = dirs.slice(-window);
  const net = last.reduce((a, x) => a + x.dir, 0);
  const vol = last.reduce((a, x) => a + x.size, 0);
  const signed = last.reduce((a, x) => a + x.dir * x.size, 0);
  return (countWeight * net) / window + ((1 - countWeight) * signed) / vol;
}

describe('TickMomentum', () => {
  it('hand-computed: 0.4 * (up - down) / W + 0.6 * volume-weighted direction', () => {
    const f = new TickMomentum({ window: 4, countWeight: 0.4, maxAgeMs: 1000 });
    // prices 10 -> 11 (up, 2) -> 12 (up, 1) -> 12 (flat, 5) -> 11 (down, 2)
    [t(0, 10, 9), t(1, 11, 2), t(2, 12, 1), t(3, 12, 5)].forEach((x) => f.onTrade(x));
    expect(f.evaluate(3).available).toBe(false); // 3 directed prints < W
    f.onTrade(t(4, 11, 2));
    const v = f.evaluate(4);
    expect(v.available).toBe(true);
    expect(v.value).toBeCloseTo(0.4 * (1 / 4) + 0.6 * ((2 + 1 + 0 - 2) / 10), 12);
    f.onTrade(t(5, 13, 10)); // evicts the first up (size 2): up 1, flat 5, down 2, up 10
    expect(f.evaluate(5).value).toBeCloseTo(0.4 * (1 / 4) + 0.6 * ((1 + 0 - 2 + 10) / 18), 12);
  });

  it('is unavailable when the last print is older than maxAgeMs, and ignores bad prints', () => {
    const f = new TickMomentum({ window: 2, countWeight: 0.4, maxAgeMs: 1000 });
    [t(0, 10, 1), t(1, 11, 1), t(2, 12, 1), t(3, Number.NaN, 1), t(4, 13, 0)].forEach((x) => f.onTrade(x));
    expect(f.evaluate(1002)).toEqual({ value: 1, available: true });
    expect(f.evaluate(1003)).toEqual({ value: 0, available: false });
  });

  it('rejects a zero window', () => {
    expect(() => new TickMomentum({ window: 0, countWeight: 0.4, maxAgeMs: 1 })).toThrow(/window/);
  });

  it.skipIf(!hasSharedData(NQ_TAPE))('on real NQ prints: equals the from-scratch definition after every print, opposite when mirrored', () => {
    const trades = nqTape().slice(0, 4000);
    const f = new TickMomentum({ window: 20, countWeight: 0.4, maxAgeMs: 60_000 });
    const g = new TickMomentum({ window: 20, countWeight: 0.4, maxAgeMs: 60_000 });
    const c = trades[0]!.price;
    let seen = 0;
    trades.forEach((x, i) => {
      f.onTrade(x);
      g.onTrade({ ...x, price: 2 * c - x.price });
      const v = f.evaluate(x.time);
      expect(v.available).toBe(i >= 20);
      if (!v.available) return;
      if (i % 7 === 0) expect(v.value).toBeCloseTo(naive(trades.slice(0, i + 1), 20, 0.4), 12);
      expect(g.evaluate(x.time).value).toBeCloseTo(-v.value, 12);
      if (Math.abs(v.value) > 0.3) seen++;
    });
    expect(seen).toBeGreaterThan(100);
  });
});
