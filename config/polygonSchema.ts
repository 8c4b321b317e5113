/**
 * Polygon.io settings: where the REST and WebSocket APIs live, what to ask them for and how
 * patiently. The API key is never part of the configuration (files get shared, configs get
 * logged): it comes from `POLYGON_API_KEY` only, through `polygonSettings`
 * (adapters/polygon/polygonSettings.ts: it throws config/load.ts's ConfigError, and importing
 * load.ts here would close an import cycle schema -> polygonSchema -> load -> schema).
 */
import * as z from 'zod';

const positiveInt = z.number().int().positive();

export const polygonSchema = z.strictObject({
  /** REST base URL; `POLYGON_REST_URL` overrides it (tests point it at a local fake). */
  restUrl: z.url().default('https://api.polygon.io'),
  /** WebSocket base URL; the cluster path (`/futures`, `/indices`) is appended. `POLYGON_WS_URL` overrides it. */
  wsUrl: z.url().default('wss://socket.polygon.io'),
  /** Contract streamed and downloaded when a command names only the product (`ES`). */
  futuresTicker: z.string().regex(/^[A-Z0-9]{1,4}[FGHJKMNQUVXZ]\d{1,2}$/, 'a futures contract ticker such as ESZ5').default('ESZ5'),
  /** Index tickers streamed beside the future (values and minute bars). */
  indexTickers: z.array(z.string().regex(/^I:[A-Z0-9.]+$/, 'an index ticker such as I:SPX')).default(['I:SPX', 'I:VIX']),
  /** Underlying of the option chain snapshot (SPX index options are `I:SPX` on Polygon). */
  chainUnderlying: z.string().min(1).default('I:SPX'),
  /** One HTTP request, including reading its body. */
  requestTimeoutMs: positiveInt.default(30_000),
  /** Retries of one request after a 429, a 5xx or a network error (0 = fail at once). */
  maxRetries: z.number().int().min(0).default(5),
  /** Longest wait honoured for a Retry-After or a backoff; longer means give up with a clear error. */
  maxRetryWaitMs: positiveInt.default(120_000),
  /** Rows per REST page (Polygon allows up to 50,000 for aggregates, trades and quotes). */
  pageLimit: z.number().int().min(1).max(50_000).default(50_000),
  /** No data message for this long (clock time) marks the live stream stale; risk is told. */
  staleAfterMs: positiveInt.default(120_000),
});

export type PolygonConfig = z.infer<typeof polygonSchema>;
