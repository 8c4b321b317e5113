/**
 * Test helpers (not product code): light training settings that keep the tests fast, and
 * the strategy's real signals on the FirstRate ES minute samples, labelled under the
 * default exit rules.
 */
import { defaultConfig } from '../../../config/schema.ts';
import { commissionPerContract } from '../../../config/instruments.ts';
import { mlSchema, type MlSettings } from '../../../config/mlSchema.ts';
import type { Bar } from '../../../core/types.ts';
import { Scorer, type ScoredSignal } from '../../../strategy/scorer.ts';
import type { ExitRules } from '../../../strategy/ml/labelling.ts';
import { labelledSamples } from '../../../strategy/ml/trainFilter.ts';
import type { LabelledSample } from '../../../strategy/ml/walkForward.ts';
import { firstRateBars } from '../fixtures/firstRate.ts';

/** Fewer trees and iterations than the defaults: same code paths, a fraction of the time. */
export const lightMl = (over: Record<string, unknown> = {}): MlSettings =>
  mlSchema.parse({ training: { folds: 5, minSignals: 20, rf: { trees: 12, maxDepth: 5 }, gbt: { trees: 12 }, lr: { iterations: 100 } }, ...over });

export const MINUTE = 60_000;

export const defaultRules = (): ExitRules => {
  const c = defaultConfig();
  return {
    stopPoints: c.strategy.stopPoints,
    targetPoints: c.strategy.targetPoints,
    maxBarsInTrade: c.strategy.maxBarsInTrade,
    barMs: MINUTE,
    tickSize: 0.25,
    slippageTicks: c.venue.slippageTicks,
    pointValue: 50,
    commissionPerContract: commissionPerContract(c),
  };
};

/** The default strategy's signals on `bars`. */
export function signalsOn(bars: readonly Bar[]): ScoredSignal[] {
  // Price-only bars: the availability guard is off so that the ML pipeline has signals to study.
  const st = { ...defaultConfig().strategy, minAvailableWeight: 0 };
  const scorer = new Scorer({ threshold: st.threshold, atrBars: st.vwapAtrBars, barMs: MINUTE, strategy: st });
  const out: ScoredSignal[] = [];
  for (const b of bars) {
    const s = scorer.onBar(b);
    if (s) out.push(s);
  }
  return out;
}

const cache = new Map<string, { bars: Bar[]; signals: ScoredSignal[]; samples: LabelledSample[]; unlabelled: number }>();

/** Bars, signals and labelled samples of a FirstRate file (computed once per test file). */
export function realSamples(rel: string) {
  let hit = cache.get(rel);
  if (!hit) {
    const bars = firstRateBars(rel);
    const signals = signalsOn(bars);
    hit = { bars, signals, ...labelledSamples(signals, bars, defaultRules()) };
    cache.set(rel, hit);
  }
  return hit;
}
