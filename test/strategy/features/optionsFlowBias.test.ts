import { describe, it, expect } from 'vitest';
import { OptionsFlowBias } from '../../../strategy/features/optionsFlowBias.ts';
import type { OptionChainSnapshot, OptionContract } from '../../../core/types.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { SPX_CHAIN, cboeChain } from '../fixtures/cboeChain.ts';

const chain = (contracts: Partial<OptionContract>[], time = 0): OptionChainSnapshot => ({
  underlying: 'SPX', time, spot: 4000, provenance: { kind: 'simulated', seed: 0 },
  contracts: contracts.map((c) => ({ expiry: '2023-09-15', strike: 4000, right: 'call', openInterest: 0, ...c })),
});
const swapRights = (c: OptionChainSnapshot): OptionChainSnapshot => ({ ...c, contracts: c.contracts.map((k) => ({ ...k, right: k.right === 'call' ? 'put' : 'call' })) });
const p = { maxAgeMs: 60_000 };
const read = (c: OptionChainSnapshot, at = c.time) => {
  const f = new OptionsFlowBias(p);
  f.onChain(c);
  return { ...f.evaluate(at), mode: f.mode };
};

describe('OptionsFlowBias', () => {
  it('hand-computed: premium-weighted aggression, calls bought bullish, puts bought bearish', () => {
    const c = chain([
      // bought at the ask: aggression +1, premium 10 * 2 = 20
      { right: 'call', bid: 1.5, ask: 2, last: 2, volume: 10 },
      // half-way from mid to the bid: aggression -0.5, premium 4 * 3.75 = 15
      { right: 'call', bid: 3.5, ask: 4.5, last: 3.75, volume: 4 },
      // put bought at the ask: aggression +1, premium 2 * 6 = 12, bearish
      { right: 'put', bid: 5, ask: 6, last: 6, volume: 2 },
      // no volume: no weight
      { right: 'put', bid: 5, ask: 6, last: 6, volume: 0 },
    ]);
    expect(read(c)).toEqual({ value: (20 * 1 + 15 * -0.5 - 12 * 1) / (20 + 15 + 12), available: true, mode: 'premium' });
  });

  it('a trade printed outside the spread counts as fully aggressive', () => {
    expect(read(chain([{ right: 'call', bid: 1, ask: 2, last: 2.5, volume: 1 }])).value).toBe(1);
  });

  it('falls back to volumes, then to open interest, and is unavailable with neither', () => {
    expect(read(chain([{ right: 'call', volume: 30 }, { right: 'put', volume: 10 }]))).toEqual({ value: 0.5, available: true, mode: 'volume' });
    expect(read(chain([{ right: 'call', openInterest: 100 }, { right: 'put', openInterest: 300 }]))).toEqual({ value: -0.5, available: true, mode: 'openInterest' });
    expect(read(chain([{ right: 'call' }]))).toEqual({ value: 0, available: false, mode: 'none' });
  });

  it('goes stale after maxAgeMs', () => {
    const c = chain([{ right: 'call', volume: 3 }], 1_000);
    expect(read(c, 61_000).available).toBe(true);
    expect(read(c, 61_001).available).toBe(false);
  });

  it.skipIf(!hasSharedData(SPX_CHAIN))(`on a real SPX chain (${SPX_CHAIN}): premium mode, in range, opposite with calls and puts swapped`, () => {
    const real = cboeChain(SPX_CHAIN, Date.parse('2023-09-14T20:31:00Z'));
    expect(real.contracts.length).toBeGreaterThan(10_000);
    const v = read(real);
    expect(v.mode).toBe('premium');
    expect(v.available).toBe(true);
    expect(Math.abs(v.value)).toBeLessThanOrEqual(1);
    expect(read(swapRights(real)).value).toBeCloseTo(-v.value, 12);
  });
});
