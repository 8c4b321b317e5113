/**
 * The confluence score (DOMAIN.md): the weighted mean of the available features, times
 * the session multiplier and the expiry-cycle factor, clamped to [-1, 1]. The volatility
 * adjustment acts on the threshold only (base threshold times the regime's multiplier):
 * applying it to the score as well would count it twice. Long above +threshold, short
 * below -threshold: the score is symmetric, so shorts fire as readily as longs.
 *
 * Renormalisation: an unavailable feature drops out and the remaining weights are
 * rescaled to sum to 1. When less than `minAvailableWeight` of the total weight is
 * available (or none at all), the score is 0: nothing is invented.
 */
import type { FeatureWeights } from '../config/strategySchema.ts';
import { clampUnit, type FeatureValue } from './features/featureValue.ts';

/** Every feature of the vector, in a fixed order (the vector's index). */
export const FEATURE_NAMES = [
  'gammaLevels',
  'volumeConfirmation',
  'optionsFlow',
  'orderBook',
  'vwapTrend',
  'aggressionBias',
  'tickMomentum',
  'deltaDivergence',
  'smartMoney',
  'multiTimeframe',
  'battleNavale',
] as const satisfies readonly (keyof FeatureWeights)[];

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Index of a feature in the vector (checked against FEATURE_NAMES below). */
export const FEATURE_INDEX = {
  gammaLevels: 0,
  volumeConfirmation: 1,
  optionsFlow: 2,
  orderBook: 3,
  vwapTrend: 4,
  aggressionBias: 5,
  tickMomentum: 6,
  deltaDivergence: 7,
  smartMoney: 8,
  multiTimeframe: 9,
  battleNavale: 10,
} as const satisfies Record<FeatureName, number>;
FEATURE_NAMES.forEach((n, i) => {
  if (FEATURE_INDEX[n] !== i) throw new Error(`FEATURE_INDEX.${n} is not ${i}`);
});

export class Confluence {
  /** The feature vector, by FEATURE_NAMES index: fill it, then call combine(). */
  readonly values = new Float64Array(FEATURE_NAMES.length);
  readonly available = new Uint8Array(FEATURE_NAMES.length);
  private readonly weights = new Float64Array(FEATURE_NAMES.length);
  private readonly totalWeight: number;
  /** Share of the total weight that was available at the last combine(), in [0, 1]. */
  availableShare = 0;
  /** The result of the last combine(). */
  rawScore = 0;
  /** The weighted mean of the available features, before the minAvailableWeight guard (for "held back" reports). */
  unguardedScore = 0;
  /** True when the last combine() zeroed a score because too little weight was available. */
  guarded = false;

  constructor(
    weights: FeatureWeights,
    private readonly minAvailableWeight = 0,
  ) {
    let total = 0;
    FEATURE_NAMES.forEach((name, i) => {
      const w = weights[name];
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`strategy.weights.${name} must be a finite number >= 0, got ${w}`);
      this.weights[i] = w;
      total += w;
    });
    this.totalWeight = total;
  }

  /** Renormalised weighted mean of the available features, in [-1, 1] (0 when too little is available). */
  combine(): number {
    this.update();
    return this.rawScore;
  }

  /**
   * combine() into `rawScore` and `availableShare`. For the hot path: a number returned
   * by a call that is not inlined is boxed (an allocation per bar); fields are not.
   */
  update(): void {
    const values = this.values;
    const available = this.available;
    const weightOf = this.weights;
    let sum = 0;
    let weights = 0;
    for (let i = 0; i < weightOf.length; i++) {
      if (available[i] === 0) continue;
      const w = weightOf[i]!;
      sum += w * values[i]!;
      weights += w;
    }
    this.availableShare = this.totalWeight > 0 ? weights / this.totalWeight : 0;
    this.unguardedScore = weights > 0 ? sum / weights : 0;
    this.guarded = weights > 0 && this.availableShare < this.minAvailableWeight;
    this.rawScore = !(weights > 0) || this.guarded ? 0 : this.unguardedScore;
  }

  /** Sets feature `i` from its reading. */
  set(i: number, v: FeatureValue): void {
    this.values[i] = v.value;
    this.available[i] = v.available ? 1 : 0;
  }

  /** Features available at the last fill, by name (allocates: call on signals only). */
  availableNames(): FeatureName[] {
    return FEATURE_NAMES.filter((_, i) => this.available[i] === 1);
  }

  /** The feature vector by name (allocates: call on signals only). */
  vector(): Record<FeatureName, number> {
    return Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, this.values[i]!])) as Record<FeatureName, number>;
  }
}

/** The final score: raw score times the session and expiry multipliers, clamped to [-1, 1]. */
export const finalScore = (raw: number, session: number, expiry: number): number => clampUnit(raw * session * expiry);

/** +1 above +threshold, -1 below -threshold, else 0. */
export const sideOfScore = (score: number, threshold: number): 1 | -1 | 0 => (score > threshold ? 1 : score < -threshold ? -1 : 0);
