/**
 * Does a trained filter earn its place? Its stitched out-of-sample AUC with a bootstrap
 * confidence interval (resampling the out-of-sample signals with replacement), beside a
 * control: the same walk-forward trained on the same rows with the labels shuffled (any
 * skill it shows is what the procedure finds in noise). A model beats the control only when
 * the lower end of its interval is above both the control's AUC and chance (0.5); only such
 * a model is activated (`mia ml train`, `mia ml activate`).
 */
import { Prng } from '../../core/prng.ts';
import { rocAuc } from './auc.ts';
import { walkForward, type LabelledSample, type WalkForwardOptions } from './walkForward.ts';

export interface ModelEvaluation {
  oosAuc: number | null;
  /** Percentile bootstrap interval of the out-of-sample AUC. */
  interval: { low: number; high: number; level: number; resamples: number } | null;
  /** The shuffled-label control's out-of-sample AUC (same rows, folds and settings). */
  control: { auc: number | null; seed: number };
  beatsControl: boolean;
  /** Why it does not, or '' when it does. */
  verdict: string;
}

/** Percentile bootstrap of rocAuc over (probability, label) pairs; null when no resample has both classes. */
export function bootstrapAucInterval(probability: readonly number[], label: readonly (0 | 1)[], resamples = 1_000, level = 0.95, seed = 7): ModelEvaluation['interval'] {
  const n = probability.length;
  if (n < 2) return null;
  const rng = new Prng(seed);
  const p = new Float64Array(n);
  const l = new Uint8Array(n);
  const aucs: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(rng.next() * n);
      p[i] = probability[j]!;
      l[i] = label[j]!;
    }
    const a = rocAuc(p, l);
    if (a !== null) aucs.push(a);
  }
  if (aucs.length === 0) return null;
  aucs.sort((a, b) => a - b);
  const at = (q: number) => aucs[Math.min(aucs.length - 1, Math.max(0, Math.floor(q * (aucs.length - 1))))]!;
  return { low: at((1 - level) / 2), high: at(1 - (1 - level) / 2), level, resamples: aucs.length };
}

/** The samples with their labels permuted (Fisher-Yates, seeded); times, rows and knownAt unchanged. */
export function shuffledLabels(samples: readonly LabelledSample[], seed: number): LabelledSample[] {
  const labels = samples.map((s) => s.label);
  const rng = new Prng(seed);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
  }
  return samples.map((s, i) => ({ ...s, label: labels[i]! }));
}

export function evaluateModel(
  samples: readonly LabelledSample[],
  oos: { probability: readonly number[]; label: readonly (0 | 1)[] },
  oosAuc: number | null,
  options: WalkForwardOptions,
  seed = options.training.seed,
): ModelEvaluation {
  const interval = bootstrapAucInterval(oos.probability, oos.label, 1_000, 0.95, seed);
  const controlSeed = seed + 1;
  const control = walkForward(shuffledLabels(samples, controlSeed), options).oosAuc;
  let verdict = '';
  if (oosAuc === null || interval === null) verdict = 'no out-of-sample AUC to judge';
  else if (interval.low <= 0.5) verdict = `the ${Math.round(interval.level * 100)}% interval of the out-of-sample AUC (${interval.low.toFixed(3)} .. ${interval.high.toFixed(3)}) includes chance (0.5)`;
  else if (control !== null && interval.low <= control) verdict = `the interval's low end ${interval.low.toFixed(3)} is not above the shuffled-label control's AUC ${control.toFixed(3)}`;
  return { oosAuc, interval, control: { auc: control, seed: controlSeed }, beatsControl: verdict === '', verdict };
}
