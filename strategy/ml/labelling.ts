/**
 * Labels: the outcome of each signal's trade under the live exit rules, simulated on the
 * bars after the signal with the shared fill model (core/fillModel.ts), as a session
 * trades it:
 *
 * - entry: a market order sent at the signal bar's close; it fills on the first bar that
 *   opens at or after that time, at its open plus slippage; the position dates from that
 *   bar's close (when the venue reports the fill);
 * - bracket: a stop `stopPoints` and a limit target `targetPoints` from the fill price (on
 *   the tick grid), eligible from the bar after the entry; when one bar could hit both, the
 *   stop is taken (the fill model's pessimistic order);
 * - opposite signal: the live session exits on a signal of the other side; when the next
 *   opposite signal (`oppositeAt`, the close of its bar) comes before the bracket or the time
 *   stop, a market exit fills at the next bar's open plus slippage;
 * - time stop: at the close of a bar where the position is `maxBarsInTrade` bars of time
 *   old (the scoring actor's rule), a market exit fills at the next bar's open plus slippage.
 *
 * Win = net P&L after the round-turn commission > 0. A trade the data ends before closing
 * has no label (null). `knownAt` is the close of the last bar the label read: a label is
 * known from then on, and a training fold may only use labels known before its test starts.
 */
import type { Bar, Side } from '../../core/types.ts';
import { fillPriceOnBar, type WorkingOrder } from '../../core/fillModel.ts';
import { roundToTick } from '../../core/tick.ts';

export interface ExitRules {
  stopPoints: number;
  targetPoints: number;
  maxBarsInTrade: number;
  barMs: number;
  tickSize: number;
  slippageTicks: number;
  /** Dollars per index point. */
  pointValue: number;
  /** Dollars per contract per side. */
  commissionPerContract: number;
}

export interface TradeOutcome {
  /** Open time of the entry bar, ms UTC. */
  entryTime: number;
  entryPrice: number;
  /** Open time of the exit bar, ms UTC. */
  exitTime: number;
  exitPrice: number;
  exitReason: 'stop' | 'target' | 'time-stop' | 'opposite-signal';
  /** One contract, dollars after the round-turn commission. */
  pnl: number;
  label: 0 | 1;
  /** Close of the last bar read, ms UTC: when the label is known. */
  knownAt: number;
}

export interface SignalToLabel {
  /** Close time of the signal bar (ms UTC). */
  time: number;
  side: Side;
  /** Close time of the next signal of the other side (ms UTC), when there is one: it exits the trade. */
  oppositeAt?: number;
}

/** Index of the first bar opening at or after `time` (bars.length when none). */
export function firstBarAtOrAfter(bars: readonly Bar[], time: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bars[mid]!.time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const order = (side: Side, type: WorkingOrder['type'], submittedAt: number, price?: number): WorkingOrder => ({
  clientOrderId: type,
  symbol: '',
  side,
  qty: 1,
  type,
  submittedAt,
  ...(type === 'stop' ? { stopPrice: price! } : type === 'limit' ? { price: price! } : {}),
});

/** The trade of one signal on `bars` (time-ordered), or null when the data ends first. */
export function labelSignal(signal: SignalToLabel, bars: readonly Bar[], r: ExitRules): TradeOutcome | null {
  const fill = { tickSize: r.tickSize, slippageTicks: r.slippageTicks };
  const dir = signal.side === 'buy' ? 1 : -1;
  const exitSide: Side = dir > 0 ? 'sell' : 'buy';
  const e = firstBarAtOrAfter(bars, signal.time);
  if (e >= bars.length) return null;
  const entryPrice = fillPriceOnBar(order(signal.side, 'market', signal.time), bars[e]!, fill)!;
  const since = bars[e]!.time + r.barMs;
  const stop = order(exitSide, 'stop', since, roundToTick(entryPrice - dir * r.stopPoints, r.tickSize));
  const target = order(exitSide, 'limit', since, roundToTick(entryPrice + dir * r.targetPoints, r.tickSize));
  const maxAge = r.maxBarsInTrade * r.barMs;
  const done = (j: number, price: number, exitReason: TradeOutcome['exitReason']): TradeOutcome => {
    const pnl = (price - entryPrice) * dir * r.pointValue - 2 * r.commissionPerContract;
    return { entryTime: bars[e]!.time, entryPrice, exitTime: bars[j]!.time, exitPrice: price, exitReason, pnl, label: pnl > 0 ? 1 : 0, knownAt: bars[j]!.time + r.barMs };
  };
  const opposite = signal.oppositeAt ?? Infinity;
  const exitAtNextOpen = (close: number, reason: TradeOutcome['exitReason']): TradeOutcome | null => {
    const x = firstBarAtOrAfter(bars, close);
    return x >= bars.length ? null : done(x, fillPriceOnBar(order(exitSide, 'market', close), bars[x]!, fill)!, reason);
  };
  // An opposite signal at the entry bar's close (or earlier) exits at the next open.
  if (opposite <= since) return exitAtNextOpen(since, 'opposite-signal');
  for (let j = e + 1; j < bars.length; j++) {
    const bar = bars[j]!;
    const s = fillPriceOnBar(stop, bar, fill);
    if (s !== null) return done(j, s, 'stop');
    const t = fillPriceOnBar(target, bar, fill);
    if (t !== null) return done(j, t, 'target');
    const close = bar.time + r.barMs;
    if (close >= opposite) return exitAtNextOpen(close, 'opposite-signal');
    if (close - since >= maxAge) {
      const x = firstBarAtOrAfter(bars, close);
      if (x >= bars.length) return null;
      return done(x, fillPriceOnBar(order(exitSide, 'market', close), bars[x]!, fill)!, 'time-stop');
    }
  }
  return null;
}
