/**
 * Bars stored column by column in typed arrays (time, open, high, low, close, volume, and
 * ask/bid volume when the source has them): 28 bytes a bar instead of a ~100-byte object
 * with boxed numbers, nothing for the garbage collector to trace, and backed by plain or
 * shared memory (a SharedArrayBuffer lets workers read the same bars without a copy).
 * Prices and volumes are kept as 32-bit floats while every value is exactly one (ES prices
 * on the 0.25 grid, contract counts); a column moves to 64 bits at the first value that is
 * not, so a bar always reads back exactly as it was pushed.
 * `barAt` hands out a fresh Bar equal, field for field, to the one the columns came from.
 */
import type { Bar } from './types.ts';

/** What a replay needs from a bar store: its length, times, and bars one at a time. */
export interface BarTable {
  /** Every bar (a table still loading waits for its end: prefer `has` in a loop). */
  readonly length: number;
  /** True when bar `i` exists (a table still loading waits for it); absent: `i < length`. */
  has?(i: number): boolean;
  timeAt(i: number): number;
  barAt(i: number): Bar;
  /** True when barAt hands out a new object at every call, which the caller may then change (relabel); absent: the table's own objects. */
  readonly freshBars?: boolean;
}

/** A BarTable over bars already in memory as objects. */
export function arrayBarTable(bars: readonly Bar[]): BarTable {
  return { length: bars.length, timeAt: (i) => bars[i]!.time, barAt: (i) => bars[i]! };
}

const NARROW = ['open', 'high', 'low', 'close', 'volume', 'askVolume', 'bidVolume'] as const;
export type Column = Float64Array | Float32Array;
/** A table's columns: time in doubles, prices and volumes narrowed where exact, side volumes when every bar has them. */
export type ColumnSet = { time: Float64Array } & Record<'open' | 'high' | 'low' | 'close' | 'volume', Column> & { askVolume: Column | null; bidVolume: Column | null };

/** Each column of `t` through `f` (a view, a cut, a copy): the one place that lists the columns. */
export function mapColumns(t: ColumnSet, f: <C extends Column>(c: C) => C): ColumnSet {
  return {
    time: f(t.time),
    open: f(t.open),
    high: f(t.high),
    low: f(t.low),
    close: f(t.close),
    volume: f(t.volume),
    askVolume: t.askVolume ? f(t.askVolume) : null,
    bidVolume: t.bidVolume ? f(t.bidVolume) : null,
  };
}

export class BarColumns implements BarTable {
  length = 0;
  readonly freshBars = true;
  time: Float64Array;
  open: Column;
  high: Column;
  low: Column;
  close: Column;
  volume: Column;
  /** Present when every bar carries askVolume and bidVolume. */
  askVolume: Column | null;
  bidVolume: Column | null;

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
    this.time = this.alloc(cap) as Float64Array;
    this.open = this.alloc(cap, true);
    this.high = this.alloc(cap, true);
    this.low = this.alloc(cap, true);
    this.close = this.alloc(cap, true);
    this.volume = this.alloc(cap, true);
    this.askVolume = sides ? this.alloc(cap, true) : null;
    this.bidVolume = sides ? this.alloc(cap, true) : null;
  }

  /** Columns over existing arrays (e.g. a SharedArrayBuffer another thread filled). */
  static over(
    symbol: string,
    length: number,
    columns: { time: Float64Array } & Record<'open' | 'high' | 'low' | 'close' | 'volume', Column> & { askVolume?: Column | null; bidVolume?: Column | null },
  ): BarColumns {
    const t = new BarColumns(symbol, 0, Boolean(columns.askVolume && columns.bidVolume));
    t.time = columns.time;
    t.open = columns.open;
    t.high = columns.high;
    t.low = columns.low;
    t.close = columns.close;
    t.volume = columns.volume;
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
    const i = this.length;
    if (i === this.time.length) this.grow(i * 2);
    this.length = i + 1;
    this.time[i] = b.time;
    // Stored, then read back: a 32-bit column that did not hold the value exactly (or a NaN) takes put(), which widens it.
    const { open, high, low, close, volume } = this;
    if ((open[i] = b.open) !== open[i]) this.put('open', i, b.open);
    if ((high[i] = b.high) !== high[i]) this.put('high', i, b.high);
    if ((low[i] = b.low) !== low[i]) this.put('low', i, b.low);
    if ((close[i] = b.close) !== close[i]) this.put('close', i, b.close);
    if ((volume[i] = b.volume) !== volume[i]) this.put('volume', i, b.volume);
    if (this.askVolume) {
      this.put('askVolume', i, b.askVolume!);
      this.put('bidVolume', i, b.bidVolume!);
    }
  }

  /** Stores `v` at `i`, widening the column to 64 bits first when a 32-bit float cannot hold it exactly. */
  private put(f: (typeof NARROW)[number], i: number, v: number): void {
    let c = this[f]!;
    if (c instanceof Float32Array && !Object.is(Math.fround(v), v)) {
      const wide = this.alloc(c.length) as Float64Array;
      wide.set(c.subarray(0, i));
      this[f] = c = wide;
    }
    c[i] = v;
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
    return BarColumns.over(this.symbol, b - a, mapColumns(this, <C extends Column>(c: C) => c.subarray(a, b) as C));
  }

  /** `tables` one after the other (same symbol and side volumes), in new memory. */
  static concat(tables: readonly BarColumns[], shared = false): BarColumns {
    const first = tables[0];
    if (!first) return new BarColumns('', 0);
    const n = tables.reduce((s, t) => s + t.length, 0);
    const out = new BarColumns(first.symbol, n, first.askVolume !== null, shared);
    for (const t of tables) {
      if (t.symbol !== first.symbol || (t.askVolume !== null) !== (first.askVolume !== null)) throw new Error('BarColumns.concat: tables of different symbols or columns');
    }
    // A column is 64-bit in the result when it is in any input (a 32-bit copy could round).
    for (const f of NARROW) {
      if (out[f] && tables.some((t) => t[f] instanceof Float64Array)) out[f] = out.alloc(out.capacity);
    }
    let at = 0;
    for (const t of tables) {
      out.time.set(t.time.subarray(0, t.length), at);
      for (const f of NARROW) if (out[f]) out[f]!.set(t[f]!.subarray(0, t.length), at);
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

  private alloc(n: number, narrow = false): Column {
    const bytes = narrow ? 4 : 8;
    const buffer = this.shared ? new SharedArrayBuffer(n * bytes) : new ArrayBuffer(n * bytes);
    return narrow ? new Float32Array(buffer) : new Float64Array(buffer);
  }

  private grow(cap: number): void {
    const move = <C extends Column>(c: C): C => {
      const next = this.alloc(Math.max(16, cap), c instanceof Float32Array) as C;
      next.set(c.subarray(0, this.length));
      return next;
    };
    this.time = move(this.time);
    for (const f of NARROW) if (this[f]) this[f] = move(this[f]!);
  }
}
