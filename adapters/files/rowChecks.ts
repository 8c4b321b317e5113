/**
 * Per-row validation shared by every loader: price sanity (positive, on the tick grid),
 * OHLC consistency, volumes, quotes not crossed, and time order. A check returns the
 * reason a row is rejected, or null; loaders never repair a row.
 */
import type { Bar, Quote, TradeTick } from '../../core/types.ts';
import type { IssueKind } from './seriesTypes.ts';

export type Rejection = [kind: Exclude<IssueKind, 'gap'>, detail: string];

/** True when `price` is a whole number of ticks (tolerant to decimal text round-off). */
export function onTick(price: number, tick: number): boolean {
  const n = price / tick;
  return Math.abs(n - Math.round(n)) < 1e-6;
}

function priceProblem(name: string, price: number, tick: number | null): Rejection | null {
  if (!Number.isFinite(price)) return ['parse', `${name} is not a number`];
  if (price <= 0) return ['non-positive', `${name} ${price} <= 0`];
  if (tick !== null && !onTick(price, tick)) return ['off-tick', `${name} ${price} is not a multiple of the tick ${tick}`];
  return null;
}

function volumeProblem(name: string, v: number | undefined): Rejection | null {
  if (v === undefined) return null;
  if (!Number.isFinite(v)) return ['parse', `${name} is not a number`];
  if (v < 0) return ['bad-volume', `${name} ${v} < 0`];
  return null;
}

export function checkBar(bar: Bar, tick: number | null): Rejection | null {
  // The common case in one expression (NaN fails every comparison and takes the slow path).
  const { open: o, high: h, low: l, close: c } = bar;
  if (
    l > 0 &&
    h < Infinity &&
    h >= o &&
    h >= c &&
    l <= o &&
    l <= c &&
    bar.volume >= 0 &&
    bar.volume < Infinity &&
    bar.askVolume === undefined &&
    bar.bidVolume === undefined &&
    (tick === null || (onTick(o, tick) && onTick(h, tick) && onTick(l, tick) && onTick(c, tick)))
  ) {
    return null;
  }
  const p =
    priceProblem('open', bar.open, tick) ??
    priceProblem('high', bar.high, tick) ??
    priceProblem('low', bar.low, tick) ??
    priceProblem('close', bar.close, tick);
  if (p) return p;
  if (bar.high < bar.low) return ['ohlc', `high ${bar.high} < low ${bar.low}`];
  if (bar.open > bar.high || bar.close > bar.high) return ['ohlc', `open ${bar.open} / close ${bar.close} above high ${bar.high}`];
  if (bar.open < bar.low || bar.close < bar.low) return ['ohlc', `open ${bar.open} / close ${bar.close} below low ${bar.low}`];
  return (
    volumeProblem('volume', bar.volume) ?? volumeProblem('askVolume', bar.askVolume) ?? volumeProblem('bidVolume', bar.bidVolume)
  );
}

export function checkTrade(t: TradeTick, tick: number | null): Rejection | null {
  const p = priceProblem('price', t.price, tick);
  if (p) return p;
  if (!Number.isFinite(t.size)) return ['parse', 'size is not a number'];
  if (t.size <= 0) return ['bad-volume', `size ${t.size} <= 0`];
  return null;
}

export function checkQuote(q: Quote, tick: number | null): Rejection | null {
  if (Number.isNaN(q.bid) || Number.isNaN(q.ask)) {
    return ['missing-side', `${Number.isNaN(q.bid) ? 'bid' : 'ask'} side absent`];
  }
  const p = priceProblem('bid', q.bid, tick) ?? priceProblem('ask', q.ask, tick);
  if (p) return p;
  if (q.bid > q.ask) return ['crossed', `bid ${q.bid} > ask ${q.ask}`];
  return volumeProblem('bidSize', q.bidSize) ?? volumeProblem('askSize', q.askSize);
}

/**
 * Time order of one series. Bars must strictly increase (an equal time is a duplicate);
 * trades and quotes may share a timestamp (one aggressive order fills several resting
 * orders in the same millisecond) but never go back in time.
 */
export class TimeOrder {
  private last = -Infinity;

  constructor(private readonly allowEqual: boolean) {}

  /** Checks `time` against the last accepted time; call accept() when the row is kept. */
  check(time: number): Rejection | null {
    if (!Number.isFinite(time)) return ['parse', 'time is not valid'];
    if (time > this.last) return null;
    if (time === this.last) return this.allowEqual ? null : ['duplicate', `time ${new Date(time).toISOString()} repeats the previous row`];
    return ['out-of-order', `time ${new Date(time).toISOString()} is before the previous row (${new Date(this.last).toISOString()})`];
  }

  accept(time: number): void {
    this.last = time;
  }

  get lastTime(): number {
    return this.last;
  }
}
