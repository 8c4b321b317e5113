/**
 * The filter the Scorer applies to each signal (never to each bar): with a model, the
 * ensemble's P(win) and whether it clears the threshold; without one, a verdict that
 * says the filter is off and why. It never makes up a probability.
 */
import type { MlWeights } from '../../config/mlSchema.ts';
import { ensembleProbability, normaliseWeights } from './ensemble.ts';
import type { MlModelFile } from './modelSchema.ts';
import { ML_FEATURE_NAMES, signalRow, type SignalInputs } from './signalFeatures.ts';

/** What a signal carries about the filter. */
export type MlVerdict = { probability: number; threshold: number; modelVersion: number } | { off: string };

export interface SignalFilter {
  evaluate(signal: SignalInputs): MlVerdict;
}

export const NO_MODEL = 'no trained model';

/** A filter that is off: every signal passes and says why. */
export const filterOff = (reason: string = NO_MODEL): SignalFilter => {
  const verdict = Object.freeze({ off: reason });
  return { evaluate: () => verdict };
};

/** True when the verdict lets the signal through (an off filter always does). */
export const passes = (v: MlVerdict): boolean => 'off' in v || v.probability > v.threshold;

export class EnsembleFilter implements SignalFilter {
  private readonly weights: MlWeights;

  /**
   * @param weights ensemble weights (config `ml.weights`; normalised here)
   * @throws when the model was trained on other inputs than this build computes
   */
  constructor(
    readonly model: MlModelFile,
    readonly threshold: number,
    weights: MlWeights,
  ) {
    const same = model.features.length === ML_FEATURE_NAMES.length && model.features.every((f, i) => f === ML_FEATURE_NAMES[i]);
    if (!same) {
      throw new Error(`model v${model.modelVersion} was trained on features [${model.features.join(', ')}]; this MIA computes [${ML_FEATURE_NAMES.join(', ')}]: retrain it (mia ml train)`);
    }
    this.weights = normaliseWeights(weights);
  }

  probability(signal: SignalInputs): number {
    return ensembleProbability(this.model.models, this.weights, signalRow(signal));
  }

  evaluate(signal: SignalInputs): MlVerdict {
    return { probability: this.probability(signal), threshold: this.threshold, modelVersion: this.model.modelVersion };
  }
}
