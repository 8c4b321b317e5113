/**
 * The `--queue` URL: `redis://[[user]:password@]host[:port][/db]` (`rediss://` for TLS).
 * The password comes from the URL or, better (a command line is visible to every user of
 * the machine), from the environment variable MIA_QUEUE_PASSWORD. It is never printed:
 * every message names the queue by `describe()`, which leaves it out.
 */
import { QueueError } from './queueError.ts';

export const QUEUE_PASSWORD_ENV = 'MIA_QUEUE_PASSWORD';

export interface QueueTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL without its credentials, for messages. */
  safe: string;
}

export function parseQueueUrl(url: string, env: NodeJS.ProcessEnv = process.env): QueueTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError('QUEUE_URL_INVALID', '--queue: expected redis://HOST:PORT (password in MIA_QUEUE_PASSWORD), got something that is not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueError('QUEUE_URL_INVALID', `--queue: expected a redis:// or rediss:// URL, got ${u.protocol}//...`);
  if (!u.hostname) throw new QueueError('QUEUE_URL_INVALID', '--queue: the URL names no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbPart = u.pathname.replace(/^\//, '');
  const db = dbPart === '' ? 0 : Number(dbPart);
  if (!Number.isInteger(db) || db < 0) throw new QueueError('QUEUE_URL_INVALID', `--queue: the database must be a number (redis://HOST:PORT/DB), got "/${dbPart}"`);
  const password = u.password !== '' ? decodeURIComponent(u.password) : env[QUEUE_PASSWORD_ENV] || undefined;
  const username = u.username !== '' ? decodeURIComponent(u.username) : undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    db,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    tls: u.protocol === 'rediss:',
    safe: `${u.protocol}//${u.hostname}:${port}${db !== 0 ? `/${db}` : ''}`,
  };
}

/**
 * ioredis options for a target (`worker`: a BullMQ worker's connection, which must retry
 * commands forever). Reconnecting stops once `closing()` says so: a connection that is
 * being closed while Redis is away must not keep its process alive retrying.
 */
export function redisOptions(t: QueueTarget, role: 'worker' | 'client', closing: () => boolean = () => false) {
  return {
    host: t.host,
    port: t.port,
    db: t.db,
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(t.tls ? { tls: {} } : {}),
    // A worker waits for Redis as long as it takes; a submitter's command fails fast so
    // that it can count how long Redis has been away and give up with a clear message.
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    retryStrategy: (times: number) => (closing() ? null : Math.min(100 * times, role === 'worker' ? 2000 : 500)),
  };
}
