/**
 * MIA's binary bar cache: any bar series round-trips exactly, the source's provenance
 * survives, and a truncated or altered cache is refused.
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBarCache, encodeBarCache, readBarCache, writeBarCache, type BarCacheSource } from '../../../adapters/files/barCache.ts';
import { loadSeries } from '../../../adapters/files/loadSeries.ts';
import type { Bar } from '../../../core/types.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-cache-');

const source: BarCacheSource = {
  file: '/data/ES.csv',
  sha256: 'a'.repeat(64),
  format: 'csv',
  timezone: 'America/New_York',
  rows: 3,
  rejected: 1,
  from: null,
  to: null,
  issueCounts: { parse: 0, duplicate: 1, 'out-of-order': 0, 'off-tick': 0, 'non-positive': 0, ohlc: 0, 'bad-volume': 0, crossed: 0, 'missing-side': 0, gap: 2 },
  periodMs: 60_000,
  tickSize: 0.25,
  provenance: { kind: 'replay', file: '/data/ES.csv', sha256: 'a'.repeat(64) },
};

const barArb = fc.record(
  {
    symbol: fc.constantFrom('ESZ13', 'ESH14', 'ES'),
    time: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    open: fc.double({ noNaN: true, noDefaultInfinity: true }),
    high: fc.double({ noNaN: true, noDefaultInfinity: true }),
    low: fc.double({ noNaN: true, noDefaultInfinity: true }),
    close: fc.double({ noNaN: true, noDefaultInfinity: true }),
    volume: fc.nat(),
    askVolume: fc.nat(),
    bidVolume: fc.nat(),
  },
  { requiredKeys: ['symbol', 'time', 'open', 'high', 'low', 'close', 'volume'] },
);

const fileBytes = (bytes: Uint8Array, file = '/tmp/x.miabars') => ({ file, bytes: Buffer.from(bytes), sha256: '' });

describe('bar cache', () => {
  it('round-trips any bars exactly (symbol runs, optional bid/ask volume, -0 and extremes)', () => {
    fc.assert(
      fc.property(fc.array(barArb, { maxLength: 40 }), (bars: Bar[]) => {
        const { bars: back, header } = decodeBarCache(fileBytes(encodeBarCache(bars, source)));
        expect(back).toEqual(bars);
        expect(header.count).toBe(bars.length);
        expect(header.source).toEqual({ file: '/data/ES.csv', sha256: 'a'.repeat(64), format: 'csv', timezone: 'America/New_York' });
      }),
      { numRuns: 200 },
    );
  });

  it('decodes from a buffer that is not 8-byte aligned', () => {
    const bars: Bar[] = [{ symbol: 'ES', time: 60_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 }];
    const bytes = encodeBarCache(bars, source);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    expect(decodeBarCache({ file: 'x', bytes: Buffer.from(shifted.buffer, shifted.byteOffset, shifted.byteLength), sha256: '' }).bars).toEqual(bars);
  });

  it('refuses a truncated, padded, altered or foreign file with a DataFileError', () => {
    const bars: Bar[] = [
      { symbol: 'ES', time: 60_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 },
      { symbol: 'ES', time: 120_000, open: 1.5, high: 2, low: 1, close: 2, volume: 4 },
    ];
    const good = encodeBarCache(bars, source);
    const altered = good.slice();
    altered[altered.length - 3]! ^= 0xff;
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, good.length - 8), /truncated or padded/],
      [new Uint8Array([...good, 0, 0, 0, 0, 0, 0, 0, 0]), /truncated or padded/],
      [altered, /checksum mismatch/],
      [Buffer.from('Date,Open\n1,2\n'), /bad magic/],
      [good.subarray(0, 20), /truncated header/],
    ];
    for (const [bytes, why] of cases) {
      expect(() => decodeBarCache(fileBytes(bytes))).toThrow(why);
      try {
        decodeBarCache(fileBytes(bytes));
      } catch (err) {
        expect(err).toMatchObject({ name: 'DataFileError', code: 'unreadable' });
      }
    }
  });

  const CSV = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';
  it.skipIf(!hasSharedData(CSV))('a cache of a real file replays the same bars with the source provenance', async () => {
    const csv = await loadSeries(sharedData(CSV));
    if (csv.kind !== 'bars') throw new Error('bars expected');
    const file = join(tempDir(), 'sub', 'es.miabars');
    await writeBarCache(file, csv.items, csv);
    const cached = await loadSeries(file);
    expect(cached.format).toBe('mia-cache');
    expect(cached.items).toEqual(csv.items);
    expect(cached.provenance).toEqual(csv.provenance);
    expect(cached.sha256).not.toBe(csv.sha256);
    expect([cached.rows, cached.from, cached.to, cached.periodMs, cached.timezone]).toEqual([csv.rows, csv.from, csv.to, csv.periodMs, csv.timezone]);
    expect(cached.issueCounts.gap).toBe(4);
    // 8 columns of 8 bytes per bar, plus a small header: far smaller than the text.
    expect(readFileSync(file).length).toBeLessThan(csv.rows * 64 + 4096);
    // A cache of the cache still points at the CSV.
    if (cached.kind !== 'bars') throw new Error('bars expected');
    const again = join(tempDir(), 'again.miabars');
    await writeBarCache(again, cached.items, cached);
    expect((await readBarCache(again)).header.source.sha256).toBe(csv.sha256);
    writeFileSync(join(tempDir(), 'unused'), '');
  });
});
