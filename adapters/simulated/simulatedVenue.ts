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
 *
 * The venue composes two parts and does the reporting: the order book (orderBook.ts:
 * orders, working and pending legs, OCO groups, validation) and the account ledger
 * (accountLedger.ts: cash, positions, margin, fills history, marks).
 */
import type { Bar, OrderRequest, OrderType, Quote, Side, TimeInForce, TradeTick } from '../../core/types.ts';
import type { MarketListener } from '../../core/marketBus.ts';
import { roundToTick } from '../../core/tick.ts';
import { fillPriceOnBar, fillPriceOnQuote, isTradableQuote } from '../../core/fillModel.ts';
import type { VenueOrderState, VenueReport } from '../../core/venue.ts';
import { AccountLedger } from './accountLedger.ts';
import { OrderBook, copyOrder as copy, orderProblem, rootOf as rootOfKnown, sameInstrument } from './orderBook.ts';
import {
  DEFAULT_ACCOUNT,
  DEFAULT_MARGIN_PER_CONTRACT,
  DEFAULT_STARTING_BALANCE,
  type AccountBalance,
  type ReplaceTerms,
  type SimulatedVenueParams,
  type SimulatedVenueState,
  type SubmitOptions,
  type VenueEvent,
  type VenueFill,
  type VenueOrder,
  type VenuePosition,
} from './venueTypes.ts';

export {
  DEFAULT_ACCOUNT,
  DEFAULT_MARGIN_PER_CONTRACT,
  DEFAULT_STARTING_BALANCE,
  type AccountBalance,
  type ReplaceTerms,
  type SimulatedVenueParams,
  type SimulatedVenueState,
  type SubmitOptions,
  type VenueEvent,
  type VenueFill,
  type VenueOrder,
  type VenueOrderStatus,
  type VenuePosition,
} from './venueTypes.ts';

export type { VenueReport } from '../../core/venue.ts';

export class SimulatedVenue implements MarketListener {
  private readonly book: OrderBook;
  private readonly ledger: AccountLedger;
  private readonly lastQuoteTime = new Map<string, number>();
  private readonly subscribers = new Set<(e: VenueEvent) => void>();
  private lastBar: Bar | null = null;
  private lastQuote: Quote | null = null;
  private listener: ((e: VenueReport) => void) | null = null;
  /** The default account: the one the attached listener and `snapshot()` see. */
  readonly defaultAccount: string;

  constructor(private readonly p: SimulatedVenueParams) {
    const accounts = p.accounts && p.accounts.length > 0 ? p.accounts : [DEFAULT_ACCOUNT];
    this.defaultAccount = accounts[0]!;
    this.book = new OrderBook(p.tickSize);
    this.ledger = new AccountLedger({
      startingBalance: p.startingBalance ?? DEFAULT_STARTING_BALANCE,
      marginPerContract: p.marginPerContract ?? DEFAULT_MARGIN_PER_CONTRACT,
      commissionPerContract: p.commissionPerContract,
    });
    for (const a of accounts) this.ledger.open(a);
  }

  /** A venue carrying on from `state` (orders, positions, cash, fills and counters). */
  static restore(params: SimulatedVenueParams, state: SimulatedVenueState): SimulatedVenue {
    const venue = new SimulatedVenue(params);
    venue.book.load(state);
    venue.ledger.load(state);
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

  /** Built only when someone listens (the in-process session does not): no copies per report. */
  private emit(make: () => VenueEvent): void {
    if (this.subscribers.size === 0) return;
    const e = make();
    for (const s of this.subscribers) s(e);
  }

  // ---------------------------------------------------------------- orders

  /**
   * Submits one order. A known ClientOrderID creates nothing: the existing order is
   * reported (`duplicate`; VENUE.REJECTED 'duplicate ClientOrderID' to the attached client).
   * Returns a copy of the order as it stands after the call.
   */
  submit(req: OrderRequest, time: number, opts: SubmitOptions = {}): VenueOrder {
    const known = this.book.get(req.clientOrderId);
    if (known) return this.duplicate(known, time);
    const order = this.book.newOrder(req, time, opts, this.defaultAccount);
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
    const knownA = this.book.get(a.clientOrderId);
    const knownB = a.clientOrderId === b.clientOrderId ? knownA : this.book.get(b.clientOrderId);
    if (knownA || knownB || a.clientOrderId === b.clientOrderId) {
      const same = a.clientOrderId === b.clientOrderId;
      const answer = (known: VenueOrder | undefined, req: OrderRequest, other: OrderRequest): VenueOrder =>
        known
          ? this.duplicate(known, time)
          : this.reject(
              this.book.newOrder(req, time, opts, this.defaultAccount),
              same ? 'the two OCO legs need different ClientOrderIDs' : `OCO sibling ${other.clientOrderId} is already known`,
              time,
            );
      const first = answer(knownA, a, b);
      return [first, same ? first : answer(knownB, b, a)];
    }
    const group = this.book.nextOcoGroup();
    const { offsets, ...common } = opts;
    const orders = legs.map((leg, i) =>
      this.book.newOrder({ ...leg, ocoGroup: group }, time, { ...common, ...(offsets ? { offsetFromParent: offsets[i]! } : {}) }, this.defaultAccount),
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
    const order = this.book.get(clientOrderId);
    if (!order || (order.status !== 'working' && order.status !== 'pendingChild')) {
      const why = order ? `order is ${order.status}, not working` : 'no working order with that ClientOrderID';
      this.report({ type: 'VENUE.CANCEL_REJECTED', clientOrderId, reason: why, time }, order?.account ?? this.defaultAccount);
      this.emit(() => ({ type: 'cancelRejected', clientOrderId, order: order ? copy(order) : null, reason: why, time }));
      return;
    }
    this.book.markCancelled(order, time, reason);
    this.report({ type: 'VENUE.CANCELED', clientOrderId, time }, order.account);
    this.emit(() => ({ type: 'cancelled', order: copy(order), time }));
    for (const child of this.book.childrenOf(clientOrderId)) this.cancel(child.clientOrderId, time, `parent order ${clientOrderId} cancelled`);
  }

  /**
   * Cancel/replace: new price, stop price, quantity or time in force for a working (or
   * pending child) order. The order keeps its ids; it is eligible again from `time` on.
   */
  replace(clientOrderId: string, terms: ReplaceTerms, time: number): void {
    const order = this.book.get(clientOrderId);
    const refuse = (reason: string) =>
      this.emit(() => ({ type: 'replaceRejected', clientOrderId, order: order ? copy(order) : null, reason, time }));
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
    this.emit(() => ({ type: 'replaced', order: copy(order), time }));
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
    const known = this.book.get(clientOrderId);
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
    if (!this.ledger.has(account)) return [this.submit(base, time, { ...extra, forceReject: `unknown trade account "${account}"` })];
    const inScope = (s: string) => symbol === null || sameInstrument(s, symbol);
    for (const o of this.book.open()) {
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
    const o = this.book.get(clientOrderId);
    return o ? copy(o) : undefined;
  }

  /** A copy of the order with that ServerOrderID. */
  orderByServerId(serverOrderId: string): VenueOrder | undefined {
    const o = this.book.byServerId(serverOrderId);
    return o ? copy(o) : undefined;
  }

  /** The other member of `clientOrderId`'s OCO group, and its bracket parent, when it has them. */
  linksOf(clientOrderId: string): { ocoSibling?: VenueOrder; parent?: VenueOrder } {
    const { ocoSibling, parent } = this.book.linksOf(clientOrderId);
    return { ...(ocoSibling ? { ocoSibling: copy(ocoSibling) } : {}), ...(parent ? { parent: copy(parent) } : {}) };
  }

  /** Copies of the orders, in arrival order; `open` keeps the working and pending ones. */
  listOrders(filter: { account?: string; open?: boolean } = {}): VenueOrder[] {
    const out: VenueOrder[] = [];
    for (const o of this.book.all()) {
      if (filter.account !== undefined && o.account !== filter.account) continue;
      if (filter.open && o.status !== 'working' && o.status !== 'pendingChild') continue;
      out.push(copy(o));
    }
    return out;
  }

  /** The trade accounts, default first. */
  accounts(): string[] {
    return this.ledger.accounts();
  }

  hasAccount(account: string): boolean {
    return this.ledger.has(account);
  }

  /** Open positions (non-zero), of one account or all. */
  positions(account?: string): VenuePosition[] {
    return this.ledger.positions(account);
  }

  /** The position of `account` in `symbol`, flat (qty 0) included; undefined for an unknown account. */
  positionOf(account: string, symbol: string): VenuePosition | undefined {
    return this.ledger.positionOf(account, symbol);
  }

  /** Cash, open P&L, margin and available funds of `account`; undefined for an unknown account. */
  balance(account: string, now?: number): AccountBalance | undefined {
    const marketTime = Math.max(this.lastBar ? this.lastBar.time + this.p.barMs : 0, this.lastQuote?.time ?? 0);
    return this.ledger.balance(account, now, marketTime);
  }

  /** Fills history (copies), oldest first. */
  fills(filter: { account?: string; serverOrderId?: string; since?: number } = {}): VenueFill[] {
    return this.ledger.fills(filter);
  }

  /** Last known price of the instrument of `symbol` (bar close, trade, or quote mid). */
  markFor(symbol: string): number | undefined {
    return this.ledger.markFor(symbol);
  }

  /** Net position of the default account (the in-process session trades one instrument). */
  get position(): number {
    return this.ledger.netPosition(this.defaultAccount);
  }

  /** Average price of the default account's open position (0 when flat). */
  get avgPrice(): number {
    return this.ledger.avgPrice(this.defaultAccount);
  }

  /** The default account's truth for reconciliation: every order, the position and its average price. */
  snapshot(): { orders: Record<string, VenueOrderState>; position: number; avgPrice?: number } {
    // Copies, as a DTC message would be: a client must not reach into the venue's records.
    const orders: Record<string, VenueOrderState> = {};
    for (const o of this.book.all()) {
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
    this.ledger.mark(bar.symbol, bar.close, bar.time + this.p.barMs);
    // Bars are the fallback: when quotes flowed during this bar, they did the matching (asked only with orders working).
    if (this.book.hasWorking && !((this.lastQuoteTime.get(rootOf(bar.symbol)) ?? Number.NEGATIVE_INFINITY) >= bar.time)) {
      this.match(bar.symbol, bar.time, (o) => fillPriceOnBar(o, bar, this.p), (o) => bar.time >= o.submittedAt);
    }
    if (this.position !== 0) this.report({ type: 'VENUE.MARK', price: bar.close, time: bar.time + this.p.barMs }, this.defaultAccount);
  }

  /** Quotes drive matching: the next quote fills a market order; limits and stops trigger on them. */
  onQuote(quote: Quote): void {
    if (!isTradableQuote(quote)) return; // crossed or broken quotes neither mark nor fill
    this.lastQuote = quote;
    this.lastQuoteTime.set(rootOf(quote.symbol), quote.time);
    this.ledger.mark(quote.symbol, (quote.bid + quote.ask) / 2, quote.time);
    if (this.book.hasWorking) {
      this.match(quote.symbol, quote.time, (o) => fillPriceOnQuote(o, quote, this.p), (o) => quote.time >= o.submittedAt);
    }
  }

  /** A trade print only marks open positions; matching needs the book's two sides. */
  onTrade(trade: TradeTick): void {
    if (!Number.isFinite(trade.price) || trade.price <= 0) return;
    this.ledger.mark(trade.symbol, trade.price, trade.time);
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
    const book = this.book.exportState();
    const ledger = this.ledger.exportState();
    return {
      version: 1,
      seq: book.seq,
      executions: ledger.executions,
      ocoGroups: book.ocoGroups,
      orders: book.orders,
      accounts: ledger.accounts,
      fills: ledger.fills,
      marks: ledger.marks,
    };
  }

  // ---------------------------------------------------------------- internals

  private problemWith(order: VenueOrder, opts: SubmitOptions): string | null {
    if (!this.ledger.has(order.account)) return `unknown trade account "${order.account}"`;
    return this.book.problemWith(order, opts);
  }

  private duplicate(known: VenueOrder, time: number): VenueOrder {
    // Never apply a ClientOrderID twice; the original order keeps its state.
    this.report({ type: 'VENUE.REJECTED', clientOrderId: known.clientOrderId, reason: 'duplicate ClientOrderID', time }, known.account);
    this.emit(() => ({ type: 'duplicate', order: copy(known), time }));
    return copy(known);
  }

  private reject(order: VenueOrder, reason: string, time: number): VenueOrder {
    this.book.recordRejected(order, reason);
    this.report({ type: 'VENUE.REJECTED', clientOrderId: order.clientOrderId, reason, time }, order.account);
    this.emit(() => ({ type: 'rejected', order: copy(order), time }));
    return copy(order);
  }

  private accept(order: VenueOrder, time: number): VenueOrder {
    this.book.accept(order);
    this.report({ type: 'VENUE.ACCEPTED', clientOrderId: order.clientOrderId, serverOrderId: order.serverOrderId!, time }, order.account);
    this.emit(() => ({ type: 'accepted', order: copy(order), time }));
    return copy(order);
  }

  private match(
    symbol: string,
    time: number,
    priceOf: (o: VenueOrder) => number | null,
    eligible: (o: VenueOrder) => boolean,
  ): void {
    for (const order of this.book.matchCandidates(symbol)) {
      if (!this.book.isWorking(order.clientOrderId)) continue; // cancelled by an OCO sibling
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
    const { base, fill } = this.ledger.book(order, price, time);
    this.book.markFilled(order, price, time, base.executionId);
    this.report({ type: 'VENUE.FILL', fill: base }, order.account);
    this.emit(() => ({ type: 'filled', order: copy(order), fill: { ...fill }, time }));
    this.emit(() => ({ type: 'account', account: order.account, symbol: order.symbol, time }));
    if (order.ocoGroup) {
      for (const sibling of this.book.ocoMembers(order.ocoGroup)) this.cancel(sibling.clientOrderId, time, `OCO sibling ${order.clientOrderId} filled`);
    }
    for (const child of this.book.childrenOf(order.clientOrderId)) {
      // Bracket legs start working now, eligible from the next price on.
      this.book.activate(child, order, time);
      this.emit(() => ({ type: 'activated', order: copy(child), time }));
    }
  }
}

/** The instrument root of a symbol, the symbol itself when unknown (quotes and marks are kept per root). */
const rootOf = (symbol: string): string => rootOfKnown(symbol) ?? symbol;

const isUsableBar = (b: Bar): boolean =>
  Number.isFinite(b.open) && Number.isFinite(b.high) && Number.isFinite(b.low) && Number.isFinite(b.close) && Number.isFinite(b.time) &&
  b.low > 0 && b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close);
