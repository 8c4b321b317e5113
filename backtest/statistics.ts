/**
 * The few descriptive statistics the metrics and the Monte Carlo share. Each returns null
 * where the statistic is undefined (too few values), never NaN.
 */

/** Arithmetic mean; null for no values. */
export function mean(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (n === 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  return sum / n;
}

/** Sample standard deviation (divides by n - 1); null for fewer than two values. */
export function sampleStd(values: ArrayLike<number>): number | null {
  const n = values.length;
  const m = mean(values);
  if (n < 2 || m === null) return null;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - m) ** 2;
  return Math.sqrt(squares / (n - 1));
}

/**
 * Downside deviation below zero: sqrt(sum(min(r, 0)^2) / n) over all n values (the usual
 * Sortino denominator: positive values count as zero deviations). Null for no values.
 */
export function downsideDeviation(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (n === 0) return null;
  let squares = 0;
  for (let i = 0; i < n; i++) if (values[i]! < 0) squares += values[i]! ** 2;
  return Math.sqrt(squares / n);
}

/**
 * The q-quantile (q in [0, 1]) of values sorted ascending, interpolating linearly between
 * order statistics (Hyndman-Fan type 7, numpy's default). Null for no values.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
