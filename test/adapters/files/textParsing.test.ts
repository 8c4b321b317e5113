/**
 * The text primitives under every loader: field splitting with quotes, in-place decimal
 * parsing (equal to Number() on every decimal it accepts), timestamp forms, and naive
 * wall-clock -> UTC with the IANA zone (checked against Intl, not against itself).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectSeparator, forEachLine, splitFields, toNumber } from '../../../adapters/files/delimitedText.ts';
import { FieldScanner, parseDecimal } from '../../../adapters/files/fieldScanner.ts';
import { parseStamp } from '../../../adapters/files/timestampText.ts';
import { ZoneClock, isValidTimeZone } from '../../../core/zonedTime.ts';

describe('splitFields', () => {
  it('plain fields round-trip through join', () => {
    const field = fc.string({ unit: fc.constantFrom('a', '1', '.', ' ', '-', ':'), maxLength: 6 });
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 8 }), (fields) => {
        expect(splitFields(fields.join(','), ',')).toEqual(fields);
      }),
    );
  });

  it('quoted fields keep separators and doubled quotes', () => {
    const field = fc.string({ unit: fc.constantFrom('a', ',', '"', ' ', '1'), maxLength: 6 });
    const quote = (f: string) => `"${f.replaceAll('"', '""')}"`;
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), (fields) => {
        expect(splitFields(fields.map(quote).join(','), ',')).toEqual(fields);
      }),
    );
    expect(splitFields('a,"b,c",d', ',')).toEqual(['a', 'b,c', 'd']);
    expect(splitFields('{"k": 1, "j": 2},x', ',')).toEqual(['{"k": 1', ' "j": 2}', 'x']);
  });

  it('detects the separator and walks non-blank lines with their numbers', () => {
    expect(detectSeparator('Timestamp;Precio;Volumen;Lado;Bid;Ask')).toBe(';');
    expect(detectSeparator('a\tb\tc')).toBe('\t');
    expect(detectSeparator('Date, Time, Open')).toBe(',');
    const seen: [string, number][] = [];
    forEachLine('a\r\n\r\n  \nb\nc', (line, n) => void seen.push([line, n]));
    expect(seen).toEqual([
      ['a', 1],
      ['b', 4],
      ['c', 5],
    ]);
    expect(toNumber('')).toBeNaN();
    expect(toNumber('  ')).toBeNaN();
    expect(toNumber('25263,25', true)).toBe(25263.25);
  });
});

describe('parseDecimal', () => {
  it('equals Number() on decimal text', () => {
    const decimal = fc
      .tuple(fc.constantFrom('', '-', '+'), fc.stringMatching(/^\d{1,12}$/), fc.option(fc.stringMatching(/^\d{0,8}$/)))
      .map(([sign, int, frac]) => `${sign}${int}${frac === null ? '' : `.${frac}`}`);
    fc.assert(
      fc.property(decimal, fc.constantFrom('', ' '), (text, pad) => {
        const s = `x,${pad}${text}${pad},y`;
        expect(Object.is(parseDecimal(s, 2, s.length - 2), Number(text))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('falls back to Number() for the rest, and is NaN for blanks', () => {
    for (const t of ['1e5', 'Infinity', '0x10', '1234567890123456789.5', '.5', '1.', 'abc', '1.2.3', '-']) {
      expect(Object.is(parseDecimal(t, 0, t.length), Number(t))).toBe(true);
    }
    expect(parseDecimal('', 0, 0)).toBeNaN();
    expect(parseDecimal('   ', 0, 3)).toBeNaN();
    const scan = new FieldScanner();
    expect(scan.scan('2023-03-08 00:00:00,4024.75,,x', 44)).toBe(4);
    expect([scan.number(1), scan.number(2), scan.number(3), scan.text(3)]).toEqual([4024.75, Number.NaN, Number.NaN, 'x']);
    expect(scan.stamp(0)).toEqual({ ms: Date.UTC(2023, 2, 8), instant: false });
  });
});

describe('parseStamp', () => {
  const naive = (ms: number) => ({ ms, instant: false });
  const instant = (ms: number) => ({ ms, instant: true });
  it.each([
    ['2023-03-08 00:00:00', naive(Date.UTC(2023, 2, 8))],
    ['2023-03-08T09:30:15', naive(Date.UTC(2023, 2, 8, 9, 30, 15))],
    ['2025-10-09 18:00:00.032', naive(Date.UTC(2025, 9, 9, 18, 0, 0, 32))],
    ['2026-5-7 00:00:04.000000', naive(Date.UTC(2026, 4, 7, 0, 0, 4))],
    ['2026-05-07 09:30', naive(Date.UTC(2026, 4, 7, 9, 30))],
    ['09/09/1997 16:00:00', naive(Date.UTC(1997, 8, 9, 16))],
    ['09/09/1997', naive(Date.UTC(1997, 8, 9))],
    ['20131007 13:00', naive(Date.UTC(2013, 9, 7, 13))],
    ['20131007', naive(Date.UTC(2013, 9, 7))],
    ['2024-12-17T21:59:59.123456789Z', instant(Date.UTC(2024, 11, 17, 21, 59, 59, 123))],
    ['2024-12-17T16:59:59-05:00', instant(Date.UTC(2024, 11, 17, 21, 59, 59))],
    ['1734472799', instant(1_734_472_799_000)],
    ['1734472799000', instant(1_734_472_799_000)],
    ['1734472799000509200', instant(1_734_472_799_000)],
  ])('%s', (text, expected) => {
    expect(parseStamp(text)).toEqual(expected);
  });

  it.each(['2023-02-30 00:00:00', '2023-13-01', '2023-01-01 24:00:00', '2023-01-01 10:61', 'yesterday', '', '12345', '2100-02-29'])('refuses %j', (text) => {
    expect(parseStamp(text)).toBeNull();
  });

  it('accepts 29 February of leap years only', () => {
    expect(parseStamp('2024-02-29 12:00:00')).toEqual(naive(Date.UTC(2024, 1, 29, 12)));
    expect(parseStamp('2023-02-29 12:00:00')).toBeNull();
  });

  it('reads toISOString() stamps (with and without milliseconds) as the instants they name, the scanner too', () => {
    const scanner = new FieldScanner();
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2199, 11, 31) }), (ms) => {
        const text = new Date(ms).toISOString();
        const whole = text.replace(/\.\d{3}Z$/, 'Z');
        expect(parseStamp(text)).toEqual(instant(ms));
        expect(parseStamp(whole)).toEqual(instant(ms - (ms % 1000)));
        scanner.scanLine(`${text},${whole}`, 0, text.length + whole.length + 1, ',');
        expect([scanner.stampMs(0), scanner.lastStampInstant]).toEqual([ms, true]);
        expect([scanner.stampMs(1), scanner.lastStampInstant]).toEqual([ms - (ms % 1000), true]);
      }),
    );
  });

  it.each(['2023-02-30T00:00:00.000Z', '2023-01-01T24:00:00Z', '2023-01-01T10:00:00.0a0Z', '2023-01-01T10:00:00.000X'])('refuses the ISO form %j when it is no instant', (text) => {
    expect(parseStamp(text)).toBeNull();
  });
});

describe('ZoneClock', () => {
  const wallOf = (tz: string, utc: number): number => {
    const f = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
        .formatToParts(utc)
        .map((p) => [p.type, Number(p.value)]),
    );
    return Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!) + (utc % 1000);
  };

  it('maps the wall clock Intl shows for an instant back to that instant (any zone, any time, DST included)', () => {
    const zones = ['America/New_York', 'America/Chicago', 'Europe/Madrid', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2035, 0, 1) }), (tz, t) => {
        const zone = new ZoneClock(tz);
        const wall = wallOf(tz, t);
        // In a repeated hour the wall clock has two instants; the hint picks the later one.
        expect([zone.toUtc(wall), zone.toUtc(wall, t)]).toContain(t);
        expect(zone.toUtc(wall, t)).toBe(t);
      }),
      { numRuns: 1500 },
    );
  });

  it('a sequence of instants read back in order stays in order through the fall-back hour', () => {
    const zone = new ZoneClock('America/New_York');
    let prev = -Infinity;
    for (let t = Date.UTC(2023, 10, 5, 4); t < Date.UTC(2023, 10, 5, 8); t += 60_000) {
      const back = zone.toUtc(wallOf('America/New_York', t), prev);
      expect(back).toBe(t);
      prev = back;
    }
  });

  it('a wall time skipped by the spring-forward is NaN; unknown zones are refused', () => {
    expect(new ZoneClock('America/New_York').toUtc(Date.UTC(2023, 2, 12, 2, 30))).toBeNaN();
    expect(new ZoneClock('Europe/Madrid').toUtc(Date.UTC(2025, 2, 30, 2, 30))).toBeNaN();
    expect(() => new ZoneClock('Mars/Olympus')).toThrow(RangeError);
    expect(isValidTimeZone('America/Chicago')).toBe(true);
    expect(isValidTimeZone('EST5EDT_nope')).toBe(false);
  });
});
