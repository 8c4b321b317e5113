/**
 * The trading journal: every order MIA sent (latest state per clientOrderId), every fill
 * (once per venue executionId) and every closed trade. After a restart it is what MIA
 * reconciles against the venue: `lastFillTime()` says from when to ask for fills again.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import type { Fill, OrderRequest, Trade } from '../../core/types.ts';
import { fillSchema, orderRequestSchema, tradeSchema } from './domainSchemas.ts';
import { openDocument, type DeepReadonly } from './jsonDocument.ts';

/** DTC OrderStatus (DTC.md) in camelCase, plus `created`: journaled, not yet sent. */
export const orderStatuses = [
  'created',
  'sent',
  'pendingOpen',
  'pendingChild',
  'open',
  'pendingCancelReplace',
  'pendingCancel',
  'partiallyFilled',
  'filled',
  'canceled',
  'rejected',
  /** Refused by MIA's own pre-trade risk check: it never left MIA. */
  'riskRefused',
  /** Declared by reconciliation: the venue has no record of it (never resubmitted). */
  'lost',
  'expired',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

const orderRecordSchema = z.object({
  request: orderRequestSchema,
  status: z.enum(orderStatuses),
  /** The venue's order id, once the venue acknowledged the order. */
  serverOrderId: z.string().min(1).optional(),
  filledQty: z.number().int().nonnegative(),
  avgFillPrice: z.number().finite().optional(),
  /** Why the order ended as it did (reject reason, risk rule), when there is a why. */
  detail: z.string().optional(),
  /** Clock time of the last upsert. */
  updatedAt: z.number().finite(),
});

export interface OrderRecord {
  request: OrderRequest;
  status: OrderStatus;
  serverOrderId?: string;
  filledQty: number;
  avgFillPrice?: number;
  detail?: string;
  updatedAt: number;
}

/** What the caller supplies on an upsert; the journal stamps `updatedAt`. */
export type OrderUpsert = Omit<OrderRecord, 'updatedAt'>;

const journalSchema = z
  .object({
    orders: z.record(z.string(), orderRecordSchema),
    fills: z.array(fillSchema),
    trades: z.array(tradeSchema),
  })
  .superRefine((j, ctx) => {
    for (const [key, order] of Object.entries(j.orders)) {
      if (key !== order.request.clientOrderId) {
        ctx.addIssue({ code: 'custom', path: ['orders', key], message: `keyed by ${key} but its clientOrderId is ${order.request.clientOrderId}` });
      }
    }
    const seen = new Set<string>();
    j.fills.forEach((f, i) => {
      if (seen.has(f.executionId)) ctx.addIssue({ code: 'custom', path: ['fills', i], message: `duplicate executionId ${f.executionId}` });
      seen.add(f.executionId);
    });
  });

type JournalData = z.infer<typeof journalSchema>;

export interface Journal {
  readonly path: string;
  /** Inserts or replaces the order keyed by `order.request.clientOrderId`. */
  upsertOrder(order: OrderUpsert): Promise<DeepReadonly<OrderRecord>>;
  order(clientOrderId: string): DeepReadonly<OrderRecord> | undefined;
  /** Orders in first-journaled order. */
  orders(): ReadonlyArray<DeepReadonly<OrderRecord>>;
  /** Appends `fill`; false (and nothing written) if its executionId is already journaled. */
  recordFill(fill: Fill): Promise<boolean>;
  /** Fills in the order they were recorded. */
  fills(): ReadonlyArray<DeepReadonly<Fill>>;
  /** True when a fill with this executionId is journaled (or being written). */
  hasFill(executionId: string): boolean;
  /** Latest `time` among journaled fills, undefined when there are none. */
  lastFillTime(): number | undefined;
  recordTrade(trade: Trade): Promise<void>;
  trades(): ReadonlyArray<DeepReadonly<Trade>>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the journal at `path` (see `openDocument` for missing and corrupt files). */
export async function openJournal(path: string, clock: Clock): Promise<Journal> {
  const initial: JournalData = { orders: {}, fills: [], trades: [] };
  const doc = await openDocument(path, journalSchema, initial);
  const executionIds = new Set(doc.view().fills.map((f) => f.executionId));
  let lastFill: number | undefined;
  for (const f of doc.view().fills) lastFill = lastFill === undefined ? f.time : Math.max(lastFill, f.time);

  return {
    path,
    async upsertOrder(order) {
      const record = orderRecordSchema.parse({ ...order, updatedAt: clock.now() });
      await doc.update((d) => {
        d.orders[record.request.clientOrderId] = record;
      });
      return record;
    },
    order: (clientOrderId) => (Object.hasOwn(doc.view().orders, clientOrderId) ? doc.view().orders[clientOrderId] : undefined),
    orders: () => Object.values(doc.view().orders),
    async recordFill(fill) {
      const valid = fillSchema.parse(fill);
      if (executionIds.has(valid.executionId)) return false;
      const write = doc.update((d) => {
        d.fills.push(valid);
      });
      // update() applies the change synchronously unless it refuses it (closed, invalid):
      // claim the id now so that a copy arriving while the write is pending is refused.
      if (doc.view().fills.at(-1)?.executionId === valid.executionId) {
        executionIds.add(valid.executionId);
        lastFill = lastFill === undefined ? valid.time : Math.max(lastFill, valid.time);
      }
      await write;
      return true;
    },
    fills: () => doc.view().fills,
    hasFill: (executionId) => executionIds.has(executionId),
    lastFillTime: () => lastFill,
    async recordTrade(trade) {
      const valid = tradeSchema.parse(trade);
      await doc.update((d) => {
        d.trades.push(valid);
      });
    },
    trades: () => doc.view().trades,
    flush: () => doc.flush(),
    close: () => doc.close(),
  };
}
