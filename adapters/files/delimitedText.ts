/**
 * Delimited text (CSV and its cousins): decoding, line walking, separator detection and
 * field splitting with RFC 4180 quotes. Quotes are special only at the start of a field,
 * so unquoted JSON inside a row (the NQ depth file) splits predictably.
 */

/** UTF-8 text without a byte-order mark (invalid bytes become U+FFFD and fail to parse as numbers). */
export function decodeText(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Calls `onLine(line, lineNo)` for every non-blank line (1-based numbers, CR stripped).
 * Stops early when the callback returns false.
 */
export function forEachLine(text: string, onLine: (line: string, lineNo: number) => boolean | void): void {
  let start = 0;
  let lineNo = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    lineNo++;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop > start) {
      const line = text.slice(start, stop);
      if (line.trim().length > 0 && onLine(line, lineNo) === false) return;
    }
    start = end + 1;
  }
}

/**
 * forEachLine without a substring per line: calls `onLine(start, end, lineNo)` with the
 * line's bounds in `text` (CR excluded) for every non-blank line. Lines are numbered from
 * `linesBefore + 1` (a file read in pieces goes on counting); returns the last number.
 */
export function forEachLineRange(text: string, onLine: (start: number, end: number, lineNo: number) => void, linesBefore = 0): number {
  let start = 0;
  let lineNo = linesBefore;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    lineNo++;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop > start) {
      const first = text.charCodeAt(start);
      // Only a line starting with white space can be blank.
      if ((first !== 32 && first !== 9) || text.slice(start, stop).trim().length > 0) onLine(start, stop, lineNo);
    }
    start = end + 1;
  }
  return lineNo;
}

/** The first `count` non-blank lines. */
export function firstLines(text: string, count: number): string[] {
  const out: string[] = [];
  forEachLine(text, (line) => {
    out.push(line);
    return out.length < count;
  });
  return out;
}

const CANDIDATES = [',', ';', '\t', '|'] as const;

/** The most frequent of `,` `;` tab `|` in the line (a header line is the best witness). */
export function detectSeparator(line: string): string {
  let best: string = ',';
  let bestCount = 0;
  for (const sep of CANDIDATES) {
    const count = line.split(sep).length - 1;
    if (count > bestCount) {
      best = sep;
      bestCount = count;
    }
  }
  return best;
}

/** Splits one line; fields that start with `"` are unquoted (`""` is a literal quote). Fields are not trimmed. */
export function splitFields(line: string, sep: string): string[] {
  if (line.indexOf('"') < 0) return line.split(sep);
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line.charCodeAt(i) === 34) {
      let value = '';
      i++;
      while (i < n) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          value += line.slice(i);
          i = n;
          break;
        }
        value += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // Anything between the closing quote and the separator is kept, as a lenient reader does.
      const next = line.indexOf(sep, i);
      const end = next < 0 ? n : next;
      out.push(value + line.slice(i, end));
      i = end + sep.length;
    } else {
      const next = line.indexOf(sep, i);
      const end = next < 0 ? n : next;
      out.push(line.slice(i, end));
      i = end + sep.length;
    }
    if (i > n) break;
  }
  return out;
}

/** A number from a field; NaN for an empty or blank field (Number('') would be 0). */
export function toNumber(field: string | undefined, decimalComma = false): number {
  if (field === undefined) return Number.NaN;
  const n = Number(decimalComma ? field.replace(',', '.') : field);
  return n === 0 && field.trim().length === 0 ? Number.NaN : n;
}
