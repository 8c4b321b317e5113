/**
 * Domain types shared by machines, actors, strategy and adapters. Plain data only.
 */

export type Side = 'buy' | 'sell';

/** +1 for buy, -1 for sell: signed quantities are `qty * sideSign(side)`. */
export const sideSign = (side: Side): 1 | -1 => (side === 'buy' ? 1 : -1);

export type OrderType = 'market' | 'limit' | 'stop' | 'stopLimit';
export type TimeInForce = 'day' | 'gtc' | 'ioc' | 'fok';

/** Where a series or a result came from; gates refuse `simulated` evidence. */
export type Provenance =
  | { kind: 'simulated'; seed: number }
  | { kind: 'replay'; file: string; sha256: string }
  | { kind: 'polygon' }
  | { kind: 'dtc-paper' }
  | { kind: 'live' };

export const provenanceLabel = (p: Provenance): string => {
  switch (p.kind) {
    case 'simulated':
      return `simulated:seed=${p.seed}`;
    case 'replay':
      return `replay:${p.file}#${p.sha256}`;
    default:
      return p.kind;
  }
};

/** One OHLCV bar; `time` is the bar's open, ms since epoch UTC. */
export interface Bar {
  symbol: string;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Volume traded at the ask (aggressive buyers) and at the bid, when known. */
  askVolume?: number;
  bidVolume?: number;
}

export interface Quote {
  symbol: string;
  time: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

/** One trade print; `aggressor` is the side that crossed the spread, when the feed says. */
export interface TradeTick {
  symbol: string;
  time: number;
  price: number;
  size: number;
  aggressor?: Side;
}

/** One price level of an order book. */
export interface BookLevel {
  price: number;
  size: number;
}

/** Top of the book, best level first on each side (L1 is index 0). */
export interface BookSnapshot {
  symbol: string;
  time: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

export type OptionRight = 'call' | 'put';

/** One option contract of a chain snapshot; greeks and IV are absent when the source lacks them. */
export interface OptionContract {
  /** Expiration date, YYYY-MM-DD. */
  expiry: string;
  strike: number;
  right: OptionRight;
  bid?: number;
  ask?: number;
  last?: number;
  /** Implied volatility, annualised decimal (0.18 = 18%). */
  iv?: number;
  delta?: number;
  gamma?: number;
  openInterest: number;
  volume?: number;
}

/** An option chain at one moment (SPX for gamma levels). */
export interface OptionChainSnapshot {
  /** Underlying symbol, e.g. 'SPX'. */
  underlying: string;
  /** Snapshot time, ms UTC. */
  time: number;
  /** Underlying price at the snapshot. */
  spot: number;
  contracts: OptionContract[];
  provenance: Provenance;
}

/** What the strategy or the operator wants to send, before risk and the venue see it. */
export interface OrderRequest {
  clientOrderId: string;
  symbol: string;
  side: Side;
  qty: number;
  type: OrderType;
  /** Limit price for limit / stop-limit. */
  price?: number;
  /** Trigger price for stop / stop-limit. */
  stopPrice?: number;
  tif: TimeInForce;
  /** Protective stop distance in points, used by the worst-case-loss check. */
  stopDistance?: number;
  /** Why the order exists: 'entry', 'exit', 'flatten', 'bracket-stop', ... */
  purpose: string;
  /** Event time at which the order was created (ms UTC). */
  createdAt: number;
  /** Orders sharing a group cancel each other when one fills (bracket stop + target). */
  ocoGroup?: string;
}

export interface Fill {
  clientOrderId: string;
  /** The venue's execution id: unique on its account only (see core/fillIdentity.ts). */
  executionId: string;
  /** The venue account the fill belongs to, stamped by a DTC venue (absent in process). */
  account?: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  time: number;
  commission: number;
}

export interface Position {
  symbol: string;
  /** Signed: + long, - short. */
  qty: number;
  avgPrice: number;
}

/** A closed round trip, money in dollars after commissions. */
export interface Trade {
  symbol: string;
  side: 'long' | 'short';
  qty: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  commission: number;
  pnl: number;
}
