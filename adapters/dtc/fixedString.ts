/**
 * DTC strings are fixed char arrays, NUL-terminated within their size: at most size - 1
 * bytes of content. MIA sends UTF-8 and never splits a multi-byte character.
 */

type Slice = (this: Buffer, start: number, end: number) => string;

// Node's undocumented latin1Slice skips toString's encoding dispatch; fall back if it ever goes.
const latin1Slice: Slice =
  (Buffer.prototype as unknown as { latin1Slice?: Slice }).latin1Slice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('latin1', start, end);
  };

/**
 * Reads one char array member, remembering the last value it decoded: symbols, accounts
 * and order ids repeat from message to message, and comparing a few bytes is far cheaper
 * than allocating the same string again.
 */
export class FixedStringReader {
  readonly #lastBytes: Uint8Array;
  #lastLength = 0;
  #lastText = '';
  #lastAscii = true;

  /** @param size the char array's length in bytes. */
  constructor(size: number) {
    this.#lastBytes = new Uint8Array(size);
  }

  /**
   * The string stored in `buf[start, end)` (end - start ≤ size): the bytes before the
   * first NUL, as UTF-8 (invalid bytes become U+FFFD). Never reads at or past `end`.
   */
  read(buf: Buffer, start: number, end: number): string {
    const last = this.#lastBytes;
    const lastLength = this.#lastLength;
    // Bytes shared with the last value: non-NUL, already cached.
    const limit = Math.min(lastLength, end - start);
    let same = 0;
    while (same < limit && buf[start + same] === last[same]) same++;
    if (same === lastLength && (start + same === end || buf[start + same] === 0)) return this.#lastText;

    let ascii = same === 0 || this.#lastAscii;
    let nul = start + same;
    for (; nul < end; nul++) {
      const byte = buf[nul]!;
      if (byte === 0) break;
      if (byte > 0x7f) ascii = false;
    }
    if (!ascii) ascii = isAscii(buf, start, nul); // the shared prefix came from a non-ASCII value
    const length = nul - start;
    const text = length === 0 ? '' : ascii ? latin1Slice.call(buf, start, nul) : buf.toString('utf8', start, nul);
    for (let k = same; k < length; k++) last[k] = buf[start + k]!;
    this.#lastLength = length;
    this.#lastText = text;
    this.#lastAscii = ascii;
    return text;
  }
}

function isAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! > 0x7f) return false;
  return true;
}

/** UTF-8 width of a code point (a lone surrogate is written as U+FFFD, also 3 bytes). */
function utf8Width(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/**
 * The value a fixed char array of `size` bytes carries for `value`: cut at the first NUL,
 * then truncated to at most size - 1 UTF-8 bytes on a character boundary. Binary
 * encoding gets this for free from the array; JSON encodings apply it explicitly so all
 * three encodings send the same text.
 */
export function fitFixedString(value: string, size: number): string {
  const nul = value.indexOf('\0');
  const text = nul === -1 ? value : value.slice(0, nul);
  const maxBytes = size - 1;
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  let cut = 0;
  for (const char of text) {
    const width = utf8Width(char.codePointAt(0)!);
    if (bytes + width > maxBytes) break;
    bytes += width;
    cut += char.length;
  }
  return text.slice(0, cut);
}

/**
 * Writes `value` into the zero-filled char array at `buf[offset, offset + size)`, leaving
 * room for the terminating NUL. Node's `write` never emits a partial character.
 */
export function writeFixedString(buf: Buffer, offset: number, size: number, value: string): void {
  if (value.length !== 0) buf.write(value, offset, size - 1, 'utf8');
}
