/**
 * CME Globex holiday and early-close calendar for equity index futures (ES, MES, NQ), as
 * data, 2020-2027. All times are America/Chicago wall-clock times.
 *
 * Three kinds of day (CME's holiday schedules):
 * - `closed`: no trading on that date and no evening session before it; not a trade date.
 *   Trading resumes at 17:00 CT on that date (or Sunday) for the next trade date.
 * - `halt`: a US holiday on which Globex trades from 17:00 CT the evening before until
 *   `close`, then halts until 17:00 CT. There is no trade date: CME books the holiday's
 *   trades on the next trade date ("open at 5:00 p.m. for trade date of ...").
 * - `early`: a trade date whose session ends at `close` instead of 16:00 CT.
 *
 * Sources: CME Group's holiday calendar and trading-hours pages and its announcements
 * (e.g. the 2025-01-09 National Day of Mourning: equity products until 08:30 CT; July 4th
 * 2024: equities close 12:15 CT on July 3, halt 12:00 CT on July 4, "open at 5:00 p.m. for
 * trade date of Friday, July 5"), cross-checked with the rules of pandas_market_calendars'
 * CME Globex equities calendar (12:00 CT holiday halts since 2015, 12:15 CT early closes on
 * the day after Thanksgiving, Christmas Eve and the day before July 4th from Tuesday to
 * Friday). Good Friday is closed except when the US employment report is released that day
 * (2021, 2023, 2026): then equities trade until 08:15 CT. The 2026 Good Friday and every
 * 2027 entry follow those rules ahead of CME's announcement: check them when CME publishes.
 */
import { dayNumberOf } from './zonedTime.ts';

export type CmeDayKind = 'closed' | 'halt' | 'early';

export interface CmeCalendarDay {
  /** Chicago calendar date, YYYY-MM-DD. */
  date: string;
  kind: CmeDayKind;
  /** For `halt` and `early`: the Chicago wall time (HH:MM) trading stops. */
  close?: string;
  name: string;
}

/** The first and last dates the calendar covers; outside it, only weekends are known. */
export const CME_CALENDAR_FROM = '2020-01-01';
export const CME_CALENDAR_TO = '2027-12-31';

const closed = (date: string, name: string): CmeCalendarDay => ({ date, kind: 'closed', name });
const halt = (date: string, name: string): CmeCalendarDay => ({ date, kind: 'halt', close: '12:00', name });
const early = (date: string, name: string, close = '12:15'): CmeCalendarDay => ({ date, kind: 'early', close, name });

const NEW_YEAR = "New Year's Day";
const MLK = 'Martin Luther King Jr. Day';
const PRESIDENTS = "Presidents' Day";
const GOOD_FRIDAY = 'Good Friday';
const GOOD_FRIDAY_NFP = 'Good Friday (employment report released)';
const MEMORIAL = 'Memorial Day';
const JUNETEENTH = 'Juneteenth';
const JULY_3 = 'Day before Independence Day';
const JULY_4 = 'Independence Day';
const LABOR = 'Labor Day';
const THANKSGIVING = 'Thanksgiving Day';
const BLACK_FRIDAY = 'Day after Thanksgiving';
const CHRISTMAS_EVE = 'Christmas Eve';
const CHRISTMAS = 'Christmas Day';

/** ES Globex holidays and early closes, in date order. Observed dates when a holiday falls on a weekend. */
export const CME_EQUITY_CALENDAR: readonly CmeCalendarDay[] = [
  // 2020
  closed('2020-01-01', NEW_YEAR),
  halt('2020-01-20', MLK),
  halt('2020-02-17', PRESIDENTS),
  closed('2020-04-10', GOOD_FRIDAY),
  halt('2020-05-25', MEMORIAL),
  halt('2020-07-03', `${JULY_4} (observed)`),
  halt('2020-09-07', LABOR),
  halt('2020-11-26', THANKSGIVING),
  early('2020-11-27', BLACK_FRIDAY),
  early('2020-12-24', CHRISTMAS_EVE),
  closed('2020-12-25', CHRISTMAS),
  // 2021
  closed('2021-01-01', NEW_YEAR),
  halt('2021-01-18', MLK),
  halt('2021-02-15', PRESIDENTS),
  early('2021-04-02', GOOD_FRIDAY_NFP, '08:15'),
  halt('2021-05-31', MEMORIAL),
  halt('2021-07-05', `${JULY_4} (observed)`),
  halt('2021-09-06', LABOR),
  halt('2021-11-25', THANKSGIVING),
  early('2021-11-26', BLACK_FRIDAY),
  closed('2021-12-24', `${CHRISTMAS} (observed)`),
  // 2022 (New Year's Day 2022 fell on a Saturday: no weekday closure)
  halt('2022-01-17', MLK),
  halt('2022-02-21', PRESIDENTS),
  closed('2022-04-15', GOOD_FRIDAY),
  halt('2022-05-30', MEMORIAL),
  halt('2022-06-20', `${JUNETEENTH} (observed)`),
  halt('2022-07-04', JULY_4),
  halt('2022-09-05', LABOR),
  halt('2022-11-24', THANKSGIVING),
  early('2022-11-25', BLACK_FRIDAY),
  closed('2022-12-26', `${CHRISTMAS} (observed)`),
  // 2023
  closed('2023-01-02', `${NEW_YEAR} (observed)`),
  halt('2023-01-16', MLK),
  halt('2023-02-20', PRESIDENTS),
  early('2023-04-07', GOOD_FRIDAY_NFP, '08:15'),
  halt('2023-05-29', MEMORIAL),
  halt('2023-06-19', JUNETEENTH),
  early('2023-07-03', JULY_3),
  halt('2023-07-04', JULY_4),
  halt('2023-09-04', LABOR),
  halt('2023-11-23', THANKSGIVING),
  early('2023-11-24', BLACK_FRIDAY),
  closed('2023-12-25', CHRISTMAS),
  // 2024
  closed('2024-01-01', NEW_YEAR),
  halt('2024-01-15', MLK),
  halt('2024-02-19', PRESIDENTS),
  closed('2024-03-29', GOOD_FRIDAY),
  halt('2024-05-27', MEMORIAL),
  halt('2024-06-19', JUNETEENTH),
  early('2024-07-03', JULY_3),
  halt('2024-07-04', JULY_4),
  halt('2024-09-02', LABOR),
  halt('2024-11-28', THANKSGIVING),
  early('2024-11-29', BLACK_FRIDAY),
  early('2024-12-24', CHRISTMAS_EVE),
  closed('2024-12-25', CHRISTMAS),
  // 2025
  closed('2025-01-01', NEW_YEAR),
  early('2025-01-09', 'National Day of Mourning (President Carter)', '08:30'),
  halt('2025-01-20', MLK),
  halt('2025-02-17', PRESIDENTS),
  closed('2025-04-18', GOOD_FRIDAY),
  halt('2025-05-26', MEMORIAL),
  halt('2025-06-19', JUNETEENTH),
  early('2025-07-03', JULY_3),
  halt('2025-07-04', JULY_4),
  halt('2025-09-01', LABOR),
  halt('2025-11-27', THANKSGIVING),
  early('2025-11-28', BLACK_FRIDAY),
  early('2025-12-24', CHRISTMAS_EVE),
  closed('2025-12-25', CHRISTMAS),
  // 2026
  closed('2026-01-01', NEW_YEAR),
  halt('2026-01-19', MLK),
  halt('2026-02-16', PRESIDENTS),
  early('2026-04-03', GOOD_FRIDAY_NFP, '08:15'),
  halt('2026-05-25', MEMORIAL),
  halt('2026-06-19', JUNETEENTH),
  halt('2026-07-03', `${JULY_4} (observed)`),
  halt('2026-09-07', LABOR),
  halt('2026-11-26', THANKSGIVING),
  early('2026-11-27', BLACK_FRIDAY),
  early('2026-12-24', CHRISTMAS_EVE),
  closed('2026-12-25', CHRISTMAS),
  // 2027 (New Year's Day 2028 falls on a Saturday: 2027-12-31 is a regular day)
  closed('2027-01-01', NEW_YEAR),
  halt('2027-01-18', MLK),
  halt('2027-02-15', PRESIDENTS),
  closed('2027-03-26', GOOD_FRIDAY),
  halt('2027-05-31', MEMORIAL),
  halt('2027-06-18', `${JUNETEENTH} (observed)`),
  halt('2027-07-05', `${JULY_4} (observed)`),
  halt('2027-09-06', LABOR),
  halt('2027-11-25', THANKSGIVING),
  early('2027-11-26', BLACK_FRIDAY),
  closed('2027-12-24', `${CHRISTMAS} (observed)`),
];

/** A calendar day as the hot path reads it: the kind and the close as minutes after Chicago midnight. */
export interface CmeSpecialDay {
  kind: CmeDayKind;
  /** Minutes after midnight CT that trading stops (`halt`, `early`); 0 for `closed`. */
  closeMinute: number;
  name: string;
}

const minutesOf = (hhmm: string): number => {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  if (!m) throw new Error(`cmeCalendar: bad close time "${hhmm}"`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/** Keyed by the Chicago date as days since 1970-01-01. */
const BY_DAY = new Map<number, CmeSpecialDay>(
  CME_EQUITY_CALENDAR.map((d) => [dayNumberOf(d.date), { kind: d.kind, closeMinute: d.close ? minutesOf(d.close) : 0, name: d.name }]),
);

/** The holiday or early close on a Chicago date (days since 1970-01-01), if any. */
export function cmeSpecialDay(dayNumber: number): CmeSpecialDay | undefined {
  return BY_DAY.get(dayNumber);
}

/** Weekday of a day number, 0 = Sunday. */
export const weekdayOf = (dayNumber: number): number => (((dayNumber + 4) % 7) + 7) % 7;

/** A CME equity trade date: a weekday that is neither closed nor a holiday halt. */
export function isCmeTradeDate(dayNumber: number): boolean {
  const weekday = weekdayOf(dayNumber);
  if (weekday === 0 || weekday === 6) return false;
  const special = BY_DAY.get(dayNumber);
  return special === undefined || special.kind === 'early';
}

/** The first trade date on or after `dayNumber`. */
export function nextCmeTradeDate(dayNumber: number): number {
  let day = dayNumber;
  while (!isCmeTradeDate(day)) day++;
  return day;
}
