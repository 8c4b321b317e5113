/**
 * Generic OHLCV CSV on the real files of ../shared/data (FirstRate 1-minute samples, the
 * back-adjusted daily series) and on broken copies made here. Expected numbers come from
 * ../shared/data/README.md and from reading the raw files (head/tail/grep, a Python count
 * of the off-tick rows), never from the loader's own output.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeries } from '../../../adapters/files/loadSeries.ts';
import type { BarSeries, LoadedSeries } from '../../../adapters/files/seriesTypes.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-csv-');
const utc = (iso: string) => Date.parse(iso);

function bars(s: LoadedSeries): BarSeries {
  if (s.kind !== 'bars') throw new Error(`expected bars, got ${s.kind}`);
  return s;
}

const EDISONIVER = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const VICTOR = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';
const DAILY = 'es/daily/ES_continuous_backadjusted_1997-2023.csv';

describe('FirstRate 1-minute CSV (naive US/Eastern, headerless)', () => {
  it.skipIf(!hasSharedData(EDISONIVER))('edisoniver 2023-03: 16 200 rows, UTC bounds across the DST switch, no gaps', async () => {
    const s = bars(await loadSeries(sharedData(EDISONIVER)));
    expect(s.format).toBe('csv');
    expect(s.rows).toBe(16_200);
    expect(s.rejected).toBe(0);
    expect(s.timezone).toBe('America/New_York');
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(s.provenance).toEqual({ kind: 'replay', file: sharedData(EDISONIVER), sha256: s.sha256 });
    // 2023-03-08 00:00 EST = 05:00Z; 2023-03-23 16:59 EDT = 20:59Z.
    expect(s.from).toBe('2023-03-08T05:00:00.000Z');
    expect(s.to).toBe('2023-03-23T20:59:00.000Z');
    // Raw first line: 2023-03-08 00:00:00,4024.75,4025.50,4024.75,4025.00,307
    expect(s.items[0]).toEqual({ symbol: 'ES', time: utc('2023-03-08T05:00:00Z'), open: 4024.75, high: 4025.5, low: 4024.75, close: 4025, volume: 307 });
    // Lines 3780/3781: Fri 16:59 EST (21:59Z) then Sun 18:00 EDT (22:00Z), after the switch.
    const friday = s.items.findIndex((b) => b.time === utc('2023-03-10T21:59:00Z'));
    expect(s.items[friday]).toMatchObject({ open: 3913, high: 3914.75, low: 3910.25, close: 3913.75, volume: 2399 });
    expect(s.items[friday + 1]).toMatchObject({ time: utc('2023-03-12T22:00:00Z'), open: 3920.5, volume: 4114 });
    // README: every minute of every session present, so the weekend and daily breaks are not gaps.
    expect(s.issueCounts.gap).toBe(0);
    expect(s.periodMs).toBe(60_000);
  });

  it.skipIf(!hasSharedData(VICTOR))('victor-thai 2023-09: header, CRLF, the 4 single missing minutes are the only gaps', async () => {
    const s = bars(await loadSeries(sharedData(VICTOR)));
    expect(s.rows).toBe(15_176);
    expect(s.rejected).toBe(0);
    expect(s.from).toBe('2023-09-24T22:00:00.000Z'); // 18:00 EDT
    expect(s.to).toBe('2023-10-09T20:59:00.000Z'); // 16:59 EDT
    expect(s.items[0]).toMatchObject({ open: 4365, high: 4367.5, low: 4364.25, close: 4365.25, volume: 1132 });
    expect(s.items.at(-1)).toMatchObject({ open: 4369, high: 4369.25, low: 4368.25, close: 4368.75, volume: 547 });
    expect(s.issueCounts.gap).toBe(4);
    // README: 2023-09-25 00:12, 19:28; 2023-10-05 19:11, 23:55 ET (EDT, UTC-4).
    const missing = ['2023-09-25T04:12', '2023-09-25T23:28', '2023-10-05T23:11', '2023-10-06T03:55'];
    const gaps = s.issues.filter((i) => i.kind === 'gap');
    for (const [i, m] of missing.entries()) {
      const before = new Date(utc(`${m}:00Z`) - 60_000).toISOString();
      expect(gaps[i]!.detail).toContain(`1 open 1m slot without data between ${before}`);
    }
  });
});

describe.skipIf(!hasSharedData(DAILY))('back-adjusted daily CSV (header, MM/DD/YYYY date + Time column)', () => {
  it('rejects the 425 off-tick rows of the early back-adjusted years, keeps the rest', async () => {
    const s = bars(await loadSeries(sharedData(DAILY)));
    // Python over the raw file: 6 573 rows, 425 with an OHLC price off the 0.25 grid.
    expect(s.rejected).toBe(425);
    expect(s.issueCounts['off-tick']).toBe(425);
    expect(s.rows).toBe(6_573 - 425);
    expect(s.issues[0]).toEqual({ row: 2, kind: 'off-tick', detail: 'open 1209.53 is not a multiple of the tick 0.25' });
    // First on-grid row: 03/26/1999 1500.75/1501.75/1484.25/1494.25 vol 30062, 16:00 EST = 21:00Z.
    expect(s.items[0]).toEqual({ symbol: '&ES_CCB', time: utc('1999-03-26T21:00:00Z'), open: 1500.75, high: 1501.75, low: 1484.25, close: 1494.25, volume: 30_062 });
    expect(s.to).toBe('2023-10-13T20:00:00.000Z');
  });

  it('with tickSize 0 every row is kept; 9/11 is a gap, weekends are not', async () => {
    const s = bars(await loadSeries(sharedData(DAILY), { tickSize: 0 }));
    expect(s.rows).toBe(6_573);
    expect(s.rejected).toBe(0);
    expect(s.tickSize).toBeNull();
    expect(s.from).toBe('1997-09-09T20:00:00.000Z'); // 16:00 EDT
    expect(s.items[0]).toMatchObject({ open: 1209.53, high: 1210.78, low: 1209.53, close: 1210.78, volume: 460 });
    expect(s.periodMs).toBe(86_400_000);
    const gaps = s.issues.filter((i) => i.kind === 'gap').map((i) => i.detail);
    expect(gaps.some((d) => d.includes('between 2001-09-10T20:00:00.000Z and 2001-09-17T20:00:00.000Z'))).toBe(true);
    expect(gaps.some((d) => d.includes('between 1997-09-12T20:00:00.000Z and 1997-09-15T20:00:00.000Z'))).toBe(false);
  });
});

describe('broken copies are rejected row by row, with reasons', () => {
  const write = (name: string, text: string) => {
    const file = join(tempDir(), name);
    writeFileSync(file, text);
    return file;
  };

  it('duplicate, out-of-order, off-tick, non-positive, OHLC, unreadable and short rows', async () => {
    const file = write(
      'ES_broken.csv',
      [
        '2023-03-08 00:00:00,4024.75,4025.50,4024.75,4025.00,307', // 1 ok
        '2023-03-08 00:01:00,4025.00,4025.50,4024.75,4025.50,124', // 2 ok
        '2023-03-08 00:01:00,4025.00,4025.50,4024.75,4025.50,124', // 3 duplicate
        '2023-03-08 00:00:30,4025.00,4025.50,4024.75,4025.50,1', // 4 out of order
        '2023-03-08 00:02:00,4025.10,4025.50,4024.75,4025.25,106', // 5 off-tick
        '2023-03-08 00:03:00,0,4025.50,4024.75,4025.25,106', // 6 non-positive
        '2023-03-08 00:04:00,4025.00,4024.00,4024.75,4025.25,106', // 7 high below low
        '2023-03-08 00:05:00,4025.00,4025.50,4024.75,4026.00,106', // 8 close above high
        'yesterday,4025.00,4025.50,4024.75,4025.25,106', // 9 unreadable time
        '2023-03-08 00:06:00,4025.00', // 10 short
        '2023-03-08 00:07:00,4025.00,4025.50,4024.75,4025.25,-3', // 11 negative volume
        '2023-03-08 00:08:00,4025.00,4025.50,4024.75,abc,3', // 12 not a number
        '2023-03-08 00:09:00,4025.25,4025.50,4025.00,4025.25,50', // 13 ok
      ].join('\n'),
    );
    const s = bars(await loadSeries(file));
    expect(s.rows).toBe(3);
    expect(s.rejected).toBe(10);
    expect(s.items.map((b) => b.volume)).toEqual([307, 124, 50]);
    const kinds = Object.fromEntries(s.issues.filter((i) => i.kind !== 'gap').map((i) => [i.row, i.kind]));
    expect(kinds).toEqual({ 3: 'duplicate', 4: 'out-of-order', 5: 'off-tick', 6: 'non-positive', 7: 'ohlc', 8: 'ohlc', 9: 'parse', 10: 'parse', 11: 'bad-volume', 12: 'parse' });
    expect(s.issues.find((i) => i.row === 5)!.detail).toContain('4025.1');
    expect(s.issues.find((i) => i.row === 9)!.detail).toContain('"yesterday"');
    expect(s.issueCounts).toMatchObject({ duplicate: 1, 'out-of-order': 1, 'off-tick': 1, 'non-positive': 1, ohlc: 2, parse: 3, 'bad-volume': 1 });
    // The rejected minutes 00:02..00:08 are a gap (informational).
    expect(s.issueCounts.gap).toBe(1);
  });

  it('a wall-clock time skipped by the spring-forward is rejected; the repeated fall-back hour keeps its order', async () => {
    const spring = write('ES_spring.csv', ['2023-03-12 01:59:00,1,1,1,1,1', '2023-03-12 02:30:00,1,1,1,1,1', '2023-03-12 03:00:00,1,1,1,1,1'].join('\n'));
    const s = bars(await loadSeries(spring));
    expect(s.rows).toBe(2);
    expect(s.issues[0]).toMatchObject({ row: 2, kind: 'parse' });
    expect(s.issues[0]!.detail).toContain('does not exist in America/New_York');
    // 01:59 EST = 06:59Z, 03:00 EDT = 07:00Z: one minute apart in real time.
    expect(s.items.map((b) => b.time)).toEqual([utc('2023-03-12T06:59:00Z'), utc('2023-03-12T07:00:00Z')]);

    // 2023-11-05: 01:00-01:59 happens twice in New York (EDT, then EST).
    const lines: string[] = [];
    for (const pass of [0, 1]) for (let m = 0; m < 60; m += 15) lines.push(`2023-11-05 01:${String(m).padStart(2, '0')}:00,1,1,1,1,${pass}`);
    const fall = bars(await loadSeries(write('ES_fall.csv', lines.join('\n'))));
    expect(fall.rejected).toBe(0);
    expect(fall.items.map((b) => new Date(b.time).toISOString().slice(11, 16))).toEqual(['05:00', '05:15', '05:30', '05:45', '06:00', '06:15', '06:30', '06:45']);
  });

  it('--columns maps an unusual layout; header names are matched loosely; quoted fields are unquoted', async () => {
    const custom = write('odd.csv', ['x,1700.25,1699.5,1701,1700,2023-01-03T15:00:00Z,12', 'x,1700.5,1700,1701,1700.5,2023-01-03T15:01:00Z,7'].join('\n'));
    const a = bars(await loadSeries(custom, { columns: ['-', 'close', 'low', 'high', 'open', 'time', 'volume'], symbol: 'ESH3' }));
    expect(a.items[0]).toEqual({ symbol: 'ESH3', time: utc('2023-01-03T15:00:00Z'), open: 1700, high: 1701, low: 1699.5, close: 1700.25, volume: 12 });
    expect(a.rows).toBe(2);

    const quoted = write('q.csv', ['"Date Time";"Open";"High";"Low";"Close";"Vol"', '"2023-01-03 10:00:00";"1700,25";"1701";"1699,5";"1700";"1"'].join('\n'));
    const b = bars(await loadSeries(quoted, { tz: 'UTC' }));
    expect(b.items[0]).toMatchObject({ time: utc('2023-01-03T10:00:00Z'), open: 1700.25, low: 1699.5, volume: 1 });
  });

  it('bad options are errors naming the option, before any row is read', async () => {
    const file = write('ES.csv', '2023-03-08 00:00:00,4024.75,4025.50,4024.75,4025.00,307\n');
    await expect(loadSeries(file, { tz: 'Mars/Olympus' })).rejects.toMatchObject({ code: 'bad-option', option: 'tz' });
    await expect(loadSeries(file, { columns: ['time', 'opne'] })).rejects.toMatchObject({ code: 'bad-option', option: 'columns' });
    await expect(loadSeries(file, { columns: ['time', 'open'] })).rejects.toThrow(/no high column/);
    await expect(loadSeries(file, { tickSize: -1 })).rejects.toMatchObject({ code: 'bad-option', option: 'tickSize' });
    const unknown = write('two.csv', '2023-03-08 00:00:00,1\n');
    await expect(loadSeries(unknown, { format: 'csv' })).rejects.toMatchObject({ code: 'bad-option', option: 'columns' });
  });
});
