/**
 * Lean future zips (../shared/data/es/lean) and broken zips made here with fflate.
 * Expected values come from README §1 and from the raw CSV entries, read in this test
 * with a plain split (or noted from a Python read of the same entries).
 */
import { unzipSync, zipSync, strToU8 } from 'fflate';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeries } from '../../../adapters/files/loadSeries.ts';
import type { BarSeries, LoadedSeries, QuoteSeries } from '../../../adapters/files/seriesTypes.ts';
import { aggregateBars } from '../../../core/aggregateBars.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-lean-');
const utc = (iso: string) => Date.parse(iso);
const MINUTE_DIR = 'es/lean/minute/es';
const TRADE_1007 = `${MINUTE_DIR}/20131007_trade.zip`;

function bars(s: LoadedSeries): BarSeries {
  if (s.kind !== 'bars') throw new Error(`expected bars, got ${s.kind}`);
  return s;
}
function quotes(s: LoadedSeries): QuoteSeries {
  if (s.kind !== 'quotes') throw new Error(`expected quotes, got ${s.kind}`);
  return s;
}

/** The raw rows of one zip entry, split by hand. */
function rawEntry(zip: string, entry: string): string[][] {
  const files = unzipSync(readFileSync(sharedData(zip)));
  return new TextDecoder().decode(files[entry]!).trim().split('\n').map((l) => l.trim().split(','));
}

describe.skipIf(!hasSharedData(TRADE_1007))('Lean minute trade zip', () => {
  it('keeps the most active contract; times are ms after 00:00 UTC of the file date', async () => {
    const s = bars(await loadSeries(sharedData(TRADE_1007)));
    const raw = rawEntry(TRADE_1007, '20131007_es_minute_trade_201312.csv');
    expect(s.format).toBe('lean-trade-zip');
    expect(s.timezone).toBe('UTC');
    expect(s.symbol).toBe('ESZ13');
    expect(s.rows).toBe(raw.length);
    expect(s.rejected).toBe(0);
    expect(s.from).toBe('2013-10-07T00:00:00.000Z'); // first row: 0 ms
    expect(s.to).toBe('2013-10-07T23:59:00.000Z'); // last row: 86 340 000 ms
    // README §1b: the UTC day of ESZ13 minute bars: O 1676.5 H 1679.5 L 1664.75 C 1667.75 V 787 701.
    const items = s.items;
    expect(items[0]!.open).toBe(1676.5);
    expect(Math.max(...items.map((b) => b.high))).toBe(1679.5);
    expect(Math.min(...items.map((b) => b.low))).toBe(1664.75);
    expect(items.at(-1)!.close).toBe(1667.75);
    expect(items.reduce((v, b) => v + b.volume, 0)).toBe(787_701);
    // README: 1 671 rows in the zip, summed over the three contracts.
    expect(s.contracts.reduce((n, c) => n + c.rows, 0)).toBe(1_671);
    expect(s.contracts.map((c) => c.symbol)).toEqual(['ESZ13', 'ESH14', 'ESM14']);
  });

  it('--symbol keeps one contract, by symbol or by Lean expiry month', async () => {
    const raw = rawEntry(TRADE_1007, '20131007_es_minute_trade_201403.csv');
    for (const symbol of ['ESH14', '201403', 'ESH14-CME']) {
      const s = bars(await loadSeries(sharedData(TRADE_1007), { symbol }));
      expect(s.symbol).toBe('ESH14');
      expect(s.rows).toBe(raw.length);
      expect(s.items[0]!.time).toBe(utc('2013-10-07T00:00:00Z') + Number(raw[0]![0]));
    }
    await expect(loadSeries(sharedData(TRADE_1007), { symbol: 'ESU20' })).rejects.toMatchObject({ code: 'bad-option', option: 'symbol' });
  });

  it.skipIf(!hasSharedData(`${MINUTE_DIR}/20200105_trade.zip`))('the Sunday 2020-01-05 file starts at 82 800 000 ms = 23:00 UTC = 18:00 EST', async () => {
    const s = bars(await loadSeries(sharedData(`${MINUTE_DIR}/20200105_trade.zip`)));
    expect(s.symbol).toBe('ESH20');
    expect(s.from).toBe('2020-01-05T23:00:00.000Z');
    expect(s.items[0]).toEqual({ symbol: 'ESH20', time: utc('2020-01-05T23:00:00Z'), open: 3220.25, high: 3222.5, low: 3218.5, close: 3219.5, volume: 5815 });
    expect(s.issueCounts.gap).toBe(0);
  });

  it.skipIf(!hasSharedData('es/lean/hour/es_trade.zip'))('hour bars of 2013-10-07 equal the minute bars aggregated by UTC hour (README §1b)', async () => {
    const minute = bars(await loadSeries(sharedData(TRADE_1007), { symbol: 'ESZ13' }));
    const hour = bars(await loadSeries(sharedData('es/lean/hour/es_trade.zip'), { symbol: 'ESZ13' }));
    expect(hour.periodMs).toBe(3_600_000);
    const day = (b: { time: number }) => b.time >= utc('2013-10-07T00:00:00Z') && b.time < utc('2013-10-08T00:00:00Z');
    const expected = hour.items.filter(day);
    expect(expected).toHaveLength(23);
    // README: equal for every hour where both exist on this date.
    const hours = new Set(expected.map((b) => b.time));
    const aggregated = aggregateBars(minute.items, 3_600_000).filter((b) => hours.has(b.time));
    expect(aggregated).toEqual(expected);
    // Raw hour row: 20131007 13:00,1670.75,1673.75,1667.25,1672,112732
    expect(expected.find((b) => b.time === utc('2013-10-07T13:00:00Z'))).toMatchObject({ open: 1670.75, high: 1673.75, low: 1667.25, close: 1672, volume: 112_732 });
  });
});

describe.skipIf(!hasSharedData(`${MINUTE_DIR}/20131007_quote.zip`))('Lean minute quote zip', () => {
  it('closing bid/ask stamped at the bar end; one-sided and crossed rows rejected', async () => {
    const s = quotes(await loadSeries(sharedData(`${MINUTE_DIR}/20131007_quote.zip`), { symbol: 'ESZ13' }));
    const raw = rawEntry(`${MINUTE_DIR}/20131007_quote.zip`, '20131007_es_minute_quote_201312.csv');
    const oneSided = raw.filter((r) => r[1] === '' || r[6] === '').length;
    const crossed = raw.filter((r) => r[4] !== '' && r[9] !== '' && Number(r[4]) > Number(r[9])).length;
    expect(oneSided).toBeGreaterThan(0);
    expect(s.format).toBe('lean-quote-zip');
    expect(s.issueCounts['missing-side']).toBe(oneSided);
    expect(s.issueCounts.crossed).toBe(crossed);
    expect(s.rows).toBe(raw.length - oneSided - crossed);
    // Raw first row: 0,1676.5,...,1676.5,86,1676.75,...,1676.75,97 -> the quote at 00:01:00Z.
    expect(s.items[0]).toEqual({ symbol: 'ESZ13', time: utc('2013-10-07T00:01:00Z'), bid: 1676.5, bidSize: 86, ask: 1676.75, askSize: 97 });
  });
});

describe.skipIf(!hasSharedData(`${MINUTE_DIR}/20131218_trade.zip`))('a directory of Lean zips as one continuous series', () => {
  it('calendar roll with back-adjustment: ESZ13 -> ESH14 on 2013-12-18, gap measured on same-minute bars', async () => {
    const dir = sharedData(MINUTE_DIR);
    const plain = bars(await loadSeries(dir, { roll: 'calendar' }));
    const adjusted = bars(await loadSeries(dir, { roll: 'calendar', backAdjust: true }));
    // 20131218 entries at 0 ms: ESZ13 close 1780, ESH14 close 1773.75.
    const z = rawEntry(`${MINUTE_DIR}/20131218_trade.zip`, '20131218_es_minute_trade_201312.csv')[0]!;
    const h = rawEntry(`${MINUTE_DIR}/20131218_trade.zip`, '20131218_es_minute_trade_201403.csv')[0]!;
    const gap = Number(h[4]) - Number(z[4]);
    expect(gap).toBe(-6.25);
    const roll = plain.rolls.find((r) => r.from === 'ESZ13')!;
    expect(roll).toEqual({ time: utc('2013-12-18T00:00:00Z'), tradingDay: '2013-12-18', from: 'ESZ13', to: 'ESH14', gap });
    // ESH14 -> ESH20 spans six years without data: not measurable, nothing adjusted across it.
    expect(plain.rolls.find((r) => r.to === 'ESH20')!.gap).toBeNull();
    expect(adjusted.rows).toBe(plain.rows);
    const shifted = plain.items.map((p) => {
      const d = p.time < roll.time ? gap : 0;
      return { ...p, open: p.open + d, high: p.high + d, low: p.low + d, close: p.close + d };
    });
    expect(adjusted.items).toEqual(shifted);
    // The series is time-ordered.
    expect(plain.items.every((b, i) => i === 0 || b.time > plain.items[i - 1]!.time)).toBe(true);
    expect(plain.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(plain.issues.some((i) => i.entry?.startsWith('20131007_trade.zip:'))).toBe(true);
    // Gaps in the back-adjusted history still point at their source rows.
    expect(adjusted.issues.filter((i) => i.kind === 'gap').every((i) => i.row > 0 && i.entry !== undefined)).toBe(true);
    expect(adjusted.issues.map((i) => [i.entry, i.row])).toEqual(plain.issues.map((i) => [i.entry, i.row]));
  });
});

describe('broken Lean zips', () => {
  const zipFile = (entries: Record<string, string>, name = '20240102_trade.zip') => {
    const file = join(tempDir(), name);
    writeFileSync(file, zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, strToU8(v)]))));
    return file;
  };

  it('rejects bad rows with reasons and keeps the good ones', async () => {
    const file = zipFile({
      '20240102_es_minute_trade_202403.csv': [
        '0,4800,4801,4799.75,4800.5,10', // ok
        '60000,4800.5,4801,4800,4800.75,5', // ok
        '60000,4800.5,4801,4800,4800.75,5', // duplicate
        '30000,4800.5,4801,4800,4800.75,5', // out of order
        '120000,4800.5,4801,4800,4800.6,5', // off-tick
        '180000,4800.5,4800,4801,4800.75,5', // high < low
        '240000,-1,4801,4800,4800.75,5', // non-positive
        '99999999,4800.5,4801,4800,4800.75,5', // beyond the day
        '300000,4800.5,4801', // short
        '360000,4800.5,4801,4800,4800.75,7', // ok
      ].join('\n'),
    });
    const s = bars(await loadSeries(file));
    expect(s.rows).toBe(3);
    expect(s.issues.filter((i) => i.kind !== 'gap').map((i) => [i.row, i.kind])).toEqual([
      [3, 'duplicate'],
      [4, 'out-of-order'],
      [5, 'off-tick'],
      [6, 'ohlc'],
      [7, 'non-positive'],
      [8, 'parse'],
      [9, 'parse'],
    ]);
    expect(s.issues[0]!.entry).toBe('20240102_es_minute_trade_202403.csv');
    expect(s.items.at(-1)).toEqual({ symbol: 'ESH24', time: utc('2024-01-02T00:06:00Z'), open: 4800.5, high: 4801, low: 4800, close: 4800.75, volume: 7 });
  });

  it('a corrupt zip or a foreign entry is a DataFileError, not a crash', async () => {
    const good = readFileSync(zipFile({ '20240102_es_minute_trade_202403.csv': '0,1,1,1,1,1\n' }));
    const corrupt = join(tempDir(), 'corrupt_trade.zip');
    writeFileSync(corrupt, good.subarray(0, good.length - 10));
    await expect(loadSeries(corrupt, { format: 'lean-trade-zip' })).rejects.toMatchObject({ name: 'DataFileError', code: 'unreadable' });
    const foreign = zipFile({ 'readme.txt': 'hello' }, 'foreign.zip');
    await expect(loadSeries(foreign)).rejects.toMatchObject({ code: 'unknown-format' });
    await expect(loadSeries(foreign, { format: 'lean-trade-zip' })).rejects.toMatchObject({ code: 'unsupported' });
  });
});
