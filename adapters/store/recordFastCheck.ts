/**
 * A hand-written fast path for the journal's record checks on the order path: an order
 * record is checked before its write-ahead append, i.e. between a decision and the wire.
 * zod's check of one record costs 60-230 µs at the pace orders come (its generic code is
 * never hot by then) and ~2 ms the first time; this one costs a few µs.
 *
 * It only ever accepts: `null` means "not sure", and the caller asks zod, whose answer
 * (and error message) stays the rule. What it accepts, zod accepts with the same output
 * (known keys in the schema's order, unknown keys dropped): recordFastCheck.test.ts checks
 * this against the zod schemas on arbitrary records, valid and broken.
 */
import type { Fill, OrderRequest } from '../../core/types.ts';
import { orderStatuses, type OrderRecord } from './journal.ts';
import { orderRequestSchema } from './domainSchemas.ts';

type Loose = Record<string, unknown>;

// Built on first use: journal.ts imports this file, so its statuses are not there yet at load.
let statuses: ReadonlySet<unknown> | undefined;
// The schema's own enums: a new order type or time in force is taken here as soon as zod takes it.
const ORDER_TYPES: ReadonlySet<unknown> = new Set(orderRequestSchema.shape.type.options);
const TIFS: ReadonlySet<unknown> = new Set(orderRequestSchema.shape.tif.options);

const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isSide = (v: unknown) => v === 'buy' || v === 'sell';
const isContracts = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;

/**
 * Copies optional key `k` as zod does: absent stays absent, present-but-undefined stays
 * undefined, anything else must pass `ok`. False when it does not.
 */
function optional(from: Loose, to: Loose, k: string, ok: (v: unknown) => boolean): boolean {
  const v = from[k];
  if (v === undefined) {
    if (k in from) to[k] = undefined;
    return true;
  }
  if (!ok(v)) return false;
  to[k] = v;
  return true;
}

function orderRequest(r: unknown): OrderRequest | null {
  if (!isObject(r)) return null;
  if (!isId(r.clientOrderId) || !isId(r.symbol) || !isSide(r.side) || !isContracts(r.qty) || !ORDER_TYPES.has(r.type)) return null;
  const out: Loose = { clientOrderId: r.clientOrderId, symbol: r.symbol, side: r.side, qty: r.qty, type: r.type };
  if (!optional(r, out, 'price', isFinite) || !optional(r, out, 'stopPrice', isFinite)) return null;
  if (!TIFS.has(r.tif)) return null;
  out.tif = r.tif;
  if (!optional(r, out, 'stopDistance', isFinite)) return null;
  if (typeof r.purpose !== 'string' || !isFinite(r.createdAt)) return null;
  out.purpose = r.purpose;
  out.createdAt = r.createdAt;
  if (!optional(r, out, 'ocoGroup', isId)) return null;
  return out as unknown as OrderRequest;
}

/** The journal's order record, or null: ask zod. */
export function fastOrderRecord(v: unknown): OrderRecord | null {
  if (!isObject(v)) return null;
  const request = orderRequest(v.request);
  statuses ??= new Set(orderStatuses);
  if (request === null || !statuses.has(v.status)) return null;
  const out: Loose = { request, status: v.status };
  if (!optional(v, out, 'serverOrderId', isId)) return null;
  if (!(Number.isSafeInteger(v.filledQty) && (v.filledQty as number) >= 0)) return null;
  out.filledQty = v.filledQty;
  if (!optional(v, out, 'avgFillPrice', isFinite) || !optional(v, out, 'detail', (d) => typeof d === 'string')) return null;
  if (!isFinite(v.updatedAt)) return null;
  out.updatedAt = v.updatedAt;
  return out as unknown as OrderRecord;
}

/** A fill as the journal keeps it, or null: ask zod. */
export function fastFill(v: unknown): Fill | null {
  if (!isObject(v)) return null;
  if (!isId(v.clientOrderId) || !isId(v.executionId) || !isId(v.symbol) || !isSide(v.side) || !isContracts(v.qty)) return null;
  if (!isFinite(v.price) || !isFinite(v.time) || !isFinite(v.commission)) return null;
  const out: Loose = { clientOrderId: v.clientOrderId, executionId: v.executionId, symbol: v.symbol, side: v.side, qty: v.qty, price: v.price, time: v.time, commission: v.commission };
  if (!optional(v, out, 'account', isId)) return null;
  return out as unknown as Fill;
}
