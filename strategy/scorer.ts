/**
 * Bar-by-bar scoring: features -> weighted score in [-1, 1] -> edge-triggered signal.
 *
 * Foundation stand-in for the confluence of issue 5: one real feature (VWAP trend) with
 * the renormalisation rule already in place (unavailable features drop out and the
 * remaining weights are rescaled). A signal fires only when the score *crosses* a
 * threshold, so a long trend produces one signal, not one per bar.
 */
import type { Bar, Side } from '../core/types.ts';
import { VwapTrend, defaultVwapTrendParams, type FeatureValue } from './features/vwapTrend.ts';

export interface ScoredSignal {
  side: Side;
  score: number;
  threshold: number;
  /** Close time of the bar the signal fired on (ms UTC). */
  time: number;
  /** Close of the bar the signal fired on. */
  price: number;
  features: Record<string, number>;
  available: string[];
}

export interface ScorerParams {
  threshold: number;
  atrBars: number;
  /** Bar length: a signal is known at its bar's close, `time + barMs`. */
  barMs: number;
}

interface WeightedFeature {
  name: string;
  weight: number;
  update(bar: Bar): FeatureValue;
}

export class Scorer {
  private readonly features: WeightedFeature[];
  private readonly values: Float64Array;
  private readonly availability: boolean[];
  private prevScore = 0;
  /** Score at the last bar, for observers (inspector, summaries). */
  lastScore = 0;

  constructor(private readonly p: ScorerParams) {
    const vwap = new VwapTrend({ ...defaultVwapTrendParams, atrBars: p.atrBars });
    this.features = [{ name: 'vwapTrend', weight: 1, update: (bar) => vwap.update(bar) }];
    this.values = new Float64Array(this.features.length);
    this.availability = this.features.map(() => false);
  }

  /** Feed the next bar; returns a signal when the score crosses +/-threshold, else null. */
  onBar(bar: Bar): ScoredSignal | null {
    let sum = 0;
    let weights = 0;
    for (let i = 0; i < this.features.length; i++) {
      const f = this.features[i]!;
      const v = f.update(bar);
      this.values[i] = v.value;
      this.availability[i] = v.available;
      if (v.available) {
        sum += f.weight * v.value;
        weights += f.weight;
      }
    }
    const score = weights > 0 ? sum / weights : 0;
    const prev = this.prevScore;
    this.prevScore = score;
    this.lastScore = score;
    const th = this.p.threshold;
    const side: Side | null = score > th && prev <= th ? 'buy' : score < -th && prev >= -th ? 'sell' : null;
    if (!side) return null;
    return {
      side,
      score,
      threshold: th,
      time: bar.time + this.p.barMs,
      price: bar.close,
      ...this.featureVector(),
    };
  }

  /** Feature vector at signal time (signals are rare: allocating here is fine). */
  private featureVector(): { features: Record<string, number>; available: string[] } {
    const features: Record<string, number> = {};
    const available: string[] = [];
    this.features.forEach((f, i) => {
      features[f.name] = this.values[i]!;
      if (this.availability[i]) available.push(f.name);
    });
    return { features, available };
  }
}
