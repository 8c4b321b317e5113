/**
 * HTTP transport for Polygon's REST API: one GET with a timeout, bounded retries (429
 * honouring Retry-After, 5xx and network errors with jittered backoff), typed errors, and
 * pagination by `next_url`.
 *
 * Why not @polygon.io/client-js's own axios client: it sends the key as an `apiKey` query
 * parameter (so any URL in an error or a log leaks it), has no Retry-After handling, and
 * its `pagination: true` interceptor appends `&apiKey=` to `next_url` and concatenates
 * pages in memory. We use the client's request builders for endpoint paths and query
 * names (polygonRest.ts) and do the transport here with `fetch`.
 */
import { systemClock, type Clock } from '../../core/clock.ts';
import { nextRandom } from '../../core/prng.ts';
import { backoffDelay } from '../../core/backoff.ts';
import { PolygonError, pathOf, polygonErrorFromResponse } from './polygonError.ts';
import { parsePolygonJson } from './polygonJson.ts';
import { retryAfterMs } from './retryAfter.ts';

export interface PolygonHttpOptions {
  /** Base URL, e.g. https://api.polygon.io (POLYGON_REST_URL in tests). */
  restUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** Retries of one request after a 429, a 5xx or a network error. */
  maxRetries: number;
  /** A Retry-After or backoff longer than this fails at once instead of waiting. */
  maxRetryWaitMs: number;
  /** Backoff when the server gives no Retry-After: base * 2^(n-1), capped, jittered. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Seed of the backoff jitter. */
  seed?: number;
  /** For Retry-After given as an HTTP date. */
  clock?: Clock;
  fetch?: typeof fetch;
  /** Waits between retries; tests inject a recorder. Must reject when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told before each retry wait (logs, progress bars). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  path: string;
  /** 1 for the first retry. */
  attempt: number;
  waitMs: number;
  /** 'HTTP 429', 'HTTP 503', 'network: ECONNRESET', ... */
  reason: string;
  /** True when the wait is the server's Retry-After. */
  serverAsked: boolean;
}

/** One page of a paginated endpoint. */
export interface PolygonPage {
  /** URL fetched (on the configured base; may carry a cursor, never the key). */
  url: string;
  body: unknown;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class PolygonHttp {
  private readonly base: URL;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly clock: Clock;
  private prng: number;

  constructor(private readonly options: PolygonHttpOptions) {
    this.base = new URL(options.restUrl.endsWith('/') ? options.restUrl : `${options.restUrl}/`);
    this.fetchFn = options.fetch ?? fetch;
    this.sleep = options.sleep ?? abortableSleep;
    this.clock = options.clock ?? systemClock;
    this.prng = (options.seed ?? 1) >>> 0;
  }

  /**
   * Absolute URL on the configured base for a path (`/v3/...?a=b`) or a `next_url`.
   * A `next_url` names Polygon's public host; it is rebased onto our base so that a proxy or
   * a test server keeps serving the following pages, and so the Authorization header never
   * travels to a host we were not configured for. Any `apiKey` parameter is dropped.
   */
  resolve(pathOrUrl: string): string {
    const given = new URL(pathOrUrl, this.base);
    const url = new URL(`${this.base.pathname.replace(/\/$/, '')}${given.pathname}${given.search}`, this.base);
    url.searchParams.delete('apiKey');
    return url.toString();
  }

  /** GET `pathOrUrl` and return the body text of a 2xx, retrying as configured. */
  async getText(pathOrUrl: string, signal?: AbortSignal): Promise<{ url: string; text: string }> {
    const url = this.resolve(pathOrUrl);
    const path = pathOf(url);
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < this.options.maxRetries;
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let response: Response;
      let text: string;
      try {
        response = await this.fetchFn(url, {
          headers: { Authorization: `Bearer ${this.options.apiKey}`, Accept: 'application/json' },
          signal: combined,
        });
        text = await response.text();
      } catch (err) {
        if (signal?.aborted) throw new PolygonError('aborted', `request to ${path} aborted`, { path });
        const timedOut = timeout.aborted;
        const reason = timedOut ? `timeout after ${this.options.timeoutMs} ms` : `network: ${describeNetworkError(err)}`;
        if (!canRetry) {
          throw new PolygonError(timedOut ? 'timeout' : 'network', `Polygon request to ${path} failed (${reason})`, { path });
        }
        await this.wait(path, attempt + 1, undefined, reason, signal);
        continue;
      }
      if (response.ok) return { url, text };
      if (RETRYABLE_STATUS.has(response.status) && canRetry) {
        const asked = retryAfterMs(response.headers.get('retry-after'), this.clock.now());
        await this.wait(path, attempt + 1, asked, `HTTP ${response.status}`, signal, response.status, text);
        continue;
      }
      throw polygonErrorFromResponse(response.status, text, url, this.options.apiKey);
    }
  }

  /** GET and parse a JSON body (nanosecond integers kept exact unless `parse` says otherwise). */
  async getJson(pathOrUrl: string, signal?: AbortSignal, parse: (text: string) => unknown = parsePolygonJson): Promise<PolygonPage> {
    const { url, text } = await this.getText(pathOrUrl, signal);
    try {
      return { url, body: parse(text) };
    } catch (err) {
      throw new PolygonError('bad-response', `Polygon answered ${pathOf(url)} with a body that is not JSON (${(err as Error).message})`, {
        path: pathOf(url),
      });
    }
  }

  /**
   * Every page of a paginated endpoint, following `next_url` until there is none. Pages are
   * yielded as they arrive, so a caller can persist each one before asking for the next.
   */
  async *pages(firstPathOrUrl: string, signal?: AbortSignal, parse?: (text: string) => unknown): AsyncGenerator<PolygonPage> {
    let next: string | undefined = firstPathOrUrl;
    const seen = new Set<string>();
    while (next !== undefined) {
      const page = await this.getJson(next, signal, parse);
      yield page;
      const nextUrl = nextUrlOf(page.body);
      if (nextUrl === undefined) return;
      next = this.resolve(nextUrl);
      // A server that hands back the same cursor would loop forever.
      if (seen.has(next)) throw new PolygonError('bad-response', `Polygon repeated a next_url on ${pathOf(next)}`, { path: pathOf(next) });
      seen.add(next);
    }
  }

  private async wait(
    path: string,
    attempt: number,
    asked: number | undefined,
    reason: string,
    signal: AbortSignal | undefined,
    status?: number,
    bodyText?: string,
  ): Promise<void> {
    let waitMs = asked;
    if (waitMs === undefined) {
      const draw = nextRandom(this.prng);
      this.prng = draw.state;
      waitMs = backoffDelay(attempt, this.options.backoffBaseMs ?? 1_000, this.options.backoffMaxMs ?? 30_000, draw.value);
    }
    if (waitMs > this.options.maxRetryWaitMs) {
      const base =
        status !== undefined
          ? polygonErrorFromResponse(status, bodyText ?? '', path, this.options.apiKey)
          : new PolygonError('network', `Polygon request to ${path} failed (${reason})`, { path });
      throw new PolygonError(base.kind, `${base.message} (asked to wait ${waitMs} ms, more than maxRetryWaitMs ${this.options.maxRetryWaitMs})`, {
        ...base.details,
        retryAfterMs: waitMs,
      });
    }
    this.options.onRetry?.({ path, attempt, waitMs, reason, serverAsked: asked !== undefined });
    try {
      await this.sleep(waitMs, signal);
    } catch {
      throw new PolygonError('aborted', `request to ${path} aborted while waiting to retry`, { path });
    }
  }
}

function nextUrlOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const next = (body as { next_url?: unknown }).next_url;
  return typeof next === 'string' && next.length > 0 ? next : undefined;
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}
