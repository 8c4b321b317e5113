/**
 * The DTC messages MIA speaks, one interface per message. Member names are the struct
 * member names of DTCProtocol.h so that the JSON encodings need no mapping. `Size` is a
 * framing detail and not part of the model.
 *
 * Enum-valued members are `number` (see enums.ts): a peer may send values we do not
 * know. Doubles the protocol leaves unset as DBL_MAX are optional: `undefined` means
 * absent. int64/uint64 members are numbers, exact up to 2^53 (timestamps and counters).
 */
import type { MessageType } from './messageType.ts';

export interface EncodingRequest {
  Type: typeof MessageType.ENCODING_REQUEST;
  ProtocolVersion: number;
  Encoding: number;
  ProtocolType: string;
}

export interface EncodingResponse {
  Type: typeof MessageType.ENCODING_RESPONSE;
  ProtocolVersion: number;
  Encoding: number;
  ProtocolType: string;
}

export interface LogonRequest {
  Type: typeof MessageType.LOGON_REQUEST;
  ProtocolVersion: number;
  Username: string;
  Password: string;
  GeneralTextData: string;
  /** Keep 0: bit 0x2 switches Sierra Chart into relay mode. */
  Integer_1: number;
  Integer_2: number;
  HeartbeatIntervalInSeconds: number;
  /** Formerly TradeMode; the official header names it Unused1. */
  Unused1: number;
  TradeAccount: string;
  HardwareIdentifier: string;
  ClientName: string;
  MarketDataTransmissionInterval: number;
}

export interface LogonResponse {
  Type: typeof MessageType.LOGON_RESPONSE;
  ProtocolVersion: number;
  Result: number;
  ResultText: string;
  ReconnectAddress: string;
  Integer_1: number;
  ServerName: string;
  MarketDepthUpdatesBestBidAndAsk: number;
  TradingIsSupported: number;
  OCOOrdersSupported: number;
  OrderCancelReplaceSupported: number;
  SymbolExchangeDelimiter: string;
  SecurityDefinitionsSupported: number;
  HistoricalPriceDataSupported: number;
  ResubscribeWhenMarketDataFeedAvailable: number;
  MarketDepthIsSupported: number;
  OneHistoricalPriceDataRequestPerConnection: number;
  BracketOrdersSupported: number;
  Unused_1: number;
  UsesMultiplePositionsPerSymbolAndTradeAccount: number;
  MarketDataSupported: number;
}

export interface Heartbeat {
  Type: typeof MessageType.HEARTBEAT;
  NumDroppedMessages: number;
  /** Seconds since the Unix epoch. */
  CurrentDateTime: number;
}

export interface Logoff {
  Type: typeof MessageType.LOGOFF;
  Reason: string;
  DoNotReconnect: number;
}

export interface MarketDataRequest {
  Type: typeof MessageType.MARKET_DATA_REQUEST;
  RequestAction: number;
  SymbolID: number;
  Symbol: string;
  Exchange: string;
  IntervalForSnapshotUpdatesInMilliseconds: number;
}

export interface MarketDataReject {
  Type: typeof MessageType.MARKET_DATA_REJECT;
  SymbolID: number;
  RejectText: string;
}

export interface MarketDataSnapshot {
  Type: typeof MessageType.MARKET_DATA_SNAPSHOT;
  SymbolID: number;
  SessionSettlementPrice?: number;
  SessionOpenPrice?: number;
  SessionHighPrice?: number;
  SessionLowPrice?: number;
  SessionVolume?: number;
  /** UINT_MAX when unset. */
  SessionNumTrades: number;
  /** UINT_MAX when unset. */
  OpenInterest: number;
  BidPrice?: number;
  AskPrice?: number;
  AskQuantity?: number;
  BidQuantity?: number;
  LastTradePrice?: number;
  LastTradeVolume?: number;
  /** Seconds since the epoch, with a fractional part. */
  LastTradeDateTime: number;
  BidAskDateTime: number;
  SessionSettlementDateTime: number;
  TradingSessionDate: number;
  TradingStatus: number;
  MarketDepthUpdateDateTime: number;
}

/** A trade print for a subscribed symbol (DTCProtocol.h s_MarketDataUpdateTrade). */
export interface MarketDataUpdateTrade {
  Type: typeof MessageType.MARKET_DATA_UPDATE_TRADE;
  SymbolID: number;
  /** AtBidOrAskEnum: 0 unset, 1 at bid, 2 at ask. */
  AtBidOrAsk: number;
  Price: number;
  Volume: number;
  /** Seconds since the epoch, with a fractional part (t_DateTimeWithMilliseconds). */
  DateTime: number;
}

/** A new best bid and ask (DTCProtocol.h s_MarketDataUpdateBidAsk); an absent price is unset. */
export interface MarketDataUpdateBidAsk {
  Type: typeof MessageType.MARKET_DATA_UPDATE_BID_ASK;
  SymbolID: number;
  BidPrice?: number;
  /** float32 on the wire. */
  BidQuantity: number;
  AskPrice?: number;
  AskQuantity: number;
  /** Whole seconds since the epoch (t_DateTime4Byte). */
  DateTime: number;
}

export interface SubmitNewSingleOrder {
  Type: typeof MessageType.SUBMIT_NEW_SINGLE_ORDER;
  Symbol: string;
  Exchange: string;
  TradeAccount: string;
  /** Unique within the trading session: the idempotency key of the order. */
  ClientOrderID: string;
  OrderType: number;
  BuySell: number;
  Price1: number;
  Price2: number;
  Quantity: number;
  TimeInForce: number;
  GoodTillDateTime: number;
  IsAutomatedOrder: number;
  IsParentOrder: number;
  FreeFormText: string;
  OpenOrClose: number;
  MaxShowQuantity: number;
  Price1AsString: string;
  Price2AsString: string;
  IntendedPositionQuantity: number;
}

export interface SubmitNewOCOOrder {
  Type: typeof MessageType.SUBMIT_NEW_OCO_ORDER;
  Symbol: string;
  Exchange: string;
  ClientOrderID_1: string;
  OrderType_1: number;
  BuySell_1: number;
  Price1_1: number;
  Price2_1: number;
  Quantity_1: number;
  ClientOrderID_2: string;
  OrderType_2: number;
  BuySell_2: number;
  Price1_2: number;
  Price2_2: number;
  Quantity_2: number;
  TimeInForce: number;
  GoodTillDateTime: number;
  TradeAccount: string;
  IsAutomatedOrder: number;
  ParentTriggerClientOrderID: string;
  FreeFormText: string;
  OpenOrClose: number;
  PartialFillHandling: number;
  UseOffsets: number;
  OffsetFromParent1: number;
  OffsetFromParent2: number;
  MaintainSamePricesOnParentFill: number;
  Price1_1AsString: string;
  Price2_1AsString: string;
  Price1_2AsString: string;
  Price2_2AsString: string;
}

export interface CancelOrder {
  Type: typeof MessageType.CANCEL_ORDER;
  ServerOrderID: string;
  ClientOrderID: string;
  TradeAccount: string;
}

export interface CancelReplaceOrder {
  Type: typeof MessageType.CANCEL_REPLACE_ORDER;
  ServerOrderID: string;
  ClientOrderID: string;
  Price1: number;
  Price2: number;
  Quantity: number;
  /** Defaults to 1: the price is replaced unless told otherwise. */
  Price1IsSet: number;
  Price2IsSet: number;
  Unused: number;
  TimeInForce: number;
  GoodTillDateTime: number;
  UpdatePrice1OffsetToParent: number;
  TradeAccount: string;
  Price1AsString: string;
  Price2AsString: string;
}

export interface SubmitFlattenPositionOrder {
  Type: typeof MessageType.SUBMIT_FLATTEN_POSITION_ORDER;
  Symbol: string;
  Exchange: string;
  TradeAccount: string;
  ClientOrderID: string;
  FreeFormText: string;
  IsAutomatedOrder: number;
}

export interface FlattenPositionsForTradeAccount {
  Type: typeof MessageType.FLATTEN_POSITIONS_FOR_TRADE_ACCOUNT;
  TradeAccount: string;
  ClientOrderID: string;
  FreeFormText: string;
  IsAutomatedOrder: number;
}

export interface OpenOrdersRequest {
  Type: typeof MessageType.OPEN_ORDERS_REQUEST;
  RequestID: number;
  /** Defaults to 1. */
  RequestAllOrders: number;
  ServerOrderID: string;
  TradeAccount: string;
}

export interface OrderUpdate {
  Type: typeof MessageType.ORDER_UPDATE;
  RequestID: number;
  TotalNumMessages: number;
  MessageNumber: number;
  Symbol: string;
  Exchange: string;
  PreviousServerOrderID: string;
  ServerOrderID: string;
  ClientOrderID: string;
  ExchangeOrderID: string;
  OrderStatus: number;
  OrderUpdateReason: number;
  OrderType: number;
  BuySell: number;
  Price1?: number;
  Price2?: number;
  TimeInForce: number;
  GoodTillDateTime: number;
  OrderQuantity?: number;
  FilledQuantity?: number;
  RemainingQuantity?: number;
  AverageFillPrice?: number;
  LastFillPrice?: number;
  /** Milliseconds since the epoch. */
  LastFillDateTime: number;
  LastFillQuantity?: number;
  LastFillExecutionID: string;
  TradeAccount: string;
  InfoText: string;
  NoOrders: number;
  ParentServerOrderID: string;
  OCOLinkedOrderServerOrderID: string;
  OpenOrClose: number;
  PreviousClientOrderID: string;
  FreeFormText: string;
  OrderReceivedDateTime: number;
  LatestTransactionDateTime: number;
  Username: string;
}

export interface HistoricalOrderFillsRequest {
  Type: typeof MessageType.HISTORICAL_ORDER_FILLS_REQUEST;
  RequestID: number;
  ServerOrderID: string;
  NumberOfDays: number;
  TradeAccount: string;
  StartDateTime: number;
}

export interface HistoricalOrderFillResponse {
  Type: typeof MessageType.HISTORICAL_ORDER_FILL_RESPONSE;
  RequestID: number;
  TotalNumberMessages: number;
  MessageNumber: number;
  Symbol: string;
  Exchange: string;
  ServerOrderID: string;
  BuySell: number;
  Price: number;
  DateTime: number;
  Quantity: number;
  UniqueExecutionID: string;
  TradeAccount: string;
  OpenClose: number;
  NoOrderFills: number;
  InfoText: string;
  HighPriceDuringPosition: number;
  LowPriceDuringPosition: number;
  PositionQuantity?: number;
  Username: string;
  ExchangeOrderID: string;
  SenderSubID: string;
}

export interface CurrentPositionsRequest {
  Type: typeof MessageType.CURRENT_POSITIONS_REQUEST;
  RequestID: number;
  TradeAccount: string;
}

export interface PositionUpdate {
  Type: typeof MessageType.POSITION_UPDATE;
  RequestID: number;
  TotalNumberMessages: number;
  MessageNumber: number;
  Symbol: string;
  Exchange: string;
  Quantity: number;
  AveragePrice: number;
  PositionIdentifier: string;
  TradeAccount: string;
  NoPositions: number;
  Unsolicited: number;
  MarginRequirement: number;
  EntryDateTime: number;
  OpenProfitLoss: number;
  HighPriceDuringPosition: number;
  LowPriceDuringPosition: number;
  QuantityLimit: number;
  MaxPotentialPostionQuantity: number;
}

export interface TradeAccountsRequest {
  Type: typeof MessageType.TRADE_ACCOUNTS_REQUEST;
  RequestID: number;
}

export interface TradeAccountResponse {
  Type: typeof MessageType.TRADE_ACCOUNT_RESPONSE;
  TotalNumberMessages: number;
  MessageNumber: number;
  TradeAccount: string;
  RequestID: number;
  TradingIsDisabled: number;
}

export interface AccountBalanceRequest {
  Type: typeof MessageType.ACCOUNT_BALANCE_REQUEST;
  RequestID: number;
  TradeAccount: string;
}

export interface AccountBalanceUpdate {
  Type: typeof MessageType.ACCOUNT_BALANCE_UPDATE;
  RequestID: number;
  CashBalance: number;
  BalanceAvailableForNewPositions: number;
  AccountCurrency: string;
  TradeAccount: string;
  SecuritiesValue: number;
  MarginRequirement: number;
  TotalNumberMessages: number;
  MessageNumber: number;
  NoAccountBalances: number;
  Unsolicited: number;
  OpenPositionsProfitLoss: number;
  DailyProfitLoss: number;
  InfoText: string;
  TransactionIdentifier: number;
  DailyNetLossLimit: number;
  TrailingAccountValueToLimitPositions: number;
  DailyNetLossLimitReached: number;
  IsUnderRequiredMargin: number;
  ClosePositionsAtEndOfDay: number;
  TradingIsDisabled: number;
  Description: string;
  IsUnderRequiredAccountValue: number;
  TransactionDateTime: number;
  MarginRequirementFull: number;
  MarginRequirementFullPositionsOnly: number;
  PeakMarginRequirement: number;
}

/** Shape shared by the reject messages keyed by RequestID. */
interface RequestReject {
  RequestID: number;
  RejectText: string;
}

export interface OpenOrdersReject extends RequestReject {
  Type: typeof MessageType.OPEN_ORDERS_REJECT;
}

export interface CurrentPositionsReject extends RequestReject {
  Type: typeof MessageType.CURRENT_POSITIONS_REJECT;
}

export interface HistoricalOrderFillsReject extends RequestReject {
  Type: typeof MessageType.HISTORICAL_ORDER_FILLS_REJECT;
}

export interface AccountBalanceReject extends RequestReject {
  Type: typeof MessageType.ACCOUNT_BALANCE_REJECT;
}

/** Every message MIA encodes and decodes, discriminated on `Type`. */
export type DtcMessage =
  | EncodingRequest
  | EncodingResponse
  | LogonRequest
  | LogonResponse
  | Heartbeat
  | Logoff
  | MarketDataRequest
  | MarketDataReject
  | MarketDataSnapshot
  | MarketDataUpdateTrade
  | MarketDataUpdateBidAsk
  | SubmitNewSingleOrder
  | SubmitNewOCOOrder
  | CancelOrder
  | CancelReplaceOrder
  | SubmitFlattenPositionOrder
  | FlattenPositionsForTradeAccount
  | OpenOrdersRequest
  | OrderUpdate
  | OpenOrdersReject
  | HistoricalOrderFillsRequest
  | HistoricalOrderFillResponse
  | CurrentPositionsRequest
  | PositionUpdate
  | CurrentPositionsReject
  | HistoricalOrderFillsReject
  | TradeAccountsRequest
  | TradeAccountResponse
  | AccountBalanceUpdate
  | AccountBalanceRequest
  | AccountBalanceReject;

/** The message interface for a given type id. */
export type DtcMessageOf<T extends MessageType> = Extract<DtcMessage, { Type: T }>;
