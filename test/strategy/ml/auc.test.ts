/** AUC by ranks: hand-computed cases (with ties) and properties against a pair-counting definition. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rocAuc } from '../../../strategy/ml/auc.ts';

/** The definition: share of (positive, negative) pairs ordered right, ties half. O(n^2). */
const pairAuc = (s: number[], y: number[]): number | null => {
  let good = 0;
  let pairs = 0;
  s.forEach((p, i) => {
    if (y[i] !== 1) return;
    s.forEach((q, j) => {
      if (y[j] !== 0) return;
      pairs++;
      good += p > q ? 1 : p === q ? 0.5 : 0;
    });
  });
  return pairs === 0 ? null : good / pairs;
};

describe('rocAuc', () => {
  it('hand-computed cases', () => {
    // 3 of 4 pairs ordered right.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    // Positive 0.6 ties negative 0.6 (1/2), every other pair right: 3.5 / 4.
    expect(rocAuc([0.2, 0.6, 0.6, 0.9], [0, 0, 1, 1])).toBe(0.875);
    // All tied: 1/2 whatever the labels.
    expect(rocAuc([0.5, 0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1, 1])).toBe(0.5);
    expect(rocAuc([1, 2, 3], [1, 0, 0])).toBe(0);
    expect(rocAuc([1, 2, 3], [0, 1, 1])).toBe(1);
  });

  it('is undefined (null) with one class only, and refuses labels other than 0/1', () => {
    expect(rocAuc([0.1, 0.9], [1, 1])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
    expect(() => rocAuc([0.1, 0.9], [0, 2])).toThrow(/not 0 or 1/);
    expect(() => rocAuc([0.1], [0, 1])).toThrow(/1 scores but 2 labels/);
  });

  // Probabilities on a 1/1000 grid: many ties, and 1 - p is exact enough to keep them.
  const cases = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000), fc.integer({ min: 0, max: 1 })), { minLength: 2, maxLength: 80 })
    .filter((xs) => xs.some(([, y]) => y === 1) && xs.some(([, y]) => y === 0));

  it('property: equals the pair-counting definition and lies in [0, 1]', () => {
    fc.assert(
      fc.property(cases, (xs) => {
        const s = xs.map(([p]) => p);
        const y = xs.map(([, l]) => l);
        const a = rocAuc(s, y)!;
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(1);
        expect(a).toBeCloseTo(pairAuc(s, y)!, 12);
      }),
    );
  });

  it('property: AUC(1 - p) = 1 - AUC(p)', () => {
    fc.assert(
      fc.property(cases, (xs) => {
        const s = xs.map(([p]) => p);
        const y = xs.map(([, l]) => l);
        expect(rocAuc(s.map((p) => 1 - p), y)!).toBeCloseTo(1 - rocAuc(s, y)!, 12);
      }),
    );
  });
});
