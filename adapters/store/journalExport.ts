/**
 * `mia journal --json`: a stable export of the journal, whatever the storage behind it.
 * Field names and meanings are a contract (README): extend, never rename.
 *
 * An order's filled quantity and average price are computed from the fills ledgered for
 * it (the fills are the facts; an order record may lag them), falling back to the
 * record's own figures when it says more.
 */
import type { Journal } from './journal.ts';

export interface ExportedOrder {
  clientOrderId: string;
  status: string;
  filledQty: number;
  avgFillPrice: number | null;
  serverOrderId: string | null;
  purpose: string;
  account: string | null;
}

export interface ExportedFill {
  executionId: string;
  clientOrderId: string;
  qty: number;
  price: number;
  /** Venue time of the fill, ms since the epoch (UTC). */
  time: number;
  account: string | null;
}

export interface JournalExport {
  orders: ExportedOrder[];
  fills: ExportedFill[];
}

/** `account`: the trade account the journal's orders went to (null when unknown). */
export function exportJournal(journal: Pick<Journal, 'orders' | 'fills'>, account: string | null): JournalExport {
  const byOrder = new Map<string, { qty: number; notional: number }>();
  for (const f of journal.fills()) {
    const agg = byOrder.get(f.clientOrderId) ?? { qty: 0, notional: 0 };
    agg.qty += f.qty;
    agg.notional += f.qty * f.price;
    byOrder.set(f.clientOrderId, agg);
  }
  const orders = journal.orders().map((o): ExportedOrder => {
    const agg = byOrder.get(o.request.clientOrderId);
    const fromFills = agg !== undefined && agg.qty >= o.filledQty;
    return {
      clientOrderId: o.request.clientOrderId,
      status: o.status,
      filledQty: fromFills ? agg.qty : o.filledQty,
      avgFillPrice: fromFills ? agg.notional / agg.qty : (o.avgFillPrice ?? null),
      serverOrderId: o.serverOrderId ?? null,
      purpose: o.request.purpose,
      account,
    };
  });
  const fills = journal.fills().map(
    (f): ExportedFill => ({ executionId: f.executionId, clientOrderId: f.clientOrderId, qty: f.qty, price: f.price, time: f.time, account: f.account ?? account }),
  );
  return { orders, fills };
}
