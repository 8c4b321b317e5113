/**
 * A fixed-size window over the latest numbers with their running sum: O(1) per push over
 * one preallocated Float64Array. The sum is recomputed exactly each time the ring wraps,
 * so rounding never drifts over millions of pushes (amortised O(1)).
 */
export class RollingWindow {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  private total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RollingWindow capacity must be a positive integer, got ${capacity}`);
    this.values = new Float64Array(capacity);
  }

  /** Adds the newest value, evicting the oldest once the window is full. */
  push(x: number): void {
    const values = this.values;
    const i = this.next;
    if (this.filled === this.capacity) this.total -= values[i]!;
    else this.filled++;
    values[i] = x;
    this.total += x;
    if (i + 1 === this.capacity) this.wrap();
    else this.next = i + 1;
  }

  /** Kept out of push() so that push stays small enough to be inlined everywhere. */
  private wrap(): void {
    this.next = 0;
    const values = this.values;
    let s = 0;
    for (let i = 0; i < values.length; i++) s += values[i]!;
    this.total = s;
  }

  /** The i-th value in time order over the current content: 0 = oldest, count - 1 = newest. */
  get(i: number): number {
    const start = this.filled === this.capacity ? this.next : 0;
    let k = start + i;
    if (k >= this.capacity) k -= this.capacity;
    return this.values[k]!;
  }

  /** The newest value (NaN when empty). */
  get last(): number {
    if (this.filled === 0) return Number.NaN;
    return this.values[this.next === 0 ? this.capacity - 1 : this.next - 1]!;
  }

  get count(): number {
    return this.filled;
  }

  get full(): boolean {
    return this.filled === this.capacity;
  }

  get sum(): number {
    return this.total;
  }

  /** Mean of the current content (NaN when empty: the total is then 0, and 0 / 0 is NaN). */
  get mean(): number {
    return this.total / this.filled;
  }

  clear(): void {
    this.next = 0;
    this.filled = 0;
    this.total = 0;
  }
}

/**
 * Least-squares slope per step of the window's values in time order, measured from the
 * oldest value (so a mirrored series gives exactly the opposite slope). O(capacity), a
 * small constant. NaN when fewer than two values.
 */
export function windowSlope(w: RollingWindow): number {
  const n = w.count;
  if (n < 2) return Number.NaN;
  const first = w.get(0);
  const mid = (n - 1) / 2;
  let num = 0;
  for (let i = 1; i < n; i++) num += (i - mid) * (w.get(i) - first);
  return num / ((n * (n * n - 1)) / 12);
}
