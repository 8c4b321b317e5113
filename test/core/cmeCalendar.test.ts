import { describe, it, expect } from 'vitest';
import {
  CME_CALENDAR_FROM,
  CME_CALENDAR_TO,
  CME_EQUITY_CALENDAR,
  cmeSpecialDay,
  isCmeTradeDate,
  nextCmeTradeDate,
} from '../../core/cmeCalendar.ts';
import { dayNumberOf, isoDate } from '../../core/zonedTime.ts';

const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const day = (date: string) => cmeSpecialDay(dayNumberOf(date));

/** Easter Sunday (Gregorian; the anonymous "Meeus/Jones/Butcher" algorithm), an oracle independent of the data. */
function easter(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const dayOfMonth = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}
const addDays = (date: string, n: number) => isoDate(dayNumberOf(date) + n);
/** The n-th weekday `wd` of a month (n = -1: the last). */
function nthWeekday(year: number, month: number, wd: number, n: number): string {
  if (n > 0) {
    const first = Date.UTC(year, month - 1, 1);
    const shift = (wd - new Date(first).getUTCDay() + 7) % 7;
    return isoDate(first / 86_400_000 + shift + 7 * (n - 1));
  }
  const last = Date.UTC(year, month, 0);
  const shift = (new Date(last).getUTCDay() - wd + 7) % 7;
  return isoDate(last / 86_400_000 - shift);
}
/** A fixed-date federal holiday as observed: Saturday -> Friday, Sunday -> Monday. */
function observed(date: string): string {
  const wd = weekday(date);
  return wd === 6 ? addDays(date, -1) : wd === 0 ? addDays(date, 1) : date;
}

describe('CME equity holiday calendar (data)', () => {
  it('is in date order, one entry per date, on weekdays, within 2020-2027, with well-formed closes', () => {
    const dates = CME_EQUITY_CALENDAR.map((d) => d.date);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(dates.length);
    for (const d of CME_EQUITY_CALENDAR) {
      expect(weekday(d.date), d.date).toBeGreaterThanOrEqual(1);
      expect(weekday(d.date), d.date).toBeLessThanOrEqual(5);
      expect(d.date >= CME_CALENDAR_FROM && d.date <= CME_CALENDAR_TO, d.date).toBe(true);
      if (d.kind === 'closed') expect(d.close, d.date).toBeUndefined();
      else expect(d.close, d.date).toMatch(/^(0\d|1[0-5]):[0-5]\d$/);
      if (d.kind === 'halt') expect(d.close, d.date).toBe('12:00');
    }
  });

  it('has every US holiday CME equity futures observe, on its rule date, every year 2020-2027', () => {
    for (let y = 2020; y <= 2027; y++) {
      const expectHalt = (date: string, what: string) => expect(day(date)?.kind, `${what} ${date}`).toBe('halt');
      expectHalt(nthWeekday(y, 1, 1, 3), 'MLK');
      expectHalt(nthWeekday(y, 2, 1, 3), "Presidents'");
      expectHalt(nthWeekday(y, 5, 1, -1), 'Memorial');
      expectHalt(nthWeekday(y, 9, 1, 1), 'Labor');
      const thanksgiving = nthWeekday(y, 11, 4, 4);
      expectHalt(thanksgiving, 'Thanksgiving');
      expect(day(addDays(thanksgiving, 1)), `day after Thanksgiving ${y}`).toMatchObject({ kind: 'early', closeMinute: 12 * 60 + 15 });
      expectHalt(observed(`${y}-07-04`), 'Independence Day');
      if (y >= 2022) expectHalt(observed(`${y}-06-19`), 'Juneteenth');
      // Good Friday: closed, or open until 08:15 CT when the employment report comes out.
      const goodFriday = day(addDays(easter(y), -2));
      expect(goodFriday, `Good Friday ${y}`).toBeDefined();
      if (goodFriday!.kind === 'early') expect(goodFriday!.closeMinute).toBe(8 * 60 + 15);
      else expect(goodFriday!.kind).toBe('closed');
      // Christmas and New Year's Day, observed (a Saturday New Year's Day is not moved to Friday).
      expect(day(observed(`${y}-12-25`))?.kind, `Christmas ${y}`).toBe('closed');
      const newYear = `${y}-01-01`;
      if (weekday(newYear) !== 6) expect(day(observed(newYear))?.kind, `New Year ${y}`).toBe('closed');
      // Christmas Eve on a Monday-Thursday closes at 12:15 CT.
      const eve = `${y}-12-24`;
      if (weekday(eve) >= 1 && weekday(eve) <= 4) expect(day(eve), `Christmas Eve ${y}`).toMatchObject({ kind: 'early', closeMinute: 12 * 60 + 15 });
    }
  });

  it('knows specific days', () => {
    expect(day('2023-11-24')).toMatchObject({ kind: 'early', closeMinute: 12 * 60 + 15 });
    expect(day('2024-03-29')?.kind).toBe('closed');
    expect(day('2023-04-07')).toMatchObject({ kind: 'early', closeMinute: 8 * 60 + 15 });
    expect(day('2025-12-25')?.kind).toBe('closed');
    expect(day('2025-01-09')).toMatchObject({ kind: 'early', closeMinute: 8 * 60 + 30 });
    expect(day('2024-07-03')).toMatchObject({ kind: 'early', closeMinute: 12 * 60 + 15 });
    expect(day('2023-09-04')).toMatchObject({ kind: 'halt', closeMinute: 12 * 60 });
    expect(day('2023-10-09')).toBeUndefined(); // Columbus Day: a regular CME day
    expect(day('2022-01-03')).toBeUndefined(); // New Year's Day 2022 fell on a Saturday
  });

  it('trade dates skip weekends, closures and holiday halts, never early closes', () => {
    expect(isCmeTradeDate(dayNumberOf('2023-11-24'))).toBe(true);
    expect(isCmeTradeDate(dayNumberOf('2023-11-23'))).toBe(false);
    expect(isCmeTradeDate(dayNumberOf('2023-11-25'))).toBe(false);
    expect(isoDate(nextCmeTradeDate(dayNumberOf('2024-03-29')))).toBe('2024-04-01');
    expect(isoDate(nextCmeTradeDate(dayNumberOf('2025-12-25')))).toBe('2025-12-26');
    expect(isoDate(nextCmeTradeDate(dayNumberOf('2022-12-24')))).toBe('2022-12-27'); // Sat, Sun, observed Christmas
    expect(isoDate(nextCmeTradeDate(dayNumberOf('2023-11-22')))).toBe('2023-11-22');
  });
});
