/**
 * A StateStore that lives in memory: no disk, no home lock. The backtest runs a whole
 * session on it, so it pays nothing for the atomic JSON rewrites of the disk store, and two
 * backtests in one process share nothing.
 *
 * Journal semantics are the disk journal's (adapters/store/journal.ts): orders keyed by
 * clientOrderId (latest state wins, first-journaled order kept), fills appended once per
 * executionId, trades appended, `updatedAt` stamped by the clock. Records are not
 * re-validated by zod (the orchestrator produced them; validation is what the disk needs
 * before trusting a file it reads back).
 */
import { FillIndex } from '../../core/fillIdentity.ts';
import type { Clock } from '../../core/clock.ts';
import type { Fill, Trade } from '../../core/types.ts';
import type { AuditEntry, AuditRecord, AuditTrail } from './auditTrail.ts';
import type { Journal, OrderRecord, OrderUpsert } from './journal.ts';
import type { SavedSnapshot, SnapshotSlot } from './snapshotSlot.ts';
import type { StateStore } from './stateStore.ts';
import type { JsonValue } from './domainSchemas.ts';

class ClosedError extends Error {
  constructor(what: string) {
    super(`${what} is closed`);
  }
}

function memorySlot(path: string, clock: Clock, isClosed: () => boolean): SnapshotSlot {
  // Kept as given (not copied): a persisted snapshot is a fresh object, never mutated after.
  let saved: { snapshot: unknown; savedAt: number } | undefined;
  return {
    path,
    load: (): SavedSnapshot | undefined =>
      saved && { snapshot: JSON.parse(JSON.stringify(saved.snapshot)) as JsonValue, savedAt: saved.savedAt },
    save: async (snapshot) => {
      if (isClosed()) throw new ClosedError(path);
      saved = { snapshot, savedAt: clock.now() };
    },
    flush: async () => {},
    close: async () => {},
  };
}

/**
 * A refused order never changes again, and a backtest killed early refuses ~100k signals
 * whose records differ only in their id and times: such records are kept as a shared
 * template plus id and times (a few dozen bytes instead of ~500), and rebuilt on read
 * with the same fields in the same order. Key: every field of the record but those three.
 */
function templateKey(o: OrderUpsert): string | null {
  if (o.status !== 'riskRefused') return null;
  let key = '';
  for (const [k, v] of Object.entries(o)) {
    if (k === 'request') continue;
    if ((typeof v === 'object' && v !== null) || Object.is(v, -0)) return null;
    key += `\u0001${k}=${typeof v}:${String(v)}`;
  }
  key += '\u0002';
  for (const [k, v] of Object.entries(o.request)) {
    if (k === 'clientOrderId' || k === 'createdAt') {
      key += `\u0001${k}`;
      continue;
    }
    if ((typeof v === 'object' && v !== null) || Object.is(v, -0)) return null;
    key += `\u0001${k}=${typeof v}:${String(v)}`;
  }
  return key;
}

interface Template {
  record: OrderRecord;
  /** Field names of the upsert and of its request, in order. */
  keys: string[];
  requestKeys: string[];
}

interface Compact {
  template: Template;
  createdAt: number;
  updatedAt: number;
}

/** True when `o` has the template's fields in the same order with the same values (id and times aside), without allocating. */
function matches(o: OrderUpsert, t: Template): boolean {
  let i = 0;
  const rec = t.record as unknown as Record<string, unknown>;
  for (const k in o) {
    if (k !== t.keys[i++]) return false;
    if (k !== 'request' && !Object.is((o as unknown as Record<string, unknown>)[k], rec[k])) return false;
  }
  if (i !== t.keys.length) return false;
  i = 0;
  const req = t.record.request as unknown as Record<string, unknown>;
  for (const k in o.request) {
    if (k !== t.requestKeys[i++]) return false;
    if (k !== 'clientOrderId' && k !== 'createdAt' && !Object.is((o.request as unknown as Record<string, unknown>)[k], req[k])) return false;
  }
  return i === t.requestKeys.length;
}

function rebuild(id: string, c: Compact): OrderRecord {
  const request = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(c.template.record.request)) request[k] = k === 'clientOrderId' ? id : k === 'createdAt' ? c.createdAt : v;
  const record = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(c.template.record)) record[k] = k === 'request' ? request : k === 'updatedAt' ? c.updatedAt : v;
  return record as unknown as OrderRecord;
}

function memoryJournal(clock: Clock, isClosed: () => boolean): Journal {
  const orders = new Map<string, OrderRecord | Compact>();
  const templates = new Map<string, Template>();
  let lastTemplate: Template | null = null;
  const read = (id: string, r: OrderRecord | Compact): OrderRecord => ('template' in r ? rebuild(id, r) : r);
  const fills: Fill[] = [];
  const trades: Trade[] = [];
  const executionIds = new FillIndex();
  let lastFill: number | undefined;
  const open = () => {
    if (isClosed()) throw new ClosedError('memory journal');
  };
  return {
    path: 'memory:journal',
    async upsertOrder(order) {
      open();
      const record: OrderRecord = { ...order, updatedAt: clock.now() };
      let template = order.status === 'riskRefused' && lastTemplate && matches(order, lastTemplate) ? lastTemplate : null;
      if (!template) {
        const key = templateKey(order);
        if (key === null) {
          orders.set(record.request.clientOrderId, record);
          return record;
        }
        template = templates.get(key) ?? null;
        if (!template) templates.set(key, (template = { record, keys: Object.keys(order), requestKeys: Object.keys(order.request) }));
        lastTemplate = template;
      }
      orders.set(record.request.clientOrderId, { template, createdAt: record.request.createdAt, updatedAt: record.updatedAt });
      return record;
    },
    order: (clientOrderId) => {
      const r = orders.get(clientOrderId);
      return r && read(clientOrderId, r);
    },
    orders: () => Array.from(orders, ([id, r]) => read(id, r)),
    async recordFill(fill) {
      open();
      if (executionIds.has(fill)) return false;
      executionIds.add(fill);
      fills.push({ ...fill });
      lastFill = lastFill === undefined ? fill.time : Math.max(lastFill, fill.time);
      return true;
    },
    fills: () => fills,
    hasFill: (fill) => executionIds.has(fill),
    lastFillTime: () => lastFill,
    async recordTrade(trade) {
      open();
      trades.push({ ...trade });
    },
    trades: () => trades,
    // No day files to ready.
    prepare: () => {},
    flush: async () => {},
    close: async () => {},
  };
}

function memoryAudit(clock: Clock, isClosed: () => boolean): AuditTrail {
  const entries: AuditEntry[] = [];
  const asJson = (v: unknown): JsonValue => {
    const text = JSON.stringify(v);
    return text === undefined ? null : (JSON.parse(text) as JsonValue);
  };
  return {
    path: 'memory:audit',
    async append({ who, action, args, result }: AuditRecord) {
      if (isClosed()) throw new ClosedError('memory audit trail');
      const entry: AuditEntry = { at: clock.now(), who, action, args: asJson(args), result: asJson(result) };
      entries.push(entry);
      return entry;
    },
    entries: () => entries,
    flush: async () => {},
    close: async () => {},
  };
}

/** A fresh, empty in-memory store; `clock` stamps savedAt / updatedAt / audit times. */
export function openMemoryStateStore({ clock }: { clock: Clock }): StateStore {
  let closed = false;
  const isClosed = () => closed;
  return {
    stateDir: 'memory:',
    orchestrator: memorySlot('memory:orchestrator', clock, isClosed),
    risk: memorySlot('memory:risk', clock, isClosed),
    deployment: memorySlot('memory:deployment', clock, isClosed),
    journal: memoryJournal(clock, isClosed),
    audit: memoryAudit(clock, isClosed),
    flush: async () => {},
    close: async () => {
      closed = true;
    },
  };
}
