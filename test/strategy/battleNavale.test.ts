import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { BattleNavale, defaultBattleNavaleParams } from '../../strategy/battleNavale.ts';
import type { Bar } from '../../core/types.ts';
import type { BarDelta } from '../../strategy/features/barDelta.ts';
import { SimulatedBars } from '../../adapters/simulated/simulatedBars.ts';
import { hasSharedData } from '../fixtures/sharedData.ts';
import { ES_MARCH, firstRateBars } from './fixtures/firstRate.ts';
import { mirrorBar } from './fixtures/marketEvents.ts';

const p = { balanceBars: 3, atrBars: 3, baseMinBars: 3, baseMaxBars: 5, baseRangeAtr: 1.5, balanceWeight: 0.5, trendWeight: 0.3, baseWeight: 0.2 };
const none: BarDelta = { ask: 0, bid: 0, available: false };
let t = 0;
const b = (open: number, high: number, low: number, close: number, volume = 10): Bar => ({ symbol: 'ES', time: (t += 60_000), open, high, low, close, volume });

describe('BattleNavale', () => {
  it('hand-computed: a 3-bar base broken upwards starts an up-trend; the score adds balance, trend and base quality', () => {
    const bn = new BattleNavale(p);
    const v0 = bn.update(b(100, 101, 99, 100.5), none).available; // TR 2, body 0.25
    bn.update(b(100.5, 101, 99.5, 100), none); // TR 1.5, body -1/3
    const v2 = { ...bn.update(b(100, 101, 99.5, 100.5), none) }; // TR 1.5, body 1/3
    expect(v0).toBe(false);
    // warm: balance of the three bars, no trend yet
    expect(v2.available).toBe(true);
    expect(v2.value).toBeCloseTo(0.5 * ((0.25 - 1 / 3 + 1 / 3) / 3), 12);
    expect(bn.trend).toBe(0);

    const v3 = bn.update(b(100.5, 103, 100.5, 102.5), none); // TR 2.5, body 0.8: closes above the base 99..101
    const limit = 1.5 * ((1.5 + 1.5 + 2.5) / 3);
    expect(bn.trend).toBe(1);
    expect({ ...bn.base }).toMatchObject({ high: 101, low: 99, bars: 3 });
    const quality = ((1 - 2 / limit) + (1 - 1 / 4) + (1 + (0.25 - 1 / 3 + 1 / 3) / 3) / 2) / 3;
    expect(bn.base.quality).toBeCloseTo(quality, 12);
    expect(v3.value).toBeCloseTo(0.5 * ((-1 / 3 + 1 / 3 + 0.8) / 3) + 0.3 + 0.2 * quality, 12);
  });

  it('golden rule: the up-trend survives green bars and a lower base breaking down, and ends when a red bar closes below the green base', () => {
    const bn = new BattleNavale(p);
    [b(100, 101, 99, 100.5), b(100.5, 101, 99.5, 100), b(100, 101, 99.5, 100.5), b(100.5, 103, 100.5, 102.5)].forEach((x) => bn.update(x, none));
    expect(bn.trend).toBe(1);
    // a consolidation at 102-103, then a red bar closing below it but above the green base (99..101)
    [b(102.5, 103, 102, 102.75), b(102.75, 103, 102, 102.5), b(102.5, 103, 102, 102.75)].forEach((x) => bn.update(x, none));
    bn.update(b(102.5, 102.5, 100, 100.25), none);
    expect(bn.trend).toBe(1);
    expect(bn.base.low).toBe(99);
    // a green bar closing below the base does not break it (only red bars do)...
    bn.update(b(98, 99, 97.5, 98.5), none);
    expect([bn.colour, bn.trend]).toEqual([1, 1]);
    // ...a red one does
    bn.update(b(98.5, 98.75, 97.75, 98), none);
    expect([bn.colour, bn.trend]).toEqual([-1, 0]);
  });

  it('colours come from the aggressor delta when known, else from the body; delta joins the pressure', () => {
    const bn = new BattleNavale({ ...p, balanceBars: 1 });
    bn.update(b(100, 101, 99, 100.5), { ask: 10, bid: 30, available: true }); // green body, sellers won
    expect(bn.colour).toBe(-1);
    expect(bn.balance).toBeCloseTo(0.5 * 0.25 + 0.5 * (-20 / 40), 12);
    bn.update(b(100, 101, 99, 100.5), none);
    expect(bn.colour).toBe(1);
  });

  it('refuses a minimum base longer than the maximum, naming the key', () => {
    expect(() => new BattleNavale({ ...defaultBattleNavaleParams, baseMinBars: 9, baseMaxBars: 8 })).toThrow(/baseMinBars/);
  });

  it('property: on simulated bars with aggressor volume, a mirrored series gives exactly the opposite score and trend', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const gen = new SimulatedBars({ symbol: 'ES', seed, start: Date.parse('2023-07-10T13:00:00Z'), startPrice: 4000 });
        const bars = Array.from({ length: 400 }, () => gen.next());
        const c = bars[0]!.open;
        const up = new BattleNavale();
        const down = new BattleNavale();
        let trends = 0;
        for (const bar of bars) {
          const m = mirrorBar(bar, c);
          const u = up.update(bar, { ask: bar.askVolume!, bid: bar.bidVolume!, available: true }).value;
          expect(down.update(m, { ask: m.askVolume!, bid: m.bidVolume!, available: true }).value + 0).toBe(-u + 0);
          expect(down.trend + 0).toBe(-up.trend + 0);
          if (up.trend !== 0) trends++;
        }
        expect(trends).toBeGreaterThan(0);
      }),
      { numRuns: 20 },
    );
  });

  it.skipIf(!hasSharedData(ES_MARCH))('on real ES minute bars: trends both ways, scores spread over [-1, 1], exactly opposite when mirrored', () => {
    const bars = firstRateBars(ES_MARCH);
    const up = new BattleNavale();
    const down = new BattleNavale();
    const c = bars[0]!.open;
    let ups = 0;
    let downs = 0;
    let strong = 0;
    for (const bar of bars) {
      const v = up.update(bar, none);
      expect(down.update(mirrorBar(bar, c), none).value + 0).toBe(-v.value + 0);
      expect(Math.abs(v.value)).toBeLessThanOrEqual(1);
      if (up.trend > 0) ups++;
      if (up.trend < 0) downs++;
      if (Math.abs(v.value) > 0.6) strong++;
    }
    expect(ups).toBeGreaterThan(bars.length / 5);
    expect(downs).toBeGreaterThan(bars.length / 5);
    expect(strong).toBeGreaterThan(100);
  });
});
