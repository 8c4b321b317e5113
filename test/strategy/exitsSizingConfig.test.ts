import { describe, it, expect } from 'vitest';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { defaultStrategySettings } from '../../config/strategySchema.ts';

/** The key named by the ConfigError `fn` throws. */
const badKey = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).key;
  }
  throw new Error('expected a ConfigError');
};

describe('strategy.exits and strategy.sizing configuration', () => {
  it('defaults: flat 5 min before the Globex halt, no entry in the last 15 min; fixed sizing', () => {
    const s = defaultStrategySettings();
    expect(s.exits).toEqual({ session: 'globex', flattenBeforeCloseMinutes: 5, noEntryBeforeCloseMinutes: 15 });
    expect(s.sizing).toEqual({ mode: 'fixed', fraction: 0.25, maxContracts: 2, minTrades: 30, lookbackTrades: 100 });
  });

  it('environment overrides reach them, the rest of the section keeps its defaults', () => {
    const c = loadConfig({ env: { MIA__strategy__exits__session: 'rth', MIA__strategy__sizing__mode: 'kelly', MIA__strategy__sizing__maxContracts: '4' } });
    expect(c.strategy.exits).toEqual({ session: 'rth', flattenBeforeCloseMinutes: 5, noEntryBeforeCloseMinutes: 15 });
    expect(c.strategy.sizing).toMatchObject({ mode: 'kelly', fraction: 0.25, maxContracts: 4 });
  });

  it('bad values and unknown keys name the offending key', () => {
    expect(badKey(() => loadConfig({ env: { MIA__strategy__exits__session: 'overnight' } }))).toBe('strategy.exits.session');
    expect(badKey(() => loadConfig({ env: { MIA__strategy__exits__flattenBeforeCloseMinutes: '-1' } }))).toBe('strategy.exits.flattenBeforeCloseMinutes');
    expect(badKey(() => loadConfig({ env: { MIA__strategy__sizing__fraction: '1.5' } }))).toBe('strategy.sizing.fraction');
    expect(badKey(() => loadConfig({ env: { MIA__strategy__sizing__maxContracts: '0' } }))).toBe('strategy.sizing.maxContracts');
    expect(badKey(() => loadConfig({ env: { MIA__strategy__sizing__lookbackTrades: '5000' } }))).toBe('strategy.sizing.lookbackTrades');
    expect(badKey(() => loadConfig({ env: { MIA__strategy__sizing__kelly: '1' } }))).toBe('strategy.sizing.kelly');
  });
});
