/**
 * VWAP trend (DOMAIN.md): distance of price to the session VWAP in ATR units, plus the
 * VWAP's own slope, squashed into [-1, 1]. Positive = price above a rising VWAP (long).
 *
 * Incremental and O(1) per bar over a preallocated ring: no allocation on the hot path.
 * The session (VWAP reset) is the CME trading day of the bar's event time. Unavailable
 * until the ATR window is full: a missing value is reported, never invented.
 */
import type { Bar } from '../../core/types.ts';
import { TradingDayTracker } from '../../core/tradingDay.ts';

export interface FeatureValue {
  value: number;
  available: boolean;
}

export interface VwapTrendParams {
  /** Bars in the ATR (Wilder-free simple mean of true ranges). */
  atrBars: number;
  /** Bars over which the VWAP slope is measured. */
  slopeBars: number;
  /** Weight of distance vs slope inside the squash. */
  distanceWeight: number;
}

export const defaultVwapTrendParams: VwapTrendParams = { atrBars: 14, slopeBars: 5, distanceWeight: 0.6 };

export class VwapTrend {
  private readonly days = new TradingDayTracker();
  private day = '';
  private pv = 0;
  private vol = 0;
  private prevClose = Number.NaN;
  private readonly ranges: Float64Array;
  private rangeSum = 0;
  private rangeCount = 0;
  private readonly vwaps: Float64Array;
  private vwapCount = 0;
  private readonly out: FeatureValue = { value: 0, available: false };

  constructor(private readonly p: VwapTrendParams = defaultVwapTrendParams) {
    this.ranges = new Float64Array(p.atrBars);
    this.vwaps = new Float64Array(p.slopeBars + 1);
  }

  /** Feed the next bar (increasing time); returns the feature at this bar's close. */
  update(bar: Bar): FeatureValue {
    const day = this.days.dayOf(bar.time);
    if (day !== this.day) {
      this.day = day;
      this.pv = 0;
      this.vol = 0;
      this.vwapCount = 0;
    }
    const typical = (bar.high + bar.low + bar.close) / 3;
    const weight = bar.volume > 0 ? bar.volume : 0;
    this.pv += typical * weight;
    this.vol += weight;
    const vwap = this.vol > 0 ? this.pv / this.vol : typical;

    const tr = Number.isNaN(this.prevClose)
      ? bar.high - bar.low
      : Math.max(bar.high, this.prevClose) - Math.min(bar.low, this.prevClose);
    this.prevClose = bar.close;
    const slot = this.rangeCount % this.p.atrBars;
    if (this.rangeCount >= this.p.atrBars) this.rangeSum -= this.ranges[slot]!;
    this.ranges[slot] = tr;
    this.rangeSum += tr;
    this.rangeCount++;

    const slopeSlots = this.p.slopeBars + 1;
    this.vwaps[this.vwapCount % slopeSlots] = vwap;
    this.vwapCount++;

    const atr = this.rangeSum / Math.min(this.rangeCount, this.p.atrBars);
    if (this.rangeCount < this.p.atrBars || this.vwapCount < slopeSlots || !(atr > 0)) {
      this.out.available = false;
      this.out.value = 0;
      return this.out;
    }
    const distance = (bar.close - vwap) / atr;
    const oldest = this.vwaps[this.vwapCount % slopeSlots]!;
    const slope = ((vwap - oldest) / atr) * (10 / this.p.slopeBars);
    const w = this.p.distanceWeight;
    this.out.available = true;
    this.out.value = Math.tanh(w * distance + (1 - w) * slope);
    return this.out;
  }
}
