/**
 * Bar aggregation: 1-minute bars into 5- or 15-minute bars (or any period that divides
 * an hour), and trade prints into bars. Buckets are aligned on the UTC clock: every US
 * zone is a whole number of hours from UTC and the CME day changes on a whole hour
 * (17:00 CT), so a bucket never straddles a trading day and matches the local clock.
 *
 * Bar time is the bucket's open (core/types.ts), even when its first minute is missing.
 */
import type { Bar, TradeTick } from './types.ts';

const HOUR_MS = 3_600_000;

/** Throws unless `periodMs` is a whole number of minutes that divides an hour (1, 2, 3, 5, ..., 60). */
export function assertIntradayPeriod(periodMs: number): void {
  if (!Number.isInteger(periodMs) || periodMs <= 0 || periodMs % 60_000 !== 0 || HOUR_MS % periodMs !== 0) {
    throw new RangeError(`bar period must be a whole number of minutes dividing an hour (1, 5, 15, 30, 60 ...), got ${periodMs} ms`);
  }
}

/** Start of the bucket that contains `time`. */
export const bucketOf = (time: number, periodMs: number): number => Math.floor(time / periodMs) * periodMs;

/**
 * Incremental aggregation for the hot path: push bars in time order, get each completed
 * bar back as soon as the next bucket starts. O(1) per bar, one object per output bar.
 * A change of symbol (a contract roll in a continuous series) also closes the bar.
 */
export class BarAggregator {
  private current: Bar | null = null;
  private bucket = Number.NaN;
  private flowComplete = true;

  constructor(readonly periodMs: number) {
    assertIntradayPeriod(periodMs);
  }

  /** Adds a bar; returns the bar it completed, if any. */
  push(bar: Bar): Bar | null {
    const bucket = bucketOf(bar.time, this.periodMs);
    const cur = this.current;
    if (cur && bucket === this.bucket && bar.symbol === cur.symbol) {
      if (bar.high > cur.high) cur.high = bar.high;
      if (bar.low < cur.low) cur.low = bar.low;
      cur.close = bar.close;
      cur.volume += bar.volume;
      this.addFlow(cur, bar);
      return null;
    }
    const done = this.flush();
    this.bucket = bucket;
    this.flowComplete = true;
    const next: Bar = { symbol: bar.symbol, time: bucket, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
    this.current = next;
    this.addFlow(next, bar, true);
    return done;
  }

  /** Completes and returns the bar in progress (end of the series), if any. */
  flush(): Bar | null {
    const done = this.current;
    this.current = null;
    return done;
  }

  /** Ask/bid volume is kept only when every component bar has it; partial sums would lie. */
  private addFlow(into: Bar, bar: Bar, first = false): void {
    if (!this.flowComplete) return;
    if (bar.askVolume === undefined || bar.bidVolume === undefined) {
      this.flowComplete = false;
      delete into.askVolume;
      delete into.bidVolume;
      return;
    }
    into.askVolume = (first ? 0 : into.askVolume!) + bar.askVolume;
    into.bidVolume = (first ? 0 : into.bidVolume!) + bar.bidVolume;
  }
}

/** Aggregates time-ordered bars into `periodMs` bars (e.g. 1-minute into 5-minute). */
export function aggregateBars(bars: readonly Bar[], periodMs: number): Bar[] {
  const agg = new BarAggregator(periodMs);
  const out: Bar[] = [];
  for (const bar of bars) {
    const done = agg.push(bar);
    if (done) out.push(done);
  }
  const last = agg.flush();
  if (last) out.push(last);
  return out;
}

/**
 * Bars from time-ordered trade prints. Ask/bid volume comes from the aggressor side
 * (buyer-initiated prints are ask volume) and is present only when every print in the
 * bar carries its side.
 */
export function barsFromTrades(trades: readonly TradeTick[], periodMs: number): Bar[] {
  assertIntradayPeriod(periodMs);
  const out: Bar[] = [];
  let cur: Bar | null = null;
  let bucket = Number.NaN;
  let sided = true;
  for (const t of trades) {
    const b = bucketOf(t.time, periodMs);
    if (!cur || b !== bucket || t.symbol !== cur.symbol) {
      if (cur) out.push(cur);
      bucket = b;
      sided = true;
      cur = { symbol: t.symbol, time: b, open: t.price, high: t.price, low: t.price, close: t.price, volume: 0, askVolume: 0, bidVolume: 0 };
    }
    if (t.price > cur.high) cur.high = t.price;
    if (t.price < cur.low) cur.low = t.price;
    cur.close = t.price;
    cur.volume += t.size;
    if (!sided) continue;
    if (t.aggressor === 'buy') cur.askVolume! += t.size;
    else if (t.aggressor === 'sell') cur.bidVolume! += t.size;
    else {
      sided = false;
      delete cur.askVolume;
      delete cur.bidVolume;
    }
  }
  if (cur) out.push(cur);
  return out;
}
