import { describe, it, expect } from 'vitest';
import type { Bar } from '../../../core/types.ts';
import { defaultStrategySettings } from '../../../config/strategySchema.ts';
import { BattleNavale } from '../../../strategy/battleNavale.ts';
import type { BarDelta } from '../../../strategy/features/barDelta.ts';
import { DeltaDivergence } from '../../../strategy/features/deltaDivergence.ts';
import type { FeatureValue } from '../../../strategy/features/featureValue.ts';
import { GammaLevelsFeature } from '../../../strategy/features/gammaLevelsFeature.ts';
import { MultiTimeframe } from '../../../strategy/features/multiTimeframe.ts';
import { RollingAtr, atrOf } from '../../../strategy/features/rollingAtr.ts';
import { VolatilityRegimeTracker } from '../../../strategy/features/volatilityRegime.ts';
import { VwapTrend } from '../../../strategy/features/vwapTrend.ts';
import { SimulatedBars } from '../../../adapters/simulated/simulatedBars.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { ES_MARCH, firstRateBars } from '../fixtures/firstRate.ts';
import { syntheticChain, testLevels } from '../fixtures/syntheticMarket.ts';
import { Prng } from '../../../core/prng.ts';

/**
 * The strategy pipeline updates one ATR per length and shares it between the bar
 * features (instead of one ATR each): every feature must read exactly what its own ATR
 * would have given it.
 */
const s = defaultStrategySettings();
const f = s.features;
const HOUR = 3_600_000;

/** Runs `make(shared?)` over the bars twice, with its own ATR and with a shared one updated first; returns both series. */
function both(bars: readonly Bar[], atrBars: number, make: (shared?: RollingAtr) => (bar: Bar, i: number) => FeatureValue | number): [unknown[], unknown[]] {
  const own = make();
  const shared = new RollingAtr(atrBars);
  const withShared = make(shared);
  const a = bars.map((b, i) => {
    const v = own(b, i);
    return typeof v === 'number' ? v : { ...v };
  });
  const b = bars.map((bar, i) => {
    shared.updateBar(bar);
    const v = withShared(bar, i);
    return typeof v === 'number' ? v : { ...v };
  });
  return [a, b];
}

const simulated = (n: number) => {
  const gen = new SimulatedBars({ symbol: 'ES', seed: 5, start: Date.parse('2023-07-10T13:00:00Z'), startPrice: 4000 });
  return Array.from({ length: n }, () => gen.next());
};
const deltaOf = (b: Bar): BarDelta => ({ ask: b.askVolume!, bid: b.bidVolume!, available: true });

describe('shared ATR', () => {
  it('updateBar(bar) is update(high, low, close)', () => {
    const a = new RollingAtr(3);
    const b = new RollingAtr(3);
    for (const bar of simulated(50)) {
      a.update(bar.high, bar.low, bar.close);
      b.updateBar(bar);
      expect([b.ready, b.value]).toEqual([a.ready, a.value]);
    }
  });

  it('atrOf: a new ATR without a shared one; the shared one when its length fits; else a RangeError naming the key', () => {
    expect(atrOf(14, 'k', undefined).bars).toBe(14);
    const shared = new RollingAtr(14);
    expect(atrOf(14, 'k', shared)).toBe(shared);
    expect(() => atrOf(10, 'strategy.volatility.atrBars', shared)).toThrow(/strategy\.volatility\.atrBars/);
    expect(() => new BattleNavale({ ...f.battleNavale, atrBars: 10 }, shared)).toThrow(RangeError);
  });

  it.skipIf(!hasSharedData(ES_MARCH))('on real ES bars: VWAP trend, volatility regime, Battle Navale and multi-timeframe read exactly what their own ATR gives', () => {
    const bars = firstRateBars(ES_MARCH).slice(0, 4000);
    const none: BarDelta = { ask: 0, bid: 0, available: false };
    const cases: [number, (shared?: RollingAtr) => (bar: Bar) => FeatureValue | number][] = [
      [s.vwapAtrBars, (sh) => { const x = new VwapTrend({ atrBars: s.vwapAtrBars, ...f.vwapTrend }, sh); return (b) => x.update(b); }],
      [s.volatility.atrBars, (sh) => {
        const x = new VolatilityRegimeTracker({ ...s.volatility, vixMaxAgeMs: 1 }, sh);
        return (b) => { const r = x.update(b, b.time); return r.thresholdMultiplier * 10 + r.atrRatio; };
      }],
      [f.battleNavale.atrBars, (sh) => { const x = new BattleNavale(f.battleNavale, sh); return (b) => x.update(b, none); }],
      [f.battleNavale.atrBars, (sh) => {
        const x = new MultiTimeframe({ barMs: 60_000, ...f.multiTimeframe }, f.battleNavale, sh);
        const fast = { value: 0, available: false };
        return (b) => { const v = x.update(b, none, fast); return v.value * 4 + fast.value + (v.available ? 2 : 0); };
      }],
    ];
    for (const [n, make] of cases) {
      const [own, shared] = both(bars, n, make);
      expect(shared).toEqual(own);
    }
  });

  it('with aggressor volume and gamma levels: delta divergence and gamma levels read exactly what their own ATR gives', () => {
    const bars = simulated(1500);
    const [own, shared] = both(bars, f.deltaDivergence.atrBars, (sh) => {
      const x = new DeltaDivergence(f.deltaDivergence, sh);
      return (b) => x.update(b, deltaOf(b));
    });
    expect(shared).toEqual(own);
    expect((own as FeatureValue[]).filter((v) => v.available).length).toBeGreaterThan(1000);

    const chainEvery = 30;
    const [ownG, sharedG] = both(bars, f.gammaLevels.atrBars, (sh) => {
      const x = new GammaLevelsFeature({ maxAgeMs: 4 * HOUR, atrBars: f.gammaLevels.atrBars, momentumBars: f.gammaLevels.momentumBars }, testLevels, sh);
      const rng = new Prng(9);
      return (b, i) => {
        if (i % chainEvery === 0) x.onChain(syntheticChain(rng, b.time, b.open - 20));
        return x.update(b);
      };
    });
    expect(sharedG).toEqual(ownG);
    expect((ownG as FeatureValue[]).filter((v) => v.available).length).toBeGreaterThan(1000);
  });
});
