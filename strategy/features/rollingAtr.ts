/**
 * Average true range as the simple mean of the last N true ranges (no Wilder smoothing),
 * O(1) per bar. The first bar's true range is its high - low.
 *
 * Features over the same bars can share one ATR (the strategy pipeline updates one per
 * length, once per bar, instead of one per feature): such a feature takes it in its
 * constructor and then reads it without updating it.
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

  /** update() with a bar's fields: an object argument is never boxed, even when the call is not inlined. */
  updateBar(bar: { high: number; low: number; close: number }): void {
    this.update(bar.high, bar.low, bar.close);
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

/**
 * The ATR of a feature: `shared` (updated by its owner with the same bars) when given,
 * which must have `bars` bars (`key` names the setting in the error), else a new one.
 */
export function atrOf(bars: number, key: string, shared: RollingAtr | undefined): RollingAtr {
  if (!shared) return new RollingAtr(bars);
  if (shared.bars !== bars) throw new RangeError(`a shared ATR of ${shared.bars} bars cannot serve ${key} (${bars})`);
  return shared;
}
