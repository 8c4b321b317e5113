/**
 * DTC enumerations (values from DTCProtocol.h, protocol version 8). Message fields that
 * carry these are typed `number`: a peer may send a value this table does not know,
 * and the type must not pretend otherwise.
 */

/** Wire encodings; this codec implements BINARY, JSON and JSON_COMPACT. */
export const EncodingEnum = {
  BINARY: 0,
  BINARY_VLS: 1,
  JSON: 2,
  JSON_COMPACT: 3,
  PROTOCOL_BUFFERS: 4,
} as const;
export type EncodingEnum = (typeof EncodingEnum)[keyof typeof EncodingEnum];

/** LOGON_RESPONSE.Result. */
export const LogonStatus = {
  SUCCESS: 1,
  ERROR: 2,
  ERROR_NO_RECONNECT: 3,
  RECONNECT_NEW_ADDRESS: 4,
} as const;
export type LogonStatus = (typeof LogonStatus)[keyof typeof LogonStatus];

/** LOGON_REQUEST.TradeMode (named Unused1 in the newest headers). */
export const TradeMode = { UNSET: 0, DEMO: 1, SIMULATED: 2, LIVE: 3 } as const;
export type TradeMode = (typeof TradeMode)[keyof typeof TradeMode];

/** MARKET_DATA_REQUEST.RequestAction. */
export const RequestAction = {
  SUBSCRIBE: 1,
  UNSUBSCRIBE: 2,
  SNAPSHOT: 3,
  SNAPSHOT_WITH_INTERVAL_UPDATES: 4,
} as const;
export type RequestAction = (typeof RequestAction)[keyof typeof RequestAction];

/** ORDER_UPDATE.OrderStatus. */
export const OrderStatus = {
  UNSPECIFIED: 0,
  ORDER_SENT: 1,
  PENDING_OPEN: 2,
  PENDING_CHILD: 3,
  OPEN: 4,
  PENDING_CANCEL_REPLACE: 5,
  PENDING_CANCEL: 6,
  FILLED: 7,
  CANCELED: 8,
  REJECTED: 9,
  PARTIALLY_FILLED: 10,
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/** ORDER_UPDATE.OrderUpdateReason. */
export const OrderUpdateReason = {
  UNSET: 0,
  OPEN_ORDERS_REQUEST_RESPONSE: 1,
  NEW_ORDER_ACCEPTED: 2,
  GENERAL_ORDER_UPDATE: 3,
  ORDER_FILLED: 4,
  ORDER_FILLED_PARTIALLY: 5,
  ORDER_CANCELED: 6,
  ORDER_CANCEL_REPLACE_COMPLETE: 7,
  NEW_ORDER_REJECTED: 8,
  ORDER_CANCEL_REJECTED: 9,
  ORDER_CANCEL_REPLACE_REJECTED: 10,
} as const;
export type OrderUpdateReason = (typeof OrderUpdateReason)[keyof typeof OrderUpdateReason];

export const OrderType = {
  UNSET: 0,
  MARKET: 1,
  LIMIT: 2,
  STOP: 3,
  STOP_LIMIT: 4,
  MARKET_IF_TOUCHED: 5,
  LIMIT_IF_TOUCHED: 6,
  MARKET_LIMIT: 7,
} as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

export const TimeInForce = {
  UNSET: 0,
  DAY: 1,
  GOOD_TILL_CANCELED: 2,
  GOOD_TILL_DATE_TIME: 3,
  IMMEDIATE_OR_CANCEL: 4,
  ALL_OR_NONE: 5,
  FILL_OR_KILL: 6,
} as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

export const BuySell = { UNSET: 0, BUY: 1, SELL: 2 } as const;
export type BuySell = (typeof BuySell)[keyof typeof BuySell];

export const OpenClose = { UNSET: 0, OPEN: 1, CLOSE: 2 } as const;
export type OpenClose = (typeof OpenClose)[keyof typeof OpenClose];

/** SUBMIT_NEW_OCO_ORDER.PartialFillHandling (int8). */
export const PartialFillHandling = { UNSET: 0, REDUCE_QUANTITY: 1, IMMEDIATE_CANCEL: 2 } as const;
export type PartialFillHandling = (typeof PartialFillHandling)[keyof typeof PartialFillHandling];

/** MARKET_DATA_SNAPSHOT.TradingStatus (int8). */
export const TradingStatus = { UNKNOWN: 0, PRE_OPEN: 1, OPEN: 2, CLOSE: 3, TRADING_HALT: 4 } as const;
export type TradingStatus = (typeof TradingStatus)[keyof typeof TradingStatus];
