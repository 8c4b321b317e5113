/**
 * Polygon's v3 and futures endpoints stamp events in Unix nanoseconds, integers above 2^53
 * that `JSON.parse` silently rounds (shared/data README §10a). We read them exactly: long
 * integer literals become strings before parsing, and `nsToMs` divides them as BigInts.
 */

/** An integer literal of 16+ digits that is the whole value of an object key. */
const LONG_INTEGER_VALUE = /("(?:[^"\\]|\\.)*"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g;

/**
 * `JSON.parse` that keeps every integer of 16 or more digits (nanosecond timestamps,
 * sequence numbers) as its exact decimal string instead of a rounded number.
 * @throws SyntaxError when the text is not JSON
 */
export function parsePolygonJson(text: string): unknown {
  return JSON.parse(text.replace(LONG_INTEGER_VALUE, '$1"$2"'));
}

const NS_PER_MS = 1_000_000n;

/**
 * Milliseconds (floor) of a nanosecond timestamp given as an exact digit string, a bigint,
 * or a number (already rounded by whoever parsed it; the floor is then within 1 ms).
 * @returns NaN when the value is not an integer timestamp
 */
export function nsToMs(ns: string | number | bigint): number {
  if (typeof ns === 'bigint') return Number(ns >= 0n ? ns / NS_PER_MS : -((-ns + NS_PER_MS - 1n) / NS_PER_MS));
  if (typeof ns === 'number') return Number.isFinite(ns) ? Math.floor(ns / 1e6) : Number.NaN;
  if (!/^-?\d+$/.test(ns)) return Number.NaN;
  return nsToMs(BigInt(ns));
}

/** The nanosecond timestamp (exact decimal string) of a whole-millisecond time. */
export function msToNs(ms: number): string {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`msToNs needs an integer millisecond time, got ${ms}`);
  return (BigInt(ms) * NS_PER_MS).toString();
}
