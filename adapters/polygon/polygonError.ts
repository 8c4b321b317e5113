/**
 * Everything that can go wrong talking to Polygon, as one typed error. Messages name the
 * endpoint path and what to do; they never contain the API key (requests carry it in a
 * header, and URLs are scrubbed before they reach a message).
 */
import { MiaError, type FailureCode } from '../../core/errors.ts';

export type PolygonErrorKind =
  /** 401: the key is missing, unknown or revoked. */
  | 'auth'
  /** 403: the key is fine but the plan does not include this dataset. */
  | 'not-entitled'
  /** 404: unknown ticker or resource. */
  | 'not-found'
  /** 429 past the retry budget, or a Retry-After longer than we are willing to wait. */
  | 'rate-limited'
  /** 400 and other 4xx: the request itself is wrong (e.g. an unsupported resolution). */
  | 'bad-request'
  /** 5xx past the retry budget. */
  | 'server'
  /** Connection refused, reset, DNS... past the retry budget. */
  | 'network'
  | 'timeout'
  | 'aborted'
  /** A 200 whose body is not JSON or not the documented shape. */
  | 'bad-response';

/** The stable code of each kind: POLYGON_AUTH, POLYGON_RATE_LIMITED, ... */
export type PolygonErrorCode = `POLYGON_${string}`;

/** What each kind means to a supervisor. */
const FAILURE: Readonly<Record<PolygonErrorKind, FailureCode>> = {
  auth: 'LOGON_REFUSED',
  'not-entitled': 'PEER_REFUSED',
  'not-found': 'PEER_REFUSED',
  'rate-limited': 'PEER_REFUSED',
  'bad-request': 'PEER_REFUSED',
  server: 'CONNECTION_LOST',
  network: 'CONNECTION_LOST',
  timeout: 'TIMEOUT',
  aborted: 'INTERNAL',
  'bad-response': 'PEER_REFUSED',
};

export class PolygonError extends MiaError<PolygonErrorCode> {
  override readonly name = 'PolygonError';
  constructor(
    readonly kind: PolygonErrorKind,
    message: string,
    readonly details: {
      /** Endpoint path (no query string, no key). */
      path?: string;
      status?: number;
      /** Server's request id, for support tickets. */
      requestId?: string;
      /** The wait the server asked for, when it asked. */
      retryAfterMs?: number;
    } = {},
  ) {
    super(`POLYGON_${kind.toUpperCase().replace('-', '_')}`, message, { failure: FAILURE[kind] });
  }
}

/** `url` without its query string (where keys and cursors live), for messages and logs. */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

/** Polygon's error bodies carry the text in `message` or `error`, and `status` / `request_id`. */
function describeBody(bodyText: string): { text: string | undefined; requestId: string | undefined } {
  try {
    const body = JSON.parse(bodyText) as Record<string, unknown>;
    const text = [body.message, body.error].find((v): v is string => typeof v === 'string' && v.length > 0);
    const requestId = typeof body.request_id === 'string' ? body.request_id : undefined;
    return { text, requestId };
  } catch {
    const text = bodyText.trim().slice(0, 200);
    return { text: text.length > 0 ? text : undefined, requestId: undefined };
  }
}

/** The typed error for a non-2xx response that will not be retried. */
export function polygonErrorFromResponse(status: number, bodyText: string, url: string, apiKey?: string): PolygonError {
  const path = pathOf(url);
  const { text, requestId } = describeBody(bodyText);
  // Belt and braces: a server that echoes the key back must not get it into our message.
  const said = text === undefined ? '' : `: ${apiKey ? text.split(apiKey).join('[redacted]') : text}`;
  const details = { path, status, ...(requestId ? { requestId } : {}) };
  switch (true) {
    case status === 401:
      return new PolygonError('auth', `Polygon rejected the API key (check POLYGON_API_KEY) on ${path}${said}`, details);
    case status === 403:
      return new PolygonError('not-entitled', `your Polygon plan does not include this dataset (${path})${said}`, details);
    case status === 404:
      return new PolygonError('not-found', `Polygon does not know this ticker or resource (${path})${said}`, details);
    case status === 429:
      return new PolygonError('rate-limited', `Polygon rate limit still exceeded after retrying (${path})${said}`, details);
    case status >= 500:
      return new PolygonError('server', `Polygon server error ${status} on ${path}${said}`, details);
    default:
      return new PolygonError('bad-request', `Polygon refused the request (${status}) on ${path}${said}`, details);
  }
}
