/**
 * Min/max downsampling for charts of long series (a 3-year minute backtest has ~1M equity
 * points; the report draws at most ~2,000). Averaging or striding would hide a drawdown
 * that lasted a few bars; keeping each bucket's lowest and highest point (in time order)
 * keeps the curve's extremes and its deepest falls visible.
 */

/** Most points a report chart draws. */
export const MAX_CHART_POINTS = 2_000;

/**
 * A subsequence of `points` (original order) of at most `maxPoints` points: the first and
 * last points, then for each of the equal-count buckets in between its minimum and its
 * maximum by `value`. A series already short enough is returned whole.
 */
export function downsampleMinMax<T>(points: readonly T[], maxPoints: number, value: (p: T) => number): T[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 4) throw new RangeError(`maxPoints must be an integer >= 4, got ${maxPoints}`);
  const n = points.length;
  if (n <= maxPoints) return points.slice();
  const inner = n - 2;
  const buckets = Math.floor((maxPoints - 2) / 2);
  const out: T[] = [points[0]!];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (end <= start) continue;
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      const v = value(points[i]!);
      if (v < value(points[lo]!)) lo = i;
      if (v > value(points[hi]!)) hi = i;
    }
    if (lo === hi) out.push(points[lo]!);
    else if (lo < hi) out.push(points[lo]!, points[hi]!);
    else out.push(points[hi]!, points[lo]!);
  }
  out.push(points[n - 1]!);
  return out;
}
