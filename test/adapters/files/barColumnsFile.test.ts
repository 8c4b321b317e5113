/**
 * The columnar replay loader reads the same bars, with the same checks and provenance, as
 * the object loader (openReplaySource), whatever the chunk boundaries: on the real FirstRate
 * files (naive New York times, LF and CRLF, with and without a header) and on a small file
 * with a BOM, blank lines, UTC instants and rows every check refuses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadColumnarReplay } from '../../../adapters/files/barColumnsFile.ts';
import { openReplaySource } from '../../../adapters/files/replaySource.ts';
import { BarColumns } from '../../../core/barColumns.ts';
import type { Bar } from '../../../core/types.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';

const dir = mkdtempSync(join(tmpdir(), 'mia-columns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectSameAsObjects(file: string, chunkBytes?: number, options = {}) {
  const objects = await openReplaySource(file, options);
  const columns = await loadColumnarReplay(file, options, chunkBytes);
  const bars: Bar[] = [];
  for (let i = 0; i < columns.bars.length; i++) bars.push(columns.bars.barAt(i));
  expect(bars).toEqual(objects.bars);
  // Same keys in the same order: JSON of a bar is the same text.
  expect(bars.map((b) => JSON.stringify(b))).toEqual(objects.bars.map((b) => JSON.stringify(b)));
  expect({ barMs: columns.barMs, sha256: columns.sha256, format: columns.format, rows: columns.rows, rejected: columns.rejected, provenance: columns.provenance }).toEqual({
    barMs: objects.barMs,
    sha256: objects.series.sha256,
    format: objects.series.format,
    rows: objects.series.rows,
    rejected: objects.series.rejected,
    provenance: objects.provenance,
  });
  return columns;
}

describe('loadColumnarReplay', () => {
  for (const sample of ['es/firstrate/edisoniver_2023-03/ES_1min_sample.csv', 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv']) {
    it.skipIf(!hasSharedData(sample))(`reads ${sample} as the object loader does, in one read and in small chunks`, { timeout: 60_000 }, async () => {
      const one = await expectSameAsObjects(sharedData(sample));
      expect(one.bars).toBeInstanceOf(BarColumns);
      await expectSameAsObjects(sharedData(sample), 4_099);
    });
  }

  it('keeps the checks: BOM, blank lines, CRLF, UTC instants, and every refused row as the object loader refuses it', async () => {
    const file = join(dir, 'mixed.csv');
    const rows = [
      'timestamp,open,high,low,close,volume',
      '2024-01-02T14:30:00.000Z,4700.25,4701,4699.5,4700.5,10',
      '',
      '2024-01-02T14:31:00Z,4700.5,4702,4700,4701.75,12',
      '2024-01-02T14:31:00Z,4700.5,4702,4700,4701.75,12', // duplicate
      '2024-01-02T14:30:30.000Z,4700.5,4702,4700,4701.75,12', // out of order
      '2024-01-02T14:32:00.000Z,4700.3,4702,4700,4701.75,12', // off tick
      '2024-01-02T14:33:00.000Z,4700.5,4699,4700,4701.75,12', // high below low
      'not a time,1,2,3,4,5',
      'hora não é,1,2,3,4,5', // non-ASCII: the chunk decodes as UTF-8, not latin1
      '2024-01-02T14:34:00.000Z,4700.5,4702', // too few fields
      '   ',
      '2024-01-02 09:35:00,4700.5,4702,4700,4701.75,7', // naive New York time
      '2024-01-02T14:36:00.000Z,4700.5,4702,4700,4701.75,-1', // negative volume
      '2024-01-02T14:37:00.000Z,4701,4702,4700,4701.75,9',
    ];
    writeFileSync(file, `\uFEFF${rows.join('\r\n')}\r\n`);
    for (const chunk of [undefined, 7, 64]) {
      const c = await expectSameAsObjects(file, chunk);
      expect(c.rows).toBe(4);
      expect(c.rejected).toBeGreaterThanOrEqual(7);
    }
  });

  it('leaves options it does not stream (bar aggregation, windows) to the object loader, with the same bars', async () => {
    const sample = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
    if (!hasSharedData(sample)) return;
    await expectSameAsObjects(sharedData(sample), undefined, { barMinutes: 5 });
  });
});
