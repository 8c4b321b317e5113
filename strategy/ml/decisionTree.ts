/**
 * CART trees, for the forest (classification, gini) and for boosting (regression on
 * gradients, squared error). Binary splits `x[f] <= threshold` at midpoints between
 * distinct values, grown depth-first to `maxDepth`, never leaving fewer than `minLeaf`
 * (weighted) samples on a side.
 *
 * Samples carry weights (a bootstrap is a weight per sample, 0 = left out). Each feature
 * is sorted once (`presort`, shared by every tree on the same data); a node keeps its
 * samples sorted by every feature and hands each child a stable partition of those lists,
 * so a level costs O(features x samples) instead of a sort per node.
 *
 * A node splits on the best candidate even when it gains nothing (XOR needs a first split
 * that only the second one pays for); it stays a leaf when pure, too small, at maxDepth,
 * or when no split leaves minLeaf on both sides. Ties keep the first candidate found.
 *
 * Stored as flat arrays (compact JSON, a loop to predict): node i is a leaf when
 * feature[i] = -1, its prediction value[i]; else it goes left when x <= threshold[i].
 */
import type { Prng } from '../../core/prng.ts';

export interface TreeModel {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
  /** Weighted impurity decrease of each split (0 for leaves): the importances. */
  gain: number[];
}

export interface TreeParams {
  maxDepth: number;
  minLeaf: number;
  /** gini: 0/1 targets (classification); mse: any real target (regression). */
  criterion: 'gini' | 'mse';
  /** Features inspected per split (with at least one valid split); 0 or absent = all, in order. */
  maxFeatures?: number;
  /** Draws the features of each split when maxFeatures is set. */
  rng?: Prng;
  /** Leaf value from the leaf's samples (ids with weight > 0); default: the weighted mean target. */
  leafValue?: (ids: Int32Array) => number;
}

/** For each feature, the sample ids sorted by that feature (ties by id). */
export function presort(columns: readonly Float64Array[]): Int32Array[] {
  return columns.map((col) => {
    const ids = Int32Array.from({ length: col.length }, (_, i) => i);
    return ids.sort((a, b) => col[a]! - col[b]! || a - b);
  });
}

/** Weighted impurity times weight: gini for 0/1 targets, squared error otherwise. */
const impurity = (criterion: 'gini' | 'mse', w: number, s: number, q: number): number => {
  if (w <= 0) return 0;
  // Gini 1 - p^2 - (1-p)^2 = 2p(1-p) with p = s/w, times w.
  if (criterion === 'gini') return (2 * s * (w - s)) / w;
  return Math.max(0, q - (s * s) / w);
};

export function growTree(
  columns: readonly Float64Array[],
  target: Float64Array,
  weights: Float64Array,
  p: TreeParams,
  sorted: readonly Int32Array[] = presort(columns),
): TreeModel {
  const tree: TreeModel = { feature: [], threshold: [], left: [], right: [], value: [], gain: [] };
  const goesLeft = new Uint8Array(target.length);
  // Constant features can never split: they are neither partitioned nor drawn.
  const active = columns.map((_, j) => j).filter((j) => {
    const list = sorted[j]!;
    return list.length > 1 && columns[j]![list[0]!] !== columns[j]![list[list.length - 1]!];
  });
  const m = active.length;
  const order = Int32Array.from({ length: m }, (_, a) => a);
  const limit = p.maxFeatures && p.maxFeatures > 0 ? Math.min(p.maxFeatures, m) : m;

  /** ids: the node's samples; lists[a]: the same samples sorted by feature active[a]. */
  const build = (ids: Int32Array, lists: Int32Array[], depth: number): number => {
    let W = 0;
    let S = 0;
    let Q = 0;
    for (let k = 0; k < ids.length; k++) {
      const i = ids[k]!;
      const w = weights[i]!;
      const t = target[i]!;
      W += w;
      S += w * t;
      Q += w * t * t;
    }
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(p.leafValue ? p.leafValue(ids) : W > 0 ? S / W : 0);
    tree.gain.push(0);
    const parent = impurity(p.criterion, W, S, Q);
    if (depth >= p.maxDepth || W < 2 * p.minLeaf || parent <= 1e-12 || m === 0) return node;

    if (limit < m) {
      // Fisher-Yates with the seeded generator: the order this split looks at features in.
      for (let k = m - 1; k > 0; k--) {
        const r = Math.floor(p.rng!.next() * (k + 1));
        const t = order[k]!;
        order[k] = order[r]!;
        order[r] = t;
      }
    }
    let bestImp = Infinity;
    let bestF = -1;
    let bestT = 0;
    let inspected = 0;
    for (let o = 0; o < m && inspected < limit; o++) {
      const a = order[o]!;
      const f = active[a]!;
      const list = lists[a]!;
      const col = columns[f]!;
      let wl = 0;
      let sl = 0;
      let ql = 0;
      let valid = false;
      for (let k = 0; k + 1 < list.length; k++) {
        const i = list[k]!;
        const w = weights[i]!;
        const t = target[i]!;
        wl += w;
        sl += w * t;
        ql += w * t * t;
        const x = col[i]!;
        const next = col[list[k + 1]!]!;
        if (x === next || wl < p.minLeaf || W - wl < p.minLeaf) continue;
        valid = true;
        const imp = impurity(p.criterion, wl, sl, ql) + impurity(p.criterion, W - wl, S - sl, Q - ql);
        if (imp < bestImp - 1e-12) {
          bestImp = imp;
          bestF = f;
          const mid = x + (next - x) / 2;
          bestT = mid < next ? mid : x;
        }
      }
      if (valid) inspected++;
    }
    if (bestF < 0) return node;

    const split = columns[bestF]!;
    let nl = 0;
    for (let k = 0; k < ids.length; k++) {
      const i = ids[k]!;
      const left = split[i]! <= bestT ? 1 : 0;
      goesLeft[i] = left;
      nl += left;
    }
    // Stable partitions keep every child list sorted.
    const part = (list: Int32Array): [Int32Array, Int32Array] => {
      const l = new Int32Array(nl);
      const r = new Int32Array(list.length - nl);
      let a = 0;
      let b = 0;
      for (let k = 0; k < list.length; k++) {
        const i = list[k]!;
        if (goesLeft[i]) l[a++] = i;
        else r[b++] = i;
      }
      return [l, r];
    };
    const [idsL, idsR] = part(ids);
    const parts = lists.map(part);
    tree.feature[node] = bestF;
    tree.threshold[node] = bestT;
    tree.gain[node] = Math.max(0, parent - bestImp);
    tree.left[node] = build(idsL, parts.map((x) => x[0]), depth + 1);
    tree.right[node] = build(idsR, parts.map((x) => x[1]), depth + 1);
    return node;
  };

  // Only the samples in the sample (weight > 0) enter the root.
  const inSample = (list: Int32Array) => list.filter((i) => weights[i]! > 0);
  build(inSample(Int32Array.from({ length: target.length }, (_, i) => i)), active.map((j) => inSample(sorted[j]!)), 0);
  return tree;
}

export function predictTree(tree: TreeModel, row: ArrayLike<number>): number {
  let i = 0;
  while (tree.feature[i]! >= 0) i = row[tree.feature[i]!]! <= tree.threshold[i]! ? tree.left[i]! : tree.right[i]!;
  return tree.value[i]!;
}

/** Impurity decrease by feature, summed over the tree's splits (not normalised). */
export function treeGains(tree: TreeModel, features: number): Float64Array {
  const out = new Float64Array(features);
  tree.feature.forEach((f, i) => {
    if (f >= 0) out[f] = out[f]! + tree.gain[i]!;
  });
  return out;
}

/** Nonnegative scores normalised to sum 1 (all 0 when they sum to 0). */
export const normalised = (v: ArrayLike<number>): number[] => {
  let total = 0;
  for (let i = 0; i < v.length; i++) total += v[i]!;
  return Array.from(v, (x) => (total > 0 ? x / total : 0));
};
