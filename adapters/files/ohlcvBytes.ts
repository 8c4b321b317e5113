/**
 * The fast path of OhlcvRowReader (ohlcvText.ts) straight over the file's bytes: a plain
 * line (ASCII, no quote, no blank padding, one-character separator, a 19-, 20- or
 * 24-character ISO stamp, plain decimals) is read into the bar without decoding the chunk
 * to a string, splitting it or slicing fields. It computes the very numbers the string path
 * does (the same integer / 10^k decimals and stamp arithmetic as fieldScanner.ts and
 * timestampText.ts, the same zone conversion). Anything else, and every line the string
 * reader would refuse while reading it (fields, stamp, zone), makes `read` return false: the
 * caller then decodes that line and reads it with OhlcvRowReader, which gives it its usual
 * fate and message. A bar read either way then meets the same checks (rowChecks.ts).
 */
import type { Bar } from '../../core/types.ts';
import type { ColumnMap } from './columnRoles.ts';
import type { OhlcvRowReader } from './ohlcvText.ts';

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** The digit at `b[i]`, or a large negative number that makes any sum it enters negative (as timestampText.ts's dig). */
const dig = (b: Uint8Array, i: number): number => {
  const v = b[i]! - 48;
  return v >= 0 && v <= 9 ? v : -1e9;
};

export class OhlcvByteReader {
  private readonly sep: number;
  private readonly need: number;
  private readonly headerLines: number;
  private readonly timeCol: number;
  private readonly cols: Int32Array;
  private readonly volumeCol: number;
  private readonly askCol: number;
  private readonly bidCol: number;
  private readonly starts = new Int32Array(64);
  private readonly ends = new Int32Array(64);
  /** decimal()'s result: written here, not returned (a double returned from a call that is not inlined is boxed, an allocation each). */
  private readonly num = new Float64Array(1);
  private lastDateKey = -1;
  private lastDateMs = 0;

  private constructor(private readonly reader: OhlcvRowReader) {
    const map = reader.map;
    this.sep = reader.layout.separator.charCodeAt(0);
    this.need = Math.max(...Object.values(map).filter((v): v is number => v !== undefined));
    this.headerLines = reader.layout.headerLines;
    this.timeCol = (map.time ?? map.date)!;
    this.cols = Int32Array.of(map.open!, map.high!, map.low!, map.close!);
    this.volumeCol = map.volume ?? -1;
    this.askCol = map.askVolume ?? -1;
    this.bidCol = map.bidVolume ?? -1;
  }

  /** The byte reader of `reader`'s files, or null when their rows can only be read as text (decimal commas, a symbol or separate clock column, a wide table). */
  static of(reader: OhlcvRowReader): OhlcvByteReader | null {
    const map: ColumnMap = reader.map;
    if (reader.layout.decimalComma || reader.layout.separator.length !== 1 || reader.layout.separator.charCodeAt(0) >= 0x80) return null;
    if (map.clock !== undefined || map.symbol !== undefined) return null;
    if (map.time === undefined && map.date === undefined) return null;
    const r = new OhlcvByteReader(reader);
    return r.need < r.starts.length ? r : null;
  }

  /**
   * Reads the line `b[start, end)` (CR and LF excluded, not empty, number `lineNo`) into
   * `bar` as OhlcvRowReader.read would. False when it is not a plain line or the string
   * reader would refuse it or skip it (nothing is logged, `bar` is left as it was).
   */
  read(b: Uint8Array, start: number, end: number, lineNo: number, lastTime: number, bar: Bar): boolean {
    if (lineNo <= this.headerLines) return false;
    const sep = this.sep;
    const starts = this.starts;
    const ends = this.ends;
    const max = starts.length;
    let count = 0;
    let from = start;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c === sep) {
        if (count === max - 1) return false;
        starts[count] = from;
        ends[count++] = i;
        from = i + 1;
      } else if (c === 34 || c >= 0x80) {
        return false;
      }
    }
    starts[count] = from;
    ends[count++] = end;
    if (count <= this.need) return false;

    const cols = this.cols;
    const num = this.num;
    if (!this.decimal(b, starts[cols[0]!]!, ends[cols[0]!]!)) return false;
    const open = num[0]!;
    if (!this.decimal(b, starts[cols[1]!]!, ends[cols[1]!]!)) return false;
    const high = num[0]!;
    if (!this.decimal(b, starts[cols[2]!]!, ends[cols[2]!]!)) return false;
    const low = num[0]!;
    if (!this.decimal(b, starts[cols[3]!]!, ends[cols[3]!]!)) return false;
    const close = num[0]!;
    let volume = 0;
    if (this.volumeCol >= 0) {
      if (!this.decimal(b, starts[this.volumeCol]!, ends[this.volumeCol]!)) return false;
      volume = num[0]!;
    }
    let ask = 0;
    let bid = 0;
    if (this.askCol >= 0) {
      if (!this.decimal(b, starts[this.askCol]!, ends[this.askCol]!)) return false;
      ask = num[0]!;
      if (!this.decimal(b, starts[this.bidCol]!, ends[this.bidCol]!)) return false;
      bid = num[0]!;
    }

    const ts = starts[this.timeCol]!;
    const len = ends[this.timeCol]! - ts;
    let time: number;
    if (len === 19) {
      const naive = this.isoAt(b, ts);
      if (Number.isNaN(naive)) return false;
      time = this.reader.zone.toUtc(naive, lastTime);
      if (Number.isNaN(time)) return false;
    } else if (len === 24 || len === 20) {
      time = this.utcIsoAt(b, ts, len);
      if (Number.isNaN(time)) return false;
    } else {
      return false;
    }

    bar.symbol = this.reader.symbol;
    bar.time = time;
    bar.open = open;
    bar.high = high;
    bar.low = low;
    bar.close = close;
    bar.volume = volume;
    if (this.askCol >= 0) {
      bar.askVolume = ask;
      bar.bidVolume = bid;
    }
    return true;
  }

  /**
   * fieldScanner.ts's parseDecimal over bytes for the plain case: optional sign, digits, an
   * optional point and digits, at most 15 significant digits, into `num[0]`. False for
   * anything else (blank padding, an empty field, exponents, longer numbers): the string
   * path decides those.
   */
  private decimal(b: Uint8Array, start: number, end: number): boolean {
    if (start === end) return false;
    let i = start;
    let negative = false;
    const first = b[i]!;
    if (first === 45 || first === 43) {
      negative = first === 45;
      i++;
    }
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let seenDigit = false;
    for (; i < end; i++) {
      const c = b[i]! - 48;
      if (c < 0 || c > 9) break;
      seenDigit = true;
      if (mantissa !== 0 || c !== 0) digits++;
      mantissa = mantissa * 10 + c;
    }
    if (i < end && b[i] === 46) {
      for (i++; i < end; i++) {
        const c = b[i]! - 48;
        if (c < 0 || c > 9) break;
        seenDigit = true;
        if (mantissa !== 0 || c !== 0) digits++;
        mantissa = mantissa * 10 + c;
        scale++;
      }
    }
    if (i !== end || !seenDigit || digits > 15) return false;
    const value = scale === 0 ? mantissa : mantissa / POW10[scale]!;
    this.num[0] = negative ? -value : value;
    return true;
  }

  /** timestampText.ts's fastIsoAt over bytes: `YYYY-MM-DD[ T]HH:MM:SS` at `b[at, at+19)`, naive ms; NaN otherwise. */
  private isoAt(b: Uint8Array, at: number): number {
    if (b[at + 4] !== 45 || b[at + 7] !== 45 || b[at + 13] !== 58 || b[at + 16] !== 58) return Number.NaN;
    const sep = b[at + 10];
    if (sep !== 32 && sep !== 84) return Number.NaN;
    const y = dig(b, at) * 1000 + dig(b, at + 1) * 100 + dig(b, at + 2) * 10 + dig(b, at + 3);
    const mo = dig(b, at + 5) * 10 + dig(b, at + 6);
    const d = dig(b, at + 8) * 10 + dig(b, at + 9);
    const h = dig(b, at + 11) * 10 + dig(b, at + 12);
    const mi = dig(b, at + 14) * 10 + dig(b, at + 15);
    const sec = dig(b, at + 17) * 10 + dig(b, at + 18);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return Number.NaN;
    const key = y * 10_000 + mo * 100 + d;
    if (key !== this.lastDateKey) {
      if (mo < 1 || mo > 12 || d < 1) return Number.NaN;
      if (d > DAYS_IN_MONTH[mo - 1]! && !(mo === 2 && d === 29 && isLeap(y))) return Number.NaN;
      this.lastDateKey = key;
      this.lastDateMs = Date.UTC(y, mo - 1, d, 0, 0, 0, 0);
    }
    return this.lastDateMs + h * 3_600_000 + mi * 60_000 + sec * 1000;
  }

  /** timestampText.ts's fastUtcIsoAt over bytes: `YYYY-MM-DDTHH:MM:SS[.sss]Z` (len 20 or 24), the UTC instant; NaN otherwise. */
  private utcIsoAt(b: Uint8Array, at: number, len: number): number {
    let frac = 0;
    if (len === 24) {
      if (b[at + 19] !== 46) return Number.NaN;
      frac = dig(b, at + 20) * 100 + dig(b, at + 21) * 10 + dig(b, at + 22);
      if (frac < 0) return Number.NaN;
    }
    const z = b[at + len - 1];
    if ((z !== 90 && z !== 122) || b[at + 10] !== 84) return Number.NaN;
    return this.isoAt(b, at) + frac;
  }
}
