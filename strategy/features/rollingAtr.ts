/**
 * Average true range as the simple mean of the last N true ranges (no Wilder smoothing),
 * O(1) per bar. The first bar's true range is its high - low.
 */
import { RollingWindow } from './rollingWindow.ts';

export class RollingAtr {
  private readonly ranges: RollingWindow;
  private prevClose = Number.NaN;

  constructor(readonly bars: number) {
    this.ranges = new RollingWindow(bars);
  }

  update(high: number, low: number, close: number): void {
    const pc = this.prevClose;
    const tr = Number.isNaN(pc) ? high - low : Math.max(high, pc) - Math.min(low, pc);
    this.prevClose = close;
    this.ranges.push(tr);
  }

  /** True once N bars were seen. */
  get ready(): boolean {
    return this.ranges.full;
  }

  /** The ATR over the bars seen so far (NaN before the first bar). */
  get value(): number {
    return this.ranges.mean;
  }
}
