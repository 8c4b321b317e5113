/**
 * Order book imbalance (DOMAIN.md): l1Weight * L1 + (1 - l1Weight) * depth, where
 * L1 = (bidSize - askSize) / (bidSize + askSize) at the best level and depth is the same
 * ratio over the top `depthLevels` levels of each side. Positive = more resting bids.
 *
 * L1 comes from the latest quote or book snapshot, depth from the latest book snapshot.
 * Read at a bar's close with `evaluate(time)`: a reading older than `maxAgeMs` is stale.
 * Without fresh depth (a quote-only feed) the value is L1 alone; without a fresh L1 the
 * feature is unavailable. O(depthLevels) per snapshot, O(1) per read.
 */
import type { BookLevel, BookSnapshot, Quote } from '../../core/types.ts';
import { FeatureOutput, reading, unavailable, type FeatureValue } from './featureValue.ts';

export interface OrderBookParams {
  /** Weight of the best level; the rest goes to the top-N depth. */
  l1Weight: number;
  /** Levels per side in the depth ratio (5 in the plan). */
  depthLevels: number;
  /** A snapshot older than this at evaluation time is stale. */
  maxAgeMs: number;
}

/** (bid - ask) / (bid + ask); NaN when both are zero or a size is bad. */
export const sizeImbalance = (bid: number, ask: number): number =>
  bid >= 0 && ask >= 0 && bid + ask > 0 ? (bid - ask) / (bid + ask) : Number.NaN;

function depthSum(levels: readonly BookLevel[], n: number): number {
  let s = 0;
  const m = Math.min(n, levels.length);
  for (let i = 0; i < m; i++) {
    const size = levels[i]!.size;
    if (!(size >= 0) || !Number.isFinite(size)) return Number.NaN;
    s += size;
  }
  return s;
}

export class OrderBookImbalance {
  private l1 = Number.NaN;
  private l1Time = Number.NEGATIVE_INFINITY;
  private depth = Number.NaN;
  private depthTime = Number.NEGATIVE_INFINITY;
  private readonly out: FeatureValue = new FeatureOutput();

  constructor(private readonly p: OrderBookParams) {}

  /** Best bid/ask sizes; a quote with bad sizes is ignored. */
  onQuote(q: Quote): void {
    const l1 = sizeImbalance(q.bidSize, q.askSize);
    if (Number.isNaN(l1)) return;
    this.l1 = l1;
    this.l1Time = q.time;
  }

  /** A depth snapshot (best level first); one-sided or malformed snapshots are ignored. */
  onBook(book: BookSnapshot): void {
    const bid0 = book.bids[0];
    const ask0 = book.asks[0];
    if (!bid0 || !ask0) return;
    const l1 = sizeImbalance(bid0.size, ask0.size);
    const depth = sizeImbalance(depthSum(book.bids, this.p.depthLevels), depthSum(book.asks, this.p.depthLevels));
    if (Number.isNaN(l1) || Number.isNaN(depth)) return;
    this.l1 = l1;
    this.l1Time = book.time;
    this.depth = depth;
    this.depthTime = book.time;
  }

  /** The imbalance as of `time` (a bar's close). */
  evaluate(time: number): FeatureValue {
    if (!(time - this.l1Time <= this.p.maxAgeMs)) return unavailable(this.out);
    if (!(time - this.depthTime <= this.p.maxAgeMs)) return reading(this.out, this.l1);
    const w = this.p.l1Weight;
    return reading(this.out, w * this.l1 + (1 - w) * this.depth);
  }
}
