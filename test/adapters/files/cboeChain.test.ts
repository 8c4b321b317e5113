import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CboeChainError, cboeChainFromBytes, loadCboeChain, looksLikeCboeChain, parseCboeChain } from '../../../adapters/files/cboeChain.ts';
import type { SettledOptionContract } from '../../../strategy/gamma/timeToExpiry.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';

/**
 * Every CBOE file of ../shared/data with what its README says about it: data rows, the
 * underlying's Last, the header's download time (converted by hand from the README's
 * text) and the expiry range.
 */
const CATALOGUE: [file: string, rows: number, last: number, iso: string, expiries: number, first: string, lastExpiry: string][] = [
  ['spx_quotedata_2022-02-05.csv', 10257, 4500.5298, '2022-02-06T01:09:00Z', 40, '2022-02-07', '2026-12-18'],
  ['spx_quotedata_2022-02-19.csv', 9428, 4348.8701, '2022-02-19T21:17:00Z', 39, '2022-02-22', '2026-12-18'],
  ['spx_quotedata_2022-03-23.csv', 9501, 4479.0898, '2022-03-23T14:11:00Z', 41, '2022-03-23', '2026-12-18'],
  ['spx_quotedata_2022-06-11.csv', 9835, 3900.8601, '2022-06-12T00:47:00Z', 44, '2022-06-10', '2026-12-18'],
  ['spx_quotedata_2022-07-12.csv', 9689, 3856.28, '2022-07-12T15:55:00Z', 47, '2022-07-12', '2027-12-17'],
  ['spx_quotedata_2023-02-07.csv', 9481, 4164, '2023-02-07T22:34:00Z', 50, '2023-02-07', '2027-12-17'],
  ['spx_quotedata_2023-04-05.csv', 9210, 4090.3799, '2023-04-05T23:41:00Z', 51, '2023-04-05', '2027-12-17'],
  ['spx_quotedata_2023-04-06.csv', 9161, 4105.02, '2023-04-07T02:48:00Z', 51, '2023-04-06', '2027-12-17'],
  ['spx_quotedata_2023-04-10.csv', 9084, 4109.1099, '2023-04-11T00:51:00Z', 51, '2023-04-10', '2027-12-17'],
  ['spx_quotedata_2023-04-14.csv', 9048, 4137.6401, '2023-04-14T23:12:00Z', 50, '2023-04-14', '2027-12-17'],
  ['spx_quotedata_2023-04-17.csv', 8971, 4151.3198, '2023-04-18T02:53:00Z', 50, '2023-04-17', '2027-12-17'],
  ['spx_quotedata_2023-05-06.csv', 8680, 4136.25, '2023-05-07T00:40:00Z', 48, '2023-05-08', '2027-12-17'],
  ['spx_quotedata_2023-05-20.csv', 8963, 4191.98, '2023-05-20T15:33:00Z', 49, '2023-05-19', '2027-12-17'],
  ['spx_quotedata_2023-05-23.csv', 8670, 4145.5801, '2023-05-23T23:39:00Z', 49, '2023-05-23', '2027-12-17'],
  ['spx_quotedata_2023-05-26.csv', 8677, 4205.4502, '2023-05-26T21:01:00Z', 48, '2023-05-26', '2027-12-17'],
  ['spx_quotedata_2023-06-08.csv', 8979, 4293.9302, '2023-06-08T23:56:00Z', 49, '2023-06-08', '2027-12-17'],
  ['spx_quotedata_2023-06-09.csv', 8894, 4300.0098, '2023-06-09T17:40:00Z', 49, '2023-06-09', '2027-12-17'],
  ['spx_quotedata_2023-08-20.csv', 10171, 4369.71, '2023-08-21T02:42:00Z', 50, '2023-08-18', '2028-12-15'],
  ['spx_quotedata_2023-09-04.csv', 9579, 4515.77, '2023-09-04T18:56:00Z', 52, '2023-09-05', '2028-12-15'],
  ['spx_quotedata_2023-09-14.csv', 9960, 4505.1001, '2023-09-14T20:31:00Z', 53, '2023-09-14', '2025-12-19'],
  ['spx_quotedata_2023-12-09.csv', 3115, 4604.3701, '2023-12-09T18:49:00Z', 15, '2023-12-08', '2023-12-29'],
  ['spx_quotedata_2024-01-07.csv', 10519, 4697.2402, '2024-01-07T15:52:00Z', 55, '2024-01-05', '2029-12-21'],
  ['spy_quotedata_2023-04-11.csv', 3849, 409.72, '2023-04-12T02:23:00Z', 33, '2023-04-11', '2025-12-19'],
  ['spy_quotedata_2023-04-14.csv', 4072, 413.08, '2023-04-14T23:15:00Z', 33, '2023-04-14', '2025-12-19'],
  ['spy_quotedata_2023-04-27.csv', 4216, 406.8, '2023-04-27T11:15:00Z', 34, '2023-04-26', '2025-12-19'],
  ['spy_quotedata_2023-05-20.csv', 3840, 418.62, '2023-05-20T15:46:00Z', 30, '2023-05-19', '2025-12-19'],
  ['spy_quotedata_2023-05-28.csv', 3679, 420.02, '2023-05-28T22:05:00Z', 29, '2023-05-30', '2025-12-19'],
  ['spy_quotedata_2023-06-04.csv', 3843, 427.92, '2023-06-04T19:15:00Z', 31, '2023-06-05', '2025-12-19'],
  ['spy_quotedata_2023-09-14.csv', 3646, 450.81, '2023-09-14T20:31:00Z', 31, '2023-09-14', '2026-01-16'],
];

const rel = (file: string) => `options/cboe/${file}`;

describe.skipIf(!hasSharedData('options/cboe'))('CBOE quotedata exports (all 29 files)', () => {
  it.each(CATALOGUE)('%s: rows, Last, header time in its locale, expiries, nothing rejected', async (file, rows, last, iso, expiries, first, lastExpiry) => {
    const path = sharedData(rel(file));
    const { snapshot, quality } = await loadCboeChain(path);
    expect(quality.rows).toBe(rows);
    expect(quality.rejected).toEqual([]);
    expect(quality.contracts).toBe(2 * rows);
    expect(snapshot.spot).toBe(last);
    expect(snapshot.time).toBe(Date.parse(iso));
    expect(snapshot.underlying).toBe(file.startsWith('spx') ? 'SPX' : 'SPY');
    const dates = [...new Set(snapshot.contracts.map((c) => c.expiry))].sort();
    expect(dates.length).toBe(expiries);
    expect(dates[0]).toBe(first);
    expect(dates.at(-1)).toBe(lastExpiry);
    const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(snapshot.provenance).toEqual({ kind: 'replay', file: path, sha256 });
    expect(quality.sha256).toBe(sha256);
    // The one header without a year says so.
    expect(quality.timeSource).toBe(file === 'spy_quotedata_2023-06-04.csv' ? 'header-year-inferred' : 'header');
  });

  it('keeps what a row says: prices, OI, greeks, settlement from the root', async () => {
    // Line 5 of the 2022-02-05 file: Mon Feb 07 2022, SPXW 2400 call and put.
    const { snapshot } = await loadCboeChain(sharedData(rel('spx_quotedata_2022-02-05.csv')));
    const [call, put] = snapshot.contracts as SettledOptionContract[];
    expect(call).toEqual({
      expiry: '2022-02-07', strike: 2400, right: 'call', last: 0, bid: 2087.8, ask: 2102.6, volume: 0, iv: 4.285, delta: 0.9999, openInterest: 0, settlement: 'pm',
    });
    // Gamma printed as 0 is "not computed": absent, to be recomputed from the IV.
    expect(put).toEqual({
      expiry: '2022-02-07', strike: 2400, right: 'put', last: 0.07, bid: 0, ask: 0.05, volume: 0, iv: 1.9229, delta: -0.0001, openInterest: 106, settlement: 'pm',
    });
    const monthly = (snapshot.contracts as SettledOptionContract[]).filter((c) => c.expiry === '2022-02-18');
    expect(new Set(monthly.map((c) => c.settlement))).toEqual(new Set(['am', 'pm']));
  });
});

const HEAD = [
  '',
  'S&P 500 INDEX,Last: 4697.2402,Change:  8.5602',
  '"Date: January 7, 2024 at 10:52 AM EST",Bid: 4645.23,Ask: 4753.8999,Size: 1*1,Volume: 0',
  'Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest',
];
const ROW = 'Fri Jan 19 2024,SPX240119C04700000,50.1,1,49,51,10,0.12,0.52,0.004,1500,4700.00,SPX240119P04700000,45,-1,44,46,12,0.13,-0.48,0.0041,2500';
const parse = (lines: string[], opts: { time?: number } = {}) => parseCboeChain(lines.join('\n'), { ...opts, file: 'mem.csv', sha256: 'x' });

describe('CBOE parser on bad input', () => {
  it('reads a minimal export, with CRLF, a BOM and padded rows', () => {
    const text = `\uFEFF${[...HEAD, `${ROW},,`, ''].join('\r\n')}`;
    const { snapshot, quality } = parseCboeChain(text, { file: 'mem.csv', sha256: 'x' });
    expect(quality.rejected).toEqual([]);
    expect(snapshot.contracts).toHaveLength(2);
    expect(snapshot.contracts[0]).toMatchObject({ expiry: '2024-01-19', strike: 4700, right: 'call', gamma: 0.004, iv: 0.12, openInterest: 1500, settlement: 'am' });
    expect(snapshot.time).toBe(Date.parse('2024-01-07T15:52:00Z'));
    expect(quality.underlyingName).toBe('S&P 500 INDEX');
  });

  it('rejects bad rows and bad sides with their line numbers, keeping the good side', () => {
    const lines = [
      ...HEAD,
      ROW,
      ROW.replace(',2500', ',abc'), // put OI not a number
      ROW.split(',').slice(0, 20).join(','), // short row
      ROW.replace('Fri Jan 19 2024', 'Fri Jan 32 2024'),
      ROW.replace('SPX240119C04700000', 'SPX240119C04750000'), // call strike mismatch
      ROW.replace('SPX240119P04700000', 'SPX240119C04700000'), // a call on the put side
      ROW.replace(',1500,', ',-4,'), // negative call OI
      ROW.replace('4700.00', 'x'),
      ROW.replace(',0.13,', ',-0.2,'), // negative put IV
    ];
    const { snapshot, quality } = parse(lines);
    expect(quality.rows).toBe(9);
    expect(quality.rejected).toEqual([
      { line: 6, side: 'put', reason: 'Open Interest "abc" is not a number' },
      { line: 7, reason: 'expected 22 columns, got 20' },
      { line: 8, reason: 'Expiration Date "Fri Jan 32 2024" is not "Ddd Mon DD YYYY"' },
      { line: 9, side: 'call', reason: 'contract symbol "SPX240119C04750000" has strike 4750, row says 4700' },
      { line: 10, side: 'put', reason: 'contract symbol "SPX240119C04700000" is not a put' },
      { line: 11, side: 'call', reason: 'Open Interest -4 is not a non-negative integer' },
      { line: 12, reason: 'Strike "x" is not a positive number' },
      { line: 13, side: 'put', reason: 'IV -0.2 is negative' },
    ]);
    // Row 5 whole, plus the good side of lines 6, 9, 10, 11 and 13.
    expect(snapshot.contracts).toHaveLength(2 + 5);
    expect(quality.warnings).toContain('8 row side(s) rejected');
  });

  it('is a typed error naming the file for a file that is not an export', () => {
    expect(() => parse(['hello', 'world'])).toThrow(CboeChainError);
    expect(() => parse(['hello', 'world'])).toThrow(/mem\.csv: not a CBOE quotedata export/);
    expect(() => parse([HEAD[0]!, HEAD[2]!, HEAD[3]!, ROW])).toThrow(/Last:/);
    expect(() => parse([...HEAD.slice(0, 3), 'Expiration Date,Calls,Bid', ROW])).toThrow(/unexpected column header/);
    const noDate = [HEAD[0]!, HEAD[1]!, '"Date: sometime",Bid: 1', HEAD[3]!, ROW];
    expect(() => parse(noDate)).toThrow(/cannot read a date/);
    // An explicit time rescues a header without a readable date.
    expect(parse(noDate, { time: 123 }).snapshot.time).toBe(123);
    expect(parse(noDate, { time: 123 }).quality.timeSource).toBe('override');
  });

  it('never throws anything but CboeChainError, and accounts for every data line (random rows)', () => {
    const cell = fc.oneof(fc.string({ maxLength: 8 }), fc.double().map(String), fc.constant(''), fc.constant('SPX240119C04700000'));
    const line = fc.oneof(fc.array(cell, { minLength: 0, maxLength: 25 }).map((c) => c.join(',')), fc.constant(ROW), fc.string({ maxLength: 40 }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const body = lines.map((l) => l.replace(/[\r\n]/g, ' '));
        const { snapshot, quality } = parse([...HEAD, ...body]);
        const dataLines = body.filter((l) => l.trim() !== '').length;
        expect(quality.rows).toBe(dataLines);
        const rowRejects = quality.rejected.filter((r) => r.side === undefined).length;
        const sideRejects = quality.rejected.length - rowRejects;
        expect(snapshot.contracts.length + sideRejects + 2 * rowRejects).toBe(2 * dataLines);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseCboeChain(text, { file: 'f', sha256: 'x' });
        } catch (err) {
          expect(err).toBeInstanceOf(CboeChainError);
        }
      }),
    );
  });

  it('sniffs the format and hashes the bytes', () => {
    const text = HEAD.concat(ROW).join('\n');
    expect(looksLikeCboeChain(text)).toBe(true);
    expect(looksLikeCboeChain('{"results": []}')).toBe(false);
    const bytes = new TextEncoder().encode(text);
    const { snapshot } = cboeChainFromBytes(bytes, 'mem.csv');
    expect(snapshot.provenance).toEqual({ kind: 'replay', file: 'mem.csv', sha256: createHash('sha256').update(bytes).digest('hex') });
  });
});
