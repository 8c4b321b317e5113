import { describe, it, expect } from 'vitest';
import { VolumeConfirmation } from '../../../strategy/features/volumeConfirmation.ts';
import type { Bar } from '../../../core/types.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { ES_MARCH, firstRateBars } from '../fixtures/firstRate.ts';
import { mirrorBar } from '../fixtures/marketEvents.ts';

const bar = (open: number, close: number, volume: number): Bar => ({ symbol: 'ES', time: 0, open, high: Math.max(open, close) + 1, low: Math.min(open, close) - 1, close, volume });
const run = (bars: Bar[], n = 3) => {
  const f = new VolumeConfirmation({ bars: n });
  return bars.map((b) => ({ ...f.update(b) }));
};

describe('VolumeConfirmation', () => {
  it('hand-computed: direction * tanh(volume / mean of the previous N - 1), 0 at or below average', () => {
    const v = run([bar(10, 11, 100), bar(11, 12, 50), bar(12, 11, 150), bar(11, 12, 200), bar(12, 11, 300), bar(11, 11.5, 50)]);
    expect(v.slice(0, 3)).toEqual([0, 0, 0].map(() => ({ value: 0, available: false })));
    expect(v[3]!.value).toBeCloseTo(Math.tanh(200 / 100 - 1), 12); // up bar, mean(100, 50, 150) = 100
    expect(v[4]!.value).toBeCloseTo(-Math.tanh(300 / (400 / 3) - 1), 12); // down bar, mean(50, 150, 200)
    expect(v[5]).toEqual({ value: 0, available: true }); // 50 < mean: no confirmation
  });

  it('a doji takes its direction from the previous close', () => {
    const v = run([bar(10, 11, 100), bar(11, 12, 100), bar(12, 13, 100), bar(14, 14, 300)], 3);
    expect(v[3]!.value).toBeCloseTo(Math.tanh(2), 12); // 14 > 13
    const w = run([bar(10, 11, 100), bar(11, 12, 100), bar(12, 13, 100), bar(13, 13, 300)], 3);
    expect(w[3]).toEqual({ value: 0, available: true }); // unchanged: no direction
  });

  it('is unavailable while the mean volume is zero', () => {
    expect(run([bar(1, 2, 0), bar(2, 3, 0), bar(3, 4, 0), bar(4, 5, 10)]).at(-1)).toEqual({ value: 0, available: false });
  });

  it.skipIf(!hasSharedData(ES_MARCH))('on real ES minute bars: available after N bars, signed by the body, opposite when mirrored', () => {
    const bars = firstRateBars(ES_MARCH).slice(0, 3000);
    const up = run(bars, 20);
    const c = bars[0]!.open;
    const down = run(bars.map((b) => mirrorBar(b, c)), 20);
    up.forEach((v, i) => {
      expect(v.available).toBe(i >= 20);
      const b = bars[i]!;
      if (v.value !== 0 && b.close !== b.open) expect(Math.sign(v.value)).toBe(Math.sign(b.close - b.open));
      expect({ value: down[i]!.value + 0, available: down[i]!.available }).toEqual({ value: -v.value + 0, available: v.available });
    });
    expect(up.filter((v) => v.value > 0.5).length).toBeGreaterThan(50);
    expect(up.filter((v) => v.value < -0.5).length).toBeGreaterThan(50);
  });
});
