/**
 * The byte reader (ohlcvBytes.ts) is only a fast path: a file read through it (the columnar
 * loader) gives the same bars, rejections and provenance as the string reader (the object
 * loader), whatever mix of plain and odd lines it holds (property test), and it takes the
 * plain lines itself rather than handing everything to the string path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadColumnarReplay } from '../../../adapters/files/barColumnsFile.ts';
import { OhlcvByteReader } from '../../../adapters/files/ohlcvBytes.ts';
import { OhlcvRowReader } from '../../../adapters/files/ohlcvText.ts';
import { openReplaySource } from '../../../adapters/files/replaySource.ts';
import type { Bar } from '../../../core/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'mia-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const price = fc.oneof(
  fc.integer({ min: 16_000, max: 20_000 }).map((q) => String(q / 4)),
  fc.integer({ min: 16_000, max: 20_000 }).map((q) => (q / 4).toFixed(2)),
  // Any decimal (off the tick grid too, rejected alike): integer / 10^k must round as Number() does.
  fc.tuple(fc.integer({ min: 1, max: 999_999_999 }), fc.integer({ min: 0, max: 9 })).map(([m, k]) => (k === 0 ? String(m) : `${String(m).slice(0, -k) || '0'}.${String(m).padStart(k, '0').slice(-k)}`)),
  fc.constantFrom('4700', '+4700.25', '-4700.5', '0', '-0', '4700.', '.25', '4700.250000000000001', '4.7e3', ' 4700.25', '4700.25 ', '', 'x', '4,700', 'Infinity', '00004700.75'),
);
const volume = fc.oneof(fc.integer({ min: 0, max: 5000 }).map(String), fc.constantFrom('-1', '1.5', '', ' 3', '123456789012345678', '7'));
const minute = fc.integer({ min: 0, max: 3 * 24 * 60 });
const stamp = fc.tuple(minute, fc.integer({ min: 0, max: 10 })).map(([m, form]) => {
  const t = Date.UTC(2024, 2, 8, 0, 0) + m * 60_000; // spans the New York DST switch of 2024-03-10
  const iso = new Date(t).toISOString();
  switch (form) {
    case 0:
      return iso;
    case 1:
      return `${iso.slice(0, 19)}Z`;
    case 2:
      return iso.slice(0, 19).replace('T', ' ');
    case 3:
      return iso.slice(0, 19);
    case 4:
      return `${iso.slice(0, 23)}z`;
    case 5:
      return iso.slice(0, 16).replace('T', ' ');
    case 6:
      return `${iso.slice(0, 8)}31 ${iso.slice(11, 19)}`; // 2024-03-31 exists, 2024-02-31 would not
    case 7:
      return `2024-02-30 ${iso.slice(11, 19)}`;
    case 8:
      return `${iso.slice(0, 19)}+00:00`;
    case 9:
      return `${iso.slice(0, 20)}0x0Z`;
    default:
      return `2024-03-10 02:${iso.slice(14, 19)}`; // the hour New York skips
  }
});
const plainLine = fc.tuple(stamp, price, price, price, price, volume).map((f) => f.join(','));
const line = fc.oneof(
  { weight: 8, arbitrary: plainLine },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '\t', 'timestamp,open,high,low,close,volume', '"2024-03-08T00:01:00.000Z",4700,4701,4699,4700,3', '2024-03-08T00:02:00.000Z,4700,4701', 'hora não é,1,2,3,4,5', '2024-03-08T00:03:00.000Z,4700,4701,4699,4700,3,extra') },
);

async function sameBothWays(file: string, chunkBytes?: number) {
  const objects = await openReplaySource(file, {});
  const columns = await loadColumnarReplay(file, {}, chunkBytes);
  const bars: Bar[] = [];
  for (let i = 0; i < columns.bars.length; i++) bars.push(columns.bars.barAt(i));
  expect(bars.map((b) => JSON.stringify(b))).toEqual(objects.bars.map((b) => JSON.stringify(b)));
  expect({ rows: columns.rows, rejected: columns.rejected, provenance: columns.provenance }).toEqual({
    rows: objects.series.rows,
    rejected: objects.series.rejected,
    provenance: objects.provenance,
  });
}

describe('OhlcvByteReader', () => {
  it('reads any mix of lines to the same bars, rejections and provenance as the string reader', { timeout: 120_000 }, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(line, { minLength: 1, maxLength: 60 }), fc.constantFrom('\n', '\r\n'), fc.option(fc.integer({ min: 64, max: 300 }), { nil: undefined }) /* the first chunk holds the first line: the loader reads the columns from it */, async (header, lines, eol, chunk) => {
        const file = join(dir, `p${n++}.csv`);
        // The first line tells the format and columns: a header, or a plain row.
        writeFileSync(file, `${header ? 'timestamp,open,high,low,close,volume' : '2024-03-07T23:59:00.000Z,4700,4701,4699,4700,1'}${eol}${lines.join(eol)}${eol}`);
        await sameBothWays(file, chunk);
      }),
      { numRuns: 150 },
    );
  });

  it('takes a plain line itself, and hands the string path what it cannot read exactly', () => {
    const reader = new OhlcvRowReader('timestamp,open,high,low,close,volume\n', 'ES.csv', {});
    const bytes = OhlcvByteReader.of(reader)!;
    const bar = {} as Bar;
    const read = (text: string, lineNo = 2) => bytes.read(Buffer.from(text), 0, text.length, lineNo, -Infinity, bar);
    expect(read('2024-01-02T14:30:00.000Z,4700.25,4701,4699.5,4700.5,10')).toBe(true);
    expect(bar).toEqual({ symbol: 'ES', time: Date.UTC(2024, 0, 2, 14, 30), open: 4700.25, high: 4701, low: 4699.5, close: 4700.5, volume: 10 });
    expect(read('2024-01-02 09:30:00,4700.25,4701,4699.5,4700.5,10')).toBe(true);
    expect(bar.time).toBe(Date.UTC(2024, 0, 2, 14, 30)); // naive New York time
    expect(read('2024-01-02T14:30:00.000Z,4700.25,4701,4699.5,4700.5,10', 1)).toBe(false); // the header line
    expect(read('2024-01-02T14:30:00.000Z,4.7e3,4701,4699.5,4700.5,10')).toBe(false);
    expect(read('2024-01-02T14:30:00.000Z, 4700.25,4701,4699.5,4700.5,10')).toBe(false);
    expect(read('2024-01-02T14:30:00.000Z,4700.25,4701,4699.5,4700.5')).toBe(false);
    expect(read('"2024-01-02T14:30:00.000Z",4700.25,4701,4699.5,4700.5,10')).toBe(false);
    expect(read('2024-02-30T14:30:00.000Z,4700.25,4701,4699.5,4700.5,10')).toBe(false);
    expect(read('2024-01-02T14:30:00.0x0Z,4700.25,4701,4699.5,4700.5,10')).toBe(false);
    expect(read('2024-01-02T14:30:00+0000,4700.25,4701,4699.5,4700.5,10')).toBe(false);
    // Files it cannot read as bytes at all: decimal commas, a symbol column.
    expect(OhlcvByteReader.of(new OhlcvRowReader('time;open;high;low;close;volume\n', 'ES.csv', {}))).toBeNull();
    expect(OhlcvByteReader.of(new OhlcvRowReader('symbol,timestamp,open,high,low,close,volume\n', 'ES.csv', {}))).toBeNull();
  });
});
