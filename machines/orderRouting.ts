/**
 * How the orchestrator turns signals and venue reports into orders, fills and trades.
 * Every function works on a transaction (orchestratorTx.ts): it reads and updates the
 * draft context and queues the sends, spawns and journal records.
 *
 * Invariants kept here:
 * - every order passes `preTradeCheck` against the risk machine's current snapshot;
 * - every order gets its own order actor, keyed by a ClientOrderID that is never reused
 *   (the sequence is persisted with the snapshot);
 * - a fill is applied once (de-duplicated by execution id) to the position book, the
 *   journal, the order actor and risk;
 * - after a (re)connect the venue is the truth: orders take its state or are declared
 *   lost (never resubmitted), a position mismatch is corrected and recorded.
 */
import type { Fill, OrderRequest, Side } from '../core/types.ts';
import { applyFill, openPnl } from '../core/positionBook.ts';
import type { OrderEvent, VenueOrderState } from './order.ts';
import { riskStatus, type RiskSnapshot } from './risk.ts';
import { preTradeCheck, type PreTradeResult, type WorkingQty } from './preTradeCheck.ts';
import type { EntryBlock, ReconcileHint, SignalPayload, VenueCommand } from './orchestratorEvents.ts';
import type { Tx } from './orchestratorTx.ts';
import { emptyTradeRecord, entrySize, recordTrade } from '../strategy/sizing.ts';

export const orderActorId = (clientOrderId: string) => `order:${clientOrderId}`;

/** The orchestrator's routing entry for an order that is not finished yet. */
export interface LiveOrder {
  request: OrderRequest;
  filledQty: number;
  /** Fill execution ids already applied to this order. */
  executions: string[];
  /** The venue's id, once it accepted the order. */
  serverOrderId?: string;
}

/** Asks the execution actor for the venue's truth about everything believed live. */
export function requestReconcile(tx: Tx): void {
  const live: Record<string, ReconcileHint> = {};
  for (const [c, o] of Object.entries(tx.ctx.live)) {
    live[c] = { request: o.request, filledQty: o.filledQty, ...(o.serverOrderId !== undefined ? { serverOrderId: o.serverOrderId } : {}) };
  }
  tx.send('execution', { type: 'VENUE.RECONCILE', live } satisfies VenueCommand);
}

export interface OrderParams {
  side: Side;
  qty: number;
  type: OrderRequest['type'];
  purpose: string;
  time: number;
  price?: number;
  stopPrice?: number;
  stopDistance?: number;
  ocoGroup?: string;
}

/**
 * Remaining quantity of live orders per side. Legs of one OCO group count once (only one
 * can ever fill), so a bracket does not look like twice the exposure.
 */
export function workingQty(live: Record<string, LiveOrder>, exceptGroup?: string): WorkingQty {
  const out = { buy: 0, sell: 0 };
  const groups = new Map<string, { side: Side; qty: number }>();
  for (const o of Object.values(live)) {
    const remaining = o.request.qty - o.filledQty;
    const group = o.request.ocoGroup;
    // A new leg of an OCO group replaces, not adds to, its siblings' exposure.
    if (group !== undefined && group === exceptGroup) continue;
    if (!group) {
      out[o.request.side] += remaining;
      continue;
    }
    const g = groups.get(group);
    if (!g || g.qty < remaining) groups.set(group, { side: o.request.side, qty: remaining });
  }
  for (const g of groups.values()) out[g.side] += g.qty;
  return out;
}

/** The single door to the venue. Returns the ClientOrderID, or null when risk refused. */
export function placeOrder(tx: Tx, p: OrderParams): string | null {
  const request = admitOrder(tx, p);
  if (!request) return null;
  tx.send('execution', { type: 'VENUE.SUBMIT', request } satisfies VenueCommand);
  return request.clientOrderId;
}

/**
 * Everything `placeOrder` does but the send: risk check, order actor, journal. Returns the
 * request to send, or null when risk refused it.
 */
function admitOrder(tx: Tx, p: OrderParams): OrderRequest | null {
  const c = tx.ctx;
  const seq = c.orderSeq + 1;
  const clientOrderId = `${c.sessionId}-${seq}`;
  const request: OrderRequest = {
    clientOrderId,
    symbol: c.settings.symbol,
    side: p.side,
    qty: p.qty,
    type: p.type,
    tif: p.type === 'market' ? 'ioc' : 'gtc',
    purpose: p.purpose,
    createdAt: p.time,
    ...(p.price !== undefined ? { price: p.price } : {}),
    ...(p.stopPrice !== undefined ? { stopPrice: p.stopPrice } : {}),
    ...(p.stopDistance !== undefined ? { stopDistance: p.stopDistance } : {}),
    ...(p.ocoGroup !== undefined ? { ocoGroup: p.ocoGroup } : {}),
  };
  tx.update({ orderSeq: seq });
  const riskSnap = tx.child('risk')?.getSnapshot() as RiskSnapshot | undefined;
  // No execution actor (restarting, escalated): the order could not leave and the venue's
  // state is unknown until a new one has reconciled.
  const verdict: PreTradeResult = !tx.has('execution')
    ? { ok: false, reason: 'the execution actor is down: no orders until it has restarted and reconciled', rule: 'reconciling' }
    : riskSnap
    ? preTradeCheck({
        state: riskStatus(riskSnap),
        ctx: riskSnap.context,
        limits: c.settings.limits,
        order: request,
        position: c.book.qty,
        workingQty: workingQty(c.live, request.ocoGroup),
        pointValue: c.settings.pointValue,
        time: p.time,
      })
    : ({ ok: false, reason: 'risk machine unavailable', rule: 'killed' } as const);
  if (!verdict.ok) {
    tx.update({ counters: { ...tx.ctx.counters, riskRefusals: tx.ctx.counters.riskRefusals + 1 } });
    tx.emit({ type: 'journal.order', clientOrderId, request, status: 'risk-refused', detail: `${verdict.rule}: ${verdict.reason}`, time: p.time });
    return null;
  }
  const id = orderActorId(clientOrderId);
  tx.spawn('order', id, { request });
  tx.send(id, { type: 'SUBMIT', time: p.time } satisfies OrderEvent);
  tx.update({
    live: { ...tx.ctx.live, [clientOrderId]: { request, filledQty: 0, executions: [] } },
    counters: { ...tx.ctx.counters, ordersSent: tx.ctx.counters.ordersSent + 1 },
  });
  tx.send('risk', { type: 'ORDER_SENT', time: p.time, clientOrderId, entry: p.purpose === 'entry' });
  tx.emit({ type: 'journal.order', clientOrderId, request, status: 'submitted', time: p.time });
  return request;
}

export function cancelOrder(tx: Tx, clientOrderId: string): void {
  if (!tx.ctx.live[clientOrderId]) return;
  tx.send(orderActorId(clientOrderId), { type: 'CANCEL_REQUESTED', time: tx.ctx.lastTime } satisfies OrderEvent);
  tx.send('execution', { type: 'VENUE.CANCEL', clientOrderId });
}

/** Journals a finished order and stops its actor so the children stay bounded. */
export function retireOrder(tx: Tx, clientOrderId: string, status: string, time: number, detail?: string): void {
  const o = tx.ctx.live[clientOrderId];
  if (!o) return;
  tx.emit({ type: 'journal.order', clientOrderId, request: o.request, status, time, ...(detail ? { detail } : {}) });
  const { [clientOrderId]: _gone, ...rest } = tx.ctx.live;
  tx.update({ live: rest });
  tx.stop(orderActorId(clientOrderId));
}

/**
 * A signal: exits an opposite position, else (flat, nothing working) enters with the size
 * strategy/sizing.ts gives. A signal the scoring actor marked `entryBlocked` (too close to
 * the session's end) and an entry sized to 0 contracts (Kelly without an edge) send
 * nothing and are counted in `entriesSkipped`.
 */
export function onSignal(tx: Tx, sig: SignalPayload, entryBlocked?: EntryBlock): void {
  const long = sig.side === 'buy';
  const s = tx.ctx.counters.signals;
  tx.update({
    lastTime: sig.time,
    counters: { ...tx.ctx.counters, signals: { long: s.long + (long ? 1 : 0), short: s.short + (long ? 0 : 1) } },
  });
  const pos = tx.ctx.book.qty;
  // In a position an opposite signal exits; a same-side signal adds nothing.
  if (pos !== 0) {
    if (Math.sign(pos) !== (long ? 1 : -1)) exitPosition(tx, 'exit');
    return;
  }
  if (Object.keys(tx.ctx.live).length > 0) return;
  if (entryBlocked) {
    skipEntry(tx, 'sessionClose');
    return;
  }
  const { settings, book } = tx.ctx;
  const st = settings.strategy;
  const size = st.sizing
    ? entrySize({
        sizing: st.sizing,
        quantity: st.quantity,
        record: tx.ctx.tradeRecord ?? emptyTradeRecord(),
        equity: settings.startingEquity + book.realizedPnl,
        stopPoints: st.stopPoints,
        pointValue: settings.pointValue,
      })
    : { contracts: st.quantity };
  if (size.contracts <= 0) {
    skipEntry(tx, 'sizing');
    return;
  }
  placeOrder(tx, { side: sig.side, qty: size.contracts, type: 'market', purpose: 'entry', stopDistance: st.stopPoints, time: sig.time });
}

function skipEntry(tx: Tx, why: 'sessionClose' | 'sizing'): void {
  const c = tx.ctx.counters;
  // A snapshot persisted before these counters existed has none yet.
  const skipped = c.entriesSkipped ?? { sessionClose: 0, sizing: 0 };
  tx.update({ counters: { ...c, entriesSkipped: { ...skipped, [why]: skipped[why] + 1 } } });
}

/**
 * The scoring actor says the position has to go before the session's end: an ordinary
 * exit (purpose 'exit', like the time stop), recorded in the audit trail. 'flatten' stays
 * the purpose of the kill, the operator and the end of the session: the only orders a
 * killed risk machine lets through.
 */
export function onSessionClose(tx: Tx, time: number, sessionEnd: number): void {
  tx.update({ lastTime: Math.max(tx.ctx.lastTime, time) });
  const pos = tx.ctx.book.qty;
  if (pos === 0 && Object.keys(tx.ctx.live).length === 0) return;
  const c = tx.ctx.counters;
  tx.update({ counters: { ...c, sessionCloseExits: (c.sessionCloseExits ?? 0) + 1 } });
  tx.emit({
    type: 'audit',
    who: 'strategy',
    action: 'session-close',
    detail: `position ${pos} closed before the session ends at ${new Date(sessionEnd).toISOString()}`,
    time,
  });
  exitPosition(tx, 'exit');
}

/**
 * Closes the position at market. Working orders (the bracket) are cancelled first and the
 * closing order goes out only once the venue confirmed those cancels, so the stop and the
 * exit can never both fill and flip the position. `flatten` outranks `exit`.
 */
export function exitPosition(tx: Tx, purpose: 'exit' | 'flatten'): void {
  if (tx.ctx.pendingExit !== 'flatten') tx.update({ pendingExit: purpose });
  for (const o of Object.values(tx.ctx.live)) {
    if (!isClosingOrder(o)) cancelOrder(tx, o.request.clientOrderId);
  }
  continueExit(tx);
}

const isClosingOrder = (o: LiveOrder) => o.request.purpose === 'exit' || o.request.purpose === 'flatten';

/** Sends the pending closing order once nothing else is working; called after every venue report. */
export function continueExit(tx: Tx): void {
  const purpose = tx.ctx.pendingExit;
  if (!purpose) return;
  const live = Object.values(tx.ctx.live);
  if (live.some((o) => !isClosingOrder(o))) return; // cancels not confirmed yet
  const pos = tx.ctx.book.qty;
  if (pos === 0) {
    tx.update({ pendingExit: null });
    return;
  }
  if (live.some(isClosingOrder)) return; // already on its way out
  tx.update({ pendingExit: null });
  placeOrder(tx, { side: pos > 0 ? 'sell' : 'buy', qty: Math.abs(pos), type: 'market', purpose, time: tx.ctx.lastTime });
}

export function onAccepted(tx: Tx, clientOrderId: string, serverOrderId: string, time: number): void {
  const live = tx.ctx.live[clientOrderId];
  if (!live) return;
  tx.update({ live: { ...tx.ctx.live, [clientOrderId]: { ...live, serverOrderId } } });
  tx.send(orderActorId(clientOrderId), { type: 'ACCEPTED', serverOrderId, time } satisfies OrderEvent);
  tx.send('risk', { type: 'ORDER_ACCEPTED', time });
}

export function onRejected(tx: Tx, clientOrderId: string, reason: string, time: number): void {
  tx.send('risk', { type: 'ORDER_REJECTED', time, reason });
  tx.update({ counters: { ...tx.ctx.counters, rejects: tx.ctx.counters.rejects + 1 } });
  if (!tx.ctx.live[clientOrderId]) return;
  tx.send(orderActorId(clientOrderId), { type: 'REJECTED', reason, time } satisfies OrderEvent);
  retireOrder(tx, clientOrderId, 'rejected', time, reason);
  continueExit(tx);
}

export function onCanceled(tx: Tx, clientOrderId: string, time: number): void {
  if (!tx.ctx.live[clientOrderId]) return;
  tx.send(orderActorId(clientOrderId), { type: 'CANCELED', time } satisfies OrderEvent);
  retireOrder(tx, clientOrderId, 'cancelled', time);
  continueExit(tx);
}

function markEquity(tx: Tx, price: number, time: number): void {
  const c = tx.ctx;
  const open = openPnl(c.book, price, c.settings.pointValue);
  tx.send('risk', { type: 'EQUITY', time, equity: c.settings.startingEquity + c.book.realizedPnl + open, openPnl: open });
}

export function onMark(tx: Tx, price: number, time: number): void {
  tx.update({ lastMark: price, lastTime: Math.max(tx.ctx.lastTime, time) });
  markEquity(tx, price, time);
}

/** Applies a fill once: book, journal, risk, order actor; brackets a filled entry. */
export function onFill(tx: Tx, fill: Fill): void {
  const live = tx.ctx.live[fill.clientOrderId];
  if (live?.executions.includes(fill.executionId) || tx.ctx.seenExecutions.includes(fill.executionId)) return;
  const { book, closed } = applyFill(tx.ctx.book, fill, tx.ctx.settings.pointValue);
  const counters = tx.ctx.counters;
  tx.update({
    book,
    lastTime: Math.max(tx.ctx.lastTime, fill.time),
    lastMark: fill.price,
    // A bounded memory of recent executions catches duplicates that arrive after the order retired.
    seenExecutions: [...tx.ctx.seenExecutions.slice(-199), fill.executionId],
    counters: { ...counters, fills: counters.fills + 1, trades: counters.trades + closed.length },
  });
  tx.emit({ type: 'journal.fill', fill });
  const lookback = tx.ctx.settings.strategy.sizing?.lookbackTrades ?? 100;
  for (const trade of closed) {
    tx.update({ tradeRecord: recordTrade(tx.ctx.tradeRecord ?? emptyTradeRecord(), trade, lookback) });
    tx.emit({ type: 'journal.trade', trade });
    tx.send('risk', { type: 'TRADE_CLOSED', time: fill.time, pnl: trade.pnl });
  }
  markEquity(tx, fill.price, fill.time);
  tx.send('scoring', { type: 'POSITION', qty: book.qty, since: book.openedAt });
  if (!live) return;

  const filledQty = live.filledQty + fill.qty;
  const id = orderActorId(fill.clientOrderId);
  tx.send(id, { type: 'FILL', executionId: fill.executionId, qty: fill.qty, price: fill.price, time: fill.time } satisfies OrderEvent);
  tx.update({ live: { ...tx.ctx.live, [fill.clientOrderId]: { ...live, filledQty, executions: [...live.executions, fill.executionId] } } });
  if (filledQty < live.request.qty) return;
  retireOrder(tx, fill.clientOrderId, 'filled', fill.time);
  continueExit(tx);

  const purpose = live.request.purpose;
  if (purpose === 'entry' && book.qty !== 0) placeBracket(tx, fill.clientOrderId, fill.time);
  if (book.qty === 0) {
    // Flat: whatever protective legs remain have nothing left to protect.
    for (const o of Object.values(tx.ctx.live)) {
      if (o.request.purpose.startsWith('bracket')) cancelOrder(tx, o.request.clientOrderId);
    }
  }
}

/**
 * A position with no protective orders (taken over from the venue after an outage, or
 * whose bracket was lost with the link) gets its bracket once risk lets orders out.
 */
export function protectPosition(tx: Tx): void {
  const c = tx.ctx;
  if (c.book.qty === 0 || c.pendingExit || c.riskState === 'killed' || !(c.book.avgPrice > 0)) return;
  const live = Object.values(c.live);
  if (live.some((o) => o.request.purpose.startsWith('bracket') || o.request.purpose === 'exit' || o.request.purpose === 'flatten')) return;
  placeBracket(tx, `recovered-${c.orderSeq + 1}`, c.lastTime);
}

/**
 * Protective stop and profit target as one OCO group around the filled entry, sent as one
 * bracket command (core/venue.ts): the venue links them itself, they leave together.
 */
function placeBracket(tx: Tx, entryId: string, time: number): void {
  const { book, settings } = tx.ctx;
  const dir = book.qty > 0 ? 1 : -1;
  const side: Side = dir > 0 ? 'sell' : 'buy';
  const qty = Math.abs(book.qty);
  const ocoGroup = `oco-${entryId}`;
  const tick = settings.tickSize;
  const snap = (p: number) => Math.round(p / tick) * tick;
  const stop = admitOrder(tx, { side, qty, type: 'stop', stopPrice: snap(book.avgPrice - dir * settings.strategy.stopPoints), purpose: 'bracket-stop', ocoGroup, time });
  const target = admitOrder(tx, { side, qty, type: 'limit', price: snap(book.avgPrice + dir * settings.strategy.targetPoints), purpose: 'bracket-target', ocoGroup, time });
  if (stop && target) {
    tx.send('execution', { type: 'VENUE.SUBMIT_BRACKET', bracket: { stop, target } } satisfies VenueCommand);
    return;
  }
  // Risk let one leg through: it protects on its own (the stop above all).
  for (const leg of [stop, target]) if (leg) tx.send('execution', { type: 'VENUE.SUBMIT', request: leg } satisfies VenueCommand);
}

/** Killed or ending: make sure nothing stays open (idempotent). */
export function cancelAllAndFlatten(tx: Tx): void {
  exitPosition(tx, 'flatten');
}

export function onLinkLost(tx: Tx, time: number): void {
  for (const c of Object.keys(tx.ctx.live)) tx.send(orderActorId(c), { type: 'LINK_LOST', time } satisfies OrderEvent);
}

/**
 * `avgPrice` is the venue's average price of its position; it is what a position taken
 * over from the venue is valued at (never 0, which would make equity and the daily loss
 * limit meaningless).
 */
export function onReconciled(tx: Tx, orders: Record<string, VenueOrderState>, position: number, time: number, avgPrice?: number): void {
  tx.update({ lastTime: Math.max(tx.ctx.lastTime, time) });
  for (const [c, o] of Object.entries(tx.ctx.live)) {
    const venue = orders[c] ?? null;
    if (tx.child(orderActorId(c))) tx.send(orderActorId(c), { type: 'RECONCILED', venue, time } satisfies OrderEvent);
    if (venue?.status === 'working') {
      tx.update({ live: { ...tx.ctx.live, [c]: { ...o, filledQty: Math.max(o.filledQty, venue.filledQty) } } });
    } else {
      retireOrder(tx, c, venue ? venue.status : 'lost', time, venue?.reason ?? 'reconciled with the venue');
    }
  }
  const book = tx.ctx.book;
  if (position !== book.qty) {
    tx.emit({
      type: 'audit',
      who: 'execution',
      action: 'reconcile-discrepancy',
      detail: `journal position ${book.qty}, venue position ${position}: the venue's is taken`,
      time,
    });
    const flat = position === 0;
    const sameSide = Math.sign(position) === Math.sign(book.qty);
    const price = avgPrice !== undefined && avgPrice > 0 ? avgPrice : sameSide && book.avgPrice > 0 ? book.avgPrice : tx.ctx.lastMark;
    if (!flat && !(price > 0)) {
      tx.emit({ type: 'audit', who: 'execution', action: 'reconcile-price-unknown', detail: `venue position ${position} has no known price`, time });
    }
    tx.update({
      book: {
        ...book,
        qty: position,
        avgPrice: flat ? 0 : price,
        openCommission: flat ? 0 : book.openCommission,
        openedAt: flat ? 0 : book.openedAt || time,
      },
    });
  }
  tx.send('risk', { type: 'RECONCILED', time, position });
  // The scoring actor's time stop and session-close exit need the position, also one
  // restored from a snapshot or taken over from the venue (same `since`: nothing resets).
  if (tx.has('scoring')) tx.send('scoring', { type: 'POSITION', qty: tx.ctx.book.qty, since: tx.ctx.book.openedAt });
  // Cancels sent before or during the outage may never have reached the venue: a pending
  // exit asks again for whatever is still working, then goes on once they are confirmed.
  if (tx.ctx.pendingExit) exitPosition(tx, tx.ctx.pendingExit);
}
