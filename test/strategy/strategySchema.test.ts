import { describe, it, expect } from 'vitest';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { defaultStrategySettings, strategySchema } from '../../config/strategySchema.ts';

describe('strategy configuration (config/strategySchema.ts)', () => {
  it('keeps the existing keys and defaults, and documents the confluence defaults of DOMAIN.md', () => {
    const s = defaultStrategySettings();
    expect(s).toMatchObject({ threshold: 0.25, quantity: 1, stopPoints: 8, targetPoints: 12, maxBarsInTrade: 60, vwapAtrBars: 14 });
    expect(s.session).toEqual({ preMarket: 0.8, opening: 1.2, midday: 1.0, powerHour: 1.2, afterHours: 0.8, overnight: 0.5 });
    expect(s.volatility).toMatchObject({ lowVix: 15, highVix: 25, lowAtrRatio: 0.8, highAtrRatio: 1.5, averageBars: 20, lowThreshold: 0.8, normalThreshold: 1, highThreshold: 1.4 });
    expect(s.features.orderBook).toMatchObject({ l1Weight: 0.6, depthLevels: 5 });
    expect(s.features.tickMomentum).toMatchObject({ window: 20, countWeight: 0.4 });
    expect(s.features.deltaDivergence).toMatchObject({ bars: 10, minStrength: 0.7 });
    expect(s.features.smartMoney).toMatchObject({ largeSize: 100, surgeRatio: 1.5, boost: 1.3 });
    expect(s.features.multiTimeframe).toMatchObject({ mediumMinutes: 5, slowMinutes: 15, fastWeight: 0.5, mediumWeight: 0.3, slowWeight: 0.2, agreementBonus: 0.2 });
    expect(s.features.battleNavale).toMatchObject({ baseMinBars: 3, baseMaxBars: 8 });
    expect(loadConfig({ env: {} }).strategy).toEqual(s);
  });

  it('nested keys are overridable from the environment, the rest of a section keeps its defaults', () => {
    const config = loadConfig({ env: { MIA__strategy__weights__gammaLevels: '0.5', MIA__strategy__features__smartMoney__largeSize: '50' } });
    expect(config.strategy.weights.gammaLevels).toBe(0.5);
    expect(config.strategy.weights.orderBook).toBe(0.13);
    expect(config.strategy.features.smartMoney).toMatchObject({ largeSize: 50, windowBars: 5 });
  });

  it.each([
    [{ MIA__strategy__weights__gamma: '0.5' }, 'strategy.weights.gamma'],
    [{ MIA__strategy__features__tickMomentum__size: '3' }, 'strategy.features.tickMomentum.size'],
    [{ MIA__strategy__weights__orderBook: '-1' }, 'strategy.weights.orderBook'],
    [{ MIA__strategy__features__orderBook__l1Weight: '1.5' }, 'strategy.features.orderBook.l1Weight'],
    [{ MIA__strategy__session__opening: '0' }, 'strategy.session.opening'],
  ])('a bad or unknown key is a ConfigError naming it (%o)', (env, key) => {
    let error: unknown;
    try {
      loadConfig({ env });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
  });

  it('strategySchema alone parses partial input onto the defaults', () => {
    expect(strategySchema.parse({ threshold: 0.3, weights: { vwapTrend: 0.1 } })).toMatchObject({ threshold: 0.3, weights: { vwapTrend: 0.1, gammaLevels: 0.2 } });
  });
});
