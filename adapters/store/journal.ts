/**
 * The trading journal: every order MIA sent (latest state per clientOrderId), every fill
 * (once per venue executionId) and every closed trade, kept in an append-only write-ahead
 * ledger (ledger.ts): the latest record of an order wins when the ledger is read back. After a restart it is what MIA
 * reconciles against the venue: `lastFillTime()` says from when to ask for fills again.
 */
import * as z from 'zod';
import { FillIndex } from '../../core/fillIdentity.ts';
import type { Clock } from '../../core/clock.ts';
import type { Fill, OrderRequest, Trade } from '../../core/types.ts';
import type { FillIdentity } from '../../core/fillIdentity.ts';
import { fillSchema, orderRequestSchema, tradeSchema } from './domainSchemas.ts';
import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CorruptStateError, openDocument, type DeepReadonly } from './jsonDocument.ts';
import { openLedger, type TornTail } from './ledger.ts';
import { fastFill, fastOrderRecord } from './recordFastCheck.ts';

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

/**
 * Orders, fills and trades are checked without zod's compiled fast path: compiling costs ~3 ms
 * on a schema's first use (the first order of a run, on the live decision path, before the
 * write-ahead append) and saves under 1 µs a record after that. Orders and fills go through
 * recordFastCheck.ts first (a few µs instead of zod's 60-230 µs at the pace orders come).
 */
const RECORD_CHECK = { jitless: true } as const;

export const orderRecordSchema = z.object({
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
  /** Appends `fill`; false (and nothing written) if the same execution is already journaled (core/fillIdentity.ts). */
  recordFill(fill: Fill): Promise<boolean>;
  /** Fills in the order they were recorded. */
  fills(): ReadonlyArray<DeepReadonly<Fill>>;
  /** True when this execution is journaled (or being written): same id, and same account or same order. */
  hasFill(fill: FillIdentity): boolean;
  /** Latest `time` among journaled fills, undefined when there are none. */
  lastFillTime(): number | undefined;
  recordTrade(trade: Trade): Promise<void>;
  trades(): ReadonlyArray<DeepReadonly<Trade>>;
  /**
   * Readies, off the order path, the ledger file that a record written `aheadMs` from now
   * would go to (ledger.ts `prepare`): creating a day's file and syncing its directory would
   * otherwise fall on the first order of the day, between its decision and the wire. Cheap
   * when ready; nothing for a journal without day files.
   */
  prepare(aheadMs: number): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** What the ledger held when opened (disk journals only): torn tails, fill write times. */
  readonly replay?: JournalReplay;
}

export interface JournalOptions {
  /** fdatasync every record before the call returns (default true: the write-ahead rule). */
  sync?: boolean;
  /** Read only (another process may own the home): no migration, no torn-tail repair. */
  readOnly?: boolean;
}

/** Where a home's journal lives: `<home>/state/ledger/`, one file per trading day. */
export const journalDir = (stateDir: string) => join(stateDir, 'ledger');

/**
 * True when `stateDir` holds a journal: a ledger day file with bytes in it, or a former
 * journal.json. An empty day file is one prepared ahead of its first record (ledger.ts
 * `prepare`) and holds none.
 */
export function journalExists(stateDir: string): boolean {
  const dir = journalDir(stateDir);
  return existsSync(join(stateDir, 'journal.json')) || (existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.jsonl') && statSync(join(dir, f)).size > 0));
}

const ledgerRecordSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal('order'), order: orderRecordSchema }),
  z.object({ k: z.literal('fill'), at: z.number().finite(), fill: fillSchema }),
  z.object({ k: z.literal('trade'), at: z.number().finite(), trade: tradeSchema }),
]);
type LedgerRecord = z.infer<typeof ledgerRecordSchema>;

/** A journal entry as the ledger holds it: when it was written and where. */
export interface JournalReplay {
  /** Torn last lines found (and set aside) at open: a crash mid-write. */
  torn: readonly TornTail[];
  /** Fills with the clock time they were ledgered: restore compares them to a snapshot's savedAt. */
  fillsWritten: ReadonlyArray<{ executionId: string; at: number }>;
}

/**
 * Opens the journal whose ledger is the directory `dir` (see ledger.ts). Every record is
 * on disk (fdatasync) before `upsertOrder` / `recordFill` / `recordTrade` returns its
 * promise: the write happens synchronously inside the call, so a caller that goes on to
 * put an order on the wire, or to snapshot a state that counts a fill, does so after.
 *
 * A `journal.json` beside `dir` (the former whole-document journal) is imported once
 * into the ledger and renamed `journal.json.imported`.
 */
export async function openJournal(dir: string, clock: Clock, { sync = true, readOnly = false }: JournalOptions = {}): Promise<Journal & { readonly replay: JournalReplay }> {
  const legacy = join(dirname(dir), 'journal.json');
  const imported = existsSync(legacy) ? await readLegacy(legacy) : null;
  const ledger = openLedger(dir, { sync, readOnly });
  if (imported && ledger.entries.length > 0) {
    ledger.close();
    throw new CorruptStateError(legacy, `both ${legacy} and the ledger ${dir} hold records: move one away`);
  }

  const orders = new Map<string, OrderRecord>();
  const fills: Fill[] = [];
  const trades: Trade[] = [];
  const executionIds = new FillIndex();
  const fillsWritten: Array<{ executionId: string; at: number }> = [];
  let lastFill: number | undefined;
  const apply = (r: LedgerRecord) => {
    if (r.k === 'order') orders.set(r.order.request.clientOrderId, r.order as OrderRecord);
    else if (r.k === 'trade') trades.push(r.trade);
    else if (!executionIds.has(r.fill)) {
      executionIds.add(r.fill);
      fills.push(r.fill);
      fillsWritten.push({ executionId: r.fill.executionId, at: r.at });
      lastFill = lastFill === undefined ? r.fill.time : Math.max(lastFill, r.fill.time);
    }
  };
  for (const e of ledger.entries) {
    const parsed = ledgerRecordSchema.safeParse(e.value);
    if (!parsed.success) {
      ledger.close();
      throw new CorruptStateError(e.file, `line ${e.line}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    apply(parsed.data);
  }
  let closed = false;
  const write = (r: LedgerRecord) => {
    if (closed) throw new Error(`journal ${dir} is closed`);
    ledger.append(r, clock.now());
    apply(r);
  };
  if (imported) {
    // Read only: shown as it is; otherwise moved into the ledger once.
    const at = clock.now();
    const put = readOnly ? apply : write;
    for (const order of Object.values(imported.orders)) put({ k: 'order', order: order as OrderRecord });
    for (const fill of imported.fills) put({ k: 'fill', at, fill });
    for (const trade of imported.trades) put({ k: 'trade', at, trade });
    if (!readOnly) renameSync(legacy, `${legacy}.imported`);
  }

  // Today's file, now rather than on the first order (the session readies the next day's ahead of the roll).
  if (!readOnly) {
    ledger.prepare(clock.now());
    warmRecordPath();
  }

  return {
    path: dir,
    replay: { torn: ledger.torn, fillsWritten },
    async upsertOrder(order) {
      const candidate = { ...order, updatedAt: clock.now() };
      // The fast check only accepts what zod accepts (recordFastCheck.ts); zod has the last word.
      const record = fastOrderRecord(candidate) ?? (orderRecordSchema.parse(candidate, RECORD_CHECK) as OrderRecord);
      write({ k: 'order', order: record });
      return record;
    },
    order: (clientOrderId) => orders.get(clientOrderId),
    orders: () => [...orders.values()],
    async recordFill(fill) {
      const valid = fastFill(fill) ?? fillSchema.parse(fill, RECORD_CHECK);
      if (executionIds.has(valid)) return false;
      write({ k: 'fill', at: clock.now(), fill: valid });
      return true;
    },
    fills: () => fills,
    hasFill: (fill) => executionIds.has(fill),
    lastFillTime: () => lastFill,
    async recordTrade(trade) {
      write({ k: 'trade', at: clock.now(), trade: tradeSchema.parse(trade, RECORD_CHECK) });
    },
    trades: () => trades,
    prepare: (aheadMs) => ledger.prepare(clock.now() + aheadMs),
    flush: async () => {},
    async close() {
      closed = true;
      ledger.close();
    },
  };
}

/**
 * Runs the order record's check and serialisation on a sample that is never written: the first
 * orders of a run otherwise meet that code cold, between their decision and the wire.
 */
function warmRecordPath(): void {
  const request = { clientOrderId: 'warm-1', symbol: 'ES', side: 'buy', qty: 1, type: 'limit', price: 4_000.25, tif: 'day', purpose: 'entry', createdAt: 0 };
  for (let i = 0; i < 200; i++) {
    const order = fastOrderRecord({ request: { ...request, createdAt: i }, status: 'sent', filledQty: 0, updatedAt: i });
    Buffer.from(`${JSON.stringify({ k: 'order', order })}\n`);
  }
}

async function readLegacy(path: string): Promise<JournalData> {
  const doc = await openDocument(path, journalSchema, { orders: {}, fills: [], trades: [] });
  const data = structuredClone(doc.view()) as JournalData;
  await doc.close();
  return data;
}
