/**
 * Area under the ROC curve by the rank (Mann-Whitney) formula: the probability that a
 * random positive scores above a random negative, ties counting one half. Tied scores get
 * their average rank, so AUC(s) = 1 - AUC(-s) holds exactly.
 */

/**
 * AUC of `scores` against 0/1 `labels`; null when one class is absent (undefined, not 0.5).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`rocAuc: ${n} scores but ${labels.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    // A run of equal scores shares the mean of ranks i+1 .. j.
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const meanRank = (i + 1 + j + 1) / 2;
    for (let k = i; k <= j; k++) {
      const label = labels[order[k]!];
      if (label !== 0 && label !== 1) throw new RangeError(`rocAuc: label ${label} is not 0 or 1`);
      if (label === 1) {
        positives++;
        rankSum += meanRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
