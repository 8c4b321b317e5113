import { describe, it, expect } from 'vitest';
import { GammaLevelsFeature } from '../../../strategy/features/gammaLevelsFeature.ts';
import { computeGammaLevels } from '../../../strategy/gamma/computeGammaLevels.ts';
import type { GammaLevels } from '../../../strategy/gamma/gammaLevels.ts';
import type { Bar, OptionChainSnapshot } from '../../../core/types.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { SPX_CHAIN, cboeChain } from '../fixtures/cboeChain.ts';
import { mirrorBar, mirrorLevels } from '../fixtures/marketEvents.ts';

const HOUR = 3_600_000;
const p = { maxAgeMs: HOUR, atrBars: 3, momentumBars: 2 };
const T0 = Date.parse('2023-09-15T14:00:00Z');
/** Bars whose true range is 2 when closes move by at most 1. */
const bar = (i: number, close: number): Bar => ({ symbol: 'ES', time: T0 + i * 60_000, open: close, high: close + 1, low: close - 1, close, volume: 10 });
const chain = { underlying: 'SPX', time: T0, spot: 4080, contracts: [], provenance: { kind: 'simulated', seed: 0 } } as unknown as OptionChainSnapshot;
/** ES levels given directly: spot 4100 in ES, call wall 4120, put wall 4080, zero gamma 4090. */
const esLevels: GammaLevels = {
  time: T0, spot: 4080, netGex: 1e9, callWall: 4100, putWall: 4060, zeroGamma: 4070, basis: 20, es: { callWall: 4120, putWall: 4080, zeroGamma: 4090 },
};
const feed = (levels: GammaLevels | (() => GammaLevels), closes: number[], chainFirst = true) => {
  const f = new GammaLevelsFeature(p, typeof levels === 'function' ? levels : () => levels);
  if (chainFirst) f.onChain(chain);
  return { f, values: closes.map((c, i) => ({ ...f.update(bar(i, c)) })) };
};

describe('GammaLevelsFeature', () => {
  it('hand-computed above zero gamma: mostly mean reversion towards the middle of the walls', () => {
    const { values } = feed(esLevels, [4108, 4109, 4110]);
    expect(values.slice(0, 2).every((v) => !v.available)).toBe(true);
    const g = Math.tanh((4110 - 4090) / 2);
    const w = (1 + g) / 2;
    const m = -(4110 - 4100) / 20;
    const u = Math.tanh((4110 - 4108) / 2);
    expect(values[2]!.available).toBe(true);
    expect(values[2]!.value).toBeCloseTo(w * m + (1 - w) * u, 12);
    expect(values[2]!.value).toBeLessThan(0); // above the middle, under the call wall: fade it
  });

  it('hand-computed below zero gamma: momentum', () => {
    const { values } = feed(esLevels, [4072, 4071, 4070]);
    const g = Math.tanh((4070 - 4090) / 2);
    const w = (1 + g) / 2;
    expect(values[2]!.value).toBeCloseTo(w * 1 + (1 - w) * Math.tanh(-1), 12);
    expect(values[2]!.value).toBeLessThan(-0.7); // falling below the flip: go with it
  });

  it('without a recorded basis, translates with ES close - SPX spot when the chain arrives (or the next open)', () => {
    const spxOnly: GammaLevels = { time: T0, spot: 4080, netGex: 1e9, callWall: 4100, putWall: 4060, zeroGamma: 4070 };
    const f = new GammaLevelsFeature(p, () => spxOnly);
    [4108, 4109].forEach((c, i) => f.update(bar(i, c)));
    f.onChain(chain); // last close 4109: basis 29
    const v = f.update(bar(2, 4110)).value;
    const shifted: GammaLevels = { ...esLevels, basis: 29, es: { callWall: 4129, putWall: 4089, zeroGamma: 4099 } };
    expect(v).toBe(feed(shifted, [4108, 4109, 4110]).values[2]!.value);
    // chain before any bar: the first bar's open sets the basis (20 here: same as esLevels)
    expect(feed(spxOnly, [4100, 4109, 4110]).values[2]!.value).toBe(feed(esLevels, [4100, 4109, 4110]).values[2]!.value);
  });

  it('no zero-gamma level: the regime is the sign of net GEX everywhere', () => {
    const { values } = feed({ ...esLevels, zeroGamma: null, es: { ...esLevels.es!, zeroGamma: null } }, [4108, 4109, 4110]);
    expect(values[2]!.value).toBeCloseTo(-0.5, 12); // pure mean reversion
    const neg = feed({ ...esLevels, netGex: -1, zeroGamma: null, es: { ...esLevels.es!, zeroGamma: null } }, [4108, 4109, 4110]);
    expect(neg.values[2]!.value).toBeCloseTo(Math.tanh(1), 12); // pure momentum
  });

  it('is unavailable without levels, without a wall, or once the levels are stale', () => {
    expect(feed(esLevels, [4108, 4109, 4110], false).values[2]!.available).toBe(false);
    expect(feed({ ...esLevels, es: { ...esLevels.es!, putWall: null } }, [4108, 4109, 4110]).values[2]!.available).toBe(false);
    const f = new GammaLevelsFeature(p, () => esLevels);
    f.onChain(chain);
    [4108, 4109, 4110].forEach((c, i) => f.update(bar(i, c)));
    expect(f.update({ ...bar(3, 4110), time: T0 + HOUR }).available).toBe(true);
    expect(f.update({ ...bar(4, 4110), time: T0 + HOUR + 1 }).available).toBe(false);
  });

  it('a chain the computation refuses is counted and the previous levels stay', () => {
    let n = 0;
    const { f, values } = feed(() => {
      if (n++ > 0) throw new Error('no gamma');
      return esLevels;
    }, [4108, 4109]);
    f.onChain(chain);
    expect([f.rejectedChains, f.lastError]).toEqual([1, 'no gamma']);
    expect(values).toHaveLength(2);
    expect(f.update(bar(2, 4110)).available).toBe(true);
  });

  it('property-like: mirroring prices and levels flips the value exactly', () => {
    const closes = [4095, 4096, 4098, 4097, 4099, 4101, 4104, 4105, 4106, 4107, 4095, 4088, 4087, 4086, 4085, 4084];
    const up = feed(esLevels, closes).values;
    const c = 4100;
    const mirroredSpx = mirrorLevels(esLevels, c - 20);
    const down = feed({ ...mirroredSpx, basis: 20, es: { callWall: 2 * c - 4080, putWall: 2 * c - 4120, zeroGamma: 2 * c - 4090 } }, []).f;
    closes.forEach((x, i) => {
      const v = down.update(mirrorBar(bar(i, x), c));
      expect(v.available).toBe(up[i]!.available);
      expect(v.value + 0).toBeCloseTo(-up[i]!.value + 0, 12);
    });
    expect(up.some((v) => v.value > 0.1) && up.some((v) => v.value < -0.5)).toBe(true);
  });

  it.skipIf(!hasSharedData(SPX_CHAIN))(`real SPX chain (${SPX_CHAIN}) through strategy/gamma: available, in range, leaning with the walls`, () => {
    const real = cboeChain(SPX_CHAIN, Date.parse('2023-09-14T20:31:00Z'));
    const f = new GammaLevelsFeature({ maxAgeMs: 24 * HOUR, atrBars: 14, momentumBars: 5 }, (ch) => computeGammaLevels(ch).levels);
    f.onChain(real);
    expect(f.rejectedChains).toBe(0);
    const levels = computeGammaLevels(real).levels;
    expect(levels.callWall).not.toBeNull();
    expect(levels.putWall).not.toBeNull();
    // ES bars around the chain's spot plus a 40-point basis, after the snapshot
    const base = real.time + 60_000;
    const values: number[] = [];
    for (let i = 0; i < 200; i++) {
      const close = Math.round((real.spot + 40 + 30 * Math.sin(i / 15)) * 4) / 4;
      const v = f.update({ symbol: 'ES', time: base + i * 60_000, open: close, high: close + 1, low: close - 1, close, volume: 100 });
      if (i >= 14) {
        expect(v.available).toBe(true);
        values.push(v.value);
      }
    }
    expect(values.every((v) => Math.abs(v) <= 1)).toBe(true);
    expect(values.some((v) => v > 0.1) && values.some((v) => v < -0.1)).toBe(true);
  });
});
