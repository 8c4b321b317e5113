/**
 * What `mia ml report` shows about a model: version, training window, AUCs, feature
 * importances (the models' impurity decreases and |standardised weights|, mixed by the
 * ensemble weights) and the share of its out-of-sample predictions above the threshold.
 */
import { ensembleImportance } from './ensemble.ts';
import type { MlModelFile } from './modelSchema.ts';

export interface ModelReport {
  modelVersion: number;
  trainedOn: MlModelFile['trainedOn'];
  oosAuc: number | null;
  foldAucs: (number | null)[];
  threshold: number;
  weights: MlModelFile['weights'];
  /** Features by importance, largest first (sum 1). */
  importance: { feature: string; importance: number }[];
  /** On the OOS predictions: how many cleared the threshold, and the win rate of those. */
  atThreshold: { predictions: number; passed: number; passRate: number | null; passedWinRate: number | null; baseWinRate: number | null };
  dataProvenance: MlModelFile['dataProvenance'];
  configHash: string;
}

export function modelReport(m: MlModelFile, threshold = m.threshold): ModelReport {
  const imp = ensembleImportance(m.models, m.weights, m.features.length);
  const { probability, label } = m.oosPredictions;
  let passed = 0;
  let passedWins = 0;
  let wins = 0;
  probability.forEach((p, i) => {
    wins += label[i]!;
    if (p > threshold) {
      passed++;
      passedWins += label[i]!;
    }
  });
  const n = probability.length;
  return {
    modelVersion: m.modelVersion,
    trainedOn: m.trainedOn,
    oosAuc: m.oosAuc,
    foldAucs: m.foldAucs,
    threshold,
    weights: m.weights,
    importance: m.features.map((feature, j) => ({ feature, importance: imp[j]! })).sort((a, b) => b.importance - a.importance),
    atThreshold: {
      predictions: n,
      passed,
      passRate: n > 0 ? passed / n : null,
      passedWinRate: passed > 0 ? passedWins / passed : null,
      baseWinRate: n > 0 ? wins / n : null,
    },
    dataProvenance: m.dataProvenance,
    configHash: m.configHash,
  };
}
