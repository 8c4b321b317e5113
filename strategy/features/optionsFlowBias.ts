/**
 * Options flow bias (DOMAIN.md): premium-weighted call vs put aggression from an option
 * chain snapshot. A contract's aggression is where its last trade printed inside the
 * spread, (last - mid) / half-spread clamped to [-1, 1] (+1 at the ask: buyers paid up);
 * its weight is its premium traded, volume * last. The bias is
 * (sum over calls of premium * aggression - the same over puts) / total premium: calls
 * bought and puts sold are bullish.
 *
 * Fallbacks, only when the snapshot lacks quotes or trades (DOMAIN: "put/call ratios when
 * only OI/volume exist"): (call volume - put volume) / total volume, else the same with
 * open interest. A snapshot with none of these leaves the feature unavailable.
 *
 * O(contracts) per snapshot (minutes apart), O(1) per read; a snapshot older than
 * `maxAgeMs` at evaluation time is stale.
 */
import type { OptionChainSnapshot } from '../../core/types.ts';
import { FeatureOutput, clampUnit, reading, unavailable, type FeatureValue } from './featureValue.ts';

export interface OptionsFlowParams {
  /** A chain older than this at evaluation time is stale. */
  maxAgeMs: number;
}

/** Which input the last snapshot's bias came from. */
export type OptionsFlowMode = 'premium' | 'volume' | 'openInterest' | 'none';

export class OptionsFlowBias {
  private bias = Number.NaN;
  private time = Number.NEGATIVE_INFINITY;
  private readonly out: FeatureValue = new FeatureOutput();
  mode: OptionsFlowMode = 'none';

  constructor(private readonly p: OptionsFlowParams) {}

  onChain(chain: OptionChainSnapshot): void {
    let premiumFlow = 0;
    let premium = 0;
    let callVolume = 0;
    let putVolume = 0;
    let callOi = 0;
    let putOi = 0;
    for (const c of chain.contracts) {
      const sign = c.right === 'call' ? 1 : c.right === 'put' ? -1 : 0;
      if (sign === 0) continue;
      const volume = c.volume !== undefined && c.volume > 0 && Number.isFinite(c.volume) ? c.volume : 0;
      if (sign > 0) callVolume += volume;
      else putVolume += volume;
      const oi = c.openInterest > 0 && Number.isFinite(c.openInterest) ? c.openInterest : 0;
      if (sign > 0) callOi += oi;
      else putOi += oi;
      const { bid, ask, last } = c;
      if (volume === 0 || bid === undefined || ask === undefined || last === undefined) continue;
      if (!(ask > bid) || !(bid >= 0) || !(last > 0) || !Number.isFinite(ask + last)) continue;
      const mid = (ask + bid) / 2;
      const aggression = clampUnit((last - mid) / ((ask - bid) / 2));
      const traded = volume * last;
      premiumFlow += sign * traded * aggression;
      premium += traded;
    }
    if (premium > 0) {
      this.mode = 'premium';
      this.bias = premiumFlow / premium;
    } else if (callVolume + putVolume > 0) {
      this.mode = 'volume';
      this.bias = (callVolume - putVolume) / (callVolume + putVolume);
    } else if (callOi + putOi > 0) {
      this.mode = 'openInterest';
      this.bias = (callOi - putOi) / (callOi + putOi);
    } else {
      this.mode = 'none';
      this.bias = Number.NaN;
    }
    this.time = chain.time;
  }

  /** The bias as of `time` (a bar's close). */
  evaluate(time: number): FeatureValue {
    if (Number.isNaN(this.bias) || !(time - this.time <= this.p.maxAgeMs)) return unavailable(this.out);
    return reading(this.out, this.bias);
  }
}
