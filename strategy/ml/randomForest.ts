/**
 * Random forest: each tree a gini CART on a seeded bootstrap of the samples (a weight per
 * sample: how many times it was drawn), looking at `maxFeatures` random features per split
 * (default round(sqrt(features))). P(win) = the mean of the trees' leaf win rates.
 * Everything random comes from one core/prng.ts stream seeded by `seed`.
 */
import { Prng } from '../../core/prng.ts';
import type { Dataset } from './dataset.ts';
import { growTree, normalised, predictTree, presort, treeGains, type TreeModel } from './decisionTree.ts';

export interface ForestParams {
  trees: number;
  maxDepth: number;
  minLeaf: number;
  /** Features per split; 0 = round(sqrt(features)). */
  maxFeatures: number;
  seed: number;
}

export interface ForestModel {
  trees: TreeModel[];
}

export function trainForest(data: Dataset, p: ForestParams): ForestModel {
  const n = data.size;
  if (n === 0) throw new RangeError('random forest: no samples');
  const m = data.columns.length;
  const rng = new Prng(p.seed >>> 0);
  const target = Float64Array.from(data.labels);
  const sorted = presort(data.columns);
  const maxFeatures = p.maxFeatures > 0 ? p.maxFeatures : Math.max(1, Math.round(Math.sqrt(m)));
  const trees: TreeModel[] = [];
  const weights = new Float64Array(n);
  for (let t = 0; t < p.trees; t++) {
    weights.fill(0);
    for (let k = 0; k < n; k++) {
      const i = Math.floor(rng.next() * n);
      weights[i] = weights[i]! + 1;
    }
    trees.push(growTree(data.columns, target, weights, { maxDepth: p.maxDepth, minLeaf: p.minLeaf, criterion: 'gini', maxFeatures, rng }, sorted));
  }
  return { trees };
}

export function predictForest(model: ForestModel, row: ArrayLike<number>): number {
  let sum = 0;
  for (const t of model.trees) sum += predictTree(t, row);
  return model.trees.length > 0 ? sum / model.trees.length : 0.5;
}

/** Mean decrease in gini impurity by feature, normalised to sum 1. */
export function forestImportance(model: ForestModel, features: number): number[] {
  const total = new Float64Array(features);
  for (const t of model.trees) {
    const g = normalised(treeGains(t, features));
    for (let j = 0; j < features; j++) total[j] = total[j]! + g[j]!;
  }
  return normalised(total);
}
