/**
 * How the orchestrator turns signals and venue reports into orders, fills and trades.
 * Every function works on a transaction (orchestratorTx.ts): it reads and updates the
 * draft context and queues the sends, spawns and journal records.
 *
 * Invariants kept here:
 * - every order passes `preTradeCheck` against the risk machine's current snapshot;
 * - every order gets its own order machine, keyed by a ClientOrderID that is never reused
 *   (the sequence is persisted with the snapshot), stepped once per event in the routing
 *   table (orchestratorTx.ts);
 * - a fill is applied once (de-duplicated by execution id) to the position book, the
 *   journal, the order machine and risk;
 * - after a (re)connect the venue is the truth: orders take its state or are declared
 *   lost (never resubmitted), a position mismatch is corrected and recorded;
 * - the order machines are the truth about orders, and their anomalies, foreign reports and incomplete history put risk in limited;
 * - no position stays without an acknowledged stop past `limits.unprotectedMaxMs`.
 */
import { fillKey } from '../core/fillIdentity.ts';
import type { Fill, OrderRequest, Side } from '../core/types.ts';
import { applyFill, openPnl } from '../core/positionBook.ts';
import { isTerminal, NOT_AT_VENUE, type OrderSnapshot, type VenueOrderState } from './order.ts';
import type { OrderState } from './orderStep.ts';
import { riskStatus, type RiskSnapshot } from './risk.ts';
import { acceptChangesNothing, markOnlyMoves, withPendingEquity } from './riskMarks.ts';
import { preTradeCheck, type PreTradeResult, type WorkingQty } from './preTradeCheck.ts';
import { currentPhase, type DeploymentSnapshot } from './deployment.ts';
import type { ChildEvent, EntryBlock, ReconcileHint, SignalPayload, VenueCommand } from './orchestratorEvents.ts';
import { orderActorId, type Tx } from './orchestratorTx.ts';
import { emptyTradeRecord, entrySize, recordTrade } from '../strategy/sizing.ts';

export { orderActorId };

/**
 * The orchestrator's routing entry for an order that is not finished yet: the request it
 * was sent with (purpose, OCO group) and its order machine's state. Status, filled
 * quantity, executions and the venue's id are the order machine's alone (`Tx.order`).
 */
export interface LiveOrder {
  request: OrderRequest;
  /** Set when the transaction that stepped the order commits; absent only in contexts written by hand. */
  state?: OrderState;
}

/** A live order with its machine's current snapshot. */
interface OrderView {
  clientOrderId: string;
  request: OrderRequest;
  snapshot: OrderSnapshot | undefined;
}

/** Every live order with its machine's snapshot as of this point of the transaction. */
function liveOrders(tx: Tx): OrderView[] {
  return Object.entries(tx.ctx.live).map(([clientOrderId, o]) => ({ clientOrderId, request: o.request, snapshot: tx.order(clientOrderId) }));
}

const filledOf = (v: OrderView): number => v.snapshot?.context.filledQty ?? 0;

/** Asks the execution actor for the venue's truth about everything believed live. */
export function requestReconcile(tx: Tx): void {
  const live: Record<string, ReconcileHint> = {};
  for (const v of liveOrders(tx)) {
    const serverOrderId = v.snapshot?.context.serverOrderId;
    live[v.clientOrderId] = { request: v.snapshot?.context.request ?? v.request, filledQty: filledOf(v), ...(serverOrderId ? { serverOrderId } : {}) };
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
export function workingQty(live: ReadonlyArray<{ request: OrderRequest; filledQty: number }>, exceptGroup?: string): WorkingQty {
  const out = { buy: 0, sell: 0 };
  const groups = new Map<string, { side: Side; qty: number }>();
  for (const o of live) {
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
 * Everything `placeOrder` does but the send: risk check, order machine, journal. Returns the
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
  // The phase decides which account kinds may be traded (config/accounts.ts); no deployment
  // machine reads as phase 0, the most restrictive.
  const deploymentSnap = tx.child('deployment')?.getSnapshot() as DeploymentSnapshot | undefined;
  const phase = deploymentSnap ? currentPhase(deploymentSnap) : ({ id: 0, name: 'setup' } as const);
  // No execution actor (restarting, escalated): the order could not leave and the venue's
  // state is unknown until a new one has reconciled.
  const verdict: PreTradeResult = !tx.has('execution')
    ? { ok: false, reason: 'the execution actor is down: no orders until it has restarted and reconciled', rule: 'reconciling' }
    : riskSnap
    ? preTradeCheck({
        state: riskStatus(riskSnap),
        // With the mark risk was spared as the transition began: what the actor holds once it has it.
        ctx: withPendingEquity(riskSnap.context, tx.atStart.pendingEquity),
        limits: c.settings.limits,
        order: request,
        position: c.book.qty,
        workingQty: workingQty(
          liveOrders(tx).map((v) => ({ request: v.snapshot?.context.request ?? v.request, filledQty: filledOf(v) })),
          request.ocoGroup,
        ),
        pointValue: c.settings.pointValue,
        time: p.time,
        phase,
        account: c.settings.account ?? null,
      })
    : ({ ok: false, reason: 'risk machine unavailable', rule: 'killed' } as const);
  if (!verdict.ok) {
    tx.update({ counters: { ...tx.ctx.counters, riskRefusals: tx.ctx.counters.riskRefusals + 1 } });
    tx.emit({ type: 'journal.order', clientOrderId, request, status: 'risk-refused', detail: `${verdict.rule}: ${verdict.reason}`, time: p.time });
    return null;
  }
  tx.spawnOrder(request);
  tx.sendOrder(clientOrderId, { type: 'SUBMIT', time: p.time });
  tx.update({
    live: { ...tx.ctx.live, [clientOrderId]: { request } },
    counters: { ...tx.ctx.counters, ordersSent: tx.ctx.counters.ordersSent + 1 },
  });
  tx.send('risk', { type: 'ORDER_SENT', time: p.time, clientOrderId, entry: p.purpose === 'entry' });
  tx.emit({ type: 'journal.order', clientOrderId, request, status: 'submitted', time: p.time });
  return request;
}

export function cancelOrder(tx: Tx, clientOrderId: string): void {
  if (!tx.ctx.live[clientOrderId]) return;
  tx.sendOrder(clientOrderId, { type: 'CANCEL_REQUESTED', time: tx.ctx.lastTime });
  tx.send('execution', { type: 'VENUE.CANCEL', clientOrderId });
}

/** The journal's word for where a finished order's machine ended. */
export function finalStatus(snapshot: OrderSnapshot): string {
  if (snapshot.matches('filled')) return 'filled';
  if (snapshot.matches('cancelled')) return 'cancelled';
  if (snapshot.matches('expired')) return 'expired';
  return snapshot.context.reason === NOT_AT_VENUE ? 'lost' : 'rejected';
}

/**
 * Journals a finished order, as its machine has it (filled quantity, average price, venue
 * id), and takes it out of the table.
 */
export function retireOrder(tx: Tx, clientOrderId: string, status: string, time: number, detail?: string): void {
  const o = tx.ctx.live[clientOrderId];
  if (!o) return;
  const snap = tx.order(clientOrderId);
  const ctx = snap?.context;
  tx.emit({
    type: 'journal.order',
    clientOrderId,
    request: ctx?.request ?? o.request,
    status,
    time,
    filledQty: ctx?.filledQty ?? 0,
    ...(ctx?.avgFillPrice != null ? { avgFillPrice: ctx.avgFillPrice } : {}),
    ...(ctx?.serverOrderId ? { serverOrderId: ctx.serverOrderId } : {}),
    ...(detail ? { detail } : {}),
  });
  const { [clientOrderId]: _gone, ...rest } = tx.ctx.live;
  tx.update({ live: rest });
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
 * exit can never both fill and flip the position. `flatten` outranks `exit`. The wait is
 * the orchestrator's exit region (running.exit.pending), left by `continueExit`.
 */
export function exitPosition(tx: Tx, purpose: 'exit' | 'flatten'): void {
  if (tx.pendingExit !== 'flatten') tx.setPendingExit(purpose);
  for (const o of Object.values(tx.ctx.live)) {
    if (!isClosingOrder(o)) cancelOrder(tx, o.request.clientOrderId);
  }
  continueExit(tx);
}

function isClosingOrder(o: LiveOrder): boolean {
  return o.request.purpose === 'exit' || o.request.purpose === 'flatten';
}

/** Sends the pending closing order once nothing else is working; called after every venue report. */
export function continueExit(tx: Tx): void {
  const purpose = tx.pendingExit;
  if (!purpose) return;
  const live = Object.values(tx.ctx.live);
  if (live.some((o) => !isClosingOrder(o))) return; // cancels not confirmed yet
  const pos = tx.ctx.book.qty;
  if (pos === 0) {
    tx.setPendingExit(null);
    return;
  }
  if (live.some(isClosingOrder)) return; // already on its way out
  tx.setPendingExit(null);
  placeOrder(tx, { side: pos > 0 ? 'sell' : 'buy', qty: Math.abs(pos), type: 'market', purpose, time: tx.ctx.lastTime });
}

export function onAccepted(tx: Tx, clientOrderId: string, serverOrderId: string, time: number): void {
  tx.update({ lastTime: Math.max(tx.ctx.lastTime, time) });
  const live = tx.ctx.live[clientOrderId];
  if (!live) return;
  const order = tx.sendOrder(clientOrderId, { type: 'ACCEPTED', serverOrderId, time });
  // Acknowledged and working: the journal says so (an order is never left at 'sent' once the venue answered).
  if (order && order.matches('working')) {
    const ctx = order.context;
    tx.emit({
      type: 'journal.order',
      clientOrderId,
      request: ctx.request,
      status: 'working',
      time,
      filledQty: ctx.filledQty,
      ...(ctx.avgFillPrice != null ? { avgFillPrice: ctx.avgFillPrice } : {}),
      ...(ctx.serverOrderId ? { serverOrderId: ctx.serverOrderId } : {}),
    });
  }
  // Only when it changes something (a reject streak to reset, a new day): judged on risk's
  // snapshot, so only while nothing else is on its way to risk in this transaction.
  const risk = tx.hasSent('risk') ? undefined : (tx.child('risk')?.getSnapshot() as RiskSnapshot | undefined);
  if (!risk || !acceptChangesNothing(risk, time)) tx.send('risk', { type: 'ORDER_ACCEPTED', time });
}

export function onRejected(tx: Tx, clientOrderId: string, reason: string, time: number): void {
  tx.update({ lastTime: Math.max(tx.ctx.lastTime, time) });
  tx.send('risk', { type: 'ORDER_REJECTED', time, reason });
  tx.update({ counters: { ...tx.ctx.counters, rejects: tx.ctx.counters.rejects + 1 } });
  if (!tx.ctx.live[clientOrderId]) return;
  tx.sendOrder(clientOrderId, { type: 'REJECTED', reason, time });
  retireOrder(tx, clientOrderId, 'rejected', time, reason);
  continueExit(tx);
}

export function onCanceled(tx: Tx, clientOrderId: string, time: number): void {
  tx.update({ lastTime: Math.max(tx.ctx.lastTime, time) });
  if (!tx.ctx.live[clientOrderId]) return;
  tx.sendOrder(clientOrderId, { type: 'CANCELED', time });
  retireOrder(tx, clientOrderId, 'cancelled', time);
  continueExit(tx);
}

function markEquity(tx: Tx, price: number, time: number): void {
  const c = tx.ctx;
  const open = openPnl(c.book, price, c.settings.pointValue);
  const mark = { time, equity: c.settings.startingEquity + c.book.realizedPnl + open, openPnl: open };
  // Held when it only moves risk's equity (riskMarks.ts): judged on risk's snapshot, so only
  // while nothing else is on its way to risk in this transaction.
  const risk = tx.hasSent('risk') ? undefined : (tx.child('risk')?.getSnapshot() as RiskSnapshot | undefined);
  if (risk && markOnlyMoves(risk, mark)) {
    tx.update({ pendingEquity: mark });
    return;
  }
  tx.send('risk', { type: 'EQUITY', ...mark });
}

export function onMark(tx: Tx, price: number, time: number): void {
  tx.update({ lastMark: price, lastTime: Math.max(tx.ctx.lastTime, time) });
  markEquity(tx, price, time);
}

/** Applies a fill once: book, journal, risk, order machine; brackets a filled entry. */
export function onFill(tx: Tx, fill: Fill): void {
  const live = tx.ctx.live[fill.clientOrderId];
  // An execution id is unique on its account (or order) only: core/fillIdentity.ts.
  const key = fillKey(fill);
  if (tx.order(fill.clientOrderId)?.context.fills.includes(fill.executionId) || tx.ctx.seenExecutions.includes(key)) return;
  const { book, closed } = applyFill(tx.ctx.book, fill, tx.ctx.settings.pointValue);
  const counters = tx.ctx.counters;
  tx.update({
    book,
    lastTime: Math.max(tx.ctx.lastTime, fill.time),
    lastMark: fill.price,
    // A bounded memory of recent executions catches duplicates that arrive after the order retired.
    seenExecutions: [...tx.ctx.seenExecutions.slice(-199), key],
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

  // The order machine decides whether this fill completes the order (an overfill is its anomaly).
  const order = tx.sendOrder(fill.clientOrderId, { type: 'FILL', executionId: fill.executionId, qty: fill.qty, price: fill.price, time: fill.time });
  if (!order || !isTerminal(order)) return;
  retireOrder(tx, fill.clientOrderId, finalStatus(order), fill.time);
  continueExit(tx);

  const purpose = live.request.purpose;
  if (purpose === 'entry' && book.qty !== 0) placeBracket(tx, fill.clientOrderId, fill.time);
  // A reduce (not a full exit) leaves a position: it keeps, or gets, its stop.
  if (isClosingOrder(live) && tx.ctx.book.qty !== 0) protectPosition(tx);
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
  if (c.book.qty === 0 || tx.pendingExit || c.riskState === 'killed' || !(c.book.avgPrice > 0)) return;
  const live = liveOrders(tx);
  if (live.some(isClosingOrder)) return;
  const size = Math.abs(c.book.qty);
  const remaining = (purpose: string) =>
    live
      .filter((v) => v.request.purpose === purpose && !(v.snapshot && isTerminal(v.snapshot)))
      .reduce((n, v) => n + v.request.qty - filledOf(v), 0);
  // Only what no stop covers yet (a position grown by a foreign fill keeps its first bracket).
  const uncovered = size - remaining('bracket-stop');
  if (uncovered <= 0) return;
  const id = `recovered-${c.orderSeq + 1}`;
  // Targets already cover the position: a stop alone, so that no two targets can both fill.
  if (remaining('bracket-target') >= size) placeProtectiveStop(tx, `oco-${id}`, c.lastTime, uncovered);
  else placeBracket(tx, id, c.lastTime, uncovered);
}

function placeProtectiveStop(tx: Tx, ocoGroup: string, time: number, qty: number): void {
  const { book, settings } = tx.ctx;
  const dir = book.qty > 0 ? 1 : -1;
  const tick = settings.tickSize;
  const stopPrice = Math.round((book.avgPrice - dir * settings.strategy.stopPoints) / tick) * tick;
  placeOrder(tx, { side: dir > 0 ? 'sell' : 'buy', qty, type: 'stop', stopPrice, purpose: 'bracket-stop', ocoGroup, time });
}

/**
 * Protective stop and profit target as one OCO group around the filled entry, sent as one
 * bracket command (core/venue.ts): the venue links them itself, they leave together.
 */
function placeBracket(tx: Tx, entryId: string, time: number, qty = Math.abs(tx.ctx.book.qty)): void {
  const { book, settings } = tx.ctx;
  const dir = book.qty > 0 ? 1 : -1;
  const side: Side = dir > 0 ? 'sell' : 'buy';
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

/**
 * A report about an order MIA never sent: alerted, risk limited, and a fill it brings is
 * journaled as foreign (`foreign:<ClientOrderID>`, never as one of MIA's) while the position
 * takes it, as the venue does. A position over `maxContracts` is then reduced to it, and
 * what remains gets its protective stop.
 */
export function onForeign(tx: Tx, e: Extract<ChildEvent, { type: 'VENUE.FOREIGN' }>): void {
  tx.update({ lastTime: Math.max(tx.ctx.lastTime, e.time) });
  const f = e.fill;
  const detail = `${e.detail}: ${e.clientOrderId}${e.serverOrderId ? ` (venue ${e.serverOrderId})` : ''}${f ? `, ${f.side} ${f.qty} @ ${f.price}` : ''}`;
  tx.emit({ type: 'audit', who: 'risk', action: 'foreign-order', detail, time: e.time });
  tx.send('risk', { type: 'ANOMALY', reason: 'foreign-order', detail, time: e.time });
  if (!f) return;
  const clientOrderId = f.clientOrderId.startsWith('foreign:') ? f.clientOrderId : `foreign:${f.clientOrderId.replace(/^venue:/, '')}`;
  onFill(tx, { ...f, clientOrderId });
  if (!enforcePositionLimit(tx)) protectPosition(tx);
}

/**
 * A position over `maxContracts` (taken from the venue: foreign fills, a takeover) is
 * reduced to it. True when a reducing order is on its way.
 */
export function enforcePositionLimit(tx: Tx): boolean {
  const pos = tx.ctx.book.qty;
  const max = tx.ctx.settings.limits.maxContracts;
  if (Math.abs(pos) <= max || tx.ctx.riskState === 'killed') return false;
  if (Object.values(tx.ctx.live).some(isClosingOrder)) return true;
  return placeOrder(tx, { side: pos > 0 ? 'sell' : 'buy', qty: Math.abs(pos) - max, type: 'market', purpose: 'flatten', time: tx.ctx.lastTime }) !== null;
}

/** The venue could not give all the history reconciliation needs: alert and go limited. */
export function onIncompleteHistory(tx: Tx, why: string, time: number): void {
  tx.emit({ type: 'audit', who: 'risk', action: 'fills-history', detail: why, time });
  tx.send('risk', { type: 'ANOMALY', reason: 'fills-history', detail: why, time });
}

/** The order machines' anomalies of this transaction go to risk (limited) and the audit trail (alert). */
export function reportAnomalies(tx: Tx): void {
  if (tx.anomalies.length === 0) return;
  for (const a of tx.anomalies.splice(0)) {
    const detail = `order ${a.clientOrderId}: ${a.kind}: ${a.message}`;
    tx.emit({ type: 'audit', who: 'risk', action: 'order-anomaly', detail, time: a.time });
    tx.send('risk', { type: 'ANOMALY', reason: 'order-anomaly', detail, time: a.time });
  }
}

/**
 * Stop quantity working at the venue for the open position: protective stops on the
 * closing side that the venue acknowledged (an order lost with the link still works there
 * when it was acknowledged before).
 */
function stopCover(tx: Tx, closing: Side): number {
  // Runs at the end of every transition: no arrays, and the state read off the value
  // (`working` is the order machine's only compound state; the others are atomic, but a value
  // object is still asked for `working`, so that a substate added elsewhere never counts as cover).
  let qty = 0;
  const live = tx.ctx.live;
  for (const clientOrderId in live) {
    const request = live[clientOrderId]!.request;
    if (request.side !== closing || (request.type !== 'stop' && request.type !== 'stopLimit')) continue;
    const o = tx.order(clientOrderId);
    if (!o) continue;
    const value = o.value as string | object;
    const acknowledged = (typeof value === 'object' && 'working' in value) || value === 'pendingCancel' || value === 'pendingReplace' || (value === 'unknown' && o.context.serverOrderId !== null);
    if (acknowledged) qty += o.context.request.qty - o.context.filledQty;
  }
  return qty;
}

/**
 * The watch: an open position without a working stop for its whole size, longer than
 * `limits.unprotectedMaxMs` of event time, is flattened, alerted and puts risk in limited.
 * A position already on its way out (a closing order live or waiting for the bracket's
 * cancels) is being handled.
 */
export function watchProtection(tx: Tx): void {
  const c = tx.ctx;
  const pos = c.book.qty;
  const closing: Side = pos > 0 ? 'sell' : 'buy';
  // Cheapest first (the usual case in a position is a working stop): the same answer in any order.
  const handled = pos === 0 || stopCover(tx, closing) >= Math.abs(pos) || Object.values(c.live).some(isClosingOrder) || tx.pendingExit !== null;
  if (handled) {
    if (c.unprotected) tx.update({ unprotected: null });
    return;
  }
  const now = c.lastTime;
  if (!c.unprotected) {
    tx.update({ unprotected: { since: now, actedAt: null } });
    return;
  }
  const limit = c.settings.limits.unprotectedMaxMs ?? 5_000;
  if (c.unprotected.actedAt !== null || now - c.unprotected.since <= limit) return;
  tx.update({ unprotected: { ...c.unprotected, actedAt: now } });
  const detail = `position ${pos} without a working stop for ${now - c.unprotected.since} ms (limit ${limit} ms): flattening`;
  tx.emit({ type: 'audit', who: 'risk', action: 'unprotected-position', detail, time: now });
  tx.send('risk', { type: 'ANOMALY', reason: 'unprotected', detail, time: now });
  exitPosition(tx, 'flatten');
}

/** Killed or ending: make sure nothing stays open (idempotent). */
export function cancelAllAndFlatten(tx: Tx): void {
  exitPosition(tx, 'flatten');
}

export function onLinkLost(tx: Tx, time: number): void {
  for (const c of Object.keys(tx.ctx.live)) tx.sendOrder(c, { type: 'LINK_LOST', time });
}

/**
 * `avgPrice` is the venue's average price of its position; it is what a position taken
 * over from the venue is valued at (never 0, which would make equity and the daily loss
 * limit meaningless).
 */
export function onReconciled(
  tx: Tx,
  orders: Record<string, VenueOrderState>,
  position: number,
  time: number,
  avgPrice?: number,
  orphans?: Record<string, ReconcileHint>,
): void {
  tx.update({ lastTime: Math.max(tx.ctx.lastTime, time) });
  // Orders the ledger holds in flight that the restored snapshot does not (journaled after
  // it was saved): adopted, so that the venue's record decides their fate like any other's
  // (a working stop keeps protecting, and is not doubled by a new bracket).
  // A finished one is journaled as the venue has it, one the venue never saw as lost.
  for (const [c, hint] of Object.entries(orphans ?? {})) {
    if (tx.ctx.live[c] || hint.request.clientOrderId !== c) continue;
    const venue = orders[c];
    if (venue?.status === 'working') {
      tx.spawnOrder(hint.request);
      tx.sendOrder(c, { type: 'SUBMIT', time: hint.request.createdAt });
      tx.update({ live: { ...tx.ctx.live, [c]: { request: hint.request } } });
      continue;
    }
    tx.emit({
      type: 'journal.order',
      clientOrderId: c,
      request: hint.request,
      status: venue ? venue.status : 'lost',
      time,
      filledQty: venue ? venue.filledQty : hint.filledQty,
      ...(venue?.avgFillPrice != null ? { avgFillPrice: venue.avgFillPrice } : {}),
      ...(venue?.serverOrderId ? { serverOrderId: venue.serverOrderId } : {}),
      detail: venue?.reason ?? (venue ? 'reconciled with the venue (journaled after the restored snapshot)' : 'the venue has no record of it (journaled after the restored snapshot)'),
    });
  }
  for (const c of Object.keys(tx.ctx.live)) {
    const venue = orders[c] ?? null;
    // The order machine takes the venue's record and ends wherever that puts it.
    const order = tx.sendOrder(c, { type: 'RECONCILED', venue, time });
    if (order && !isTerminal(order)) continue;
    retireOrder(tx, c, order ? finalStatus(order) : venue ? venue.status : 'lost', time, venue?.reason ?? 'reconciled with the venue');
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
  if (tx.pendingExit) exitPosition(tx, tx.pendingExit);
}
