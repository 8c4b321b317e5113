/**
 * The Polygon settings in force for one command: config/polygonSchema.ts's section with
 * the environment applied. It lives here rather than beside the schema because it throws
 * config/load.ts's ConfigError, and the schema file must not import load.ts (load.ts ->
 * schema.ts -> polygonSchema.ts would close a cycle).
 */
import { ConfigError } from '../../config/load.ts';
import type { PolygonConfig } from '../../config/polygonSchema.ts';

/** Resolved settings. `apiKey` is non-enumerable: JSON, pino and util.inspect never show it. */
export interface PolygonSettings extends PolygonConfig {
  readonly apiKey: string;
}

function envUrl(env: NodeJS.ProcessEnv, name: string, fallback: string, schemes: readonly string[]): string {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `not a URL: ${JSON.stringify(raw)}`);
  }
  if (!schemes.includes(url.protocol)) throw new ConfigError(name, `must be a ${schemes.join(' or ')} URL, got ${url.protocol}`);
  return raw.replace(/\/+$/, '');
}

/**
 * The configuration's `polygon` section with the base URLs overridden by `POLYGON_REST_URL`
 * / `POLYGON_WS_URL` and the key read from `POLYGON_API_KEY`. Call it only where Polygon is
 * needed: a missing key is a ConfigError naming POLYGON_API_KEY (exit code 2).
 */
export function polygonSettings(config: { polygon: PolygonConfig }, env: NodeJS.ProcessEnv = process.env): PolygonSettings {
  const apiKey = env.POLYGON_API_KEY?.trim();
  if (!apiKey) throw new ConfigError('POLYGON_API_KEY', 'required to use Polygon.io: set the environment variable to your API key');
  const settings = {
    ...config.polygon,
    restUrl: envUrl(env, 'POLYGON_REST_URL', config.polygon.restUrl.replace(/\/+$/, ''), ['http:', 'https:']),
    wsUrl: envUrl(env, 'POLYGON_WS_URL', config.polygon.wsUrl.replace(/\/+$/, ''), ['ws:', 'wss:']),
  };
  Object.defineProperty(settings, 'apiKey', { value: apiKey, enumerable: false, writable: false });
  return settings as PolygonSettings;
}
