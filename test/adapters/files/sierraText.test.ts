/**
 * Sierra Chart's intraday text export. No real export exists in ../shared/data (README
 * §11), so the files are written here in the layout Sierra documents: a
 * `Date, Time, Open, High, Low, Last, Volume, ...` header, ", " separators, dates like
 * `2026-5-7` and microsecond times.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../adapters/files/detectFormat.ts';
import { loadSeries } from '../../../adapters/files/loadSeries.ts';
import type { LoadedSeries } from '../../../adapters/files/seriesTypes.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-sierra-');
const utc = (iso: string) => Date.parse(iso);

const HEADER = 'Date, Time, Open, High, Low, Last, Volume, NumberOfTrades, BidVolume, AskVolume';
const ROWS = [
  '2026-5-7, 09:30:00.000000, 5712.25, 5713.50, 5711.75, 5713.00, 1200, 310, 500, 700',
  '2026-5-7, 09:31:00.000000, 5713.00, 5713.25, 5712.00, 5712.25, 800, 190, 450, 350',
  '2026-5-7, 09:32:00.000000, 5712.25, 5712.50, 5711.00, 5711.25, 950, 240, 600, 350',
];

function write(lines: string[]): string {
  const file = join(tempDir(), 'ESM26-CME.txt');
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

const asBars = (s: LoadedSeries) => {
  if (s.kind !== 'bars') throw new Error('expected bars');
  return s.items;
};

describe('Sierra Chart intraday text export', () => {
  it('is detected by its header and read with Last as close and bid/ask volume', async () => {
    const file = write([HEADER, ...ROWS]);
    expect(detectFormat(Buffer.from(`${HEADER}\n${ROWS[0]}\n`), file)).toBe('sierra');
    const s = await loadSeries(file);
    expect(s.format).toBe('sierra');
    expect(s.rows).toBe(3);
    expect(s.rejected).toBe(0);
    expect(s.symbol).toBe('ES');
    expect(s.tickSize).toBe(0.25);
    // Default zone New York: 09:30 EDT on 2026-05-07 = 13:30Z.
    expect(asBars(s)[0]).toEqual({ symbol: 'ES', time: utc('2026-05-07T13:30:00Z'), open: 5712.25, high: 5713.5, low: 5711.75, close: 5713, volume: 1200, bidVolume: 500, askVolume: 700 });
    expect(s.to).toBe('2026-05-07T13:32:00.000Z');
  });

  it('--tz UTC reads the same wall clock as UTC; the older "# of Trades" header works too', async () => {
    const file = write(['Date, Time, Open, High, Low, Last, Volume, # of Trades, OHLC Avg, HLC Avg, HL Avg, Bid Volume, Ask Volume', '2026-5-7, 00:00:04.000000, 5700.00, 5700.25, 5699.75, 5700.25, 3, 2, 0, 0, 0, 1, 2']);
    const s = await loadSeries(file, { tz: 'UTC' });
    expect(s.format).toBe('sierra');
    expect(asBars(s)[0]).toMatchObject({ time: utc('2026-05-07T00:00:04Z'), close: 5700.25, bidVolume: 1, askVolume: 2 });
  });

  it('bad rows of an export are rejected with reasons', async () => {
    const file = write([
      HEADER,
      ROWS[0]!,
      '2026-5-7, 09:31:00.000000, 5713.00, 5712.00, 5712.50, 5712.25, 800, 190, 450, 350', // high < low
      '2026-5-7, 09:32:00.000000, 5712.25, 5712.50, 5711.00, 5711.30, 950, 240, 600, 350', // off-tick last
      '2026-5-7, 09:33:00.000000, 5712.25, 5712.50, 5711.00, 5711.25, 950, 240, -1, 350', // negative bid volume
      '2026-13-7, 09:34:00.000000, 5712.25, 5712.50, 5711.00, 5711.25, 950, 240, 600, 350', // month 13
      ROWS[2]!,
    ]);
    const s = await loadSeries(file);
    expect(s.rows).toBe(2);
    expect(s.issues.filter((i) => i.kind !== 'gap').map((i) => [i.row, i.kind])).toEqual([
      [3, 'ohlc'],
      [4, 'off-tick'],
      [5, 'bad-volume'],
      [6, 'parse'],
    ]);
  });
});
