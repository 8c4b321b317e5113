/**
 * The one fill model shared by the in-process paper venue, the paper DTC server and the
 * backtest, so that paper trading and backtests fill alike. Pure: given a working order
 * and the next bar, it says whether and at what price the order fills.
 *
 * Conventions (conservative on purpose):
 * - Latency: an order is eligible only on bars that open at or after its submission time,
 *   so a signal on a bar's close fills at the earliest on the next bar.
 * - Market and triggered stop orders pay `slippageTicks` against them.
 * - Limits fill at their price only when the bar trades *through* it (touch is not enough),
 *   or at the open when the bar gaps through them.
 * - When a bar could hit both legs of an OCO bracket, the venue checks stops first.
 */
import type { Bar, OrderRequest } from '../core/types.ts';
import { roundToTick } from '../config/instruments.ts';

/** An order resting at the venue: the request's terms, its remaining quantity in `qty`. */
export interface WorkingOrder extends Pick<OrderRequest, 'clientOrderId' | 'symbol' | 'side' | 'qty' | 'type' | 'price' | 'stopPrice' | 'ocoGroup'> {
  submittedAt: number;
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

/** Stops before limits within one bar: the pessimistic reading of an ambiguous bar. */
export const matchPriority = (order: WorkingOrder): number =>
  order.type === 'market' ? 0 : order.type === 'stop' || order.type === 'stopLimit' ? 1 : 2;
