/**
 * Which loader reads a file, from its first bytes: the cache's magic, a zip (Lean), JSON
 * (Polygon, by the shape of its results), else delimited text told apart by its header
 * (a side column: ticks; `Last` with bid/ask volume or trade counts: Sierra Chart).
 */
import { isBarCache } from './barCache.ts';
import { missingBarRoles, rolesFromHeader } from './columnRoles.ts';
import { decodeText, firstLines, splitFields } from './delimitedText.ts';
import { leanZipTickType } from './leanZip.ts';
import { textLayout } from './ohlcvText.ts';
import { parsePolygonJson, polygonShape } from './polygonJson.ts';
import type { SeriesFormat } from './seriesTypes.ts';
import { looksLikeTickHeader } from './tickText.ts';

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** Normalised header names that only Sierra Chart's export has together with `Last`. */
const SIERRA_MARKERS = ['numberoftrades', 'oftrades', 'bidvolume', 'askvolume', 'ohlcavg', 'hlcavg'];

/**
 * The format of a file's bytes, or null when none fits. `path` helps for Lean hour/daily
 * zips; `columns` (the --columns roles) makes a text file csv, or ticks when it names a price.
 */
export function detectFormat(bytes: Uint8Array, path: string, columns?: readonly string[]): SeriesFormat | null {
  if (isBarCache(bytes)) return 'mia-cache';
  if (isZip(bytes)) {
    const kind = leanZipTickType(bytes, path);
    return kind === 'trade' ? 'lean-trade-zip' : kind === 'quote' ? 'lean-quote-zip' : null;
  }
  const head = decodeText(bytes.subarray(0, 4096)).trimStart();
  if (head.startsWith('{') || head.startsWith('[')) {
    try {
      const shape = polygonShape(parsePolygonJson(decodeText(bytes)));
      return shape ? `polygon-${shape}` : null;
    } catch {
      return null;
    }
  }
  if (columns) return columns.some((c) => c.trim().toLowerCase() === 'price') ? 'ticks' : 'csv';
  return detectTextFormat(decodeText(bytes.subarray(0, 65536)));
}

/** csv, sierra or ticks, from the first lines of a text file. */
export function detectTextFormat(text: string): SeriesFormat | null {
  const layout = textLayout(text);
  if (layout.header) {
    if (looksLikeTickHeader(layout.header)) return 'ticks';
    const names = layout.header.map((h) => h.toLowerCase().replace(/[^a-z0-9]/g, ''));
    if (names.includes('last') && names.some((n) => SIERRA_MARKERS.includes(n))) return 'sierra';
    // A header that names no time and OHLC columns is not a bar file we can read unaided.
    return missingBarRoles(rolesFromHeader(layout.header, false)) === null ? 'csv' : null;
  }
  const first = firstLines(text, 1)[0];
  if (first === undefined) return null;
  const fields = splitFields(first, layout.separator).map((f) => f.trim().toUpperCase());
  if (fields.length >= 4 && ['ASK', 'BID', 'BUY', 'SELL'].includes(fields[3]!)) return 'ticks';
  return fields.length >= 5 ? 'csv' : null;
}
