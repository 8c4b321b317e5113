import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { polygonSettings } from '../../../adapters/polygon/polygonSettings.ts';
import { ConfigError, loadConfig } from '../../../config/load.ts';

const KEY = 'pk_live_secret_value_123';

describe('polygonSettings', () => {
  it('defaults to Polygon\'s public URLs and takes the key from POLYGON_API_KEY only', () => {
    const s = polygonSettings(loadConfig({ env: {} }), { POLYGON_API_KEY: KEY });
    expect(s.restUrl).toBe('https://api.polygon.io');
    expect(s.wsUrl).toBe('wss://socket.polygon.io');
    expect(s.apiKey).toBe(KEY);
  });

  it('lets POLYGON_REST_URL / POLYGON_WS_URL override the configuration', () => {
    const s = polygonSettings(loadConfig({ env: {} }), { POLYGON_API_KEY: KEY, POLYGON_REST_URL: 'http://127.0.0.1:8123/', POLYGON_WS_URL: 'ws://127.0.0.1:8123' });
    expect(s.restUrl).toBe('http://127.0.0.1:8123');
    expect(s.wsUrl).toBe('ws://127.0.0.1:8123');
  });

  it('never shows the key when the settings are serialised, logged or inspected', () => {
    const s = polygonSettings(loadConfig({ env: {} }), { POLYGON_API_KEY: KEY });
    expect(JSON.stringify(s)).not.toContain(KEY);
    expect(inspect(s, { depth: 5 })).not.toContain(KEY);
    expect(JSON.stringify({ ...s })).not.toContain(KEY);
  });

  it('a missing or blank key is a ConfigError naming POLYGON_API_KEY', () => {
    for (const env of [{}, { POLYGON_API_KEY: '  ' }]) {
      const error = (() => {
        try {
          polygonSettings(loadConfig({ env: {} }), env);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe('POLYGON_API_KEY');
    }
  });

  it('a malformed URL override is a ConfigError naming the variable', () => {
    expect(() => polygonSettings(loadConfig({ env: {} }), { POLYGON_API_KEY: KEY, POLYGON_WS_URL: 'http://x' })).toThrow(/POLYGON_WS_URL/);
    expect(() => polygonSettings(loadConfig({ env: {} }), { POLYGON_API_KEY: KEY, POLYGON_REST_URL: 'not a url' })).toThrow(/POLYGON_REST_URL/);
  });

  it('is part of the one validated configuration: overrides work, unknown keys and bad values are refused', () => {
    const config = loadConfig({ env: { MIA__polygon__maxRetries: '1', MIA__polygon__futuresTicker: 'ESH6' } });
    expect(config.polygon.maxRetries).toBe(1);
    expect(config.polygon.futuresTicker).toBe('ESH6');
    expect(() => loadConfig({ env: { MIA__polygon__apiKey: 'x' } })).toThrow(/polygon\.apiKey: unknown key/);
    expect(() => loadConfig({ env: { MIA__polygon__futuresTicker: 'ES' } })).toThrow(/polygon\.futuresTicker/);
  });
});
