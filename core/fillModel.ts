/**
 * The one fill model shared by the in-process paper venue, the paper DTC server and the
 * backtest, so that paper trading and backtests fill alike. Pure: given a working order
 * and the next bar or quote, it says whether and at what price the order fills.
 *
 * Conventions (conservative on purpose):
 * - Latency: an order is eligible only on bars that open, or quotes that arrive, at or
 *   after its submission time, so a signal on a bar's close fills at the earliest on the
 *   next bar, and an order fills at the earliest on the next quote.
 * - Market and triggered stop orders pay `slippageTicks` against them.
 * - Limits fill at their price only when the market trades *through* it (touch is not
 *   enough), or at the open when a bar gaps through them.
 * - When a bar could hit both legs of an OCO bracket, the venue checks stops first.
 *
 * Quotes (`fillPriceOnQuote`): a buy trades against the ask, a sell against the bid.
 * - market: the ask (bid) plus (minus) slippage, rounded away from the order onto the tick grid;
 * - limit: an order that has not yet rested (first eligible quote) and is marketable takes
 *   the ask (bid), never beyond its limit; once resting, it fills at its limit only when
 *   the ask (bid) goes strictly through it;
 * - stop: triggers when the ask (bid) touches the stop, then fills as a market order at
 *   that quote plus slippage;
 * - stop-limit: triggers like a stop, then fills at the quote if that is within its limit.
 */
import type { Bar, OrderRequest, Quote } from './types.ts';
import { roundToTick } from './tick.ts';

/** An order resting at the venue: the request's terms, its remaining quantity in `qty`. */
export interface WorkingOrder extends Pick<OrderRequest, 'clientOrderId' | 'symbol' | 'side' | 'qty' | 'type' | 'price' | 'stopPrice' | 'ocoGroup'> {
  submittedAt: number;
  /**
   * True once the order has been eligible against a price without filling: a limit is
   * then a resting order and needs the market to trade through it. Bars ignore it.
   */
  rested?: boolean;
}

export interface FillModelParams {
  tickSize: number;
  slippageTicks: number;
}

/** Price at which `order` fills on `bar`, or null when it does not. */
export function fillPriceOnBar(order: WorkingOrder, bar: Bar, p: FillModelParams): number | null {
  if (bar.time < order.submittedAt) return null;
  const buy = order.side === 'buy';
  const slip = p.slippageTicks * p.tickSize * (buy ? 1 : -1);
  switch (order.type) {
    case 'market':
      return roundToTick(bar.open + slip, p.tickSize);
    case 'limit': {
      const limit = order.price!;
      // Strictly through: an open exactly at the limit is only a touch.
      if (buy ? bar.open < limit : bar.open > limit) return bar.open;
      return (buy ? bar.low < limit : bar.high > limit) ? limit : null;
    }
    case 'stop': {
      const stop = order.stopPrice!;
      if (buy ? bar.open >= stop : bar.open <= stop) return roundToTick(bar.open + slip, p.tickSize);
      return (buy ? bar.high >= stop : bar.low <= stop) ? roundToTick(stop + slip, p.tickSize) : null;
    }
    case 'stopLimit': {
      const stop = order.stopPrice!;
      const limit = order.price!;
      const triggered = buy ? bar.high >= stop : bar.low <= stop;
      if (!triggered) return null;
      const trigger = buy ? Math.max(stop, bar.open) : Math.min(stop, bar.open);
      // After the trigger it rests as a limit: fills at the trigger if that is within the limit.
      if (buy ? trigger <= limit : trigger >= limit) return trigger;
      return null;
    }
  }
}

/** A quote the fill model can trade against: both sides finite, positive and not crossed. */
export const isTradableQuote = (q: Quote): boolean =>
  Number.isFinite(q.bid) && Number.isFinite(q.ask) && q.bid > 0 && q.ask > 0 && q.bid <= q.ask;

// Tolerance for prices that are on the grid up to floating-point noise.
const GRID_EPSILON = 1e-9;
/** Onto the tick grid, rounding against a buyer (up) or a seller (down). */
const againstOrder = (price: number, buy: boolean, tick: number): number => {
  const ticks = price / tick;
  return (buy ? Math.ceil(ticks - GRID_EPSILON) : Math.floor(ticks + GRID_EPSILON)) * tick;
};

/** Price at which `order` fills against `quote`, or null when it does not (or the quote is unusable). */
export function fillPriceOnQuote(order: WorkingOrder, quote: Quote, p: FillModelParams): number | null {
  if (quote.time < order.submittedAt || !isTradableQuote(quote)) return null;
  const buy = order.side === 'buy';
  // The side of the book the order trades against.
  const touch = buy ? quote.ask : quote.bid;
  const slip = p.slippageTicks * p.tickSize * (buy ? 1 : -1);
  const atMarket = () => againstOrder(touch + slip, buy, p.tickSize);
  switch (order.type) {
    case 'market':
      return atMarket();
    case 'limit': {
      const limit = order.price!;
      if (!order.rested) return (buy ? touch <= limit : touch >= limit) ? touch : null;
      return (buy ? touch < limit : touch > limit) ? limit : null;
    }
    case 'stop': {
      const stop = order.stopPrice!;
      return (buy ? touch >= stop : touch <= stop) ? atMarket() : null;
    }
    case 'stopLimit': {
      const stop = order.stopPrice!;
      const limit = order.price!;
      if (!(buy ? touch >= stop : touch <= stop)) return null;
      return (buy ? touch <= limit : touch >= limit) ? touch : null;
    }
  }
}

/** Stops before limits within one bar: the pessimistic reading of an ambiguous bar. */
export const matchPriority = (order: WorkingOrder): number =>
  order.type === 'market' ? 0 : order.type === 'stop' || order.type === 'stopLimit' ? 1 : 2;
