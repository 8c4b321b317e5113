/**
 * What `mia config show` may print. The configuration holds no secret by design (they come
 * from the environment), but a key that looks like one is masked anyway, and the secrets MIA
 * reads from the environment are reported only as set or unset.
 */
import type { MiaConfig } from './schema.ts';

export const MASKED = '***';

const secretLike = /(password|passwd|secret|token|apikey|api_key|authorization)$/i;

/** A copy of `value` with every secret-looking key's value replaced by `***`. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretLike.test(k) && v !== null && v !== '' ? MASKED : maskSecrets(v)]));
  }
  return value;
}

/** The environment variables holding secrets this configuration would use: `set` or `unset`, never the value. */
export function secretEnvironment(config: MiaConfig, env: NodeJS.ProcessEnv): Record<string, 'set' | 'unset'> {
  const names = ['POLYGON_API_KEY', 'DISCORD_TOKEN', ...(config.venue.dtc.passwordEnv ? [config.venue.dtc.passwordEnv] : [])];
  return Object.fromEntries(names.map((n) => [n, env[n] ? 'set' : 'unset']));
}
