/**
 * The filter's ensemble (DOMAIN.md): random forest, gradient-boosted trees and logistic
 * regression trained on the same samples; P(win) = their weighted mean, weights from
 * `ml.weights` normalised to sum 1 (default 0.5 / 0.3 / 0.2).
 */
import type { MlTrainingSettings, MlWeights } from '../../config/mlSchema.ts';
import type { Dataset } from './dataset.ts';
import { boostingImportance, predictBoosting, trainBoosting, type BoostingModel } from './gradientBoosting.ts';
import { logisticImportance, predictLogistic, trainLogistic, type LogisticModel } from './logisticRegression.ts';
import { forestImportance, predictForest, trainForest, type ForestModel } from './randomForest.ts';

export interface EnsembleModels {
  rf: ForestModel;
  gbt: BoostingModel;
  lr: LogisticModel;
}

/** Why these weights cannot make a mean (null when they can). */
export function weightsProblem(w: MlWeights): string | null {
  const values = [w.rf, w.gbt, w.lr];
  if (values.some((v) => !(v >= 0) || !Number.isFinite(v))) return 'every weight must be a finite number >= 0';
  if (values.reduce((a, v) => a + v, 0) <= 0) return 'at least one weight must be above 0';
  return null;
}

/** Weights summing to 1; throws (naming ml.weights) when they cannot. */
export function normaliseWeights(w: MlWeights): MlWeights {
  const problem = weightsProblem(w);
  if (problem) throw new RangeError(`ml.weights: ${problem}`);
  const total = w.rf + w.gbt + w.lr;
  return { rf: w.rf / total, gbt: w.gbt / total, lr: w.lr / total };
}

/** Trains the three models on `data` (deterministic: the forest's seed is `t.seed`). */
export function trainEnsemble(data: Dataset, t: MlTrainingSettings): EnsembleModels {
  return {
    rf: trainForest(data, { ...t.rf, seed: t.seed }),
    gbt: trainBoosting(data, t.gbt),
    lr: trainLogistic(data, t.lr),
  };
}

/** P(win) of one feature row; `weights` already normalised. */
export function ensembleProbability(models: EnsembleModels, weights: MlWeights, row: ArrayLike<number>): number {
  let p = 0;
  if (weights.rf > 0) p += weights.rf * predictForest(models.rf, row);
  if (weights.gbt > 0) p += weights.gbt * predictBoosting(models.gbt, row);
  if (weights.lr > 0) p += weights.lr * predictLogistic(models.lr, row);
  return p;
}

/** Importance of each feature: the models' normalised importances, mixed by the ensemble weights. */
export function ensembleImportance(models: EnsembleModels, weights: MlWeights, features: number): number[] {
  const parts: [number, number[]][] = [
    [weights.rf, forestImportance(models.rf, features)],
    [weights.gbt, boostingImportance(models.gbt, features)],
    [weights.lr, logisticImportance(models.lr)],
  ];
  return Array.from({ length: features }, (_, j) => parts.reduce((a, [w, imp]) => a + w * (imp[j] ?? 0), 0));
}
