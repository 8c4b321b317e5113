/**
 * The paper venue: a matching engine over the shared fill model, holding working orders,
 * positions, cash and the fills history of one or more trade accounts like a broker
 * would. The in-process session uses it directly; the paper DTC server puts it behind a
 * socket. It lives outside its clients, so a restarted actor (or a reconnecting DTC
 * client) finds the same venue state.
 *
 * Venue rules it enforces itself (a real venue does): a ClientOrderID is accepted once
 * (a resubmission never creates a second order); invalid orders (unknown symbol or
 * account, non-integer or non-positive quantity, missing or non-finite prices) are
 * rejected with a reason, never thrown.
 *
 * Matching: quotes drive it when they flow (`onQuote`: buys against the ask, sells
 * against the bid); bars are the fallback for an instrument without recent quotes.
 * Brackets: an order may wait as a pending child of a parent order and start working
 * when the parent fills; OCO groups cancel their other members when one fills.
 *
 * Two ways to listen: `attach` (one client: the orchestrator's VENUE.* reports, for the
 * default account) and `subscribe` (any number: detailed events for every account, as
 * the DTC server needs them).
 */
import type { Bar, Fill, OrderRequest, OrderType, Quote, Side, TimeInForce, TradeTick } from '../../core/types.ts';
import { sideSign } from '../../core/types.ts';
import type { MarketListener } from '../../core/marketBus.ts';
import { applyFill, emptyBook, type PositionBook } from '../../core/positionBook.ts';
import { TradingDayTracker } from '../../core/tradingDay.ts';
import { instrumentFor, roundToTick } from '../../config/instruments.ts';
import {
  fillPriceOnBar,
  fillPriceOnQuote,
  isTradableQuote,
  matchPriority,
  type FillModelParams,
  type WorkingOrder,
} from '../../backtest/fillModel.ts';
import type { VenueOrderState, VenueReport } from '../../core/venue.ts';

export interface SimulatedVenueParams extends FillModelParams {
  /** Dollars per contract per side. */
  commissionPerContract: number;
  /** Length of a bar: marks are stamped at the bar's close. */
  barMs: number;
  /** Trade accounts; the first is the default one (`snapshot()`, `attach`). Default ['PAPER1']. */
  accounts?: readonly string[];
  /** Cash of a new account, dollars. Default 50,000. */
  startingBalance?: number;
  /** Margin held per open contract, dollars. Default 500. */
  marginPerContract?: number;
}

export const DEFAULT_ACCOUNT = 'PAPER1';
export const DEFAULT_STARTING_BALANCE = 50_000;
export const DEFAULT_MARGIN_PER_CONTRACT = 500;

/** pendingChild: a bracket leg waiting for its parent to fill. */
export type VenueOrderStatus = 'pendingChild' | 'working' | 'filled' | 'cancelled' | 'rejected';

/** Everything the venue knows about one order (plain data; the venue hands out copies). */
export interface VenueOrder extends WorkingOrder {
  /** Absent for a rejected order (it never reached the book). */
  serverOrderId?: string;
  account: string;
  /** Echoed to DTC clients; '' when the client gave none. */
  exchange: string;
  tif: TimeInForce;
  purpose: string;
  freeFormText?: string;
  status: VenueOrderStatus;
  filledQty: number;
  avgFillPrice?: number;
  /** Why it was rejected or cancelled. */
  reason?: string;
  /** The parent whose fill starts this bracket leg. */
  parentClientOrderId?: string;
  /** Bracket leg priced from the parent's fill: distance in points (see `submitOco`). */
  offsetFromParent?: number;
  /** Event time at which the venue received it, and of its last change (ms UTC). */
  receivedAt: number;
  updatedAt: number;
  /** Matching priority among equals (0 for rejected orders). */
  seq: number;
  lastFill?: { executionId: string; price: number; qty: number; time: number };
}

/** One execution, with what a broker's fills history carries. */
export interface VenueFill extends Fill {
  account: string;
  serverOrderId: string;
  exchange: string;
  /** Signed position in the symbol after this fill. */
  positionAfter: number;
  /** Whether the fill opened (or added to) a position, or reduced one. */
  openClose: 'open' | 'close';
  /** Cash effect: realised P&L of the contracts it closed, minus its commission, dollars. */
  cashChange: number;
}

export interface VenuePosition {
  account: string;
  symbol: string;
  exchange: string;
  /** Signed contracts: + long, - short. */
  qty: number;
  avgPrice: number;
  /** Event time of the fill that opened it. */
  openedAt: number;
  /** (mark - avgPrice) * qty * point value; 0 without a mark. */
  openPnl: number;
  marginRequirement: number;
}

export interface AccountBalance {
  account: string;
  /** Starting balance + realised P&L - commissions. */
  cash: number;
  /** Open P&L of every position at its last mark. */
  openPnl: number;
  marginRequirement: number;
  /** cash + openPnl - marginRequirement. */
  available: number;
  /** Cash effect of the fills of the current CME trading day. */
  dailyPnl: number;
  startingBalance: number;
  /** Executions so far in this account (a change counter). */
  executions: number;
  /** Event time of the last change (0 before any). */
  updatedAt: number;
}

/** New terms for a working order; absent members stay as they are. */
export interface ReplaceTerms {
  price?: number;
  stopPrice?: number;
  qty?: number;
  tif?: TimeInForce;
}

export interface SubmitOptions {
  /** Default: the venue's default account. */
  account?: string;
  exchange?: string;
  freeFormText?: string;
  /** Hold the order as a pending child until this order fills (bracket). */
  parentClientOrderId?: string;
  /** With a parent: price the order from the parent's fill, this many points away (see `submitOco`). */
  offsetFromParent?: number;
  /** Reject the order with this reason instead of validating it (fault injection, translation errors). */
  forceReject?: string;
}

/** Detailed events for every account; `order` is a copy of the order after the change. */
export type VenueEvent =
  | { type: 'accepted'; order: VenueOrder; time: number }
  | { type: 'rejected'; order: VenueOrder; time: number }
  /** A known ClientOrderID was submitted again: nothing was created; `order` is the existing one. */
  | { type: 'duplicate'; order: VenueOrder; time: number }
  /** A pending bracket leg started working because its parent filled. */
  | { type: 'activated'; order: VenueOrder; time: number }
  | { type: 'filled'; order: VenueOrder; fill: VenueFill; time: number }
  | { type: 'cancelled'; order: VenueOrder; time: number }
  /** `order` is null when the venue does not know the ClientOrderID. */
  | { type: 'cancelRejected'; clientOrderId: string; order: VenueOrder | null; reason: string; time: number }
  | { type: 'replaced'; order: VenueOrder; time: number }
  | { type: 'replaceRejected'; clientOrderId: string; order: VenueOrder | null; reason: string; time: number }
  /** Position and balance of `account` changed (after a fill). */
  | { type: 'account'; account: string; symbol: string; time: number };

export type { VenueReport } from '../../core/venue.ts';

/** The venue's whole state as plain JSON (see `exportState` / `SimulatedVenue.restore`). */
export interface SimulatedVenueState {
  version: 1;
  seq: number;
  executions: number;
  ocoGroups: number;
  orders: VenueOrder[];
  accounts: {
    account: string;
    startingBalance: number;
    cash: number;
    positions: { symbol: string; exchange: string; book: PositionBook }[];
  }[];
  fills: VenueFill[];
  marks: { root: string; price: number; time: number }[];
}

interface AccountRecord {
  startingBalance: number;
  cash: number;
  executions: number;
  updatedAt: number;
  positions: Map<string, { exchange: string; book: PositionBook }>;
}

const rootOf = (symbol: string): string | null => {
  try {
    return instrumentFor(symbol).root;
  } catch {
    return null;
  }
};

/** Same contract, or the same instrument root (a feed may say ES where orders say ESZ25). */
const sameInstrument = (a: string, b: string): boolean => a === b || (rootOf(a) !== null && rootOf(a) === rootOf(b));

const copy = (o: VenueOrder): VenueOrder => ({ ...o, ...(o.lastFill ? { lastFill: { ...o.lastFill } } : {}) });

export class SimulatedVenue implements MarketListener {
  private readonly orders = new Map<string, VenueOrder>();
  private readonly working = new Map<string, VenueOrder>();
  private readonly pending = new Map<string, VenueOrder>();
  private readonly accountsById = new Map<string, AccountRecord>();
  private readonly fillLog: VenueFill[] = [];
  private readonly marks = new Map<string, { price: number; time: number }>();
  private readonly lastQuoteTime = new Map<string, number>();
  private readonly subscribers = new Set<(e: VenueEvent) => void>();
  private readonly days = new TradingDayTracker();
  private seq = 0;
  private executions = 0;
  private ocoGroups = 0;
  private lastBar: Bar | null = null;
  private lastQuote: Quote | null = null;
  private listener: ((e: VenueReport) => void) | null = null;
  /** The default account: the one the attached listener and `snapshot()` see. */
  readonly defaultAccount: string;
  private readonly startingBalance: number;
  private readonly marginPerContract: number;

  constructor(private readonly p: SimulatedVenueParams) {
    const accounts = p.accounts && p.accounts.length > 0 ? p.accounts : [DEFAULT_ACCOUNT];
    this.defaultAccount = accounts[0]!;
    this.startingBalance = p.startingBalance ?? DEFAULT_STARTING_BALANCE;
    this.marginPerContract = p.marginPerContract ?? DEFAULT_MARGIN_PER_CONTRACT;
    for (const a of accounts) this.accountRecord(a);
  }

  /** A venue carrying on from `state` (orders, positions, cash, fills and counters). */
  static restore(params: SimulatedVenueParams, state: SimulatedVenueState): SimulatedVenue {
    const venue = new SimulatedVenue(params);
    venue.load(state);
    return venue;
  }

  // ---------------------------------------------------------------- listeners

  /** One connected client at a time, as one DTC session per account: VENUE.* reports of the default account. */
  attach(listener: (e: VenueReport) => void): void {
    this.listener = listener;
  }

  detach(listener: (e: VenueReport) => void): void {
    if (this.listener === listener) this.listener = null;
  }

  /** Detailed events of every account; returns the unsubscribe function. */
  subscribe(listener: (e: VenueEvent) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  private report(e: VenueReport, account: string): void {
    if (account === this.defaultAccount) this.listener?.(e);
  }

  private emit(e: VenueEvent): void {
    for (const s of this.subscribers) s(e);
  }

  // ---------------------------------------------------------------- orders

  /**
   * Submits one order. A known ClientOrderID creates nothing: the existing order is
   * reported (`duplicate`; VENUE.REJECTED 'duplicate ClientOrderID' to the attached client).
   * Returns a copy of the order as it stands after the call.
   */
  submit(req: OrderRequest, time: number, opts: SubmitOptions = {}): VenueOrder {
    const known = this.orders.get(req.clientOrderId);
    if (known) return this.duplicate(known, time);
    const order = this.newOrder(req, time, opts);
    const problem = opts.forceReject ?? this.problemWith(order, opts);
    if (problem !== null) return this.reject(order, problem, time);
    return this.accept(order, time);
  }

  /**
   * Submits the two legs of an OCO pair: when one fills, the other is cancelled. With
   * `parentClientOrderId` both legs wait until the parent fills (a bracket). With
   * `offsets`, a leg's price is set at the parent's fill: limit legs that many points on
   * the profitable side of the parent's fill price, stop legs that many on the losing side.
   * If either leg is invalid both are rejected; a known ClientOrderID is never re-created.
   */
  submitOco(
    legs: readonly [OrderRequest, OrderRequest],
    time: number,
    opts: Omit<SubmitOptions, 'offsetFromParent'> & { offsets?: readonly [number, number] } = {},
  ): [VenueOrder, VenueOrder] {
    const [a, b] = legs;
    const knownA = this.orders.get(a.clientOrderId);
    const knownB = a.clientOrderId === b.clientOrderId ? knownA : this.orders.get(b.clientOrderId);
    if (knownA || knownB || a.clientOrderId === b.clientOrderId) {
      const same = a.clientOrderId === b.clientOrderId;
      const answer = (known: VenueOrder | undefined, req: OrderRequest, other: OrderRequest): VenueOrder =>
        known
          ? this.duplicate(known, time)
          : this.reject(this.newOrder(req, time, opts), same ? 'the two OCO legs need different ClientOrderIDs' : `OCO sibling ${other.clientOrderId} is already known`, time);
      const first = answer(knownA, a, b);
      return [first, same ? first : answer(knownB, b, a)];
    }
    const group = `venue-oco-${++this.ocoGroups}`;
    const { offsets, ...common } = opts;
    const orders = legs.map((leg, i) =>
      this.newOrder({ ...leg, ocoGroup: group }, time, {
        ...common,
        ...(offsets ? { offsetFromParent: offsets[i]! } : {}),
      }),
    ) as [VenueOrder, VenueOrder];
    const problems = orders.map((o, i) =>
      opts.forceReject ?? this.problemWith(o, { ...common, ...(offsets ? { offsetFromParent: offsets[i]! } : {}) }),
    );
    if (problems[0] !== null || problems[1] !== null) {
      return orders.map((o, i) =>
        this.reject(o, problems[i] ?? `OCO sibling ${orders[1 - i]!.clientOrderId} rejected: ${problems[1 - i]}`, time),
      ) as [VenueOrder, VenueOrder];
    }
    return [this.accept(orders[0], time), this.accept(orders[1], time)];
  }

  /** Cancels a working (or pending child) order; a parent takes its pending children with it. */
  cancel(clientOrderId: string, time: number, reason?: string): void {
    const order = this.orders.get(clientOrderId);
    if (!order || (order.status !== 'working' && order.status !== 'pendingChild')) {
      const why = order ? `order is ${order.status}, not working` : 'no working order with that ClientOrderID';
      this.report({ type: 'VENUE.CANCEL_REJECTED', clientOrderId, reason: why, time }, order?.account ?? this.defaultAccount);
      this.emit({ type: 'cancelRejected', clientOrderId, order: order ? copy(order) : null, reason: why, time });
      return;
    }
    this.working.delete(clientOrderId);
    this.pending.delete(clientOrderId);
    order.status = 'cancelled';
    order.updatedAt = time;
    if (reason !== undefined) order.reason = reason;
    this.report({ type: 'VENUE.CANCELED', clientOrderId, time }, order.account);
    this.emit({ type: 'cancelled', order: copy(order), time });
    for (const child of this.childrenOf(clientOrderId)) this.cancel(child.clientOrderId, time, `parent order ${clientOrderId} cancelled`);
  }

  /**
   * Cancel/replace: new price, stop price, quantity or time in force for a working (or
   * pending child) order. The order keeps its ids; it is eligible again from `time` on.
   */
  replace(clientOrderId: string, terms: ReplaceTerms, time: number): void {
    const order = this.orders.get(clientOrderId);
    const refuse = (reason: string) =>
      this.emit({ type: 'replaceRejected', clientOrderId, order: order ? copy(order) : null, reason, time });
    if (!order) return refuse('no working order with that ClientOrderID');
    if (order.status !== 'working' && order.status !== 'pendingChild') return refuse(`order is ${order.status}, not working`);
    const usesPrice = order.type === 'limit' || order.type === 'stopLimit';
    const usesStop = order.type === 'stop' || order.type === 'stopLimit';
    if (terms.price !== undefined && !usesPrice) return refuse(`a ${order.type} order has no limit price to replace`);
    if (terms.stopPrice !== undefined && !usesStop) return refuse(`a ${order.type} order has no stop price to replace`);
    const next: VenueOrder = {
      ...order,
      ...(terms.price !== undefined ? { price: terms.price } : {}),
      ...(terms.stopPrice !== undefined ? { stopPrice: terms.stopPrice } : {}),
      ...(terms.qty !== undefined ? { qty: terms.qty } : {}),
      ...(terms.tif !== undefined ? { tif: terms.tif } : {}),
    };
    const problem = orderProblem(next, next.offsetFromParent !== undefined && next.status === 'pendingChild');
    if (problem) return refuse(problem);
    Object.assign(order, next, { submittedAt: time, rested: false, updatedAt: time });
    if (terms.price !== undefined || terms.stopPrice !== undefined) delete order.offsetFromParent;
    this.emit({ type: 'replaced', order: copy(order), time });
  }

  /**
   * Flattens `account` (one symbol, or every symbol when `symbol` is null): cancels its
   * working and pending orders there, then sends a market order against each open
   * position. The first order takes `clientOrderId`, further ones `<id>-2`, `<id>-3`...
   * A flat account gets `clientOrderId` recorded as rejected ("nothing to flatten").
   * A known `clientOrderId` changes nothing (idempotent resend).
   */
  flatten(
    account: string,
    symbol: string | null,
    clientOrderId: string,
    time: number,
    opts: { exchange?: string; freeFormText?: string; purpose?: string } = {},
  ): VenueOrder[] {
    const known = this.orders.get(clientOrderId);
    if (known) return [this.duplicate(known, time)];
    const base = {
      clientOrderId,
      symbol: symbol ?? this.positions(account)[0]?.symbol ?? 'ES',
      side: 'sell' as Side,
      qty: 1,
      type: 'market' as OrderType,
      tif: 'day' as TimeInForce,
      purpose: opts.purpose ?? 'flatten',
      createdAt: time,
    };
    const extra = { account, ...(opts.exchange !== undefined ? { exchange: opts.exchange } : {}), ...(opts.freeFormText !== undefined ? { freeFormText: opts.freeFormText } : {}) };
    if (!this.accountsById.has(account)) return [this.submit(base, time, { ...extra, forceReject: `unknown trade account "${account}"` })];
    const inScope = (s: string) => symbol === null || sameInstrument(s, symbol);
    for (const o of [...this.pending.values(), ...this.working.values()]) {
      if (o.account === account && inScope(o.symbol)) this.cancel(o.clientOrderId, time, 'flatten');
    }
    const open = this.positions(account).filter((p) => inScope(p.symbol));
    if (open.length === 0) {
      const where = symbol === null ? '' : ` in ${symbol}`;
      return [this.submit(base, time, { ...extra, forceReject: `no open position${where} in ${account}: nothing to flatten` })];
    }
    return open.map((p, i) =>
      this.submit(
        { ...base, clientOrderId: i === 0 ? clientOrderId : `${clientOrderId}-${i + 1}`, symbol: p.symbol, side: p.qty > 0 ? 'sell' : 'buy', qty: Math.abs(p.qty) },
        time,
        { ...extra, exchange: opts.exchange ?? p.exchange },
      ),
    );
  }

  // ---------------------------------------------------------------- queries

  /** A copy of the order with that ClientOrderID. */
  order(clientOrderId: string): VenueOrder | undefined {
    const o = this.orders.get(clientOrderId);
    return o ? copy(o) : undefined;
  }

  /** A copy of the order with that ServerOrderID. */
  orderByServerId(serverOrderId: string): VenueOrder | undefined {
    if (serverOrderId === '') return undefined;
    for (const o of this.orders.values()) if (o.serverOrderId === serverOrderId) return copy(o);
    return undefined;
  }

  /** The other member of `clientOrderId`'s OCO group, and its bracket parent, when it has them. */
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
    return { ...(sibling ? { ocoSibling: copy(sibling) } : {}), ...(parent ? { parent: copy(parent) } : {}) };
  }

  /** Copies of the orders, in arrival order; `open` keeps the working and pending ones. */
  listOrders(filter: { account?: string; open?: boolean } = {}): VenueOrder[] {
    const out: VenueOrder[] = [];
    for (const o of this.orders.values()) {
      if (filter.account !== undefined && o.account !== filter.account) continue;
      if (filter.open && o.status !== 'working' && o.status !== 'pendingChild') continue;
      out.push(copy(o));
    }
    return out;
  }

  /** The trade accounts, default first. */
  accounts(): string[] {
    return [...this.accountsById.keys()];
  }

  hasAccount(account: string): boolean {
    return this.accountsById.has(account);
  }

  /** Open positions (non-zero), of one account or all. */
  positions(account?: string): VenuePosition[] {
    const out: VenuePosition[] = [];
    for (const [name, rec] of this.accountsById) {
      if (account !== undefined && name !== account) continue;
      for (const [symbol, held] of rec.positions) if (held.book.qty !== 0) out.push(this.positionView(name, symbol, held));
    }
    return out;
  }

  /** The position of `account` in `symbol`, flat (qty 0) included; undefined for an unknown account. */
  positionOf(account: string, symbol: string): VenuePosition | undefined {
    const rec = this.accountsById.get(account);
    if (!rec) return undefined;
    return this.positionView(account, symbol, rec.positions.get(symbol) ?? { exchange: '', book: emptyBook(symbol) });
  }

  private positionView(account: string, symbol: string, { exchange, book }: { exchange: string; book: PositionBook }): VenuePosition {
    const mark = this.markFor(symbol);
    const pointValue = rootOf(symbol) === null ? 0 : instrumentFor(symbol).pointValue;
    return {
      account,
      symbol,
      exchange,
      qty: book.qty,
      avgPrice: book.avgPrice,
      openedAt: book.openedAt,
      openPnl: mark === undefined || book.qty === 0 ? 0 : (mark - book.avgPrice) * book.qty * pointValue,
      marginRequirement: Math.abs(book.qty) * this.marginPerContract,
    };
  }

  /** Cash, open P&L, margin and available funds of `account`; undefined for an unknown account. */
  balance(account: string, now?: number): AccountBalance | undefined {
    const rec = this.accountsById.get(account);
    if (!rec) return undefined;
    const positions = this.positions(account);
    const openPnl = positions.reduce((s, p) => s + p.openPnl, 0);
    const marginRequirement = positions.reduce((s, p) => s + p.marginRequirement, 0);
    const at = now ?? Math.max(rec.updatedAt, this.lastBar ? this.lastBar.time + this.p.barMs : 0, this.lastQuote?.time ?? 0);
    const day = at > 0 ? this.days.dayOf(at) : null;
    let dailyPnl = 0;
    if (day !== null) {
      for (const f of this.fillLog) if (f.account === account && this.days.dayOf(f.time) === day) dailyPnl += f.cashChange;
    }
    return {
      account,
      cash: rec.cash,
      openPnl,
      marginRequirement,
      available: rec.cash + openPnl - marginRequirement,
      dailyPnl,
      startingBalance: rec.startingBalance,
      executions: rec.executions,
      updatedAt: rec.updatedAt,
    };
  }

  /** Fills history (copies), oldest first. */
  fills(filter: { account?: string; serverOrderId?: string; since?: number } = {}): VenueFill[] {
    return this.fillLog
      .filter(
        (f) =>
          (filter.account === undefined || f.account === filter.account) &&
          (filter.serverOrderId === undefined || f.serverOrderId === filter.serverOrderId) &&
          (filter.since === undefined || f.time >= filter.since),
      )
      .map((f) => ({ ...f }));
  }

  /** Last known price of the instrument of `symbol` (bar close, trade, or quote mid). */
  markFor(symbol: string): number | undefined {
    return this.marks.get(rootOf(symbol) ?? symbol)?.price;
  }

  /** Net position of the default account (the in-process session trades one instrument). */
  get position(): number {
    let qty = 0;
    for (const { book } of this.accountRecord(this.defaultAccount).positions.values()) qty += book.qty;
    return qty;
  }

  /** Average price of the default account's open position (0 when flat). */
  get avgPrice(): number {
    for (const { book } of this.accountRecord(this.defaultAccount).positions.values()) if (book.qty !== 0) return book.avgPrice;
    return 0;
  }

  /** The default account's truth for reconciliation: every order, the position and its average price. */
  snapshot(): { orders: Record<string, VenueOrderState>; position: number; avgPrice?: number } {
    // Copies, as a DTC message would be: a client must not reach into the venue's records.
    const orders: Record<string, VenueOrderState> = {};
    for (const o of this.orders.values()) {
      if (o.account !== this.defaultAccount) continue;
      orders[o.clientOrderId] = {
        status: o.status === 'pendingChild' ? 'working' : o.status,
        ...(o.serverOrderId !== undefined ? { serverOrderId: o.serverOrderId } : {}),
        filledQty: o.filledQty,
        ...(o.avgFillPrice !== undefined ? { avgFillPrice: o.avgFillPrice } : {}),
        ...(o.status === 'rejected' && o.reason !== undefined ? { reason: o.reason } : {}),
      };
    }
    const position = this.position;
    return { orders, position, ...(position !== 0 ? { avgPrice: this.avgPrice } : {}) };
  }

  // ---------------------------------------------------------------- market data

  onBar(bar: Bar): void {
    if (!isUsableBar(bar)) return; // a broken bar neither marks nor fills
    this.lastBar = bar;
    const root = rootOf(bar.symbol) ?? bar.symbol;
    this.marks.set(root, { price: bar.close, time: bar.time + this.p.barMs });
    // Bars are the fallback: when quotes flowed during this bar, they did the matching.
    const quotesFlowing = (this.lastQuoteTime.get(root) ?? Number.NEGATIVE_INFINITY) >= bar.time;
    if (this.working.size > 0 && !quotesFlowing) {
      this.match(bar.symbol, bar.time, (o) => fillPriceOnBar(o, bar, this.p), (o) => bar.time >= o.submittedAt);
    }
    if (this.position !== 0) this.report({ type: 'VENUE.MARK', price: bar.close, time: bar.time + this.p.barMs }, this.defaultAccount);
  }

  /** Quotes drive matching: the next quote fills a market order; limits and stops trigger on them. */
  onQuote(quote: Quote): void {
    if (!isTradableQuote(quote)) return; // crossed or broken quotes neither mark nor fill
    this.lastQuote = quote;
    const root = rootOf(quote.symbol) ?? quote.symbol;
    this.lastQuoteTime.set(root, quote.time);
    this.marks.set(root, { price: (quote.bid + quote.ask) / 2, time: quote.time });
    if (this.working.size > 0) {
      this.match(quote.symbol, quote.time, (o) => fillPriceOnQuote(o, quote, this.p), (o) => quote.time >= o.submittedAt);
    }
  }

  /** A trade print only marks open positions; matching needs the book's two sides. */
  onTrade(trade: TradeTick): void {
    if (!Number.isFinite(trade.price) || trade.price <= 0) return;
    this.marks.set(rootOf(trade.symbol) ?? trade.symbol, { price: trade.price, time: trade.time });
  }

  /** End of data: market orders still waiting fill at the last price seen, paying slippage. */
  onEnd(): void {
    const bar = this.lastBar;
    const quote = this.lastQuote;
    if (quote && (!bar || quote.time >= bar.time)) {
      this.match(quote.symbol, quote.time, (o) => (o.type === 'market' ? fillPriceOnQuote({ ...o, submittedAt: quote.time }, quote, this.p) : null), () => false);
      return;
    }
    if (!bar) return;
    const slip = this.p.slippageTicks * this.p.tickSize;
    const time = bar.time + this.p.barMs;
    this.match(bar.symbol, time, (o) => (o.type === 'market' ? roundToTick(bar.close + (o.side === 'buy' ? slip : -slip), this.p.tickSize) : null), () => false);
  }

  // ---------------------------------------------------------------- state

  /** The whole state as plain JSON, for a state file. */
  exportState(): SimulatedVenueState {
    return {
      version: 1,
      seq: this.seq,
      executions: this.executions,
      ocoGroups: this.ocoGroups,
      orders: [...this.orders.values()].map(copy),
      accounts: [...this.accountsById].map(([account, rec]) => ({
        account,
        startingBalance: rec.startingBalance,
        cash: rec.cash,
        positions: [...rec.positions].map(([symbol, { exchange, book }]) => ({ symbol, exchange, book: { ...book } })),
      })),
      fills: this.fillLog.map((f) => ({ ...f })),
      marks: [...this.marks].map(([root, m]) => ({ root, ...m })),
    };
  }

  private load(state: SimulatedVenueState): void {
    this.seq = state.seq;
    this.executions = state.executions;
    this.ocoGroups = state.ocoGroups;
    for (const o of state.orders) {
      const order = copy(o);
      this.orders.set(order.clientOrderId, order);
      if (order.status === 'working') this.working.set(order.clientOrderId, order);
      if (order.status === 'pendingChild') this.pending.set(order.clientOrderId, order);
    }
    for (const a of state.accounts) {
      const rec = this.accountRecord(a.account);
      rec.startingBalance = a.startingBalance;
      rec.cash = a.cash;
      for (const p of a.positions) rec.positions.set(p.symbol, { exchange: p.exchange, book: { ...p.book } });
    }
    for (const f of state.fills) {
      this.fillLog.push({ ...f });
      const rec = this.accountRecord(f.account);
      rec.executions++;
      rec.updatedAt = Math.max(rec.updatedAt, f.time);
    }
    for (const m of state.marks) this.marks.set(m.root, { price: m.price, time: m.time });
  }

  // ---------------------------------------------------------------- internals

  private accountRecord(account: string, startingBalance = this.startingBalance): AccountRecord {
    let rec = this.accountsById.get(account);
    if (!rec) {
      rec = { startingBalance, cash: startingBalance, executions: 0, updatedAt: 0, positions: new Map() };
      this.accountsById.set(account, rec);
    }
    return rec;
  }

  private newOrder(req: OrderRequest, time: number, opts: SubmitOptions): VenueOrder {
    return {
      clientOrderId: req.clientOrderId,
      account: opts.account ?? this.defaultAccount,
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

  private problemWith(order: VenueOrder, opts: SubmitOptions): string | null {
    if (!this.accountsById.has(order.account)) return `unknown trade account "${order.account}"`;
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

  private duplicate(known: VenueOrder, time: number): VenueOrder {
    // Never apply a ClientOrderID twice; the original order keeps its state.
    this.report({ type: 'VENUE.REJECTED', clientOrderId: known.clientOrderId, reason: 'duplicate ClientOrderID', time }, known.account);
    this.emit({ type: 'duplicate', order: copy(known), time });
    return copy(known);
  }

  private reject(order: VenueOrder, reason: string, time: number): VenueOrder {
    order.status = 'rejected';
    order.reason = reason;
    this.orders.set(order.clientOrderId, order);
    this.report({ type: 'VENUE.REJECTED', clientOrderId: order.clientOrderId, reason, time }, order.account);
    this.emit({ type: 'rejected', order: copy(order), time });
    return copy(order);
  }

  private accept(order: VenueOrder, time: number): VenueOrder {
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
    this.report({ type: 'VENUE.ACCEPTED', clientOrderId: order.clientOrderId, serverOrderId: order.serverOrderId, time }, order.account);
    this.emit({ type: 'accepted', order: copy(order), time });
    return copy(order);
  }

  private childrenOf(parentId: string): VenueOrder[] {
    return [...this.pending.values()].filter((o) => o.parentClientOrderId === parentId);
  }

  /** UseOffsets legs: limit on the profitable side of the parent's fill, stop on the losing side. */
  private priceFromParent(order: VenueOrder, parent: VenueOrder): void {
    if (order.offsetFromParent === undefined || parent.avgFillPrice === undefined) return;
    const dir = parent.side === 'buy' ? 1 : -1;
    const toward = order.type === 'limit' ? 1 : -1;
    const price = roundToTick(parent.avgFillPrice + dir * toward * order.offsetFromParent, this.p.tickSize);
    if (order.type === 'limit') order.price = price;
    else order.stopPrice = price;
  }

  private match(
    symbol: string,
    time: number,
    priceOf: (o: VenueOrder) => number | null,
    eligible: (o: VenueOrder) => boolean,
  ): void {
    const candidates = [...this.working.values()]
      .filter((o) => sameInstrument(o.symbol, symbol))
      .sort((a, b) => matchPriority(a) - matchPriority(b) || a.seq - b.seq);
    for (const order of candidates) {
      if (!this.working.has(order.clientOrderId)) continue; // cancelled by an OCO sibling
      const price = priceOf(order);
      if (price !== null) {
        this.fill(order, price, time);
      } else if (eligible(order)) {
        if (order.tif === 'ioc' || order.tif === 'fok') this.cancel(order.clientOrderId, time, `${order.tif.toUpperCase()} order not filled at the first price`);
        else order.rested = true;
      }
    }
  }

  private fill(order: VenueOrder, price: number, time: number): void {
    this.working.delete(order.clientOrderId);
    this.executions++;
    const rec = this.accountRecord(order.account);
    const held = rec.positions.get(order.symbol) ?? { exchange: order.exchange, book: emptyBook(order.symbol) };
    const before = held.book;
    const commission = order.qty * this.p.commissionPerContract;
    const executionId = `SIMX-${this.executions}`;
    const base: Fill = { clientOrderId: order.clientOrderId, executionId, symbol: order.symbol, side: order.side, qty: order.qty, price, time, commission };
    const { book } = applyFill(before, base, instrumentFor(order.symbol).pointValue);
    const cashChange = book.realizedPnl - before.realizedPnl - (book.openCommission - before.openCommission);
    rec.positions.set(order.symbol, { exchange: order.exchange || held.exchange, book });
    rec.cash += cashChange;
    rec.executions++;
    rec.updatedAt = time;
    const signed = order.qty * sideSign(order.side);
    const fill: VenueFill = {
      ...base,
      account: order.account,
      serverOrderId: order.serverOrderId!,
      exchange: order.exchange,
      positionAfter: book.qty,
      openClose: before.qty === 0 || Math.sign(before.qty) === Math.sign(signed) ? 'open' : 'close',
      cashChange,
    };
    this.fillLog.push(fill);
    order.status = 'filled';
    order.filledQty = order.qty;
    order.avgFillPrice = price;
    order.updatedAt = time;
    order.lastFill = { executionId, price, qty: order.qty, time };
    this.report({ type: 'VENUE.FILL', fill: base }, order.account);
    this.emit({ type: 'filled', order: copy(order), fill: { ...fill }, time });
    this.emit({ type: 'account', account: order.account, symbol: order.symbol, time });
    if (order.ocoGroup) {
      for (const sibling of [...this.working.values(), ...this.pending.values()]) {
        if (sibling.ocoGroup === order.ocoGroup) this.cancel(sibling.clientOrderId, time, `OCO sibling ${order.clientOrderId} filled`);
      }
    }
    for (const child of this.childrenOf(order.clientOrderId)) {
      // Bracket legs start working now, eligible from the next price on.
      this.pending.delete(child.clientOrderId);
      child.status = 'working';
      child.submittedAt = time;
      child.updatedAt = time;
      this.priceFromParent(child, order);
      this.working.set(child.clientOrderId, child);
      this.emit({ type: 'activated', order: copy(child), time });
    }
  }
}

const isUsableBar = (b: Bar): boolean =>
  [b.open, b.high, b.low, b.close, b.time].every(Number.isFinite) && b.low > 0 && b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close);

/** What makes an order's terms unacceptable, or null. `priceLater`: a leg priced at its parent's fill. */
function orderProblem(o: Pick<VenueOrder, 'symbol' | 'qty' | 'type' | 'price' | 'stopPrice'>, priceLater = false): string | null {
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
