/**
 * Polygon WebSocket frames -> typed events. A frame is a JSON array of messages, each with
 * an `ev` code (shared/data README §10c; client-js IAggregateFuturesEvent,
 * ITradeFuturesEvent, IQuoteFuturesEvent, IAggregateIndexEvent, IIndexValueEvent):
 *   status  {ev:'status', status:'connected'|'auth_success'|'auth_failed'|'success'|..., message}
 *   AM / A  minute / second aggregate {sym, o, h, l, c, v?, s (start ms), e (end ms)}
 *   T       futures trade {sym, p, s, t (ms), q}
 *   Q       futures quote {sym, bp, bs, ap, as, t (ms)}
 *   V       index value {T (ticker), val, t (ms)}
 * Pure: no I/O. A malformed message becomes an `invalid` event; the frame's other messages survive.
 */
import * as z from 'zod';
import type { Bar, Quote, TradeTick } from '../../core/types.ts';

export type PolygonWsEvent =
  | { kind: 'status'; status: string; message: string }
  /** `timespan` 'minute' for AM, 'second' for A. */
  | { kind: 'bar'; timespan: 'minute' | 'second'; bar: Bar; endTime: number }
  | { kind: 'trade'; trade: TradeTick }
  | { kind: 'quote'; quote: Quote }
  | { kind: 'indexValue'; symbol: string; time: number; value: number }
  /** A message type MIA does not use (kept visible rather than dropped silently). */
  | { kind: 'unknown'; ev: string }
  | { kind: 'invalid'; reason: string };

const ms = z.number().int().nonnegative();
const price = z.number().finite().positive();
const size = z.number().finite().nonnegative();

const statusMsg = z.object({ ev: z.literal('status'), status: z.string(), message: z.string().default('') });
const aggMsg = z.object({
  ev: z.enum(['AM', 'A']),
  sym: z.string().min(1),
  o: price,
  h: price,
  l: price,
  c: price,
  v: size.optional(),
  s: ms,
  e: ms,
});
const tradeMsg = z.object({ ev: z.literal('T'), sym: z.string().min(1), p: price, s: size, t: ms });
const quoteMsg = z.object({ ev: z.literal('Q'), sym: z.string().min(1), bp: price, bs: size, ap: price, as: size, t: ms });
const valueMsg = z.object({ ev: z.literal('V'), T: z.string().min(1), val: z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]), t: ms });

function invalid(error: z.ZodError, ev: string): PolygonWsEvent {
  const issue = error.issues[0];
  return { kind: 'invalid', reason: `${ev} message: ${issue ? `${issue.path.map(String).join('.') || 'message'}: ${issue.message}` : 'invalid'}` };
}

function parseMessage(raw: unknown): PolygonWsEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { kind: 'invalid', reason: 'message is not an object' };
  const ev = (raw as { ev?: unknown }).ev;
  switch (ev) {
    case 'status': {
      const m = statusMsg.safeParse(raw);
      return m.success ? { kind: 'status', status: m.data.status, message: m.data.message } : invalid(m.error, ev);
    }
    case 'AM':
    case 'A': {
      const m = aggMsg.safeParse(raw);
      if (!m.success) return invalid(m.error, ev);
      const { sym, o, h, l, c, v, s, e } = m.data;
      if (h < Math.max(o, c, l) || l > Math.min(o, c)) return { kind: 'invalid', reason: `${ev} message: inconsistent OHLC ${o}/${h}/${l}/${c}` };
      const bar: Bar = { symbol: sym, time: s, open: o, high: h, low: l, close: c, volume: v ?? 0 };
      return { kind: 'bar', timespan: ev === 'AM' ? 'minute' : 'second', bar, endTime: e };
    }
    case 'T': {
      const m = tradeMsg.safeParse(raw);
      return m.success ? { kind: 'trade', trade: { symbol: m.data.sym, time: m.data.t, price: m.data.p, size: m.data.s } } : invalid(m.error, ev);
    }
    case 'Q': {
      const m = quoteMsg.safeParse(raw);
      if (!m.success) return invalid(m.error, ev);
      const { sym, bp, bs, ap, as, t } = m.data;
      return { kind: 'quote', quote: { symbol: sym, time: t, bid: bp, ask: ap, bidSize: bs, askSize: as } };
    }
    case 'V': {
      const m = valueMsg.safeParse(raw);
      return m.success ? { kind: 'indexValue', symbol: m.data.T, time: m.data.t, value: m.data.val } : invalid(m.error, ev);
    }
    default:
      return typeof ev === 'string' ? { kind: 'unknown', ev } : { kind: 'invalid', reason: 'message has no ev code' };
  }
}

/** Every message of one frame, in order. Never throws. */
export function parseWsFrame(text: string): PolygonWsEvent[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return [{ kind: 'invalid', reason: `frame is not JSON: ${(err as Error).message}` }];
  }
  return (Array.isArray(data) ? data : [data]).map(parseMessage);
}
