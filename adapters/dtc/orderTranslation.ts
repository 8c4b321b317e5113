/**
 * MIA orders to DTC messages and back. Pure apart from the translator's memory of what
 * each order already reported, which is what makes repeated or duplicated ORDER_UPDATEs
 * harmless: every venue fact reaches the orchestrator once.
 */
import type { Fill, OrderRequest, Side, TimeInForce as MiaTimeInForce } from '../../core/types.ts';
import type { BracketOrder, VenueReport } from '../../core/venue.ts';
import { createDtcMessage } from './createMessage.ts';
import { BuySell, OrderStatus, OrderType, OrderUpdateReason, TimeInForce } from './enums.ts';
import { MessageType } from './messageType.ts';
import type { DtcMessage, OrderUpdate, SubmitNewOCOOrder, SubmitNewSingleOrder } from './messages.ts';

/** Where orders go: the account and the instrument as the server names them. */
export interface DtcRoute {
  account: string;
  symbol: string;
  exchange: string;
}

const orderTypes: Record<OrderRequest['type'], number> = {
  market: OrderType.MARKET,
  limit: OrderType.LIMIT,
  stop: OrderType.STOP,
  stopLimit: OrderType.STOP_LIMIT,
};

const timesInForce: Record<MiaTimeInForce, number> = {
  day: TimeInForce.DAY,
  gtc: TimeInForce.GOOD_TILL_CANCELED,
  ioc: TimeInForce.IMMEDIATE_OR_CANCEL,
  fok: TimeInForce.FILL_OR_KILL,
};

export const dtcBuySell = (side: Side): number => (side === 'buy' ? BuySell.BUY : BuySell.SELL);

/** MIA side of a DTC BuySell value, or null when it is unset or unknown. */
export const sideOfBuySell = (value: number): Side | null => (value === BuySell.BUY ? 'buy' : value === BuySell.SELL ? 'sell' : null);

/** DTC's Price1 / Price2: a stop's trigger goes in Price1; a stop-limit's limit in Price2. */
function prices(req: OrderRequest): { price1: number; price2: number } {
  switch (req.type) {
    case 'market':
      return { price1: 0, price2: 0 };
    case 'limit':
      return { price1: req.price!, price2: 0 };
    case 'stop':
      return { price1: req.stopPrice!, price2: 0 };
    case 'stopLimit':
      return { price1: req.stopPrice!, price2: req.price! };
  }
}

/** One order; `isParent` marks the entry of a bracket whose OCO legs follow (DTC.md). */
export function toDtcOrder(req: OrderRequest, route: DtcRoute, isParent = false): SubmitNewSingleOrder {
  const { price1, price2 } = prices(req);
  return createDtcMessage(MessageType.SUBMIT_NEW_SINGLE_ORDER, {
    ...(isParent ? { IsParentOrder: 1 } : {}),
    Symbol: route.symbol,
    Exchange: route.exchange,
    TradeAccount: route.account,
    ClientOrderID: req.clientOrderId,
    OrderType: orderTypes[req.type],
    BuySell: dtcBuySell(req.side),
    Price1: price1,
    Price2: price2,
    Quantity: req.qty,
    TimeInForce: timesInForce[req.tif],
    IsAutomatedOrder: 1,
    FreeFormText: req.purpose.slice(0, 47),
  });
}

/**
 * Two legs that cancel each other (a bracket's stop and target) as one OCO message; with
 * `parentClientOrderId` they wait at the server until that (parent) order fills.
 */
export function toDtcOco(first: OrderRequest, second: OrderRequest, route: DtcRoute, parentClientOrderId?: string): SubmitNewOCOOrder {
  const a = prices(first);
  const b = prices(second);
  return createDtcMessage(MessageType.SUBMIT_NEW_OCO_ORDER, {
    Symbol: route.symbol,
    Exchange: route.exchange,
    TradeAccount: route.account,
    ClientOrderID_1: first.clientOrderId,
    OrderType_1: orderTypes[first.type],
    BuySell_1: dtcBuySell(first.side),
    Price1_1: a.price1,
    Price2_1: a.price2,
    Quantity_1: first.qty,
    ClientOrderID_2: second.clientOrderId,
    OrderType_2: orderTypes[second.type],
    BuySell_2: dtcBuySell(second.side),
    Price1_2: b.price1,
    Price2_2: b.price2,
    Quantity_2: second.qty,
    TimeInForce: timesInForce[first.tif],
    IsAutomatedOrder: 1,
    ...(parentClientOrderId !== undefined ? { ParentTriggerClientOrderID: parentClientOrderId } : {}),
    FreeFormText: first.purpose.slice(0, 47),
  });
}

/**
 * A bracket as DTC sends it: the entry (when there is one) as a parent single order, then
 * the stop and target as one OCO order triggered by it. Both messages go out back to back.
 */
export function toDtcBracket(bracket: BracketOrder, route: DtcRoute): DtcMessage[] {
  const { entry, stop, target } = bracket;
  if (!entry) return [toDtcOco(stop, target, route)];
  return [toDtcOrder(entry, route, true), toDtcOco(stop, target, route, entry.clientOrderId)];
}


/** What the translator remembers of one order. */
export interface TrackedOrder {
  clientOrderId: string;
  serverOrderId: string | null;
  symbol: string;
  side: Side | null;
  accepted: boolean;
  /** filled, cancelled or rejected: nothing but fills is reported after that. */
  final: 'filled' | 'cancelled' | 'rejected' | null;
  filledQty: number;
  avgFillPrice: number | null;
}

export interface TranslatorParams {
  /** Dollars per contract per side: DTC fills do not carry commissions. */
  commissionPerContract: number;
  /** MIA's name of the traded instrument (fills are reported under it). */
  miaSymbol: string;
}

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/**
 * Turns ORDER_UPDATEs into orchestrator reports, each fact once: an acceptance, every
 * fill (keyed by execution id), and the final state. Updates answering an open-orders
 * request are reconciliation material and report nothing here.
 */
export class OrderUpdateTranslator {
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly byServerId = new Map<string, string>();
  private readonly executions = new Set<string>();

  constructor(private readonly params: TranslatorParams) {}

  /** The order's memory, when this translator has seen it. */
  order(clientOrderId: string): TrackedOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  clientIdOf(serverOrderId: string): string | undefined {
    return this.byServerId.get(serverOrderId);
  }

  /** Orders accepted and not yet final. */
  working(): TrackedOrder[] {
    return [...this.orders.values()].filter((o) => o.final === null);
  }

  /** True once this execution id was reported (here or by reconciliation). */
  hasExecution(id: string): boolean {
    return this.executions.has(id);
  }

  /** Remembers an order sent (so a later update can be tied to its request). */
  track(clientOrderId: string, symbol: string, side: Side, serverOrderId: string | null = null): TrackedOrder {
    let o = this.orders.get(clientOrderId);
    if (!o) {
      o = { clientOrderId, serverOrderId, symbol, side, accepted: false, final: null, filledQty: 0, avgFillPrice: null };
      this.orders.set(clientOrderId, o);
    }
    if (serverOrderId) this.link(o, serverOrderId);
    return o;
  }

  /** Marks an execution as already known (a fill replayed by reconciliation). */
  noteExecution(id: string): void {
    this.executions.add(id);
  }

  translate(u: OrderUpdate, now: number): VenueReport[] {
    if (u.OrderUpdateReason === OrderUpdateReason.OPEN_ORDERS_REQUEST_RESPONSE || u.NoOrders === 1) return [];
    const clientOrderId = u.ClientOrderID;
    if (!clientOrderId) return [];
    const o = this.track(clientOrderId, u.Symbol, sideOfBuySell(u.BuySell) ?? 'buy', u.ServerOrderID || null);
    const out: VenueReport[] = [];
    const time = now;
    const accept = () => {
      if (o.accepted || o.final === 'rejected') return;
      o.accepted = true;
      out.push({ type: 'VENUE.ACCEPTED', clientOrderId, serverOrderId: o.serverOrderId ?? '', time });
    };
    const reason = u.OrderUpdateReason;
    const status = u.OrderStatus;

    if (reason === OrderUpdateReason.NEW_ORDER_REJECTED || (status === OrderStatus.REJECTED && reason !== OrderUpdateReason.ORDER_CANCEL_REJECTED)) {
      if (o.final === null && !o.accepted) {
        o.final = 'rejected';
        out.push({ type: 'VENUE.REJECTED', clientOrderId, reason: u.InfoText || 'rejected by the venue', time });
      }
      return out;
    }
    if (reason === OrderUpdateReason.ORDER_CANCEL_REJECTED) {
      accept();
      out.push({ type: 'VENUE.CANCEL_REJECTED', clientOrderId, reason: u.InfoText || 'cancel rejected by the venue', time });
      return out;
    }
    if (reason === OrderUpdateReason.ORDER_FILLED || reason === OrderUpdateReason.ORDER_FILLED_PARTIALLY || status === OrderStatus.FILLED || status === OrderStatus.PARTIALLY_FILLED) {
      accept();
      const fill = this.fillOf(u, o, time);
      if (fill) out.push({ type: 'VENUE.FILL', fill });
      if (status === OrderStatus.FILLED) o.final = 'filled';
      return out;
    }
    if (reason === OrderUpdateReason.ORDER_CANCELED || status === OrderStatus.CANCELED) {
      accept();
      if (o.final === null) {
        o.final = 'cancelled';
        out.push({ type: 'VENUE.CANCELED', clientOrderId, time });
      }
      return out;
    }
    if (reason === OrderUpdateReason.NEW_ORDER_ACCEPTED || status === OrderStatus.OPEN || status === OrderStatus.PENDING_OPEN) accept();
    return out;
  }

  /** The fill an update reports, or null when it brings no new execution. */
  private fillOf(u: OrderUpdate, o: TrackedOrder, now: number): Fill | null {
    const total = finite(u.FilledQuantity) ? u.FilledQuantity : null;
    const qty = finite(u.LastFillQuantity) && u.LastFillQuantity > 0 ? u.LastFillQuantity : total !== null ? total - o.filledQty : 0;
    const price = finite(u.LastFillPrice) ? u.LastFillPrice : finite(u.AverageFillPrice) ? u.AverageFillPrice : null;
    const executionId = u.LastFillExecutionID || `${u.ServerOrderID}:${total ?? o.filledQty + qty}`;
    if (!(qty > 0) || price === null || this.executions.has(executionId)) return null;
    const side = sideOfBuySell(u.BuySell) ?? o.side;
    if (!side) return null;
    this.executions.add(executionId);
    o.avgFillPrice = o.avgFillPrice === null ? price : (o.avgFillPrice * o.filledQty + price * qty) / (o.filledQty + qty);
    o.filledQty += qty;
    return {
      clientOrderId: o.clientOrderId,
      executionId,
      symbol: this.params.miaSymbol,
      side,
      qty,
      price,
      time: u.LastFillDateTime > 0 ? u.LastFillDateTime : now,
      commission: qty * this.params.commissionPerContract,
    };
  }

  private link(o: TrackedOrder, serverOrderId: string): void {
    o.serverOrderId = serverOrderId;
    this.byServerId.set(serverOrderId, o.clientOrderId);
  }
}
