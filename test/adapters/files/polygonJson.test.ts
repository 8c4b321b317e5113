/**
 * Polygon/Massive REST JSON (../shared/data/polygon, README §10): aggregates, trades and
 * quotes, nanosecond timestamps kept exact, newest-first pages read oldest first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeries } from '../../../adapters/files/loadSeries.ts';
import { parsePolygonJson } from '../../../adapters/files/polygonJson.ts';
import type { LoadedSeries, TradeSeries } from '../../../adapters/files/seriesTypes.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-polygon-');

function trades(s: LoadedSeries): TradeSeries {
  if (s.kind !== 'trades') throw new Error(`expected trades, got ${s.kind}`);
  return s;
}
const utc = (iso: string) => Date.parse(iso);
const MASSIVE = 'polygon/openapi-examples/massive-com__client-js';
const OLD = 'polygon/openapi-examples/polygon-io__client-js';

describe('Polygon futures examples', () => {
  it.skipIf(!hasSharedData(`${MASSIVE}/futures_v1_trades_ticker.json`))('ESZ4 trades: ns timestamps, newest first -> ascending', async () => {
    const s = trades(await loadSeries(sharedData(`${MASSIVE}/futures_v1_trades_ticker.json`)));
    expect(s.format).toBe('polygon-trades');
    expect(s.kind).toBe('trades');
    expect(s.symbol).toBe('ESZ4');
    expect(s.tickSize).toBe(0.25);
    expect(s.rows).toBe(3);
    expect(s.notes.join(' ')).toContain('newest first');
    // Raw timestamps (ns): ...797000893000, ...798789679900, ...799000509200 (reversed order in the file).
    expect(s.items.map((t) => t.time)).toEqual([1_734_472_797_000, 1_734_472_798_789, 1_734_472_799_000]);
    expect(s.items.map((t) => [t.price, t.size])).toEqual([
      [6052, 2],
      [6051.75, 1],
      [6052, 3],
    ]);
    expect(s.from).toBe('2024-12-17T21:59:57.000Z');
  });

  it.skipIf(!hasSharedData(`${MASSIVE}/futures_v1_quotes_ticker.json`))('GCJ5 quotes: the row without an ask is rejected as missing-side', async () => {
    const s = await loadSeries(sharedData(`${MASSIVE}/futures_v1_quotes_ticker.json`));
    expect(s.format).toBe('polygon-quotes');
    expect(s.tickSize).toBeNull(); // gold: not an instrument MIA knows, not checked
    expect(s.rows).toBe(1);
    expect(s.rejected).toBe(1);
    expect(s.issues).toEqual([{ row: 1, kind: 'missing-side', detail: 'ask side absent' }]);
    expect(s.items[0]).toEqual({ symbol: 'GCJ5', time: 1_734_472_770_000, bid: 2684.7, bidSize: 1, ask: 2686, askSize: 1 });
  });

  it.skipIf(!hasSharedData(`${MASSIVE}/futures_v1_aggs_ticker.json`))('futures aggregates: window_start in ns', async () => {
    const s = await loadSeries(sharedData(`${MASSIVE}/futures_v1_aggs_ticker.json`));
    expect(s.format).toBe('polygon-aggs');
    expect(s.items[0]).toEqual({ symbol: 'GCJ5', time: utc('2025-02-04T00:00:00Z'), open: 2849.8, high: 2877.1, low: 2837.4, close: 2874.2, volume: 133_072 });
    expect(s.rows).toBe(2);
  });

  it.skipIf(!hasSharedData(`${OLD}/futures_vX_trades_ticker.json`))('the older spec writes ES prices x100: loaded as written, no rescaling guessed', async () => {
    const s = trades(await loadSeries(sharedData(`${OLD}/futures_vX_trades_ticker.json`)));
    expect(s.items.map((t) => t.price)).toEqual([605544, 605412, 605400]);
  });
});

describe('Polygon stock mocks', () => {
  const AGGS = 'polygon/rest-mocks/v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04.json';
  it.skipIf(!hasSharedData(AGGS))('v2 aggregates: t in ms, ticker from the page', async () => {
    const s = await loadSeries(sharedData(AGGS));
    expect(s.symbol).toBe('AAPL');
    expect(s.items[0]).toEqual({ symbol: 'AAPL', time: 1_112_331_600_000, open: 1.5032, high: 1.5064, low: 1.4489, close: 1.4604, volume: 642_646_396 });
  });

  const TRADES = 'polygon/rest-mocks/v3/trades/AAPL&limit=2.json';
  it.skipIf(!hasSharedData(TRADES))('v3 trades: sip_timestamp, symbol from the file name', async () => {
    const s = trades(await loadSeries(sharedData(TRADES)));
    expect(s.symbol).toBe('AAPL');
    expect(s.items.map((t) => [t.time, t.price])).toEqual([
      [1_651_181_822_461, 156.43],
      [1_651_181_822_461, 157.43],
    ]);
  });

  const QUOTES = 'polygon/rest-mocks/v3/quotes/AAPL.json';
  it.skipIf(!hasSharedData(QUOTES))('v3 quotes: ten rows newest first, read ascending', async () => {
    const s = await loadSeries(sharedData(QUOTES));
    expect(s.rows).toBe(10);
    expect(s.items[0]).toEqual({ symbol: 'AAPL', time: 1_652_191_872_690, bid: 155.86, bidSize: 2, ask: 155.87, askSize: 2 });
    expect(s.items.at(-1)!.time).toBe(1_652_191_872_800);
  });

  it.skipIf(!hasSharedData('polygon/rest-mocks/v3/snapshot.json'))('a response that is not aggs/trades/quotes is an unknown format', async () => {
    await expect(loadSeries(sharedData('polygon/rest-mocks/v3/snapshot.json'))).rejects.toMatchObject({ code: 'unknown-format' });
  });
});

describe('nanoseconds and broken pages', () => {
  it('keeps nanosecond integers exact where a double would round to the next millisecond', () => {
    // 1734472799000999999 ns is 1734472799000.999999 ms; as a double it is 1734472799001000000.
    expect(Number(1734472799000999999n) / 1e6).toBe(1_734_472_799_001);
    const doc = parsePolygonJson('{"results":[{"price":1,"size":1,"timestamp":1734472799000999999}]}') as { results: { timestamp: string }[] };
    expect(doc.results[0]!.timestamp).toBe('1734472799000999999');
  });

  it('rejects rows with reasons; bad JSON is a DataFileError', async () => {
    const dir = tempDir();
    const file = join(dir, 'ESH5.json');
    writeFileSync(
      file,
      JSON.stringify({
        results: [
          { price: 6000, size: 1, timestamp: 1_734_472_790_000_000_000 },
          { price: 6000.1, size: 1, timestamp: 1_734_472_791_000_000_000 }, // off-tick
          { price: 6000, size: 0, timestamp: 1_734_472_792_000_000_000 }, // size 0
          { price: 6000, size: 1 }, // no timestamp
          { price: 6000, size: 1, timestamp: 1_734_472_780_000_000_000 }, // backwards
          { price: 6000.25, size: 2, timestamp: 1_734_472_793_000_000_000 },
        ],
      }),
    );
    const s = await loadSeries(file);
    expect(s.symbol).toBe('ESH5');
    expect(s.rows).toBe(2);
    expect(s.issues.map((i) => [i.row, i.kind])).toEqual([
      [2, 'off-tick'],
      [3, 'bad-volume'],
      [4, 'parse'],
      [5, 'out-of-order'],
    ]);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"results": [');
    await expect(loadSeries(bad, { format: 'polygon-trades' })).rejects.toMatchObject({ name: 'DataFileError', code: 'unreadable' });
    await expect(loadSeries(file, { format: 'polygon-quotes' })).rejects.toMatchObject({ code: 'bad-option', option: 'format' });
  });
});
