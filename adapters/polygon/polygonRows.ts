/**
 * Polygon REST rows -> MIA's domain types (core/types.ts), one zod schema per row shape.
 * A page is validated row by row: a bad row is rejected with its index and reason and the
 * rest of the page is kept; only a body that is not a Polygon page at all is an error.
 *
 * Units: futures endpoints (`/futures/vX/...`) stamp rows in Unix nanoseconds
 * (`window_start`, `timestamp`), v2 aggregates in Unix ms (`t`). Prices are taken as
 * decimals, as the current spec's examples give them (the older spec showed ES trades as
 * integers x100; shared/data README §10b).
 */
import * as z from 'zod';
import type { Bar, Quote, TradeTick } from '../../core/types.ts';
import { PolygonError } from './polygonError.ts';
import { nsToMs } from './polygonJson.ts';

/** A row the parser refused, with why; counted and reported, never silently fixed. */
export interface RejectedRow {
  /** Index of the row in its page's `results`. */
  index: number;
  reason: string;
}

export interface ParsedRows<T> {
  items: T[];
  rejected: RejectedRow[];
}

const price = z.number().finite().positive();
const quantity = z.number().finite().nonnegative();
/** Nanoseconds as parsePolygonJson leaves them (exact digit string) or as a plain number. */
const nanos = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]);

const futuresAggRow = z.object({
  ticker: z.string().min(1).optional(),
  window_start: nanos,
  open: price,
  high: price,
  low: price,
  close: price,
  volume: quantity,
});

const futuresTradeRow = z.object({
  ticker: z.string().min(1).optional(),
  timestamp: nanos,
  price,
  size: quantity,
});

/**
 * Polygon sends one-sided quotes: when a side of the book is empty its price is absent and
 * its size 0 (the OpenAPI example's first GCJ5 quote). The sides are optional here so that
 * such a row is refused with that reason, not as a malformed row.
 */
const futuresQuoteRow = z.object({
  ticker: z.string().min(1).optional(),
  timestamp: nanos,
  bid_price: price.optional(),
  ask_price: price.optional(),
  bid_size: quantity,
  ask_size: quantity,
});

const v2AggRow = z.object({
  t: z.number().int(),
  o: price,
  h: price,
  l: price,
  c: price,
  v: quantity.optional(),
});

const page = z.object({ results: z.array(z.unknown()).optional(), next_url: z.string().optional() });

/** The `results` array of a Polygon page (absent = no rows). */
export function resultsOf(body: unknown, what: string): unknown[] {
  const parsed = page.safeParse(body);
  if (!parsed.success) throw new PolygonError('bad-response', `Polygon ${what} response is not a page of results: ${parsed.error.issues[0]?.message}`);
  return parsed.data.results ?? [];
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid row';
  const at = issue.path.length > 0 ? issue.path.map(String).join('.') : 'row';
  return issue.code === 'invalid_type' && issue.input === undefined ? `missing ${at}` : `${at}: ${issue.message}`;
}

function parseRows<S extends z.ZodType, T>(body: unknown, what: string, schema: S, convert: (row: z.infer<S>) => T | string): ParsedRows<T> {
  const items: T[] = [];
  const rejected: RejectedRow[] = [];
  resultsOf(body, what).forEach((raw, index) => {
    const row = schema.safeParse(raw);
    if (!row.success) return void rejected.push({ index, reason: describe(row.error) });
    const item = convert(row.data);
    if (typeof item === 'string') rejected.push({ index, reason: item });
    else items.push(item);
  });
  return { items, rejected };
}

function timeOf(ns: string | number): number | string {
  const ms = nsToMs(ns);
  return Number.isFinite(ms) ? ms : `unreadable timestamp ${ns}`;
}

/** `/futures/vX/aggs/{ticker}` rows -> bars (time = window start, ms UTC). */
export function parseFuturesAggs(body: unknown, ticker: string): ParsedRows<Bar> {
  return parseRows(body, 'futures aggregates', futuresAggRow, (r) => {
    const time = timeOf(r.window_start);
    if (typeof time === 'string') return time;
    if (r.high < Math.max(r.open, r.close, r.low) || r.low > Math.min(r.open, r.close)) return `inconsistent OHLC ${r.open}/${r.high}/${r.low}/${r.close}`;
    return { symbol: r.ticker ?? ticker, time, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume };
  });
}

/** `/futures/vX/trades/{ticker}` rows -> trade ticks (no aggressor side in this feed). */
export function parseFuturesTrades(body: unknown, ticker: string): ParsedRows<TradeTick> {
  return parseRows(body, 'futures trades', futuresTradeRow, (r) => {
    const time = timeOf(r.timestamp);
    if (typeof time === 'string') return time;
    return { symbol: r.ticker ?? ticker, time, price: r.price, size: r.size };
  });
}

/** `/futures/vX/quotes/{ticker}` rows -> top-of-book quotes. A one-sided quote is rejected, with that reason. */
export function parseFuturesQuotes(body: unknown, ticker: string): ParsedRows<Quote> {
  return parseRows(body, 'futures quotes', futuresQuoteRow, (r) => {
    const time = timeOf(r.timestamp);
    if (typeof time === 'string') return time;
    if (r.bid_price === undefined && r.ask_price === undefined) return 'no bid and no ask price (both sides of the book empty)';
    if (r.ask_price === undefined) return 'one-sided quote: no ask price (ask side of the book empty)';
    if (r.bid_price === undefined) return 'one-sided quote: no bid price (bid side of the book empty)';
    return { symbol: r.ticker ?? ticker, time, bid: r.bid_price, ask: r.ask_price, bidSize: r.bid_size, askSize: r.ask_size };
  });
}

/** `/v2/aggs/ticker/{ticker}/range/...` rows (indices, stocks) -> bars; indices have no volume (0). */
export function parseV2Aggs(body: unknown, ticker: string): ParsedRows<Bar> {
  return parseRows(body, 'aggregates', v2AggRow, (r) => {
    if (r.h < Math.max(r.o, r.c, r.l) || r.l > Math.min(r.o, r.c)) return `inconsistent OHLC ${r.o}/${r.h}/${r.l}/${r.c}`;
    return { symbol: ticker, time: r.t, open: r.o, high: r.h, low: r.l, close: r.c, volume: r.v ?? 0 };
  });
}

/** One index of a `/v3/snapshot/indices` answer. */
export interface IndexValue {
  ticker: string;
  value: number;
  name?: string;
  /** 'open', 'closed', ... as Polygon says. */
  marketStatus?: string;
  /** ms UTC of the value, when Polygon gives `last_updated`. */
  time?: number;
}

/** A ticker the snapshot could not give: unknown (NOT_FOUND) or outside the plan (NOT_ENTITLED). */
export interface IndexSnapshotError {
  ticker: string;
  kind: 'not-found' | 'not-entitled' | 'other';
  message: string;
}

const indexValueRow = z.object({
  ticker: z.string().min(1),
  value: z.number().finite(),
  name: z.string().optional(),
  market_status: z.string().optional(),
  last_updated: nanos.optional(),
});
const indexErrorRow = z.object({ ticker: z.string().min(1), error: z.string(), message: z.string().optional() });

/** `/v3/snapshot/indices` -> values, and per-ticker errors kept apart (the call itself succeeded). */
export function parseIndicesSnapshot(body: unknown): { values: IndexValue[]; errors: IndexSnapshotError[]; rejected: RejectedRow[] } {
  const values: IndexValue[] = [];
  const errors: IndexSnapshotError[] = [];
  const rejected: RejectedRow[] = [];
  resultsOf(body, 'indices snapshot').forEach((raw, index) => {
    const failed = indexErrorRow.safeParse(raw);
    if (failed.success) {
      const { ticker, error, message } = failed.data;
      const kind = error === 'NOT_FOUND' ? 'not-found' : error === 'NOT_ENTITLED' ? 'not-entitled' : 'other';
      return void errors.push({ ticker, kind, message: message ?? error });
    }
    const row = indexValueRow.safeParse(raw);
    if (!row.success) return void rejected.push({ index, reason: describe(row.error) });
    const { ticker, value, name, market_status, last_updated } = row.data;
    const time = last_updated === undefined ? Number.NaN : nsToMs(last_updated);
    values.push({
      ticker,
      value,
      ...(name === undefined ? {} : { name }),
      ...(market_status === undefined ? {} : { marketStatus: market_status }),
      ...(Number.isFinite(time) ? { time } : {}),
    });
  });
  return { values, errors, rejected };
}

/** A rejection reason without its values, to count rows by cause (`inconsistent OHLC #`). */
export function rejectionCause(reason: string): string {
  return reason.replace(/-?\d[\d./:eE+-]*/g, '#');
}
