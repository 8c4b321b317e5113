/**
 * Gradient-boosted trees for P(win) under logistic loss. Start from the log-odds of the
 * training win rate; each round fits a squared-error regression tree to the gradients
 * y - p, sets each leaf to the Newton step sum(y - p) / sum(p(1 - p)) of its samples,
 * and adds it times `shrinkage`. Deterministic: no subsampling.
 * Stored trees already carry the shrunk leaf values: P(win) = sigmoid(base + sum of leaves).
 */
import { sigmoid, type Dataset } from './dataset.ts';
import { growTree, normalised, predictTree, presort, treeGains, type TreeModel } from './decisionTree.ts';

export interface BoostingParams {
  trees: number;
  maxDepth: number;
  minLeaf: number;
  shrinkage: number;
}

export interface BoostingModel {
  /** Initial log-odds. */
  base: number;
  trees: TreeModel[];
}

/** Largest leaf step in log-odds: a pure leaf has p(1-p) -> 0 and an unbounded Newton step. */
const MAX_STEP = 4;
const clampP = (p: number) => Math.min(1 - 1e-6, Math.max(1e-6, p));

export function trainBoosting(data: Dataset, p: BoostingParams): BoostingModel {
  const n = data.size;
  if (n === 0) throw new RangeError('gradient boosting: no samples');
  const y = data.labels;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]!;
  const rate = clampP(positives / n);
  const base = Math.log(rate / (1 - rate));
  const f = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const ones = new Float64Array(n).fill(1);
  const sorted = presort(data.columns);
  const row = new Float64Array(data.columns.length);
  const trees: TreeModel[] = [];
  for (let t = 0; t < p.trees; t++) {
    for (let i = 0; i < n; i++) {
      const q = sigmoid(f[i]!);
      grad[i] = y[i]! - q;
      hess[i] = q * (1 - q);
    }
    const leafValue = (ids: Int32Array): number => {
      let g = 0;
      let h = 0;
      for (const i of ids) {
        g += grad[i]!;
        h += hess[i]!;
      }
      const step = h > 1e-12 ? g / h : 0;
      return p.shrinkage * Math.max(-MAX_STEP, Math.min(MAX_STEP, step));
    };
    const tree = growTree(data.columns, grad, ones, { maxDepth: p.maxDepth, minLeaf: p.minLeaf, criterion: 'mse', leafValue }, sorted);
    trees.push(tree);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < row.length; j++) row[j] = data.columns[j]![i]!;
      f[i] = f[i]! + predictTree(tree, row);
    }
  }
  return { base, trees };
}

export function predictBoosting(model: BoostingModel, row: ArrayLike<number>): number {
  let s = model.base;
  for (const t of model.trees) s += predictTree(t, row);
  return sigmoid(s);
}

/** Squared-error decrease by feature over all rounds, normalised to sum 1. */
export function boostingImportance(model: BoostingModel, features: number): number[] {
  const total = new Float64Array(features);
  for (const t of model.trees) {
    const g = treeGains(t, features);
    for (let j = 0; j < features; j++) total[j] = total[j]! + g[j]!;
  }
  return normalised(total);
}
