/**
 * The fast path of delimited text: field boundaries of a line found once, numbers parsed
 * in place from character codes, no substring per field. Used for lines without quotes
 * and with a decimal point (everything else goes through delimitedText.ts's splitFields).
 *
 * Decimals of at most 15 significant digits are computed as integer / 10^k: both operands
 * are exact doubles and IEEE division rounds correctly, so the result equals Number(text).
 * Anything longer or unusual (exponents, 'Infinity') falls back to Number() on the slice.
 */

import { splitFields } from './delimitedText.ts';
import { fastIsoAt, fastUtcIsoAt, parseStampAt, type ParsedStamp } from './timestampText.ts';

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

const isSpace = (c: number) => c === 32 || c === 9;

/** The decimal number in `s[start, end)`; NaN for an empty, blank or non-numeric field. */
export function parseDecimal(s: string, start: number, end: number): number {
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  if (start === end) return Number.NaN;
  let i = start;
  let negative = false;
  const first = s.charCodeAt(i);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let seenDigit = false;
  for (; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    seenDigit = true;
    if (mantissa !== 0 || c !== 0) digits++;
    mantissa = mantissa * 10 + c;
  }
  if (i < end && s.charCodeAt(i) === 46) {
    for (i++; i < end; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      seenDigit = true;
      if (mantissa !== 0 || c !== 0) digits++;
      mantissa = mantissa * 10 + c;
      scale++;
    }
  }
  if (i !== end || !seenDigit || digits > 15) return Number(s.slice(start, end));
  const value = scale === 0 ? mantissa : mantissa / POW10[scale]!;
  return negative ? -value : value;
}

/** Unit separator: joins the unquoted fields of a quoted line so that they can be scanned like any other. */
export const UNQUOTED_SEP = 0x1f;

/** Field boundaries of the current line (reused from line to line). */
export class FieldScanner {
  private starts = new Int32Array(32);
  private ends = new Int32Array(32);
  /** Fields found by the last scan. */
  count = 0;
  private source = '';
  private sepCode = 44;
  private sepText = ',';
  /** Position of the next double quote in `text` at or after the last line scanned (Infinity: none left). */
  private nextQuote = -1;
  private quoteText = '';

  /** Finds the fields of a whole `line` split at `sep` (no quote handling); returns their count. */
  scan(line: string, sep: number): number {
    return this.scanRange(line, 0, line.length, sep);
  }

  /** Finds the fields of `text[start, end)` split at `sep` (no quote handling); returns their count. */
  scanRange(text: string, start: number, end: number, sep: number): number {
    this.source = text;
    const sepText = sep === this.sepCode ? this.sepText : this.setSep(sep);
    let count = 0;
    let from = start;
    for (;;) {
      let to = text.indexOf(sepText, from);
      const last = to < 0 || to >= end;
      if (last) to = end;
      if (count === this.starts.length) this.grow();
      this.starts[count] = from;
      this.ends[count] = to;
      count++;
      if (last) break;
      from = to + 1;
    }
    this.count = count;
    return count;
  }

  /**
   * Scans the line `text[start, end)` at `sep`, unquoting it first when it holds a double
   * quote (the rare slow path: split by splitFields, rejoined with UNQUOTED_SEP). The
   * search for quotes is amortised over the file: one pass, not one per line.
   */
  scanLine(text: string, start: number, end: number, sep: string): number {
    if (this.quoteText !== text) {
      this.quoteText = text;
      this.nextQuote = -1;
    }
    if (this.nextQuote < start) {
      const q = text.indexOf('"', start);
      this.nextQuote = q < 0 ? Infinity : q;
    }
    if (this.nextQuote >= end) return this.scanRange(text, start, end, sep.charCodeAt(0));
    const unquoted = splitFields(text.slice(start, end), sep).join(String.fromCharCode(UNQUOTED_SEP));
    return this.scanRange(unquoted, 0, unquoted.length, UNQUOTED_SEP);
  }

  private setSep(sep: number): string {
    this.sepCode = sep;
    this.sepText = String.fromCharCode(sep);
    return this.sepText;
  }

  /** Field `i` as a number (NaN when empty or not a number). */
  number(i: number): number {
    return parseDecimal(this.source, this.starts[i]!, this.ends[i]!);
  }

  /** Field `i` as text. */
  text(i: number): string {
    return this.source.slice(this.starts[i]!, this.ends[i]!);
  }

  /** Field `i` as a timestamp (see timestampText.ts). */
  stamp(i: number): ParsedStamp | null {
    return parseStampAt(this.source, this.starts[i]!, this.ends[i]!);
  }

  /**
   * Field `i` as a timestamp without allocating: the ms (NaN when unreadable), with
   * `lastStampInstant` telling whether it is an instant or a naive wall-clock time.
   */
  stampMs(i: number): number {
    const start = this.starts[i]!;
    const end = this.ends[i]!;
    if (end - start === 19) {
      const fast = fastIsoAt(this.source, start);
      if (!Number.isNaN(fast)) {
        this.lastStampInstant = false;
        return fast;
      }
    } else if (end - start === 24 || end - start === 20) {
      const fast = fastUtcIsoAt(this.source, start, end - start);
      if (!Number.isNaN(fast)) {
        this.lastStampInstant = true;
        return fast;
      }
    }
    const parsed = parseStampAt(this.source, start, end);
    this.lastStampInstant = parsed?.instant ?? false;
    return parsed ? parsed.ms : Number.NaN;
  }

  /** See stampMs(). */
  lastStampInstant = false;

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}
