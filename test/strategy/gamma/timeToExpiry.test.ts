import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calendarDaysBetween, easternDate, easternOffsetMinutes, easternWallTimeToUtc } from '../../../core/zonedTime.ts';
import { DEFAULT_MIN_YEARS, YEAR_MS, settlementOfRoot, settlementTime, yearsToExpiry } from '../../../strategy/gamma/timeToExpiry.ts';

describe('US/Eastern wall-clock time', () => {
  it('knows the offset on both sides of the 2023 DST switches', () => {
    expect(easternOffsetMinutes(Date.parse('2023-01-15T12:00:00Z'))).toBe(-300);
    expect(easternOffsetMinutes(Date.parse('2023-07-15T12:00:00Z'))).toBe(-240);
    // Spring forward 2023-03-12 02:00 EST -> 03:00 EDT (07:00 UTC).
    expect(easternOffsetMinutes(Date.parse('2023-03-12T06:59:00Z'))).toBe(-300);
    expect(easternOffsetMinutes(Date.parse('2023-03-12T07:00:00Z'))).toBe(-240);
  });

  it('maps wall-clock times to instants, and back to the same date', () => {
    expect(easternWallTimeToUtc(2024, 1, 19, 16, 0)).toBe(Date.parse('2024-01-19T21:00:00Z'));
    expect(easternWallTimeToUtc(2023, 6, 16, 9, 30)).toBe(Date.parse('2023-06-16T13:30:00Z'));
    expect(easternWallTimeToUtc(2023, 3, 12, 16, 0)).toBe(Date.parse('2023-03-12T20:00:00Z'));
    expect(easternWallTimeToUtc(2023, 11, 5, 16, 0)).toBe(Date.parse('2023-11-05T21:00:00Z'));
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 4, max: 23 }), (d, hour) => {
        const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
        const ms = easternWallTimeToUtc(y, m, day, hour, 0);
        expect(easternDate(ms)).toBe(d.toISOString().slice(0, 10));
        // Eastern is 4 or 5 hours behind UTC.
        const lag = (ms - Date.UTC(y, m - 1, day, hour)) / 3_600_000;
        expect([4, 5]).toContain(lag);
      }),
    );
  });

  it('counts calendar days between dates', () => {
    expect(calendarDaysBetween('2024-01-07', '2024-01-19')).toBe(12);
    expect(calendarDaysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(calendarDaysBetween('2024-01-19', '2024-01-07')).toBe(-12);
    expect(calendarDaysBetween('2023-03-11', '2023-03-13')).toBe(2);
  });
});

describe('time to expiry', () => {
  it('settles PM contracts at 16:00 ET and AM contracts at 09:30 ET', () => {
    expect(settlementTime('2024-01-19', 'pm')).toBe(Date.parse('2024-01-19T21:00:00Z'));
    expect(settlementTime('2024-01-19', 'am')).toBe(Date.parse('2024-01-19T14:30:00Z'));
    expect(settlementTime('2023-09-15', 'pm')).toBe(Date.parse('2023-09-15T20:00:00Z'));
    expect(settlementTime('2023-09-15')).toBe(settlementTime('2023-09-15', 'pm'));
    expect(settlementTime('15/09/2023')).toBeNaN();
  });

  it('reads the settlement style from the OSI root', () => {
    expect(settlementOfRoot('SPX')).toBe('am');
    expect(settlementOfRoot('SPXW')).toBe('pm');
    expect(settlementOfRoot('SPY')).toBe('pm');
    expect(settlementOfRoot('')).toBe('pm');
  });

  it('is ACT/365 years to settlement, null once settled, floored near the bell', () => {
    const settle = Date.parse('2024-01-19T21:00:00Z');
    expect(yearsToExpiry(settle - 86_400_000, '2024-01-19')).toBeCloseTo(1 / 365, 15);
    expect(yearsToExpiry(settle - 10 * 86_400_000, '2024-01-19')).toBeCloseTo(10 / 365, 15);
    expect(yearsToExpiry(settle, '2024-01-19')).toBeNull();
    expect(yearsToExpiry(settle + 1, '2024-01-19')).toBeNull();
    // One minute before the bell: the one-hour floor, not 1/525600 of a year.
    expect(yearsToExpiry(settle - 60_000, '2024-01-19')).toBe(DEFAULT_MIN_YEARS);
    expect(DEFAULT_MIN_YEARS * YEAR_MS).toBe(3_600_000);
    expect(yearsToExpiry(settle - 60_000, '2024-01-19', 'pm', 1e-9)).toBeCloseTo(60_000 / YEAR_MS, 15);
    // On a monthly expiry day at noon the AM contract is gone, the PM one lives.
    const noon = Date.parse('2024-01-19T17:00:00Z');
    expect(yearsToExpiry(noon, '2024-01-19', 'am')).toBeNull();
    expect(yearsToExpiry(noon, '2024-01-19', 'pm')).toBeCloseTo(4 / (365 * 24), 12);
    expect(yearsToExpiry(noon, 'garbage')).toBeNull();
  });
});
