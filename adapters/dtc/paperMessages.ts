/**
 * Translation between DTC messages and the paper venue, both ways, as pure functions:
 * order messages in (always an OrderRequest, plus the reason to reject it when the
 * message cannot be honoured, so that even a refused ClientOrderID is recorded once),
 * and ORDER_UPDATE, POSITION_UPDATE, ACCOUNT_BALANCE_UPDATE, HISTORICAL_ORDER_FILL_RESPONSE
 * and MARKET_DATA_SNAPSHOT out.
 *
 * Time units follow DTCProtocol.h: LastFillDateTime and OrderReceivedDateTime are
 * milliseconds (int64), LatestTransactionDateTime and the market data times are seconds
 * with a fraction (double), ACCOUNT_BALANCE_UPDATE.TransactionDateTime is microseconds
 * (int64), the other DateTime members are whole seconds.
 */
import type { OrderRequest, OrderType, Side, TimeInForce } from '../../core/types.ts';
import type { AccountBalance, SubmitOptions, VenueFill, VenueOrder, VenuePosition } from '../simulated/simulatedVenue.ts';
import type { SymbolMarket } from './paperMarket.ts';
import { createDtcMessage } from './createMessage.ts';
import {
  BuySell,
  OpenClose,
  OrderStatus,
  OrderType as DtcOrderType,
  TimeInForce as DtcTimeInForce,
} from './enums.ts';
import { MessageType } from './messageType.ts';
import type {
  AccountBalanceUpdate,
  HistoricalOrderFillResponse,
  MarketDataSnapshot,
  OrderUpdate,
  PositionUpdate,
  SubmitNewOCOOrder,
  SubmitNewSingleOrder,
} from './messages.ts';

const seconds = (ms: number): number => Math.floor(ms / 1000);
/** A double the codec can encode, else absent (a rejected order may echo a client's NaN). */
const finite = (x: number | undefined): number | undefined => (x !== undefined && Number.isFinite(x) ? x : undefined);

const ORDER_TYPES: Readonly<Record<number, OrderType>> = {
  [DtcOrderType.MARKET]: 'market',
  [DtcOrderType.LIMIT]: 'limit',
  [DtcOrderType.STOP]: 'stop',
  [DtcOrderType.STOP_LIMIT]: 'stopLimit',
};
const DTC_ORDER_TYPES: Readonly<Record<OrderType, number>> = {
  market: DtcOrderType.MARKET,
  limit: DtcOrderType.LIMIT,
  stop: DtcOrderType.STOP,
  stopLimit: DtcOrderType.STOP_LIMIT,
};
const TIFS: Readonly<Record<number, TimeInForce>> = {
  [DtcTimeInForce.UNSET]: 'day',
  [DtcTimeInForce.DAY]: 'day',
  [DtcTimeInForce.GOOD_TILL_CANCELED]: 'gtc',
  [DtcTimeInForce.IMMEDIATE_OR_CANCEL]: 'ioc',
  [DtcTimeInForce.FILL_OR_KILL]: 'fok',
};
const DTC_TIFS: Readonly<Record<TimeInForce, number>> = {
  day: DtcTimeInForce.DAY,
  gtc: DtcTimeInForce.GOOD_TILL_CANCELED,
  ioc: DtcTimeInForce.IMMEDIATE_OR_CANCEL,
  fok: DtcTimeInForce.FILL_OR_KILL,
};

/** The venue's time in force for a DTC TimeInForce (UNSET is DAY), or null when unsupported. */
export const tifFromDtc = (tif: number): TimeInForce | null => TIFS[tif] ?? null;

const STATUSES: Readonly<Record<VenueOrder['status'], number>> = {
  pendingChild: OrderStatus.PENDING_CHILD,
  working: OrderStatus.OPEN,
  filled: OrderStatus.FILLED,
  cancelled: OrderStatus.CANCELED,
  rejected: OrderStatus.REJECTED,
};

/** DTC OrderStatus of a venue order. */
export const dtcStatus = (status: VenueOrder['status']): number => STATUSES[status];

/** One leg's terms as DTC carries them: Price1 is the limit, or the stop (stop-limit: Price2 is the limit). */
interface DtcLeg {
  clientOrderId: string;
  orderType: number;
  buySell: number;
  price1: number;
  price2: number;
  quantity: number;
}

/** Who and when, for translating an order message. */
export interface OrderContext {
  /** Event time of receipt (ms UTC). */
  time: number;
  /** The account to use when the message names none. */
  defaultAccount: string;
  tickSize: number;
}

/** An order message as the venue takes it; `problem` set means "record it as rejected with this reason". */
export interface TranslatedOrder {
  request: OrderRequest;
  options: SubmitOptions;
  problem: string | null;
}

const onGrid = (price: number, tick: number): boolean => Math.abs(price / tick - Math.round(price / tick)) < 1e-6;

function translateLeg(leg: DtcLeg, symbol: string, tifCode: number, ctx: OrderContext, priceFromParent: boolean): Omit<TranslatedOrder, 'options'> {
  const type = ORDER_TYPES[leg.orderType];
  const side: Side | null = leg.buySell === BuySell.BUY ? 'buy' : leg.buySell === BuySell.SELL ? 'sell' : null;
  const tif = tifFromDtc(tifCode);
  const request: OrderRequest = {
    clientOrderId: leg.clientOrderId,
    symbol,
    side: side ?? 'buy',
    qty: leg.quantity,
    type: type ?? 'market',
    tif: tif ?? 'day',
    purpose: 'dtc',
    createdAt: ctx.time,
  };
  if (type === 'limit') request.price = leg.price1;
  if (type === 'stop') request.stopPrice = leg.price1;
  if (type === 'stopLimit') {
    request.stopPrice = leg.price1;
    request.price = leg.price2;
  }
  let problem: string | null = null;
  if (leg.clientOrderId === '') problem = 'ClientOrderID is required';
  else if (symbol === '') problem = 'Symbol is required';
  else if (type === undefined) problem = `unsupported OrderType ${leg.orderType} (market 1, limit 2, stop 3, stop-limit 4)`;
  else if (side === null) problem = `BuySell must be BUY (1) or SELL (2), got ${leg.buySell}`;
  else if (tif === null) problem = `unsupported TimeInForce ${tifCode} (day 1, GTC 2, IOC 4, FOK 6)`;
  else if (!priceFromParent) {
    for (const [name, value] of [['price', request.price], ['stop price', request.stopPrice]] as const) {
      if (value !== undefined && Number.isFinite(value) && value > 0 && !onGrid(value, ctx.tickSize)) {
        problem = `${name} ${value} is not on the ${ctx.tickSize} tick grid`;
        break;
      }
    }
  }
  return { request, problem };
}

/** SUBMIT_NEW_SINGLE_ORDER -> venue order. */
export function singleOrderFromDtc(m: SubmitNewSingleOrder, ctx: OrderContext): TranslatedOrder {
  const leg = { clientOrderId: m.ClientOrderID, orderType: m.OrderType, buySell: m.BuySell, price1: m.Price1, price2: m.Price2, quantity: m.Quantity };
  const { request, problem } = translateLeg(leg, m.Symbol, m.TimeInForce, ctx, false);
  return {
    request,
    problem,
    options: {
      account: m.TradeAccount || ctx.defaultAccount,
      exchange: m.Exchange,
      ...(m.FreeFormText !== '' ? { freeFormText: m.FreeFormText } : {}),
    },
  };
}

/** The two legs of SUBMIT_NEW_OCO_ORDER, with the options common to both (parent, offsets). */
export interface TranslatedOco {
  legs: [OrderRequest, OrderRequest];
  options: Omit<SubmitOptions, 'offsetFromParent'> & { offsets?: [number, number] };
  /** The first problem of either leg. */
  problem: string | null;
}

/** SUBMIT_NEW_OCO_ORDER -> two venue orders (a bracket when ParentTriggerClientOrderID is set). */
export function ocoOrderFromDtc(m: SubmitNewOCOOrder, ctx: OrderContext): TranslatedOco {
  const useOffsets = m.UseOffsets !== 0;
  const one = translateLeg(
    { clientOrderId: m.ClientOrderID_1, orderType: m.OrderType_1, buySell: m.BuySell_1, price1: m.Price1_1, price2: m.Price2_1, quantity: m.Quantity_1 },
    m.Symbol, m.TimeInForce, ctx, useOffsets,
  );
  const two = translateLeg(
    { clientOrderId: m.ClientOrderID_2, orderType: m.OrderType_2, buySell: m.BuySell_2, price1: m.Price1_2, price2: m.Price2_2, quantity: m.Quantity_2 },
    m.Symbol, m.TimeInForce, ctx, useOffsets,
  );
  let problem = one.problem ?? two.problem;
  if (problem === null && useOffsets && m.ParentTriggerClientOrderID === '') problem = 'UseOffsets needs a ParentTriggerClientOrderID';
  if (useOffsets) {
    // The leg prices come from the parent's fill: drop the placeholders.
    for (const leg of [one.request, two.request]) {
      delete leg.price;
      delete leg.stopPrice;
    }
  }
  return {
    legs: [one.request, two.request],
    problem,
    options: {
      account: m.TradeAccount || ctx.defaultAccount,
      exchange: m.Exchange,
      ...(m.FreeFormText !== '' ? { freeFormText: m.FreeFormText } : {}),
      ...(m.ParentTriggerClientOrderID !== '' ? { parentClientOrderId: m.ParentTriggerClientOrderID } : {}),
      ...(useOffsets ? { offsets: [Math.abs(m.OffsetFromParent1), Math.abs(m.OffsetFromParent2)] as [number, number] } : {}),
    },
  };
}

/** Price1 / Price2 of an order as DTC carries them. */
export function dtcPrices(o: Pick<VenueOrder, 'type' | 'price' | 'stopPrice'>): { Price1?: number; Price2?: number } {
  switch (o.type) {
    case 'limit':
      return { Price1: finite(o.price) };
    case 'stop':
      return { Price1: finite(o.stopPrice) };
    case 'stopLimit':
      return { Price1: finite(o.stopPrice), Price2: finite(o.price) };
    default:
      return {};
  }
}

/** Addressing of one ORDER_UPDATE within a request's answer (unsolicited: 0, 1, 1). */
export interface UpdateAddress {
  requestId?: number;
  total?: number;
  number?: number;
}

export interface OrderUpdateExtras extends UpdateAddress {
  infoText?: string;
  /** ServerOrderID of the other OCO leg, of the parent. */
  ocoLinkedServerOrderId?: string;
  parentServerOrderId?: string;
}

/** ORDER_UPDATE for `order` with `reason` (OrderUpdateReason): every identifying member set. */
export function orderUpdateFor(order: VenueOrder, reason: number, extras: OrderUpdateExtras = {}): OrderUpdate {
  const terminal = order.status === 'cancelled' || order.status === 'rejected';
  const fill = order.lastFill;
  return createDtcMessage(MessageType.ORDER_UPDATE, {
    RequestID: extras.requestId ?? 0,
    TotalNumMessages: extras.total ?? 1,
    MessageNumber: extras.number ?? 1,
    Symbol: order.symbol,
    Exchange: order.exchange,
    ServerOrderID: order.serverOrderId ?? '',
    ClientOrderID: order.clientOrderId,
    OrderStatus: dtcStatus(order.status),
    OrderUpdateReason: reason,
    OrderType: DTC_ORDER_TYPES[order.type],
    BuySell: order.side === 'buy' ? BuySell.BUY : BuySell.SELL,
    ...dtcPrices(order),
    TimeInForce: DTC_TIFS[order.tif],
    OrderQuantity: finite(order.qty),
    FilledQuantity: order.filledQty,
    RemainingQuantity: terminal ? 0 : finite(order.qty - order.filledQty),
    ...(order.filledQty > 0 && order.avgFillPrice !== undefined ? { AverageFillPrice: order.avgFillPrice } : {}),
    ...(fill
      ? { LastFillPrice: fill.price, LastFillQuantity: fill.qty, LastFillDateTime: fill.time, LastFillExecutionID: fill.executionId }
      : {}),
    TradeAccount: order.account,
    InfoText: extras.infoText ?? (order.status === 'rejected' || order.status === 'cancelled' ? (order.reason ?? '') : ''),
    ParentServerOrderID: extras.parentServerOrderId ?? '',
    OCOLinkedOrderServerOrderID: extras.ocoLinkedServerOrderId ?? '',
    FreeFormText: order.freeFormText ?? '',
    OrderReceivedDateTime: order.receivedAt,
    LatestTransactionDateTime: order.updatedAt / 1000,
  });
}

/** The single ORDER_UPDATE answering an OPEN_ORDERS_REQUEST when there is nothing open. */
export function noOrdersUpdate(requestId: number, reason: number): OrderUpdate {
  return createDtcMessage(MessageType.ORDER_UPDATE, { RequestID: requestId, TotalNumMessages: 1, MessageNumber: 1, NoOrders: 1, OrderUpdateReason: reason });
}

/** POSITION_UPDATE for one open position (or, with `position` null, the NoPositions answer). */
export function positionUpdateFor(position: VenuePosition | null, address: UpdateAddress & { unsolicited?: boolean; account?: string; symbol?: string }): PositionUpdate {
  const common = {
    RequestID: address.requestId ?? 0,
    TotalNumberMessages: address.total ?? 1,
    MessageNumber: address.number ?? 1,
    Unsolicited: address.unsolicited ? 1 : 0,
  };
  if (position === null) {
    return createDtcMessage(MessageType.POSITION_UPDATE, {
      ...common,
      NoPositions: 1,
      ...(address.account !== undefined ? { TradeAccount: address.account } : {}),
      ...(address.symbol !== undefined ? { Symbol: address.symbol } : {}),
    });
  }
  return createDtcMessage(MessageType.POSITION_UPDATE, {
    ...common,
    Symbol: position.symbol,
    Exchange: position.exchange,
    Quantity: position.qty,
    AveragePrice: position.avgPrice,
    TradeAccount: position.account,
    MarginRequirement: position.marginRequirement,
    EntryDateTime: seconds(position.openedAt),
    OpenProfitLoss: position.openPnl,
  });
}

/** ACCOUNT_BALANCE_UPDATE of one account. SecuritiesValue is the account value (cash + open P&L). */
export function balanceUpdateFor(b: AccountBalance, address: UpdateAddress & { unsolicited?: boolean }): AccountBalanceUpdate {
  return createDtcMessage(MessageType.ACCOUNT_BALANCE_UPDATE, {
    RequestID: address.requestId ?? 0,
    TotalNumberMessages: address.total ?? 1,
    MessageNumber: address.number ?? 1,
    Unsolicited: address.unsolicited ? 1 : 0,
    TradeAccount: b.account,
    CashBalance: b.cash,
    BalanceAvailableForNewPositions: b.available,
    AccountCurrency: 'USD',
    SecuritiesValue: b.cash + b.openPnl,
    MarginRequirement: b.marginRequirement,
    OpenPositionsProfitLoss: b.openPnl,
    DailyProfitLoss: b.dailyPnl,
    TransactionIdentifier: b.executions,
    // t_DateTimeWithMicrosecondsInt in DTCProtocol.h: microseconds.
    TransactionDateTime: Math.round(b.updatedAt * 1000),
    Description: 'MIA paper account',
  });
}

/** HISTORICAL_ORDER_FILL_RESPONSE for one fill (or, with `fill` null, the NoOrderFills answer). */
export function fillResponseFor(fill: VenueFill | null, address: UpdateAddress): HistoricalOrderFillResponse {
  const common = { RequestID: address.requestId ?? 0, TotalNumberMessages: address.total ?? 1, MessageNumber: address.number ?? 1 };
  if (fill === null) return createDtcMessage(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, { ...common, NoOrderFills: 1 });
  return createDtcMessage(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, {
    ...common,
    Symbol: fill.symbol,
    Exchange: fill.exchange,
    ServerOrderID: fill.serverOrderId,
    BuySell: fill.side === 'buy' ? BuySell.BUY : BuySell.SELL,
    Price: fill.price,
    DateTime: seconds(fill.time),
    Quantity: fill.qty,
    UniqueExecutionID: fill.executionId,
    TradeAccount: fill.account,
    OpenClose: fill.openClose === 'open' ? OpenClose.OPEN : OpenClose.CLOSE,
    PositionQuantity: fill.positionAfter,
  });
}

/** MARKET_DATA_SNAPSHOT of what the server knows of a symbol, under the client's SymbolID. */
export function marketSnapshotFor(symbolId: number, m: SymbolMarket): MarketDataSnapshot {
  const s = m.session;
  return createDtcMessage(MessageType.MARKET_DATA_SNAPSHOT, {
    SymbolID: symbolId,
    ...(s ? { SessionOpenPrice: s.open, SessionHighPrice: s.high, SessionLowPrice: s.low, SessionVolume: s.volume } : {}),
    ...(s ? { TradingSessionDate: seconds(Date.parse(`${s.day}T00:00:00Z`)) } : {}),
    ...(m.quote
      ? { BidPrice: m.quote.bid, AskPrice: m.quote.ask, BidQuantity: m.quote.bidSize, AskQuantity: m.quote.askSize, BidAskDateTime: m.quote.time / 1000 }
      : {}),
    ...(m.last ? { LastTradePrice: m.last.price, LastTradeVolume: m.last.volume, LastTradeDateTime: m.last.time / 1000 } : {}),
  });
}
