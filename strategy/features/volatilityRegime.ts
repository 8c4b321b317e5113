/**
 * Volatility regime (DOMAIN.md) and its threshold multiplier: low when VIX < 15 and
 * ATR / ATR20 < 0.8; high when VIX > 25 or ATR / ATR20 > 1.5; else normal. ATR20 is the
 * mean of the ATR over the last 20 bars. Thresholds: base x0.8 when low, x1.4 when high.
 *
 * Missing inputs: a regime needs its evidence. Without a fresh VIX (none received, or
 * older than `vixMaxAgeMs`) "low" cannot be established and "high" rests on the ATR ratio
 * alone; before the ATR windows are full, "high" rests on the VIX alone. With neither the
 * regime is normal and `available` is false. O(1) per bar.
 */
import type { Bar } from '../../core/types.ts';
import { atrOf, type RollingAtr } from './rollingAtr.ts';
import { RollingWindow } from './rollingWindow.ts';

export type VolatilityRegime = 'low' | 'normal' | 'high';

export interface VolatilityParams {
  atrBars: number;
  /** Bars of ATR averaged into ATR20. */
  averageBars: number;
  lowVix: number;
  highVix: number;
  lowAtrRatio: number;
  highAtrRatio: number;
  /** A VIX value older than this is stale. */
  vixMaxAgeMs: number;
  /** Threshold multipliers by regime. */
  lowThreshold: number;
  normalThreshold: number;
  highThreshold: number;
}

/** The regime at one bar, with its evidence (a reused object). */
export interface VolatilityReading {
  regime: VolatilityRegime;
  thresholdMultiplier: number;
  /** ATR / ATR20 (NaN while the windows fill). */
  atrRatio: number;
  /** VIX used (NaN when none is fresh). */
  vix: number;
  /** False when neither a VIX nor an ATR ratio was there. */
  available: boolean;
}

/** The reused reading (a class: its number fields are then written in place, see FeatureOutput). */
class VolatilityOutput implements VolatilityReading {
  regime: VolatilityRegime = 'normal';
  thresholdMultiplier = 1;
  atrRatio = Number.NaN;
  vix = Number.NaN;
  available = false;
}

export class VolatilityRegimeTracker {
  private readonly atr: RollingAtr;
  private readonly ownsAtr: boolean;
  private readonly atrs: RollingWindow;
  private vix = Number.NaN;
  private vixTime = Number.NEGATIVE_INFINITY;
  private readonly out: VolatilityReading = new VolatilityOutput();

  /** `sharedAtr`: an ATR of `p.atrBars` bars over the same bars, updated by the caller before each update(). */
  constructor(
    private readonly p: VolatilityParams,
    sharedAtr?: RollingAtr,
  ) {
    this.atr = atrOf(p.atrBars, 'strategy.volatility.atrBars', sharedAtr);
    this.ownsAtr = !sharedAtr;
    this.atrs = new RollingWindow(p.averageBars);
  }

  /** A VIX reading known at `time` (e.g. a VIX bar's close); a non-positive value is ignored. */
  setVix(value: number, time: number): void {
    if (!(value > 0) || !Number.isFinite(value)) return;
    this.vix = value;
    this.vixTime = time;
  }

  /** Feeds the traded instrument's next bar; returns the regime at its close `time`. */
  update(bar: Bar, time: number): VolatilityReading {
    if (this.ownsAtr) this.atr.update(bar.high, bar.low, bar.close);
    if (this.atr.ready) this.atrs.push(this.atr.value);
    const ratio = this.atrs.full && this.atrs.mean > 0 ? this.atr.value / this.atrs.mean : Number.NaN;
    const vix = time - this.vixTime <= this.p.vixMaxAgeMs ? this.vix : Number.NaN;
    const p = this.p;
    const out = this.out;
    const hasRatio = !Number.isNaN(ratio);
    const hasVix = !Number.isNaN(vix);
    if ((hasVix && vix > p.highVix) || (hasRatio && ratio > p.highAtrRatio)) out.regime = 'high';
    else if (hasVix && vix < p.lowVix && hasRatio && ratio < p.lowAtrRatio) out.regime = 'low';
    else out.regime = 'normal';
    out.thresholdMultiplier = out.regime === 'high' ? p.highThreshold : out.regime === 'low' ? p.lowThreshold : p.normalThreshold;
    out.atrRatio = ratio;
    out.vix = vix;
    out.available = hasRatio || hasVix;
    return out;
  }
}
