/**
 * zod schemas for the domain records the store persists. The types stay defined in
 * core/types.ts; the compile-time checks below fail if a schema and its type drift apart.
 * Constraints are structural only (finite numbers, whole contracts, non-empty ids): a
 * fill the venue reports must always be journaled, so no business rule may refuse it.
 */
import * as z from 'zod';
import type { Fill, OrderRequest, Trade } from '../../core/types.ts';

const finite = z.number().finite();
const time = z.number().finite();
const contracts = z.number().int().positive();
const id = z.string().min(1);
const side = z.enum(['buy', 'sell']);

/** Any JSON value: opaque payloads such as persisted XState snapshots or audit args. */
export const jsonValueSchema = z.json();
export type JsonValue = z.infer<typeof jsonValueSchema>;

export const orderRequestSchema = z.object({
  clientOrderId: id,
  symbol: id,
  side,
  qty: contracts,
  type: z.enum(['market', 'limit', 'stop', 'stopLimit']),
  price: finite.optional(),
  stopPrice: finite.optional(),
  tif: z.enum(['day', 'gtc', 'ioc', 'fok']),
  stopDistance: finite.optional(),
  purpose: z.string(),
  createdAt: time,
  ocoGroup: z.string().min(1).optional(),
});

export const fillSchema = z.object({
  clientOrderId: id,
  executionId: id,
  symbol: id,
  side,
  qty: contracts,
  price: finite,
  time,
  // Rebates can make a commission negative.
  commission: finite,
  account: id.optional(),
});

export const tradeSchema = z.object({
  symbol: id,
  side: z.enum(['long', 'short']),
  qty: contracts,
  entryTime: time,
  exitTime: time,
  entryPrice: finite,
  exitPrice: finite,
  commission: finite,
  pnl: finite,
});

// Optional keys are compared too: `{ a?: T }` and `{}` are mutually assignable, so the
// key sets are checked separately.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
type Assert<T extends true> = T;
// Compile-time only: each line fails to type-check if a schema drifts from core/types.ts.
export type SchemasMatchCoreTypes = [
  Assert<Same<z.infer<typeof orderRequestSchema>, OrderRequest>>,
  Assert<Same<z.infer<typeof fillSchema>, Fill>>,
  Assert<Same<z.infer<typeof tradeSchema>, Trade>>,
];
