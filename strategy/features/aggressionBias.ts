/**
 * Aggression bias (DOMAIN.md): (ask-side volume - bid-side volume) / total over the last
 * N bars, from each bar's aggressor volume (see barDelta.ts). Positive = buyers lifting
 * the offer. Unavailable when the current bar has no aggressor data or the window traded
 * nothing; bars without data inside the window count as zero volume.
 */
import type { BarDelta } from './barDelta.ts';
import { RollingWindow } from './rollingWindow.ts';
import { FeatureOutput, reading, unavailable, type FeatureValue } from './featureValue.ts';

export interface AggressionBiasParams {
  /** Bars summed. */
  bars: number;
}

export class AggressionBias {
  private readonly asks: RollingWindow;
  private readonly bids: RollingWindow;
  private readonly out: FeatureValue = new FeatureOutput();

  constructor(p: AggressionBiasParams) {
    this.asks = new RollingWindow(p.bars);
    this.bids = new RollingWindow(p.bars);
  }

  update(delta: BarDelta): FeatureValue {
    this.asks.push(delta.available ? delta.ask : 0);
    this.bids.push(delta.available ? delta.bid : 0);
    const a = this.asks.sum;
    const b = this.bids.sum;
    if (!delta.available || !(a + b > 0)) return unavailable(this.out);
    return reading(this.out, (a - b) / (a + b));
  }
}
