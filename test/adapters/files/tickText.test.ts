/**
 * Time & sales with aggressor side: the NQ files of ../shared/data/nq_ticks (README §9;
 * counts checked with a Python read of the raw files) and broken copies made here.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeries } from '../../../adapters/files/loadSeries.ts';
import type { LoadedSeries, TradeSeries } from '../../../adapters/files/seriesTypes.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-ticks-');
const utc = (iso: string) => Date.parse(iso);
const TNS = 'nq_ticks/time_and_sales_nq_.csv';
const DOM = 'nq_ticks/ts_and_dom_2min.csv';

function trades(s: LoadedSeries): TradeSeries {
  if (s.kind !== 'trades') throw new Error(`expected trades, got ${s.kind}`);
  return s;
}

describe('NQ time & sales (semicolons, decimal comma, Madrid wall clock)', () => {
  it.skipIf(!hasSharedData(TNS))('19 794 prints, 12 040 buyer- and 7 754 seller-initiated, repeats kept', async () => {
    const s = trades(await loadSeries(sharedData(TNS)));
    expect(s.format).toBe('ticks');
    expect(s.symbol).toBe('NQ');
    expect(s.tickSize).toBe(0.25);
    expect(s.timezone).toBe('Europe/Madrid');
    expect(s.rows).toBe(19_794);
    expect(s.rejected).toBe(0); // 8 369 exact repeats are fills of one order, not duplicates
    expect(s.items.filter((t) => t.aggressor === 'buy')).toHaveLength(12_040); // Lado = ASK
    expect(s.items.filter((t) => t.aggressor === 'sell')).toHaveLength(7_754); // Lado = BID
    // 18:00:00.032 CEST (UTC+2) = 16:00:00.032Z; raw first row 25263,25;1;BID.
    expect(s.from).toBe('2025-10-09T16:00:00.032Z');
    expect(s.to).toBe('2025-10-09T16:30:00.932Z');
    expect(s.items[0]).toEqual({ symbol: 'NQ', time: utc('2025-10-09T16:00:00.032Z'), price: 25263.25, size: 1, aggressor: 'sell' });
    expect(s.items.at(-1)).toEqual({ symbol: 'NQ', time: utc('2025-10-09T16:30:00.932Z'), price: 25255.25, size: 1, aggressor: 'buy' });
    // Volume by side (Python): 12 903 at the ask, 8 223 at the bid.
    expect(s.items.filter((t) => t.aggressor === 'buy').reduce((v, t) => v + t.size, 0)).toBe(12_903);
    expect(s.items.filter((t) => t.aggressor === 'sell').reduce((v, t) => v + t.size, 0)).toBe(8_223);
    expect(s.periodMs).toBeNull();
  });

  it.skipIf(!hasSharedData(DOM))('the depth file: 1 058 prints read from the first four fields, JSON depth ignored', async () => {
    const s = trades(await loadSeries(sharedData(DOM), { tz: 'Europe/Madrid' }));
    expect(s.rows).toBe(1_058);
    expect(s.rejected).toBe(0);
    expect(s.items.filter((t) => t.aggressor === 'buy')).toHaveLength(550);
    expect(s.items.filter((t) => t.aggressor === 'sell')).toHaveLength(508);
    expect(s.from).toBe('2025-10-20T16:08:56.500Z');
    expect(s.to).toBe('2025-10-20T16:11:00.585Z');
    expect(s.items[0]).toMatchObject({ price: 25314, size: 1, aggressor: 'sell' });
  });
});

describe('broken tick files', () => {
  it('unknown side, zero size, off-tick, backwards time and unreadable rows are rejected', async () => {
    const file = join(tempDir(), 'es_ticks.csv');
    writeFileSync(
      file,
      [
        'Timestamp,Price,Size,Side',
        '2024-01-02 09:30:00.100,4800.25,2,ASK', // 2 ok
        '2024-01-02 09:30:00.100,4800.25,1,ASK', // 3 same ms: kept
        '2024-01-02 09:30:00.050,4800.25,1,BID', // 4 backwards
        '2024-01-02 09:30:00.200,4800.30,1,BID', // 5 off-tick
        '2024-01-02 09:30:00.300,4800.25,0,BID', // 6 size 0
        '2024-01-02 09:30:00.400,4800.25,1,MAYBE', // 7 unknown side
        '2024-01-02 09:30:00.500,4800.25,1,', // 8 no side: kept, aggressor unknown
        'not a time,4800.25,1,BID', // 9
        '2024-01-02 09:30:00.600,-4800.25,1,BID', // 10 non-positive
        '2024-01-02 09:30:00.700,4800.5,3,BID', // 11 ok
      ].join('\n'),
    );
    const s = trades(await loadSeries(file, { tz: 'America/New_York' }));
    expect(s.format).toBe('ticks');
    expect(s.symbol).toBe('ES');
    expect(s.rows).toBe(4);
    expect(s.items.map((t) => t.aggressor)).toEqual(['buy', 'buy', undefined, 'sell']);
    expect(s.items[0]!.time).toBe(utc('2024-01-02T14:30:00.100Z'));
    expect(s.issues.map((i) => [i.row, i.kind])).toEqual([
      [4, 'out-of-order'],
      [5, 'off-tick'],
      [6, 'bad-volume'],
      [7, 'parse'],
      [9, 'parse'],
      [10, 'non-positive'],
    ]);
    expect(s.issues.find((i) => i.row === 7)!.detail).toContain('"MAYBE"');
  });
});
