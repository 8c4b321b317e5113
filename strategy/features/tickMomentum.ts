/**
 * Tick momentum (DOMAIN.md): over the last W trade prints,
 * countWeight * (upticks - downticks) / W + (1 - countWeight) * volume-weighted tick direction.
 * A print's direction is the tick rule against the previous print's price (+1 up, -1 down,
 * 0 unchanged: an unchanged print is neither, so the measure stays symmetric).
 *
 * O(1) per print over preallocated rings. Read at a bar's close with `evaluate(time)`:
 * unavailable until W directed prints were seen, or when the latest print is older than
 * `maxAgeMs` (no trade feed, or a stale one).
 */
import type { TradeTick } from '../../core/types.ts';
import { FeatureOutput, reading, unavailable, type FeatureValue } from './featureValue.ts';

export interface TickMomentumParams {
  /** Prints in the window (20 in the plan). */
  window: number;
  /** Weight of the uptick/downtick count; the rest goes to the volume-weighted direction. */
  countWeight: number;
  /** A print older than this at evaluation time makes the feature unavailable. */
  maxAgeMs: number;
}

export class TickMomentum {
  private readonly dirs: Int8Array;
  private readonly sizes: Float64Array;
  private next = 0;
  private filled = 0;
  private net = 0;
  private signedVolume = 0;
  private volume = 0;
  private prevPrice = Number.NaN;
  private lastTime = Number.NEGATIVE_INFINITY;
  private readonly out: FeatureValue = new FeatureOutput();

  constructor(private readonly p: TickMomentumParams) {
    if (!Number.isInteger(p.window) || p.window < 1) throw new RangeError(`tickMomentum.window must be a positive integer, got ${p.window}`);
    this.dirs = new Int8Array(p.window);
    this.sizes = new Float64Array(p.window);
  }

  /** One trade print; a print with a non-finite price or a non-positive size is ignored. */
  onTrade(trade: TradeTick): void {
    const { price, size } = trade;
    if (!Number.isFinite(price) || !(size > 0) || !Number.isFinite(size)) return;
    const prev = this.prevPrice;
    this.prevPrice = price;
    this.lastTime = trade.time;
    if (Number.isNaN(prev)) return; // the first print has no direction
    const dir = price > prev ? 1 : price < prev ? -1 : 0;
    const i = this.next;
    if (this.filled === this.p.window) {
      this.net -= this.dirs[i]!;
      this.signedVolume -= this.dirs[i]! * this.sizes[i]!;
      this.volume -= this.sizes[i]!;
    } else {
      this.filled++;
    }
    this.dirs[i] = dir;
    this.sizes[i] = size;
    this.net += dir;
    this.signedVolume += dir * size;
    this.volume += size;
    this.next = i + 1 === this.p.window ? 0 : i + 1;
    if (this.next === 0) this.resum();
  }

  /** Exact sums once per wrap, so rounding never drifts (amortised O(1)). */
  private resum(): void {
    let net = 0;
    let signed = 0;
    let volume = 0;
    for (let k = 0; k < this.p.window; k++) {
      net += this.dirs[k]!;
      signed += this.dirs[k]! * this.sizes[k]!;
      volume += this.sizes[k]!;
    }
    this.net = net;
    this.signedVolume = signed;
    this.volume = volume;
  }

  /** The momentum as of `time` (a bar's close). */
  evaluate(time: number): FeatureValue {
    if (this.filled < this.p.window || time - this.lastTime > this.p.maxAgeMs || !(this.volume > 0)) return unavailable(this.out);
    const w = this.p.countWeight;
    return reading(this.out, (w * this.net) / this.p.window + ((1 - w) * this.signedVolume) / this.volume);
  }
}
