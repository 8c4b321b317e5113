/**
 * Bar-by-bar scoring: the strategy pipeline (features -> confluence) -> edge-triggered
 * signal. A signal fires only when the score *crosses* its threshold: it goes above
 * +threshold (long) or below -threshold (short) having not been there at the previous
 * bar, so a long trend produces one signal, not one per bar. The threshold is dynamic
 * (volatility regime), so "being there" is judged against each bar's own threshold.
 *
 * Then the ML filter (strategy/ml), on signals only, never per bar: with a model, a
 * signal is emitted only when its P(win) is above `ml.threshold` and carries
 * `ml: {probability, threshold, modelVersion}`; a filtered signal is counted in
 * `mlFiltered`, and the edge state moves on as if it had fired (no re-fire on the next
 * bar). Without a model every signal carries `ml: {off: <why>}`: no made-up probability.
 */
import type { Bar, BookSnapshot, OptionChainSnapshot, Quote, Side, TradeTick } from '../core/types.ts';
import { defaultStrategySettings, type StrategySettings } from '../config/strategySchema.ts';
import { StrategyPipeline, type PipelineDeps, type PipelineReading } from './pipeline.ts';
import type { VolatilityRegime } from './features/volatilityRegime.ts';
import { filterOff, passes, type MlVerdict, type SignalFilter } from './ml/mlFilter.ts';

export interface ScoredSignal {
  side: Side;
  /** Final score (after the session and expiry multipliers). */
  score: number;
  /** Threshold crossed (base threshold times the volatility multiplier). */
  threshold: number;
  /** Close time of the bar the signal fired on (ms UTC). */
  time: number;
  /** Close of the bar the signal fired on. */
  price: number;
  /** The whole feature vector at signal time (unavailable features read 0). */
  features: Record<string, number>;
  /** Names of the features whose inputs were there. */
  available: string[];
  /** Renormalised weighted mean before the multipliers. */
  rawScore?: number;
  /** Multipliers applied to the score. */
  multipliers?: { session: number; expiry: number };
  regime?: VolatilityRegime;
  /** The ML filter's verdict: P(win) against its threshold, or why the filter is off. */
  ml?: MlVerdict;
}

export interface ScorerParams {
  /** Base threshold (overrides `strategy.threshold`). */
  threshold: number;
  /** ATR bars of the VWAP trend (overrides `strategy.vwapAtrBars`). */
  atrBars: number;
  /** Bar length: a signal is known at its bar's close, `time + barMs`. */
  barMs: number;
  /** The strategy configuration; the embedded defaults when absent. */
  strategy?: StrategySettings;
  /** The ML signal filter; absent = off, "no trained model". */
  ml?: SignalFilter;
}

/** Optional injected computations (gamma levels, expiry factor); the defaults are strategy/gamma's. */
export type ScorerDeps = Omit<PipelineDeps, 'barMs'>;

export class Scorer {
  readonly pipeline: StrategyPipeline;
  private wasAbove = false;
  private wasBelow = false;
  /** Score at the last bar, for observers (inspector, summaries). */
  lastScore = 0;
  /** Threshold at the last bar. */
  lastThreshold = 0;
  /** The pipeline's reading of the last bar; null for a bar it did not score (VIX, invalid). */
  lastReading: PipelineReading | null = null;
  /** Signals the ML filter held back (P(win) not above its threshold). */
  mlFiltered = 0;
  /**
   * Crossings held back by `strategy.minAvailableWeight`: the score would have crossed its
   * threshold had the guard not zeroed it (too little of the confluence weight available).
   */
  availabilityHeld = 0;
  private wasAboveUnguarded = false;
  private wasBelowUnguarded = false;
  private readonly ml: SignalFilter;

  constructor(p: ScorerParams, deps: ScorerDeps = {}) {
    const settings = { ...(p.strategy ?? defaultStrategySettings()), threshold: p.threshold, vwapAtrBars: p.atrBars };
    this.pipeline = new StrategyPipeline(settings, { ...deps, barMs: p.barMs });
    this.ml = p.ml ?? filterOff();
  }

  onQuote(q: Quote): void {
    this.pipeline.onQuote(q);
  }

  onTrade(t: TradeTick): void {
    this.pipeline.onTrade(t);
  }

  onBook(b: BookSnapshot): void {
    this.pipeline.onBook(b);
  }

  onChain(c: OptionChainSnapshot): void {
    this.pipeline.onChain(c);
  }

  /** Feed the next bar; returns a signal when the score crosses +/-threshold, else null. */
  onBar(bar: Bar): ScoredSignal | null {
    const r = this.pipeline.onBar(bar);
    this.lastReading = r;
    if (!r) return null;
    const above = r.score > r.threshold;
    const below = r.score < -r.threshold;
    const side: Side | null = above && !this.wasAbove ? 'buy' : below && !this.wasBelow ? 'sell' : null;
    this.wasAbove = above;
    this.wasBelow = below;
    const u = r.unguardedScore;
    const aboveU = u > r.threshold;
    const belowU = u < -r.threshold;
    if (!side && u !== r.score && ((aboveU && !this.wasAboveUnguarded) || (belowU && !this.wasBelowUnguarded))) this.availabilityHeld++;
    this.wasAboveUnguarded = aboveU;
    this.wasBelowUnguarded = belowU;
    this.lastScore = r.score;
    this.lastThreshold = r.threshold;
    if (!side) return null;
    const signal: ScoredSignal = {
      side,
      score: r.score,
      threshold: r.threshold,
      time: r.time,
      price: r.price,
      features: this.pipeline.featureVector(),
      available: this.pipeline.availableFeatures(),
      rawScore: r.rawScore,
      multipliers: { session: r.sessionMultiplier, expiry: r.expiryFactor },
      regime: r.regime,
    };
    const verdict = this.ml.evaluate(signal);
    if (!passes(verdict)) {
      this.mlFiltered++;
      return null;
    }
    signal.ml = verdict;
    return signal;
  }
}
