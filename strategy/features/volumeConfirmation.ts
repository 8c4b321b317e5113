/**
 * Volume confirmation (DOMAIN.md): the bar's volume against the mean of the previous N
 * bars, signed by the bar's direction. With r = volume / mean, the value is
 * direction * tanh(max(0, r - 1)): only volume above the norm confirms a move (0 at or
 * below average volume, 0.76 at twice the average, towards 1 on a surge), so ordinary
 * bars do not flip the score back and forth. Direction is the bar's body (close vs open),
 * else its close vs the previous close, else 0.
 *
 * O(1) per bar over a preallocated ring. Unavailable until N bars were seen or while the
 * mean volume is zero.
 */
import type { Bar } from '../../core/types.ts';
import { RollingWindow } from './rollingWindow.ts';
import { fastTanh } from './fastTanh.ts';
import { FeatureOutput, reading, signOf, unavailable, type FeatureValue } from './featureValue.ts';

export interface VolumeConfirmationParams {
  /** Bars in the rolling mean volume. */
  bars: number;
}

export class VolumeConfirmation {
  private readonly volumes: RollingWindow;
  private prevClose = Number.NaN;
  private readonly out: FeatureValue = new FeatureOutput();
  /** volume / mean volume of the last bar (NaN when unavailable). */
  ratio = Number.NaN;

  constructor(p: VolumeConfirmationParams) {
    this.volumes = new RollingWindow(p.bars);
  }

  update(bar: Bar): FeatureValue {
    const mean = this.volumes.mean;
    const ready = this.volumes.full;
    const body = signOf(bar.close - bar.open);
    const direction = body !== 0 ? body : signOf(bar.close - this.prevClose);
    this.volumes.push(bar.volume);
    this.prevClose = bar.close;
    if (!ready || !(mean > 0)) {
      this.ratio = Number.NaN;
      return unavailable(this.out);
    }
    const r = bar.volume / mean;
    this.ratio = r;
    return reading(this.out, direction * (r > 1 ? fastTanh(r - 1) : 0));
  }
}
