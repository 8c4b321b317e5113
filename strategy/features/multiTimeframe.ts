/**
 * Multi-timeframe confluence (DOMAIN.md, the plan's Battle Navale on three timeframes):
 * the Battle Navale score on the base bars (1 minute), on 5-minute and on 15-minute bars,
 * weighted 0.5 / 0.3 / 0.2, plus `agreementBonus` (0.2) towards the common side when all
 * three agree; clamped to [-1, 1]. Unavailable until all three timeframes are.
 *
 * The slower timeframes read their latest *completed* bar, so nothing is known before it
 * happened. A bucket completes on its last base bar (no one-bar lag), or, when that bar is
 * missing, as soon as a bar of a later bucket arrives. Buckets are aligned on the UTC
 * clock, which is also the exchange clock for whole-minute periods dividing an hour
 * (US zones are whole hours from UTC). Aggregation reuses one bar and one delta per
 * timeframe: no allocation per bar.
 */
import type { Bar } from '../../core/types.ts';
import { BattleNavale, type BattleNavaleParams } from '../battleNavale.ts';
import { DeltaOutput, type BarDelta } from './barDelta.ts';
import type { RollingAtr } from './rollingAtr.ts';
import { FeatureOutput, reading, unavailable, type FeatureValue } from './featureValue.ts';

export interface MultiTimeframeParams {
  /** Base bar length (the fast timeframe), ms. */
  barMs: number;
  /** Medium and slow timeframes, minutes (5 and 15). */
  mediumMinutes: number;
  slowMinutes: number;
  fastWeight: number;
  mediumWeight: number;
  slowWeight: number;
  /** Added towards the common side when all three timeframes agree. */
  agreementBonus: number;
}

/** The bar being aggregated (a class: its number fields are then written in place, see FeatureOutput). */
class AggregatedBar implements Bar {
  symbol = '';
  time = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;
}

/** Base bars -> bars of a longer period, each fed to its own Battle Navale. */
class Timeframe {
  readonly navale: BattleNavale;
  private readonly bar = new AggregatedBar();
  private readonly delta = new DeltaOutput();
  private bucket = Number.NaN;
  /** bucket + periodMs: a bar inside [bucket, bucketEnd) needs no division to place. */
  private bucketEnd = Number.NaN;
  private open = false;
  /** Battle Navale of the latest completed bar. */
  readonly value: FeatureValue = new FeatureOutput();

  constructor(
    private readonly periodMs: number,
    private readonly barMs: number,
    params: BattleNavaleParams,
  ) {
    this.navale = new BattleNavale(params);
  }

  push(bar: Bar, delta: BarDelta): void {
    const t = bar.time;
    const bucket = t >= this.bucket && t < this.bucketEnd ? this.bucket : Math.floor(t / this.periodMs) * this.periodMs;
    if (this.open && bucket !== this.bucket) this.complete();
    const b = this.bar;
    if (!this.open) {
      this.open = true;
      this.bucket = bucket;
      this.bucketEnd = bucket + this.periodMs;
      b.symbol = bar.symbol;
      b.time = bucket;
      b.open = bar.open;
      b.high = bar.high;
      b.low = bar.low;
      b.volume = 0;
      this.delta.ask = 0;
      this.delta.bid = 0;
      this.delta.available = true;
    }
    if (bar.high > b.high) b.high = bar.high;
    if (bar.low < b.low) b.low = bar.low;
    b.close = bar.close;
    b.volume += bar.volume > 0 ? bar.volume : 0;
    // Delta is kept only when every component bar has it: a partial sum would lie.
    if (delta.available && this.delta.available) {
      this.delta.ask += delta.ask;
      this.delta.bid += delta.bid;
    } else {
      this.delta.available = false;
    }
    if (bar.time + this.barMs >= bucket + this.periodMs) this.complete();
  }

  private complete(): void {
    this.open = false;
    const v = this.navale.update(this.bar, this.delta);
    this.value.value = v.value;
    this.value.available = v.available;
  }
}

export class MultiTimeframe {
  /** Battle Navale on the base bars: also the confluence's own `battleNavale` feature. */
  readonly fast: BattleNavale;
  private readonly medium: Timeframe;
  private readonly slow: Timeframe;
  private readonly out: FeatureValue = new FeatureOutput();
  /** The three timeframes' last scores (fast, medium, slow), for inspection. */
  readonly scores = new Float64Array(3);

  /** `fastAtr`: an ATR over the base bars shared with other features (see BattleNavale). */
  constructor(
    private readonly p: MultiTimeframeParams,
    navale: BattleNavaleParams,
    fastAtr?: RollingAtr,
  ) {
    for (const [key, minutes] of [['mediumMinutes', p.mediumMinutes], ['slowMinutes', p.slowMinutes]] as const) {
      const ms = minutes * 60_000;
      if (!Number.isInteger(minutes) || ms <= p.barMs || ms % p.barMs !== 0 || 3_600_000 % ms !== 0) {
        throw new RangeError(`strategy.features.multiTimeframe.${key} must be a whole number of minutes above the bar length that divides an hour, got ${minutes}`);
      }
    }
    this.fast = new BattleNavale(navale, fastAtr);
    this.medium = new Timeframe(p.mediumMinutes * 60_000, p.barMs, navale);
    this.slow = new Timeframe(p.slowMinutes * 60_000, p.barMs, navale);
  }

  /**
   * Feeds the next base bar; returns the confluence of the three timeframes. `fastValue`
   * receives the base-bar Battle Navale reading (so the pipeline reuses it).
   */
  update(bar: Bar, delta: BarDelta, fastValue: FeatureValue): FeatureValue {
    const f = this.fast.update(bar, delta);
    fastValue.value = f.value;
    fastValue.available = f.available;
    this.medium.push(bar, delta);
    this.slow.push(bar, delta);
    const m = this.medium.value;
    const s = this.slow.value;
    this.scores[0] = f.value;
    this.scores[1] = m.value;
    this.scores[2] = s.value;
    if (!f.available || !m.available || !s.available) return unavailable(this.out);
    const p = this.p;
    let score = p.fastWeight * f.value + p.mediumWeight * m.value + p.slowWeight * s.value;
    if (f.value > 0 && m.value > 0 && s.value > 0) score += p.agreementBonus;
    else if (f.value < 0 && m.value < 0 && s.value < 0) score -= p.agreementBonus;
    return reading(this.out, score);
  }
}
