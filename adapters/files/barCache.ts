/**
 * MIA's bar cache: a loaded, validated bar series in a compact binary file that replays
 * without parsing. Layout (little-endian):
 *
 *   "MIABARS1" | u32 header length | header JSON (UTF-8) | zero padding to 8 bytes |
 *   8 Float64 columns of `count` values: time, open, high, low, close, volume, askVolume, bidVolume
 *
 * askVolume/bidVolume are NaN where a bar has none. The header keeps the source file and
 * its sha256 (so a replay from the cache has the same provenance as one from the
 * source), the source's quality summary, the symbol runs, and the sha256 of the columns,
 * checked on every read: a truncated or altered cache is refused, never replayed.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Bar, Provenance } from '../../core/types.ts';
import { readDataFile, sha256Hex, type FileBytes } from './seriesBuilder.ts';
import { DataFileError, type IssueKind, type LoadedSeries, type SeriesFormat } from './seriesTypes.ts';

const MAGIC = 'MIABARS1';
const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume', 'askVolume', 'bidVolume'] as const;
const VERSION = 1;

export interface BarCacheHeader {
  version: number;
  count: number;
  columns: string[];
  /** [first bar index, symbol] for each run of bars of one symbol. */
  symbols: [number, string][];
  /** The data's origin: the file the bars were loaded from. */
  source: { file: string; sha256: string; format: SeriesFormat; timezone: string };
  /** The source's quality report when the cache was written. */
  quality: { rows: number; rejected: number; from: string | null; to: string | null; issueCounts: Partial<Record<IssueKind, number>> };
  periodMs: number | null;
  tickSize: number | null;
  /** sha256 of the column bytes. */
  payloadSha256: string;
}

export interface BarCache {
  header: BarCacheHeader;
  bars: Bar[];
}

const align8 = (n: number) => (n + 7) & ~7;

/** Float64Array uses the host's byte order; the format is little-endian, as every host MIA runs on. */
function assertLittleEndian(file: string): void {
  if (endianness() !== 'LE') throw new DataFileError('unsupported', file, 'the MIA bar cache needs a little-endian host');
}

/** Source summary of a bar series, as stored in its cache. */
export type BarCacheSource = Pick<LoadedSeries, 'file' | 'sha256' | 'format' | 'timezone' | 'rows' | 'rejected' | 'from' | 'to' | 'issueCounts' | 'periodMs' | 'tickSize' | 'provenance'>;

/** The cache's bytes for `bars` loaded from `source`. */
export function encodeBarCache(bars: readonly Bar[], source: BarCacheSource): Uint8Array {
  assertLittleEndian(source.file);
  const n = bars.length;
  const cols = new Float64Array(n * COLUMNS.length);
  const symbols: [number, string][] = [];
  for (let i = 0; i < n; i++) {
    const b = bars[i]!;
    cols[i] = b.time;
    cols[n + i] = b.open;
    cols[2 * n + i] = b.high;
    cols[3 * n + i] = b.low;
    cols[4 * n + i] = b.close;
    cols[5 * n + i] = b.volume;
    cols[6 * n + i] = b.askVolume ?? Number.NaN;
    cols[7 * n + i] = b.bidVolume ?? Number.NaN;
    if (symbols.at(-1)?.[1] !== b.symbol) symbols.push([i, b.symbol]);
  }
  const payload = new Uint8Array(cols.buffer);
  // A cache of a cache keeps pointing at the original data.
  const origin = source.provenance.kind === 'replay' ? source.provenance : { file: source.file, sha256: source.sha256 };
  const header: BarCacheHeader = {
    version: VERSION,
    count: n,
    columns: [...COLUMNS],
    symbols,
    source: { file: origin.file, sha256: origin.sha256, format: source.format, timezone: source.timezone },
    quality: { rows: source.rows, rejected: source.rejected, from: source.from, to: source.to, issueCounts: source.issueCounts },
    periodMs: source.periodMs,
    tickSize: source.tickSize,
    payloadSha256: sha256Hex(payload),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align8(MAGIC.length + 4 + json.length);
  const out = new Uint8Array(start + payload.length);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  out.set(payload, start);
  return out;
}

/** Writes the cache atomically (temporary file + rename). */
export async function writeBarCache(file: string, bars: readonly Bar[], source: BarCacheSource): Promise<void> {
  const target = resolve(file);
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  await writeFile(tmp, encodeBarCache(bars, source));
  await rename(tmp, target);
}

/** True when the bytes start with the cache's magic. */
export const isBarCache = (bytes: Uint8Array): boolean => bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).toString('latin1') === MAGIC;

/** Decodes cache bytes; a malformed cache is a DataFileError ('unreadable') naming what is wrong. */
export function decodeBarCache(src: FileBytes): BarCache {
  const bytes = src.bytes;
  const fail = (why: string): never => {
    throw new DataFileError('unreadable', src.file, `${src.file} is not a valid MIA bar cache: ${why}`);
  };
  assertLittleEndian(src.file);
  if (!isBarCache(bytes)) fail('bad magic');
  if (bytes.length < 12) fail('truncated header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(MAGIC.length, true);
  if (12 + jsonLength > bytes.length) fail('truncated header');
  let header: BarCacheHeader;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + jsonLength)).toString('utf8')) as BarCacheHeader;
  } catch {
    return fail('header is not JSON');
  }
  if (header.version !== VERSION) fail(`version ${header.version}, expected ${VERSION}`);
  const n = header.count;
  if (!Number.isInteger(n) || n < 0) fail('bad bar count');
  const start = align8(12 + jsonLength);
  const size = n * COLUMNS.length * 8;
  if (bytes.length !== start + size) fail(`expected ${start + size} bytes, found ${bytes.length} (truncated or padded)`);
  const payload = bytes.subarray(start, start + size);
  if (sha256Hex(payload) !== header.payloadSha256) fail('column checksum mismatch (the file was altered)');
  // Float64Array needs 8-byte alignment; copy only when the buffer is not aligned.
  let cols: Float64Array;
  if ((bytes.byteOffset + start) % 8 === 0) cols = new Float64Array(bytes.buffer, bytes.byteOffset + start, n * COLUMNS.length);
  else {
    const copy = new Uint8Array(size); // a Buffer's slice() is a view, not a copy
    copy.set(payload);
    cols = new Float64Array(copy.buffer);
  }
  const runs = header.symbols;
  const bars: Bar[] = new Array(n);
  let run = 0;
  let symbol = runs[0]?.[1] ?? '';
  for (let i = 0; i < n; i++) {
    if (run + 1 < runs.length && runs[run + 1]![0] === i) symbol = runs[++run]![1];
    const bar: Bar = { symbol, time: cols[i]!, open: cols[n + i]!, high: cols[2 * n + i]!, low: cols[3 * n + i]!, close: cols[4 * n + i]!, volume: cols[5 * n + i]! };
    const ask = cols[6 * n + i]!;
    const bid = cols[7 * n + i]!;
    if (!Number.isNaN(ask)) bar.askVolume = ask;
    if (!Number.isNaN(bid)) bar.bidVolume = bid;
    bars[i] = bar;
  }
  return { header, bars };
}

/** Reads and checks a cache file. */
export async function readBarCache(file: string): Promise<BarCache> {
  return decodeBarCache(await readDataFile(file));
}

/** The cache as a loaded series: provenance is the source's; sha256 is the cache file's. */
export function barCacheSeries(src: FileBytes): LoadedSeries {
  const { header, bars } = decodeBarCache(src);
  const provenance: Provenance = { kind: 'replay', file: header.source.file, sha256: header.source.sha256 };
  const counts = { parse: 0, duplicate: 0, 'out-of-order': 0, 'off-tick': 0, 'non-positive': 0, ohlc: 0, 'bad-volume': 0, crossed: 0, 'missing-side': 0, gap: 0, ...header.quality.issueCounts };
  return {
    kind: 'bars',
    format: 'mia-cache',
    file: src.file,
    sha256: src.sha256,
    timezone: header.source.timezone,
    symbol: header.symbols.at(-1)?.[1] ?? '',
    tickSize: header.tickSize,
    rows: bars.length,
    rejected: header.quality.rejected,
    from: bars.length ? new Date(bars[0]!.time).toISOString() : null,
    to: bars.length ? new Date(bars.at(-1)!.time).toISOString() : null,
    issues: [],
    issueCounts: counts,
    periodMs: header.periodMs,
    contracts: [],
    rolls: [],
    notes: [`bar cache of ${header.source.file} (${header.source.format}, sha256 ${header.source.sha256}); issues as counted when the cache was written`],
    provenance,
    items: bars,
  };
}
