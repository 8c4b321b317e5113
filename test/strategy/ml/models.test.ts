/**
 * The ensemble's three models on hand-checkable data: logistic regression recovering known
 * coefficients, CART on a hand-computed gini split, on XOR and under min-leaf, the forest
 * on a separable set, boosting's first rounds computed by hand.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../core/prng.ts';
import { datasetFromRows, sigmoid } from '../../../strategy/ml/dataset.ts';
import { growTree, predictTree } from '../../../strategy/ml/decisionTree.ts';
import { predictBoosting, trainBoosting } from '../../../strategy/ml/gradientBoosting.ts';
import { logisticCoefficients, predictLogistic, trainLogistic } from '../../../strategy/ml/logisticRegression.ts';
import { forestImportance, predictForest, trainForest } from '../../../strategy/ml/randomForest.ts';

const ones = (n: number) => new Float64Array(n).fill(1);

describe('logistic regression', () => {
  it('recovers known coefficients: y ~ Bernoulli(sigmoid(0.5 + 1.5 x)) with exact frequencies', () => {
    // For each x, 1000 samples of which round(1000 p(x)) are wins: the maximum-likelihood fit is (0.5, 1.5) up to rounding.
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let x = -2; x <= 2; x += 0.5) {
      const wins = Math.round(1000 * sigmoid(0.5 + 1.5 * x));
      for (let k = 0; k < 1000; k++) {
        rows.push([x]);
        labels.push(k < wins ? 1 : 0);
      }
    }
    const model = trainLogistic(datasetFromRows(rows, labels), { l2: 0, learningRate: 2, iterations: 2000 });
    const { intercept, slopes } = logisticCoefficients(model);
    expect(intercept).toBeCloseTo(0.5, 2);
    expect(slopes[0]).toBeCloseTo(1.5, 2);
    expect(predictLogistic(model, [1])).toBeCloseTo(sigmoid(2), 2);
  });

  it('the L2 penalty shrinks the weights; a constant input gets weight 0', () => {
    const rows = [[0, 7], [1, 7], [2, 7], [3, 7], [4, 7], [5, 7]];
    const labels = [0, 0, 1, 0, 1, 1];
    const free = trainLogistic(datasetFromRows(rows, labels), { l2: 0, learningRate: 0.5, iterations: 500 });
    const held = trainLogistic(datasetFromRows(rows, labels), { l2: 20, learningRate: 0.5, iterations: 500 });
    expect(Math.abs(held.weights[0]!)).toBeLessThan(Math.abs(free.weights[0]!));
    expect(free.weights[1]).toBe(0);
    expect(predictLogistic(free, [5, 7])).toBeGreaterThan(0.5);
    expect(predictLogistic(free, [0, 7])).toBeLessThan(0.5);
  });
});

describe('CART', () => {
  it('splits at the midpoint with the hand-computed gini gain', () => {
    // Parent gini 0.5 over 6 samples (weighted: 3); both children pure: gain 3.
    const x = [Float64Array.from([1, 2, 3, 4, 5, 6])];
    const y = Float64Array.from([0, 0, 0, 1, 1, 1]);
    const t = growTree(x, y, ones(6), { maxDepth: 3, minLeaf: 1, criterion: 'gini' });
    expect(t.feature[0]).toBe(0);
    expect(t.threshold[0]).toBe(3.5);
    expect(t.gain[0]).toBeCloseTo(3, 12);
    expect(t.feature.filter((f) => f >= 0)).toHaveLength(1);
    expect(predictTree(t, [3])).toBe(0);
    expect(predictTree(t, [4])).toBe(1);
  });

  it('learns XOR at depth 2 (a first split with no gain), not at depth 1', () => {
    const pts = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]];
    const rows = pts.flatMap((p) => Array.from({ length: 5 }, () => p));
    const x = [Float64Array.from(rows, (r) => r[0]!), Float64Array.from(rows, (r) => r[1]!)];
    const y = Float64Array.from(rows, (r) => r[2]!);
    const deep = growTree(x, y, ones(rows.length), { maxDepth: 2, minLeaf: 1, criterion: 'gini' });
    for (const [a, b, label] of pts) expect(predictTree(deep, [a!, b!])).toBe(label);
    expect(deep.threshold[0]).toBe(0.5);
    const shallow = growTree(x, y, ones(rows.length), { maxDepth: 1, minLeaf: 1, criterion: 'gini' });
    for (const [a, b] of pts) expect(predictTree(shallow, [a!, b!])).toBe(0.5);
  });

  it('never leaves fewer than minLeaf samples on a side, counting bootstrap weights', () => {
    const x = [Float64Array.from([1, 2, 3, 4, 5, 6])];
    const y = Float64Array.from([0, 0, 0, 1, 1, 1]);
    expect(growTree(x, y, ones(6), { maxDepth: 3, minLeaf: 4, criterion: 'gini' }).feature).toEqual([-1]);
    // Sample 1 drawn 3 times: the split 1 | 2..6 leaves weight 3 on the left, allowed with minLeaf 3.
    const w = Float64Array.from([3, 1, 1, 1, 1, 1]);
    const t = growTree(x, Float64Array.from([0, 1, 1, 1, 1, 1]), w, { maxDepth: 1, minLeaf: 3, criterion: 'gini' });
    expect(t.threshold[0]).toBe(1.5);
    // A sample with weight 0 is not in the tree: its label changes nothing.
    const a = growTree(x, y, Float64Array.from([1, 1, 0, 1, 1, 1]), { maxDepth: 3, minLeaf: 1, criterion: 'gini' });
    const b = growTree(x, Float64Array.from([0, 0, 1, 1, 1, 1]), Float64Array.from([1, 1, 0, 1, 1, 1]), { maxDepth: 3, minLeaf: 1, criterion: 'gini' });
    expect(a).toEqual(b);
  });
});

/** 400 samples: x0 uniform in [-1, 1] decides (x0 > 0.1 wins), x1 is noise. */
const separable = () => {
  const rng = new Prng(11);
  const rows = Array.from({ length: 400 }, () => [rng.next() * 2 - 1, rng.next()]);
  return { rows, labels: rows.map((r) => (r[0]! > 0.1 ? 1 : 0)) };
};

describe('random forest', () => {
  it('separates a separable set, ranks the deciding feature first, and is reproducible from its seed', () => {
    const { rows, labels } = separable();
    const data = datasetFromRows(rows, labels);
    const p = { trees: 20, maxDepth: 4, minLeaf: 2, maxFeatures: 1, seed: 7 };
    const forest = trainForest(data, p);
    const wrong = rows.filter((r, i) => (predictForest(forest, r) > 0.5 ? 1 : 0) !== labels[i]).length;
    expect(wrong).toBeLessThanOrEqual(4);
    expect(predictForest(forest, [0.9, 0.5])).toBeGreaterThan(0.75);
    expect(predictForest(forest, [-0.9, 0.5])).toBeLessThan(0.25);
    const imp = forestImportance(forest, 2);
    expect(imp[0]).toBeGreaterThan(imp[1]!);
    expect(trainForest(data, p)).toEqual(forest);
  });
});

describe('gradient-boosted trees', () => {
  it('starts from the log-odds and takes the hand-computed Newton steps', () => {
    const data = datasetFromRows([[0], [1], [2], [3]], [0, 0, 1, 1]);
    const p = { maxDepth: 1, minLeaf: 1, shrinkage: 0.1 };
    const one = trainBoosting(data, { ...p, trees: 1 });
    expect(one.base).toBe(0);
    // Gradients -0.5, -0.5 | 0.5, 0.5; hessians 0.25: leaf steps -/+2, shrunk to -/+0.2.
    expect(predictBoosting(one, [3])).toBeCloseTo(sigmoid(0.2), 12);
    expect(predictBoosting(one, [0])).toBeCloseTo(sigmoid(-0.2), 12);
    const two = trainBoosting(data, { ...p, trees: 2 });
    const q = sigmoid(0.2);
    expect(predictBoosting(two, [3])).toBeCloseTo(sigmoid(0.2 + 0.1 * ((1 - q) / (q * (1 - q)))), 12);
    expect(trainBoosting(datasetFromRows([[0], [1], [2], [3]], [0, 1, 1, 1]), { ...p, trees: 0 }).base).toBeCloseTo(Math.log(3), 12);
  });

  it('fits a separable set', () => {
    const { rows, labels } = separable();
    const model = trainBoosting(datasetFromRows(rows, labels), { trees: 30, maxDepth: 2, minLeaf: 2, shrinkage: 0.3 });
    const wrong = rows.filter((r, i) => (predictBoosting(model, r) > 0.5 ? 1 : 0) !== labels[i]).length;
    expect(wrong).toBe(0);
  });
});
