/**
 * Delta divergence (DOMAIN.md): price slope vs cumulative-delta slope over the last N bars
 * (10), a reversal signal. Both slopes are least-squares slopes per bar, squashed:
 * p = tanh(priceScale * priceSlope / ATR), d = tanh(deltaScale * deltaSlope / mean volume).
 * When they point opposite ways the divergence strength is (|p| + |d|) / 2, else 0. A
 * strength above `minStrength` (0.7) on a bar whose volume is above `minVolumeRatio` times
 * the mean of the previous N bars (volume confirmation) signals a reversal: the value is
 * -sign(price slope) * strength. Otherwise the value is 0 (no divergence is a reading).
 *
 * (The plan's own formula, |p + d| / (|p| + |d|), measures agreement, not divergence;
 * DOMAIN.md's intent is implemented here.)
 *
 * Needs aggressor volume on every bar of the window (see barDelta.ts): a bar without it
 * restarts the window. O(N) per bar with N a small constant, over preallocated rings.
 */
import type { Bar } from '../../core/types.ts';
import type { BarDelta } from './barDelta.ts';
import { atrOf, type RollingAtr } from './rollingAtr.ts';
import { fastTanh } from './fastTanh.ts';
import { RollingWindow, windowSlope } from './rollingWindow.ts';
import { FeatureOutput, reading, signOf, unavailable, type FeatureValue } from './featureValue.ts';

export interface DeltaDivergenceParams {
  /** Bars in the slopes (10 in the plan). */
  bars: number;
  atrBars: number;
  /** Divergence strength above which a reversal is signalled. */
  minStrength: number;
  /** Bar volume / mean volume above which the divergence counts as volume-confirmed. */
  minVolumeRatio: number;
  /** Price slope in ATR per bar times this goes into tanh. */
  priceScale: number;
  /** Delta slope in mean bar volumes per bar times this goes into tanh. */
  deltaScale: number;
}

export class DeltaDivergence {
  private readonly atr: RollingAtr;
  private readonly ownsAtr: boolean;
  private readonly closes: RollingWindow;
  private readonly cumDeltas: RollingWindow;
  private readonly volumes: RollingWindow;
  private cumDelta = 0;
  private readonly out: FeatureValue = new FeatureOutput();
  /** Last bar's divergence strength in [0, 1] (NaN when unavailable), for inspection. */
  strength = Number.NaN;

  /** `sharedAtr`: an ATR of `p.atrBars` bars over the same bars, updated by the caller before each update(). */
  constructor(
    private readonly p: DeltaDivergenceParams,
    sharedAtr?: RollingAtr,
  ) {
    this.atr = atrOf(p.atrBars, 'strategy.features.deltaDivergence.atrBars', sharedAtr);
    this.ownsAtr = !sharedAtr;
    this.closes = new RollingWindow(p.bars);
    this.cumDeltas = new RollingWindow(p.bars);
    this.volumes = new RollingWindow(p.bars);
  }

  update(bar: Bar, delta: BarDelta): FeatureValue {
    if (this.ownsAtr) this.atr.update(bar.high, bar.low, bar.close);
    const meanVolume = this.volumes.mean;
    const volumesReady = this.volumes.full;
    this.volumes.push(bar.volume);
    this.closes.push(bar.close);
    if (!delta.available) {
      this.cumDeltas.clear();
      this.strength = Number.NaN;
      return unavailable(this.out);
    }
    this.cumDelta += delta.ask - delta.bid;
    this.cumDeltas.push(this.cumDelta);
    const atr = this.atr.value;
    if (!this.cumDeltas.full || !this.atr.ready || !volumesReady || !(atr > 0) || !(meanVolume > 0)) {
      this.strength = Number.NaN;
      return unavailable(this.out);
    }
    const p = fastTanh((this.p.priceScale * windowSlope(this.closes)) / atr);
    const d = fastTanh((this.p.deltaScale * windowSlope(this.cumDeltas)) / this.volumes.mean);
    const strength = p * d < 0 ? (Math.abs(p) + Math.abs(d)) / 2 : 0;
    this.strength = strength;
    const confirmed = bar.volume > this.p.minVolumeRatio * meanVolume;
    return reading(this.out, strength > this.p.minStrength && confirmed ? -signOf(p) * strength : 0);
  }
}
