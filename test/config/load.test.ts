import { describe, it, expect } from 'vitest';
import * as z from 'zod';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, envLayer, loadConfig } from '../../config/load.ts';
import { configSchema, defaultConfig } from '../../config/schema.ts';
import { instrumentFor, instruments } from '../../config/instruments.ts';
import { roundToTick } from '../../core/tick.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-config-');

const writeConfig = (content: string, name = 'mia.json'): string => {
  const file = join(tempDir(), name);
  writeFileSync(file, content);
  return file;
};

/** The ConfigError thrown by `fn` (fails the test when nothing or something else is thrown). */
const configError = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
};

describe('loadConfig', () => {
  it('with no layers, returns the embedded defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toEqual(defaultConfig());
    expect(config).toMatchObject({
      symbol: 'ESZ25',
      risk: { dailyLossLimit: 1000, maxContracts: 2, trailingDrawdownMode: 'intraday', requireStop: true },
      venue: { slippageTicks: 1, commissionPerContract: null },
      feed: { kind: 'simulated', seed: 42, speed: 'max', start: '2025-11-03T14:30:00Z' },
      gates: { calibration: { winRate: 0.55, profitFactor: 1.5 } },
    });
    expect(configSchema.parse(config)).toEqual(config); // defaults are themselves valid input
  });

  it('file layer: overrides what it names, keeps the other defaults; MIA_CONFIG names the file too', () => {
    const file = writeConfig(JSON.stringify({ symbol: 'MESH26', risk: { dailyLossLimit: 800 }, feed: { speed: 60 } }));
    for (const config of [loadConfig({ file, env: {} }), loadConfig({ env: { MIA_CONFIG: file } })]) {
      expect(config.symbol).toBe('MESH26');
      expect(config.risk.dailyLossLimit).toBe(800);
      expect(config.risk.maxContracts).toBe(2);
      expect(config.feed).toMatchObject({ speed: 60, seed: 42 });
    }
  });

  it('env layer: MIA__a__b values parse as JSON when they can, else stay strings; it beats the file', () => {
    const file = writeConfig(JSON.stringify({ risk: { dailyLossLimit: 800, maxContracts: 1 } }));
    const config = loadConfig({
      file,
      env: {
        MIA__risk__dailyLossLimit: '650',
        MIA__risk__requireStop: 'false',
        MIA__log__level: 'debug',
        MIA__feed__speed: '"max"',
        MIA_UNRELATED: 'x',
        PATH: '/usr/bin',
      },
    });
    expect(config.risk).toMatchObject({ dailyLossLimit: 650, maxContracts: 1, requireStop: false });
    expect(config.log.level).toBe('debug');
    expect(config.feed.speed).toBe('max');
  });

  it('envLayer builds the nested tree', () => {
    expect(envLayer({ MIA__risk__dailyLossLimit: '800', MIA__symbol: 'ESH26', MIA__venue__slippageTicks: '0', OTHER: '1', MIA__: 'x' })).toEqual({
      risk: { dailyLossLimit: 800 },
      symbol: 'ESH26',
      venue: { slippageTicks: 0 },
    });
  });

  it('overrides layer wins over env and file', () => {
    const file = writeConfig(JSON.stringify({ risk: { dailyLossLimit: 800 }, strategy: { threshold: 0.3 } }));
    const config = loadConfig({
      file,
      env: { MIA__risk__dailyLossLimit: '700', MIA__strategy__quantity: '2' },
      overrides: { risk: { dailyLossLimit: 600 } },
    });
    expect(config.risk.dailyLossLimit).toBe(600);
    expect(config.strategy).toMatchObject({ threshold: 0.3, quantity: 2 });
  });

  it('overriding one gate threshold keeps the group\'s other thresholds (no gate silently loses criteria)', () => {
    const defaults = defaultConfig().gates.calibration;
    const config = loadConfig({ env: { MIA__gates__calibration__winRate: '0.6' } });
    expect(config.gates.calibration).toEqual({ ...defaults, winRate: 0.6 });
    const file = writeConfig(JSON.stringify({ gates: { backtest: { sharpe: 1.5 } } }));
    expect(loadConfig({ file, env: {} }).gates.backtest).toEqual({ ...defaultConfig().gates.backtest, sharpe: 1.5 });
  });

  it.each<[string, () => unknown, string]>([
    ['a negative loss limit from a file', () => loadConfig({ file: writeConfig('{"risk":{"dailyLossLimit":-5}}'), env: {} }), 'risk.dailyLossLimit'],
    ['a non-number loss limit from env', () => loadConfig({ env: { MIA__risk__dailyLossLimit: 'lots' } }), 'risk.dailyLossLimit'],
    ['a fractional contract count', () => loadConfig({ env: {}, overrides: { risk: { maxContracts: 1.5 } } }), 'risk.maxContracts'],
    ['an unknown enum value', () => loadConfig({ env: { MIA__log__level: 'loud' } }), 'log.level'],
    ['a threshold above 1', () => loadConfig({ env: { MIA__strategy__threshold: '1.5' } }), 'strategy.threshold'],
    ['a bad ISO start', () => loadConfig({ env: { MIA__feed__start: 'yesterday' } }), 'feed.start'],
  ])('a bad value (%s) is a ConfigError naming the dotted key', (_name, load, key) => {
    const err = configError(load);
    expect(err.key).toBe(key);
    expect(err.name).toBe('ConfigError');
    expect(err.message).toContain(key);
    expect(err.reason.length).toBeGreaterThan(0);
  });

  it.each<[string, () => unknown, string]>([
    ['nested, from a file', () => loadConfig({ file: writeConfig('{"risk":{"dailyLoss":1}}'), env: {} }), 'risk.dailyLoss'],
    ['nested, from env', () => loadConfig({ env: { MIA__venue__slipageTicks: '2' } }), 'venue.slipageTicks'],
    ['top level, from overrides', () => loadConfig({ env: {}, overrides: { simbol: 'ESZ25' } }), 'simbol'],
  ])('an unknown key (%s) is a ConfigError naming it', (_name, load, key) => {
    const err = configError(load);
    expect(err.key).toBe(key);
    expect(err.reason).toBe('unknown key');
  });

  it('every object of the schema, at any depth through defaults, is strict where it is defined (an unknown key anywhere is an error)', () => {
    // The loader has no strict copy of the schema any more: a new section written with
    // z.object would silently drop unknown keys. This walks what a file can reach.
    const loose: string[] = [];
    const walk = (s: z.ZodType, path: string): void => {
      if (s instanceof z.ZodObject) {
        if ((s.def.catchall as z.ZodType | undefined)?.def.type !== 'never') loose.push(path || '(root)');
        for (const [k, v] of Object.entries(s.shape)) walk(v as z.ZodType, path ? `${path}.${k}` : k);
      } else if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault) walk((s as unknown as { unwrap(): z.ZodType }).unwrap(), path);
    };
    walk(configSchema, '');
    expect(loose).toEqual([]);
    // And the walk does reach the nested sections.
    expect(configError(() => loadConfig({ env: {}, overrides: { strategy: { features: { volumeConfirmation: { bogus: 1 } } } } })).key).toBe('strategy.features.volumeConfirmation.bogus');
  });

  it('an unreadable file is a ConfigError naming the file', () => {
    const missing = join(tempDir(), 'absent.json');
    const err = configError(() => loadConfig({ file: missing, env: {} }));
    expect(err.key).toBe(missing);
    expect(err.reason).toMatch(/cannot read.*ENOENT/);
    const dir = join(tempDir(), 'a-directory.json');
    mkdirSync(dir);
    expect(configError(() => loadConfig({ env: { MIA_CONFIG: dir } })).key).toBe(dir);
  });

  it.each([
    ['broken JSON', '{ "risk": '],
    ['a JSON array', '[1, 2]'],
    ['JSON null', 'null'],
  ])('a file holding %s is a ConfigError naming the file', (_name, content) => {
    const file = writeConfig(content);
    const err = configError(() => loadConfig({ file, env: {} }));
    expect(err.key).toBe(file);
    expect(err.reason).toMatch(/^not valid JSON/);
  });
});

describe('instrumentFor', () => {
  it.each([
    ['ESZ25', 'ES'],
    ['ESZ5', 'ES'],
    ['ESZ25-CME', 'ES'],
    ['ESZ5.CME', 'ES'],
    ['esh26', 'ES'],
    ['ES', 'ES'],
    ['MESH26', 'MES'],
    ['MESZ5.CME', 'MES'],
    ['NQ', 'NQ'],
    ['NQM26-CME', 'NQ'],
  ])('%s -> %s', (symbol, root) => {
    expect(instrumentFor(symbol)).toBe(instruments[root]);
  });

  it('carries the DOMAIN.md contract specs', () => {
    expect(instrumentFor('ESZ25')).toMatchObject({ root: 'ES', tickSize: 0.25, pointValue: 50, tickValue: 12.5, commissionPerContract: 2.25 });
    expect(instrumentFor('MESH26')).toMatchObject({ root: 'MES', tickSize: 0.25, pointValue: 5, tickValue: 1.25 });
    expect(instrumentFor('NQ')).toMatchObject({ root: 'NQ', tickSize: 0.25, pointValue: 20, tickValue: 5 });
    expect(instrumentFor('MNQZ25')).toMatchObject({ root: 'MNQ', tickSize: 0.25, pointValue: 2, tickValue: 0.5 });
    for (const spec of Object.values(instruments)) expect(spec.tickValue).toBe(spec.tickSize * spec.pointValue);
  });

  it.each(['XYZ', '', 'ESZ', 'ESZ255', 'ESA25', 'GCZ25', 'ES Z25', 'SPX'])('unknown symbol %j throws', (symbol) => {
    expect(() => instrumentFor(symbol)).toThrow(/unknown symbol/);
  });

  it('roundToTick snaps to the nearest tick', () => {
    expect(roundToTick(4000.1, 0.25)).toBe(4000);
    expect(roundToTick(4000.13, 0.25)).toBe(4000.25);
    expect(roundToTick(4000.9, 0.25)).toBe(4001);
  });
});
