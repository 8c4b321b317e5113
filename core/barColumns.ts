/**
 * Bars stored column by column in typed arrays (time, open, high, low, close, volume, and
 * ask/bid volume when the source has them): 48 bytes a bar instead of a ~100-byte object
 * with boxed numbers, nothing for the garbage collector to trace, and backed by plain or
 * shared memory (a SharedArrayBuffer lets workers read the same bars without a copy).
 * `barAt` hands out a fresh Bar equal, field for field, to the one the columns came from.
 */
import type { Bar } from './types.ts';

/** What a replay needs from a bar store: its length, times, and bars one at a time. */
export interface BarTable {
  readonly length: number;
  timeAt(i: number): number;
  barAt(i: number): Bar;
}

/** A BarTable over bars already in memory as objects. */
export function arrayBarTable(bars: readonly Bar[]): BarTable {
  return { length: bars.length, timeAt: (i) => bars[i]!.time, barAt: (i) => bars[i]! };
}

const FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

export class BarColumns implements BarTable {
  length = 0;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** Present when every bar carries askVolume and bidVolume. */
  askVolume: Float64Array | null;
  bidVolume: Float64Array | null;

  /**
   * `symbol`: the symbol of every bar. `shared`: allocate in a SharedArrayBuffer.
   */
  constructor(
    readonly symbol: string,
    capacity: number,
    readonly sides = false,
    private readonly shared = false,
  ) {
    const cap = Math.max(16, Math.ceil(capacity));
    this.time = this.alloc(cap);
    this.open = this.alloc(cap);
    this.high = this.alloc(cap);
    this.low = this.alloc(cap);
    this.close = this.alloc(cap);
    this.volume = this.alloc(cap);
    this.askVolume = sides ? this.alloc(cap) : null;
    this.bidVolume = sides ? this.alloc(cap) : null;
  }

  /** Columns over existing arrays (e.g. a SharedArrayBuffer another thread filled). */
  static over(symbol: string, length: number, columns: Record<(typeof FIELDS)[number], Float64Array> & { askVolume?: Float64Array | null; bidVolume?: Float64Array | null }): BarColumns {
    const t = new BarColumns(symbol, 0, Boolean(columns.askVolume && columns.bidVolume));
    for (const f of FIELDS) t[f] = columns[f];
    t.askVolume = columns.askVolume ?? null;
    t.bidVolume = columns.bidVolume ?? null;
    t.length = length;
    return t;
  }

  /** Columns of `bars` when they fit (one symbol; side volumes on all bars or none), else null. */
  static fromBars(bars: readonly Bar[], shared = false): BarColumns | null {
    const first = bars[0];
    if (!first) return null;
    const sides = first.askVolume !== undefined && first.bidVolume !== undefined;
    const t = new BarColumns(first.symbol, bars.length, sides, shared);
    for (const b of bars) {
      if (b.symbol !== first.symbol || (b.askVolume !== undefined) !== sides || (b.bidVolume !== undefined) !== sides) return null;
      if (Object.keys(b).length !== (sides ? 9 : 7)) return null;
      t.push(b);
    }
    return t;
  }

  get capacity(): number {
    return this.time.length;
  }

  push(b: Bar): void {
    if (this.length === this.time.length) this.grow(this.length * 2);
    const i = this.length++;
    this.time[i] = b.time;
    this.open[i] = b.open;
    this.high[i] = b.high;
    this.low[i] = b.low;
    this.close[i] = b.close;
    this.volume[i] = b.volume;
    if (this.askVolume) {
      this.askVolume[i] = b.askVolume!;
      this.bidVolume![i] = b.bidVolume!;
    }
  }

  timeAt(i: number): number {
    return this.time[i]!;
  }

  /** A fresh Bar (same fields, same order as the loaders build them). */
  barAt(i: number): Bar {
    const bar: Bar = { symbol: this.symbol, time: this.time[i]!, open: this.open[i]!, high: this.high[i]!, low: this.low[i]!, close: this.close[i]!, volume: this.volume[i]! };
    if (this.askVolume) {
      bar.askVolume = this.askVolume[i]!;
      bar.bidVolume = this.bidVolume![i]!;
    }
    return bar;
  }

  /** Bars [from, to) as a view over the same memory. */
  slice(from: number, to = this.length): BarColumns {
    const a = Math.max(0, Math.min(from, this.length));
    const b = Math.max(a, Math.min(to, this.length));
    const sub = (c: Float64Array) => c.subarray(a, b);
    return BarColumns.over(this.symbol, b - a, {
      time: sub(this.time),
      open: sub(this.open),
      high: sub(this.high),
      low: sub(this.low),
      close: sub(this.close),
      volume: sub(this.volume),
      askVolume: this.askVolume ? sub(this.askVolume) : null,
      bidVolume: this.bidVolume ? sub(this.bidVolume) : null,
    });
  }

  /** `tables` one after the other (same symbol and side volumes), in new memory. */
  static concat(tables: readonly BarColumns[], shared = false): BarColumns {
    const first = tables[0];
    if (!first) return new BarColumns('', 0);
    const n = tables.reduce((s, t) => s + t.length, 0);
    const out = new BarColumns(first.symbol, n, first.askVolume !== null, shared);
    let at = 0;
    for (const t of tables) {
      if (t.symbol !== first.symbol || (t.askVolume !== null) !== (first.askVolume !== null)) throw new Error('BarColumns.concat: tables of different symbols or columns');
      for (const f of FIELDS) out[f].set(t[f].subarray(0, t.length), at);
      if (out.askVolume) {
        out.askVolume.set(t.askVolume!.subarray(0, t.length), at);
        out.bidVolume!.set(t.bidVolume!.subarray(0, t.length), at);
      }
      at += t.length;
    }
    out.length = n;
    return out;
  }

  /** Releases unused capacity (copies when more than an eighth is unused). */
  trim(): this {
    if (this.time.length - this.length > this.time.length / 8) this.grow(this.length);
    return this;
  }

  private alloc(n: number): Float64Array {
    return this.shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
  }

  private grow(cap: number): void {
    const move = (c: Float64Array) => {
      const next = this.alloc(Math.max(16, cap));
      next.set(c.subarray(0, this.length));
      return next;
    };
    for (const f of FIELDS) this[f] = move(this[f]);
    if (this.askVolume) {
      this.askVolume = move(this.askVolume);
      this.bidVolume = move(this.bidVolume!);
    }
  }
}
