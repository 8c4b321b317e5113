/**
 * Battle Navale, the author's own pattern (DOMAIN.md), as a signed score in [-1, 1].
 *
 * - Colours: a bar is green when aggressive buyers ("Vikings") won it, red when aggressive
 *   sellers ("Defenders") did: by its aggressor delta when known, else by its body.
 * - Balance: the volume-weighted mean "pressure" of the last `balanceBars` bars, where a
 *   bar's pressure is its body ratio (close - open) / (high - low), averaged with its delta
 *   ratio (ask - bid) / (ask + bid) when the delta is known.
 * - Bases: a base is a consolidation of `baseMinBars`..`baseMaxBars` bars (3-8) whose
 *   whole range is at most `baseRangeAtr` ATRs. A close above a base starts (or trails) an
 *   up-trend and makes it a green base; a close below one, a down-trend and a red base.
 * - Golden rule: the up-trend holds while no red bar closes below the green base, the
 *   down-trend while no green bar closes above the red base. An opposite breakout does
 *   not reverse a trend that still holds.
 * - Base quality in [0, 1]: tightness (range against the limit), length (closeness to the
 *   middle of the allowed span) and agreement (the base's own pressure in the trend's
 *   direction), averaged.
 *
 *   score = balanceWeight * balance + trendWeight * trend + baseWeight * trend * quality
 *
 * Every rule is mirror-symmetric (strict comparisons on both sides), so a series mirrored
 * around a price, with aggressor sides swapped, gives exactly the opposite score.
 * Incremental: O(baseMaxBars) per bar over preallocated rings, no allocation.
 *
 * The ATR can be shared with other features over the same bars (the strategy pipeline
 * updates one ATR per bar for all of them): pass it to the constructor, and update it with
 * each bar before calling update().
 */
import type { Bar } from '../core/types.ts';
import type { BarDelta } from './features/barDelta.ts';
import { atrOf, type RollingAtr } from './features/rollingAtr.ts';
import { FeatureOutput, reading, signOf, unavailable, type FeatureValue } from './features/featureValue.ts';

export interface BattleNavaleParams {
  /** Bars in the buyers/sellers balance. */
  balanceBars: number;
  atrBars: number;
  /** Fewest bars in a base. */
  baseMinBars: number;
  /** Most bars in a base (the ring's size). */
  baseMaxBars: number;
  /** Widest base, in ATRs. */
  baseRangeAtr: number;
  balanceWeight: number;
  trendWeight: number;
  baseWeight: number;
}

export const defaultBattleNavaleParams: BattleNavaleParams = {
  balanceBars: 5,
  atrBars: 14,
  baseMinBars: 3,
  baseMaxBars: 8,
  baseRangeAtr: 1.5,
  balanceWeight: 0.5,
  trendWeight: 0.3,
  baseWeight: 0.2,
};

/** The base a trend currently rests on. */
export interface ReferenceBase {
  high: number;
  low: number;
  bars: number;
  quality: number;
}

/** The reused ReferenceBase (a class: its number fields are then written in place, see FeatureOutput). */
class BaseCell implements ReferenceBase {
  high = Number.NaN;
  low = Number.NaN;
  bars = 0;
  quality = 0;
}

export class BattleNavale {
  private readonly atr: RollingAtr;
  /** False when the ATR is shared: its owner updates it. */
  private readonly ownsAtr: boolean;
  private readonly highs: Float64Array;
  private readonly lows: Float64Array;
  private readonly pressures: Float64Array;
  private readonly volumes: Float64Array;
  private next = 0;
  private filled = 0;
  /** Balance window: volume * pressure, volume and pressure of the last balanceBars bars, with their sums. */
  private readonly balanceBars: number;
  private readonly bWeighted: Float64Array;
  private readonly bVolume: Float64Array;
  private readonly bPressure: Float64Array;
  private bNext = 0;
  private bFilled = 0;
  private sumWeighted = 0;
  private sumVolume = 0;
  private sumPressure = 0;
  private readonly out: FeatureValue = new FeatureOutput();
  /** +1 up-trend, -1 down-trend, 0 none (golden rule state). */
  trend = 0;
  /** The base of the current trend (meaningful while trend !== 0). */
  readonly base: ReferenceBase = new BaseCell();
  /** Colour of the last bar: +1 green, -1 red, 0 neither. */
  colour = 0;
  /** Balance of the last bar's window, in [-1, 1]. */
  balance = 0;

  // Parameters copied to own fields: configuration objects can have slow shapes on the hot path.
  private readonly minBars: number;
  private readonly maxBars: number;
  private readonly rangeAtr: number;
  private readonly wBalance: number;
  private readonly wTrend: number;
  private readonly wBase: number;

  /** `sharedAtr`: an ATR over the same bars, of `p.atrBars` bars, that the caller updates before each update(). */
  constructor(p: BattleNavaleParams = defaultBattleNavaleParams, sharedAtr?: RollingAtr) {
    if (!(p.baseMinBars >= 2 && p.baseMinBars <= p.baseMaxBars)) {
      throw new RangeError(`strategy.features.battleNavale.baseMinBars (${p.baseMinBars}) must be at least 2 and at most baseMaxBars (${p.baseMaxBars})`);
    }
    this.minBars = p.baseMinBars;
    this.maxBars = p.baseMaxBars;
    this.rangeAtr = p.baseRangeAtr;
    this.wBalance = p.balanceWeight;
    this.wTrend = p.trendWeight;
    this.wBase = p.baseWeight;
    this.atr = atrOf(p.atrBars, 'strategy.features.battleNavale.atrBars', sharedAtr);
    this.ownsAtr = !sharedAtr;
    this.highs = new Float64Array(p.baseMaxBars);
    this.lows = new Float64Array(p.baseMaxBars);
    this.pressures = new Float64Array(p.baseMaxBars);
    this.volumes = new Float64Array(p.baseMaxBars);
    this.balanceBars = p.balanceBars;
    this.bWeighted = new Float64Array(p.balanceBars);
    this.bVolume = new Float64Array(p.balanceBars);
    this.bPressure = new Float64Array(p.balanceBars);
  }

  /** Feeds the next bar (with its aggressor delta, possibly unavailable); returns the score at its close. */
  update(bar: Bar, delta: BarDelta): FeatureValue {
    const { open, high, low, close } = bar;
    const volume = bar.volume > 0 ? bar.volume : 0;
    const range = high - low;
    const body = range > 0 ? (close - open) / range : 0;
    const flow = delta.available ? delta.ask + delta.bid : 0;
    const pressure = flow > 0 ? 0.5 * body + 0.5 * ((delta.ask - delta.bid) / flow) : body;
    const colour = flow > 0 && delta.ask !== delta.bid ? signOf(delta.ask - delta.bid) : signOf(close - open);
    this.colour = colour;
    if (this.ownsAtr) this.atr.update(high, low, close);
    const limit = this.rangeAtr * this.atr.value;

    // Golden rule first: a trend that breaks is over before any new breakout is read.
    if (this.trend > 0 && colour < 0 && close < this.base.low) this.trend = 0;
    else if (this.trend < 0 && colour > 0 && close > this.base.high) this.trend = 0;

    // The shortest base ending at the previous bar. Most bars stop here: it is already
    // too wide, or the close is inside it (then inside every longer base too: no
    // breakout). Written inline, and readBreakout() takes the bar: a call that is not
    // inlined boxes its number arguments (an allocation each).
    const cap = this.maxBars;
    const min = this.minBars;
    const n = this.filled < cap ? this.filled : cap;
    if (n >= min && limit > 0) {
      const highs = this.highs;
      const lows = this.lows;
      let hi = Number.NEGATIVE_INFINITY;
      let lo = Number.POSITIVE_INFINITY;
      let k = this.next;
      for (let j = 1; j <= min; j++) {
        k = k === 0 ? cap - 1 : k - 1;
        hi = Math.max(hi, highs[k]!);
        lo = Math.min(lo, lows[k]!);
      }
      if (!(hi - lo > limit || (close <= hi && close >= lo))) this.readBreakout(bar);
    }
    this.remember(high, low, pressure, volume);

    this.pushBalance(volume * pressure, volume, pressure);
    const v = this.sumVolume;
    this.balance = v > 0 ? this.sumWeighted / v : this.sumPressure / this.bFilled;

    if (!this.atr.ready || this.bFilled < this.balanceBars) return unavailable(this.out);
    return reading(this.out, this.wBalance * this.balance + this.wTrend * this.trend + this.wBase * this.trend * this.base.quality);
  }

  /**
   * The longest consolidation ending at the previous bar, and a close beyond it. Called
   * only when the close is outside the shortest base (about one bar in eight).
   */
  private readBreakout(bar: Bar): void {
    const close = bar.close;
    const limit = this.rangeAtr * this.atr.value;
    const cap = this.maxBars;
    const min = this.minBars;
    const n = Math.min(this.filled, cap);
    if (n < min || !(limit > 0)) return;
    let hi = Number.NEGATIVE_INFINITY;
    let lo = Number.POSITIVE_INFINITY;
    let k = this.next;
    for (let j = 1; j <= min; j++) {
      k = k === 0 ? cap - 1 : k - 1;
      hi = Math.max(hi, this.highs[k]!);
      lo = Math.min(lo, this.lows[k]!);
    }
    if (hi - lo > limit || (close <= hi && close >= lo)) return;
    let baseHigh = hi;
    let baseLow = lo;
    let bars = min;
    for (let j = min + 1; j <= n; j++) {
      k = k === 0 ? cap - 1 : k - 1;
      hi = Math.max(hi, this.highs[k]!);
      lo = Math.min(lo, this.lows[k]!);
      if (hi - lo > limit) break;
      bars = j;
      baseHigh = hi;
      baseLow = lo;
    }
    const dir = close > baseHigh ? 1 : close < baseLow ? -1 : 0;
    if (dir === 0 || this.trend === -dir) return;
    // A breakout (rarer than a bar): now the base's own pressure, for its quality.
    let weighted = 0;
    let volume = 0;
    let pressureSum = 0;
    k = this.next;
    for (let j = 1; j <= bars; j++) {
      k = k === 0 ? cap - 1 : k - 1;
      weighted += this.volumes[k]! * this.pressures[k]!;
      volume += this.volumes[k]!;
      pressureSum += this.pressures[k]!;
    }
    const pressure = volume > 0 ? weighted / volume : pressureSum / bars;
    const ideal = (this.minBars + this.maxBars) / 2;
    const tightness = 1 - (baseHigh - baseLow) / limit;
    const length = 1 - Math.abs(bars - ideal) / ideal;
    const agreement = (1 + dir * pressure) / 2;
    this.trend = dir;
    this.base.high = baseHigh;
    this.base.low = baseLow;
    this.base.bars = bars;
    this.base.quality = (tightness + length + agreement) / 3;
  }

  private pushBalance(weighted: number, volume: number, pressure: number): void {
    const i = this.bNext;
    const n = this.balanceBars;
    if (this.bFilled === n) {
      this.sumWeighted -= this.bWeighted[i]!;
      this.sumVolume -= this.bVolume[i]!;
      this.sumPressure -= this.bPressure[i]!;
    } else {
      this.bFilled++;
    }
    this.bWeighted[i] = weighted;
    this.bVolume[i] = volume;
    this.bPressure[i] = pressure;
    this.sumWeighted += weighted;
    this.sumVolume += volume;
    this.sumPressure += pressure;
    this.bNext = i + 1 === n ? 0 : i + 1;
    if (this.bNext === 0) {
      // exact sums once per wrap: rounding never drifts, and a mirrored series stays exactly opposite
      let w = 0;
      let vol = 0;
      let pr = 0;
      for (let k = 0; k < n; k++) {
        w += this.bWeighted[k]!;
        vol += this.bVolume[k]!;
        pr += this.bPressure[k]!;
      }
      this.sumWeighted = w;
      this.sumVolume = vol;
      this.sumPressure = pr;
    }
  }

  private remember(high: number, low: number, pressure: number, volume: number): void {
    const i = this.next;
    this.highs[i] = high;
    this.lows[i] = low;
    this.pressures[i] = pressure;
    this.volumes[i] = volume;
    this.next = i + 1 === this.maxBars ? 0 : i + 1;
    if (this.filled < this.maxBars) this.filled++;
  }
}
