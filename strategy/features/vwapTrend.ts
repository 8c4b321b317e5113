/**
 * VWAP trend (DOMAIN.md): distance of price to the session VWAP in ATR units, plus the
 * VWAP's own slope, squashed into [-1, 1]. Positive = price above a rising VWAP (long).
 *
 * Incremental and O(1) per bar over a preallocated ring: no allocation on the hot path.
 * The session (VWAP reset) is the CME trading day of the bar's event time. Unavailable
 * until the ATR window is full: a missing value is reported, never invented.
 */
import type { Bar } from '../../core/types.ts';
import { TradingDayCounter } from '../../core/tradingDay.ts';
import { atrOf, type RollingAtr } from './rollingAtr.ts';
import { fastTanh } from './fastTanh.ts';
import { FeatureOutput, type FeatureValue } from './featureValue.ts';

export type { FeatureValue } from './featureValue.ts';

export interface VwapTrendParams {
  /** Bars in the ATR (Wilder-free simple mean of true ranges). */
  atrBars: number;
  /** Bars over which the VWAP slope is measured. */
  slopeBars: number;
  /** Weight of distance vs slope inside the squash. */
  distanceWeight: number;
}

const HOUR_MS = 3_600_000;

export const defaultVwapTrendParams: VwapTrendParams = { atrBars: 14, slopeBars: 5, distanceWeight: 0.6 };

export class VwapTrend {
  private readonly days = new TradingDayCounter();
  private day = Number.NaN;
  /** UTC hour of the last bar: the CME day changes on whole UTC hours only, so it is read once per hour. */
  private hour = Number.NaN;
  private pv = 0;
  private vol = 0;
  private readonly atr: RollingAtr;
  private readonly ownsAtr: boolean;
  /** Session VWAPs of the last slopeBars + 1 bars (a ring). */
  private readonly vwaps: Float64Array;
  private vwapNext = 0;
  private vwapCount = 0;
  private readonly slopeScale: number;
  private readonly w: number;
  private readonly out: FeatureValue = new FeatureOutput();

  /** `sharedAtr`: an ATR of `p.atrBars` bars over the same bars, updated by the caller before each update(). */
  constructor(p: VwapTrendParams = defaultVwapTrendParams, sharedAtr?: RollingAtr) {
    this.atr = atrOf(p.atrBars, 'strategy.vwapAtrBars', sharedAtr);
    this.ownsAtr = !sharedAtr;
    this.vwaps = new Float64Array(p.slopeBars + 1);
    this.slopeScale = 10 / p.slopeBars;
    this.w = p.distanceWeight;
  }

  /** Feed the next bar (increasing time); returns the feature at this bar's close. */
  update(bar: Bar): FeatureValue {
    const hour = Math.floor(bar.time / HOUR_MS);
    if (hour !== this.hour) {
      this.hour = hour;
      const day = this.days.dayNumber(bar.time);
      if (day !== this.day) {
        this.day = day;
        this.pv = 0;
        this.vol = 0;
        this.vwapCount = 0;
      }
    }
    const typical = (bar.high + bar.low + bar.close) / 3;
    const weight = bar.volume > 0 ? bar.volume : 0;
    this.pv += typical * weight;
    this.vol += weight;
    const vwap = this.vol > 0 ? this.pv / this.vol : typical;
    if (this.ownsAtr) this.atr.update(bar.high, bar.low, bar.close);

    const slots = this.vwaps.length;
    const i = this.vwapNext;
    this.vwaps[i] = vwap;
    this.vwapNext = i + 1 === slots ? 0 : i + 1;
    if (this.vwapCount < slots) this.vwapCount++;

    const atr = this.atr.value;
    const out = this.out;
    if (!this.atr.ready || this.vwapCount < slots || !(atr > 0)) {
      out.available = false;
      out.value = 0;
      return out;
    }
    // the ring is full: its next slot holds the VWAP of slopeBars bars ago
    const distance = (bar.close - vwap) / atr;
    const slope = ((vwap - this.vwaps[this.vwapNext]!) / atr) * this.slopeScale;
    out.available = true;
    out.value = fastTanh(this.w * distance + (1 - this.w) * slope);
    return out;
  }
}
