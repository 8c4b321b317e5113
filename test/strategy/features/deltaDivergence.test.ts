import { describe, it, expect } from 'vitest';
import { DeltaDivergence } from '../../../strategy/features/deltaDivergence.ts';
import type { Bar } from '../../../core/types.ts';
import { mirrorBar } from '../fixtures/marketEvents.ts';

const p = { bars: 4, atrBars: 3, minStrength: 0.7, minVolumeRatio: 1, priceScale: 3, deltaScale: 5 };
const bar = (i: number, close: number, volume: number): Bar => ({ symbol: 'ES', time: i * 60_000, open: close - 0.25, high: close + 0.5, low: close - 0.5, close, volume });
const d = (ask: number, bid: number, available = true) => ({ ask, bid, available });

describe('DeltaDivergence', () => {
  it('hand-computed: price up 1/bar while sellers hit 50/bar, on a volume surge: a reversal short', () => {
    const f = new DeltaDivergence(p);
    const out = [0, 1, 2, 3].map((i) => ({ ...f.update(bar(i, 100 + i, 100), d(25, 75)) }));
    // bar 3: the delta window is full, but the volume mean needs 4 previous bars
    expect(out.every((v) => !v.available)).toBe(true);
    const v = f.update(bar(4, 104, 150), d(40, 110));
    // closes 101..104: slope 1; ATR of TRs 1.5: p = tanh(3 * 1 / 1.5)
    // cum deltas -100 -150 -200 -270: LS slope -56; mean volume (100 * 3 + 150) / 4: d = tanh(5 * -56 / 112.5)
    const price = Math.tanh(2);
    const delta = Math.tanh((5 * -56) / 112.5);
    const strength = (price + Math.abs(delta)) / 2;
    expect(f.strength).toBeCloseTo(strength, 12);
    expect(strength).toBeGreaterThan(0.7);
    expect(v.available).toBe(true);
    expect(v.value).toBeCloseTo(-strength, 12);
  });

  it('reads 0 without divergence, without volume confirmation, or below the strength', () => {
    const agree = new DeltaDivergence(p);
    for (let i = 0; i < 6; i++) agree.update(bar(i, 100 + i, i === 5 ? 150 : 100), d(75, 25));
    expect(agree.strength).toBe(0);
    const quiet = new DeltaDivergence(p);
    let v = { value: 1, available: false };
    for (let i = 0; i < 6; i++) v = { ...quiet.update(bar(i, 100 + i, 100), d(25, 75)) };
    expect(quiet.strength).toBeGreaterThan(0.7);
    expect(v).toEqual({ value: 0, available: true }); // volume 100 is not above its mean 100
    const weak = new DeltaDivergence({ ...p, minStrength: 0.99 });
    for (let i = 0; i < 5; i++) v = { ...weak.update(bar(i, 100 + i, i === 4 ? 150 : 100), d(25, 75)) };
    expect(v).toEqual({ value: 0, available: true });
  });

  it('a bar without aggressor data makes it unavailable and restarts the delta window', () => {
    const f = new DeltaDivergence(p);
    for (let i = 0; i < 6; i++) f.update(bar(i, 100 + i, 100), d(25, 75));
    expect(f.update(bar(6, 106, 100), d(0, 0, false)).available).toBe(false);
    const again = [7, 8, 9, 10].map((i) => f.update(bar(i, 100 + i, 100), d(25, 75)).available);
    expect(again).toEqual([false, false, false, true]);
  });

  it('mirrored prices with swapped sides give exactly the opposite value', () => {
    const f = new DeltaDivergence(p);
    const g = new DeltaDivergence(p);
    let nonZero = 0;
    const closes = [100, 101, 101.5, 103, 104, 104.25, 106, 105, 107, 108.5];
    closes.forEach((c, i) => {
      const b = bar(i, c, 100 + 20 * (i % 3));
      const a = f.update(b, d(20 + i, 80 - i)).value;
      expect(g.update(mirrorBar(b, 100), d(80 - i, 20 + i)).value + 0).toBe(-a + 0);
      if (a !== 0) nonZero++;
    });
    expect(nonZero).toBeGreaterThan(0);
  });
});
