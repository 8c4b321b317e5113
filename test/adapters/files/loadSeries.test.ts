/**
 * Format detection over every kind of file in ../shared/data, and the errors of files
 * that cannot be loaded at all.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeries } from '../../../adapters/files/loadSeries.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-load-');

describe('format detection on the real files', () => {
  it.each([
    ['es/firstrate/edisoniver_2023-03/ES_1min_sample.csv', 'csv', 'bars'],
    ['es/firstrate/edisoniver_2023-03/ES_1day_sample.txt', 'csv', 'bars'],
    ['es/daily/ES_continuous_backadjusted_1997-2023.csv', 'csv', 'bars'],
    ['es/lean/minute/es/20131007_trade.zip', 'lean-trade-zip', 'bars'],
    ['es/lean/minute/es/20131007_quote.zip', 'lean-quote-zip', 'quotes'],
    ['es/lean/daily/es_trade.zip', 'lean-trade-zip', 'bars'],
    ['nq_ticks/time_and_sales_nq_.csv', 'ticks', 'trades'],
    ['nq_ticks/ts_and_dom_2min.csv', 'ticks', 'trades'],
    ['polygon/openapi-examples/massive-com__client-js/futures_v1_aggs_ticker.json', 'polygon-aggs', 'bars'],
    ['polygon/openapi-examples/massive-com__client-js/futures_v1_trades_ticker.json', 'polygon-trades', 'trades'],
    ['polygon/rest-mocks/v3/quotes/AAPL.json', 'polygon-quotes', 'quotes'],
  ])('%s is %s', async (rel, format, kind) => {
    if (!hasSharedData(rel)) return; // the data is beside the repository; CI has it
    const s = await loadSeries(sharedData(rel));
    expect(s.format).toBe(format);
    expect(s.kind).toBe(kind);
    expect(s.rows).toBeGreaterThan(0);
  });

  it.skipIf(!hasSharedData('es/firstrate/edisoniver_2023-03/ES_1day_sample.txt'))('FirstRate daily: 12 rows with open interest ignored', async () => {
    const s = await loadSeries(sharedData('es/firstrate/edisoniver_2023-03/ES_1day_sample.txt'));
    expect(s.rows).toBe(12);
    expect(s.from).toBe('2023-03-08T05:00:00.000Z');
  });
});

describe('files that cannot be loaded', () => {
  it('missing file, unknown format, empty directory: DataFileErrors with codes', async () => {
    const dir = tempDir();
    await expect(loadSeries(join(dir, 'nope.csv'))).rejects.toMatchObject({ name: 'DataFileError', code: 'not-found', isUsage: true });
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'hello\nworld\n');
    await expect(loadSeries(notes)).rejects.toMatchObject({ code: 'unknown-format' });
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await expect(loadSeries(empty)).rejects.toMatchObject({ code: 'unknown-format' });
    await expect(loadSeries(empty, { format: 'csv' })).rejects.toMatchObject({ code: 'bad-option', option: 'format' });
    await expect(loadSeries(notes, { format: 'nope' as never })).rejects.toMatchObject({ code: 'bad-option', option: 'format' });
    await expect(loadSeries(notes, { roll: 'weekly' as never })).rejects.toMatchObject({ code: 'bad-option', option: 'roll' });
  });

  it('--columns on a binary format is refused', async () => {
    if (!hasSharedData('es/lean/minute/es/20131007_trade.zip')) return;
    await expect(loadSeries(sharedData('es/lean/minute/es/20131007_trade.zip'), { columns: ['time'] })).rejects.toMatchObject({ code: 'bad-option', option: 'columns' });
  });

  it('a file of only a header loads as an empty series, not an error', async () => {
    const file = join(tempDir(), 'ES_empty.csv');
    writeFileSync(file, 'timestamp,open,high,low,close,volume\n');
    const s = await loadSeries(file);
    expect([s.rows, s.rejected, s.from, s.to]).toEqual([0, 0, null, null]);
  });
});
