/**
 * The simulated venue's order book: every order it has seen (in arrival order), the
 * working ones, the bracket legs waiting for their parent, server ids and OCO groups, and
 * the terms a venue refuses. It decides nothing about money (see accountLedger.ts) and
 * tells no one (the venue reports): it only keeps the orders' truth.
 */
import type { OrderRequest } from '../../core/types.ts';
import { matchPriority } from '../../core/fillModel.ts';
import { roundToTick } from '../../core/tick.ts';
import { instrumentFor } from '../../config/instruments.ts';
import type { SimulatedVenueState, SubmitOptions, VenueOrder } from './venueTypes.ts';

export const rootOf = (symbol: string): string | null => {
  try {
    return instrumentFor(symbol).root;
  } catch {
    return null;
  }
};

/** Same contract, or the same instrument root (a feed may say ES where orders say ESZ25). */
export const sameInstrument = (a: string, b: string): boolean => a === b || (rootOf(a) !== null && rootOf(a) === rootOf(b));

/** A copy of an order: the book hands out copies, never its records. */
export const copyOrder = (o: VenueOrder): VenueOrder => ({ ...o, ...(o.lastFill ? { lastFill: { ...o.lastFill } } : {}) });

export class OrderBook {
  private readonly orders = new Map<string, VenueOrder>();
  private readonly working = new Map<string, VenueOrder>();
  private readonly pending = new Map<string, VenueOrder>();
  private seq = 0;
  private ocoGroups = 0;

  constructor(private readonly tickSize: number) {}

  /** The record of an order (not a copy: for the venue's own bookkeeping). */
  get(clientOrderId: string): VenueOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  /** Whether the order is working now (an OCO sibling's fill may have cancelled it). */
  isWorking(clientOrderId: string): boolean {
    return this.working.has(clientOrderId);
  }

  get hasWorking(): boolean {
    return this.working.size > 0;
  }

  /** Every order, in arrival order. */
  all(): IterableIterator<VenueOrder> {
    return this.orders.values();
  }

  /** The pending bracket legs, then the working orders. */
  open(): VenueOrder[] {
    return [...this.pending.values(), ...this.working.values()];
  }

  byServerId(serverOrderId: string): VenueOrder | undefined {
    if (serverOrderId === '') return undefined;
    for (const o of this.orders.values()) if (o.serverOrderId === serverOrderId) return o;
    return undefined;
  }

  /** The other member of an order's OCO group, and its bracket parent. */
  linksOf(clientOrderId: string): { ocoSibling?: VenueOrder; parent?: VenueOrder } {
    const o = this.orders.get(clientOrderId);
    if (!o) return {};
    let sibling: VenueOrder | undefined;
    if (o.ocoGroup !== undefined) {
      for (const other of this.orders.values()) {
        if (other.ocoGroup === o.ocoGroup && other.clientOrderId !== clientOrderId) {
          sibling = other;
          break;
        }
      }
    }
    const parent = o.parentClientOrderId !== undefined ? this.orders.get(o.parentClientOrderId) : undefined;
    return { ...(sibling ? { ocoSibling: sibling } : {}), ...(parent ? { parent } : {}) };
  }

  /** A fresh OCO group id. */
  nextOcoGroup(): string {
    return `venue-oco-${++this.ocoGroups}`;
  }

  /** Records a rejected order (it never reaches the book's working side). */
  recordRejected(order: VenueOrder, reason: string): void {
    order.status = 'rejected';
    order.reason = reason;
    this.orders.set(order.clientOrderId, order);
  }

  /** Gives an accepted order its server id and puts it to work, or to wait for its unfilled parent. */
  accept(order: VenueOrder): void {
    order.seq = ++this.seq;
    order.serverOrderId = `SIM-${order.seq}`;
    const parent = order.parentClientOrderId !== undefined ? this.orders.get(order.parentClientOrderId) : undefined;
    this.orders.set(order.clientOrderId, order);
    if (parent && parent.status !== 'filled') {
      order.status = 'pendingChild';
      this.pending.set(order.clientOrderId, order);
    } else {
      order.status = 'working';
      if (parent) this.priceFromParent(order, parent);
      this.working.set(order.clientOrderId, order);
    }
  }

  /** Takes a working or pending order off the book as cancelled. */
  markCancelled(order: VenueOrder, time: number, reason?: string): void {
    this.working.delete(order.clientOrderId);
    this.pending.delete(order.clientOrderId);
    order.status = 'cancelled';
    order.updatedAt = time;
    if (reason !== undefined) order.reason = reason;
  }

  /** Takes a working order off the book as filled in full at `price`. */
  markFilled(order: VenueOrder, price: number, time: number, executionId: string): void {
    this.working.delete(order.clientOrderId);
    order.status = 'filled';
    order.filledQty = order.qty;
    order.avgFillPrice = price;
    order.updatedAt = time;
    order.lastFill = { executionId, price, qty: order.qty, time };
  }

  /** The bracket legs waiting for `parentId`. */
  childrenOf(parentId: string): VenueOrder[] {
    return [...this.pending.values()].filter((o) => o.parentClientOrderId === parentId);
  }

  /** Working and pending members of an OCO group. */
  ocoMembers(group: string): VenueOrder[] {
    return [...this.working.values(), ...this.pending.values()].filter((o) => o.ocoGroup === group);
  }

  /** A pending bracket leg starts working: its parent filled; it is eligible from `time` on. */
  activate(child: VenueOrder, parent: VenueOrder, time: number): void {
    this.pending.delete(child.clientOrderId);
    child.status = 'working';
    child.submittedAt = time;
    child.updatedAt = time;
    this.priceFromParent(child, parent);
    this.working.set(child.clientOrderId, child);
  }

  /** Working orders on the instrument of `symbol`, in matching order (stops first, then arrival). */
  matchCandidates(symbol: string): VenueOrder[] {
    return [...this.working.values()]
      .filter((o) => sameInstrument(o.symbol, symbol))
      .sort((a, b) => matchPriority(a) - matchPriority(b) || a.seq - b.seq);
  }

  /** Offset legs: limit on the profitable side of the parent's fill, stop on the losing side. */
  private priceFromParent(order: VenueOrder, parent: VenueOrder): void {
    if (order.offsetFromParent === undefined || parent.avgFillPrice === undefined) return;
    const dir = parent.side === 'buy' ? 1 : -1;
    const toward = order.type === 'limit' ? 1 : -1;
    const price = roundToTick(parent.avgFillPrice + dir * toward * order.offsetFromParent, this.tickSize);
    if (order.type === 'limit') order.price = price;
    else order.stopPrice = price;
  }

  /** A new order's record, as received (status 'rejected' until accepted). */
  newOrder(req: OrderRequest, time: number, opts: SubmitOptions, defaultAccount: string): VenueOrder {
    return {
      clientOrderId: req.clientOrderId,
      account: opts.account ?? defaultAccount,
      symbol: req.symbol,
      exchange: opts.exchange ?? '',
      side: req.side,
      qty: req.qty,
      type: req.type,
      tif: req.tif,
      purpose: req.purpose,
      submittedAt: req.createdAt,
      status: 'rejected',
      filledQty: 0,
      receivedAt: time,
      updatedAt: time,
      seq: 0,
      ...(req.price !== undefined ? { price: req.price } : {}),
      ...(req.stopPrice !== undefined ? { stopPrice: req.stopPrice } : {}),
      ...(req.ocoGroup !== undefined ? { ocoGroup: req.ocoGroup } : {}),
      ...(opts.freeFormText !== undefined ? { freeFormText: opts.freeFormText } : {}),
      ...(opts.parentClientOrderId !== undefined ? { parentClientOrderId: opts.parentClientOrderId } : {}),
      ...(opts.offsetFromParent !== undefined ? { offsetFromParent: opts.offsetFromParent } : {}),
    };
  }

  /** Why the venue refuses `order` (its account is checked by the caller), or null. */
  problemWith(order: VenueOrder, opts: SubmitOptions): string | null {
    const offset = opts.offsetFromParent;
    if (offset !== undefined) {
      if (opts.parentClientOrderId === undefined) return 'a price offset needs a parent order';
      if (!(Number.isFinite(offset) && offset > 0)) return `offset from the parent must be a positive number of points, got ${offset}`;
      if (order.type !== 'limit' && order.type !== 'stop') return `offsets from the parent apply to limit and stop legs, not ${order.type}`;
    }
    const problem = orderProblem(order, offset !== undefined);
    if (problem) return problem;
    if (opts.parentClientOrderId !== undefined) {
      const parent = this.orders.get(opts.parentClientOrderId);
      if (!parent) return `unknown parent order ${opts.parentClientOrderId}`;
      if (parent.account !== order.account) return `parent order ${parent.clientOrderId} belongs to another account`;
      if (parent.status === 'rejected' || parent.status === 'cancelled') return `parent order ${parent.clientOrderId} is ${parent.status}`;
    }
    return null;
  }

  /** The book's part of the venue state. */
  exportState(): Pick<SimulatedVenueState, 'seq' | 'ocoGroups' | 'orders'> {
    return { seq: this.seq, ocoGroups: this.ocoGroups, orders: [...this.orders.values()].map(copyOrder) };
  }

  load(state: Pick<SimulatedVenueState, 'seq' | 'ocoGroups' | 'orders'>): void {
    this.seq = state.seq;
    this.ocoGroups = state.ocoGroups;
    for (const o of state.orders) {
      const order = copyOrder(o);
      this.orders.set(order.clientOrderId, order);
      if (order.status === 'working') this.working.set(order.clientOrderId, order);
      if (order.status === 'pendingChild') this.pending.set(order.clientOrderId, order);
    }
  }
}

/** What makes an order's terms unacceptable, or null. `priceLater`: a leg priced at its parent's fill. */
export function orderProblem(o: Pick<VenueOrder, 'symbol' | 'qty' | 'type' | 'price' | 'stopPrice'>, priceLater = false): string | null {
  try {
    instrumentFor(o.symbol);
  } catch (err) {
    return (err as Error).message;
  }
  if (!Number.isInteger(o.qty) || o.qty <= 0) return `quantity must be a positive whole number of contracts, got ${o.qty}`;
  if (priceLater) return null;
  const needsPrice = o.type === 'limit' || o.type === 'stopLimit';
  const needsStop = o.type === 'stop' || o.type === 'stopLimit';
  if (needsPrice && !(Number.isFinite(o.price) && o.price! > 0)) return `${o.type} order needs a positive finite price, got ${o.price}`;
  if (needsStop && !(Number.isFinite(o.stopPrice) && o.stopPrice! > 0)) return `${o.type} order needs a positive finite stop price, got ${o.stopPrice}`;
  return null;
}
