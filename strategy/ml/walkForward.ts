/**
 * Walk-forward training without look-ahead. Samples (labelled signals) in time order are
 * cut into K blocks of equal count; each block after the first is predicted by an
 * ensemble trained on every block before it (expanding window). Purging: a training
 * sample whose label was not yet known when the test block starts (its trade was still
 * open, `knownAt` > the block's first signal time) is dropped from that fold's training.
 *
 * The out-of-sample predictions of all test blocks are stitched for one OOS AUC (and one
 * per fold); the final model is then trained on every sample.
 */
import type { MlTrainingSettings, MlWeights } from '../../config/mlSchema.ts';
import { rocAuc } from './auc.ts';
import { datasetFromRows, type Dataset } from './dataset.ts';
import { ensembleProbability, trainEnsemble, type EnsembleModels } from './ensemble.ts';

export interface LabelledSample {
  /** Signal time (close of the signal bar), ms UTC. */
  time: number;
  /** When the label became known (close of the last bar its trade read), ms UTC. */
  knownAt: number;
  row: readonly number[];
  label: 0 | 1;
}

export interface FoldResult {
  fold: number;
  /** First and last test signal times, ms UTC. */
  from: number;
  to: number;
  /** Training samples used, and those purged (label not known at `from`). */
  train: number;
  purged: number;
  test: number;
  testPositives: number;
  /** Null when the test block holds one class only, or the fold could not train. */
  auc: number | null;
  /** Why the fold made no predictions (no training sample, or one class only). */
  skipped?: string;
  /** Indices (into the samples) of the training samples used. */
  trainIds: number[];
}

export interface WalkForwardResult {
  folds: FoldResult[];
  /** Stitched out-of-sample predictions, in time order. */
  oos: { ids: number[]; probability: number[]; label: (0 | 1)[] };
  oosAuc: number | null;
  final: EnsembleModels;
}

export interface WalkForwardOptions {
  training: MlTrainingSettings;
  /** Normalised ensemble weights. */
  weights: MlWeights;
}

const classes = (data: Dataset): number => {
  let pos = 0;
  for (const l of data.labels) pos += l;
  return (pos > 0 ? 1 : 0) + (pos < data.size ? 1 : 0);
};

export function walkForward(samples: readonly LabelledSample[], o: WalkForwardOptions): WalkForwardResult {
  const n = samples.length;
  const K = o.training.folds;
  if (n < K) throw new RangeError(`walk-forward: ${n} samples for ${K} folds`);
  for (let i = 1; i < n; i++) {
    if (samples[i]!.time < samples[i - 1]!.time) throw new RangeError(`walk-forward: samples must be in time order (sample ${i})`);
  }
  const all = datasetFromRows(samples.map((s) => s.row), samples.map((s) => s.label));
  const bound = (k: number) => Math.floor((k * n) / K);
  const folds: FoldResult[] = [];
  const oos: WalkForwardResult['oos'] = { ids: [], probability: [], label: [] };

  for (let k = 1; k < K; k++) {
    const start = bound(k);
    const end = bound(k + 1);
    const testStart = samples[start]!.time;
    const trainIds: number[] = [];
    for (let i = 0; i < start; i++) if (samples[i]!.knownAt <= testStart) trainIds.push(i);
    const testIds = Array.from({ length: end - start }, (_, i) => start + i);
    const fold: FoldResult = {
      fold: k,
      from: testStart,
      to: samples[end - 1]!.time,
      train: trainIds.length,
      purged: start - trainIds.length,
      test: testIds.length,
      testPositives: testIds.reduce((a, i) => a + samples[i]!.label, 0),
      auc: null,
      trainIds,
    };
    folds.push(fold);
    const train = datasetFromRows(trainIds.map((i) => samples[i]!.row), trainIds.map((i) => samples[i]!.label));
    if (train.size === 0 || classes(train) < 2) {
      fold.skipped = train.size === 0 ? 'no training sample' : 'training labels of one class only';
      continue;
    }
    const models = trainEnsemble(train, o.training);
    const probs = testIds.map((i) => ensembleProbability(models, o.weights, samples[i]!.row));
    fold.auc = rocAuc(probs, testIds.map((i) => samples[i]!.label));
    testIds.forEach((id, j) => {
      oos.ids.push(id);
      oos.probability.push(probs[j]!);
      oos.label.push(samples[id]!.label);
    });
  }
  return { folds, oos, oosAuc: rocAuc(oos.probability, oos.label), final: trainEnsemble(all, o.training) };
}
