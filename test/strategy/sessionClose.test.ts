import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SessionCalendar, SessionCloseRule } from '../../strategy/sessionClose.ts';
import { isGlobexOpen, isRth } from '../../core/tradingDay.ts';
import { chicagoTime } from '../../core/zonedTime.ts';
import { CME_EQUITY_CALENDAR } from '../../core/cmeCalendar.ts';

const MIN = 60_000;
const utc = (s: string) => Date.parse(s);

/**
 * Oracle for "open" with CME holidays, written from the calendar's data and Intl wall-clock
 * fields (not from SessionCalendar's arithmetic): a closed day has no hours and no evening
 * session before it; a halt or early close ends the day's hours at its close; RTH does not
 * exist on a holiday halt.
 */
const special = new Map(CME_EQUITY_CALENDAR.map((d) => [d.date, d]));
const hhmm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
const chicagoDate = (ms: number) => {
  const t = chicagoTime(ms);
  return new Date(Date.UTC(t.year, t.month - 1, t.day)).toISOString().slice(0, 10);
};
const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
function globexOpenOnCalendar(ms: number): boolean {
  if (!isGlobexOpen(ms)) return false;
  const t = chicagoTime(ms);
  const minute = t.hour * 60 + t.minute;
  const date = chicagoDate(ms);
  if (minute >= 17 * 60) return special.get(nextDate(date))?.kind !== 'closed';
  const day = special.get(date);
  if (!day) return true;
  return day.kind !== 'closed' && minute < hhmm(day.close!);
}
function rthOnCalendar(ms: number): boolean {
  if (!isRth(ms)) return false;
  const day = special.get(chicagoDate(ms));
  if (!day) return true;
  const t = chicagoTime(ms);
  return day.kind === 'early' && t.hour * 60 + t.minute < hhmm(day.close!);
}

describe('SessionCalendar: where a trading segment ends (hand-computed instants)', () => {
  const globex = new SessionCalendar('globex');
  const rth = new SessionCalendar('rth');

  it.each([
    // November 2025 is CST (UTC-6): 16:00 CT = 22:00Z.
    ['Tue 09:00 CT -> Tue 16:00 CT', '2025-11-04T15:00:00Z', '2025-11-04T22:00:00Z'],
    ['Tue 15:59 CT -> Tue 16:00 CT', '2025-11-04T21:59:00Z', '2025-11-04T22:00:00Z'],
    ['Tue 17:00 CT (reopen) -> Wed 16:00 CT', '2025-11-04T23:00:00Z', '2025-11-05T22:00:00Z'],
    ['Tue 23:30 CT (Wed 05:30Z) -> Wed 16:00 CT', '2025-11-05T05:30:00Z', '2025-11-05T22:00:00Z'],
    ['Fri 10:00 CT -> Fri 16:00 CT (the weekly close)', '2025-11-07T16:00:00Z', '2025-11-07T22:00:00Z'],
    ['Sun 17:30 CT -> Mon 16:00 CT', '2025-11-09T23:30:00Z', '2025-11-10T22:00:00Z'],
    // July 2023 is CDT (UTC-5): 16:00 CT = 21:00Z.
    ['Mon 08:00 CDT -> Mon 16:00 CDT', '2023-07-10T13:00:00Z', '2023-07-10T21:00:00Z'],
    // DST starts Sun 2023-03-12 02:00 CT, while Globex is closed: the Sunday evening
    // segment is already on CDT.
    ['Sun 17:00 CDT after the switch -> Mon 16:00 CDT', '2023-03-12T22:00:00Z', '2023-03-13T21:00:00Z'],
    ['Fri 10:00 CST before the switch -> Fri 16:00 CST', '2023-03-10T16:00:00Z', '2023-03-10T22:00:00Z'],
  ])('globex: %s', (_, at, end) => {
    expect(new Date(globex.endOf(utc(at))).toISOString()).toBe(new Date(utc(end)).toISOString());
  });

  it.each([
    ['the daily halt, Tue 16:30 CT', '2025-11-04T22:30:00Z'],
    ['exactly 16:00 CT', '2025-11-04T22:00:00Z'],
    ['Saturday', '2025-11-08T15:00:00Z'],
    ['Sunday before the open, 16:59 CT', '2025-11-09T22:59:00Z'],
    ['Friday 16:00 CT', '2025-11-07T22:00:00Z'],
  ])('globex: closed at %s -> the instant itself', (_, at) => {
    expect(globex.endOf(utc(at))).toBe(utc(at));
  });

  it('rth: 09:00 CT ends at 15:00 CT; outside 08:30-15:00 on weekdays and on weekends it is closed', () => {
    expect(rth.endOf(utc('2025-11-04T15:00:00Z'))).toBe(utc('2025-11-04T21:00:00Z'));
    expect(rth.endOf(utc('2025-11-04T14:30:00Z'))).toBe(utc('2025-11-04T21:00:00Z')); // 08:30 CT opens
    for (const at of ['2025-11-04T14:29:00Z', '2025-11-04T21:00:00Z', '2025-11-04T21:30:00Z', '2025-11-05T02:00:00Z', '2025-11-08T17:00:00Z']) {
      expect(rth.endOf(utc(at)), at).toBe(utc(at));
    }
    expect(rth.endOf(utc('2023-07-10T14:00:00Z'))).toBe(utc('2023-07-10T20:00:00Z')); // CDT
  });

  it('property: on any minute of 2020-2027 the end is the first closed minute after an open one, holidays included', () => {
    const calendars = { globex, rth } as const;
    const openAt = { globex: globexOpenOnCalendar, rth: rthOnCalendar } as const;
    fc.assert(
      fc.property(fc.integer({ min: utc('2020-01-01T00:00:00Z') / MIN, max: utc('2027-12-31T00:00:00Z') / MIN }), fc.constantFrom('globex', 'rth'), (minute, kind: 'globex' | 'rth') => {
        const ms = minute * MIN;
        const end = new SessionCalendar(kind).endOf(ms);
        if (!openAt[kind](ms)) return end === ms;
        // Reuse one calendar too: the cached offsets must not change the answer.
        expect(calendars[kind].endOf(ms)).toBe(end);
        const t = chicagoTime(end);
        const day = special.get(chicagoDate(end));
        const regular = t.minute === 0 && t.hour === (kind === 'rth' ? 15 : 16);
        const early = day !== undefined && day.kind !== 'closed' && t.hour * 60 + t.minute === hhmm(day.close!);
        return end > ms && end - ms <= 24 * 60 * MIN && (regular || early) && openAt[kind](end - MIN) && !openAt[kind](end);
      }),
      { numRuns: 300 },
    );
  });

  it('property: the holiday and early-close days themselves, minute by minute', () => {
    // Random minutes rarely hit the ~11 special days a year: walk each one's 48 hours around it.
    const days = fc.constantFrom(...CME_EQUITY_CALENDAR.map((d) => d.date));
    fc.assert(
      fc.property(days, fc.integer({ min: -24 * 60, max: 24 * 60 - 1 }), fc.constantFrom('globex', 'rth'), (date, offsetMin, kind: 'globex' | 'rth') => {
        const openAt = kind === 'globex' ? globexOpenOnCalendar : rthOnCalendar;
        const ms = utc(`${date}T18:00:00Z`) + offsetMin * MIN;
        const end = new SessionCalendar(kind).endOf(ms);
        if (!openAt(ms)) return end === ms;
        return end > ms && openAt(end - MIN) && !openAt(end);
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    // The day after Thanksgiving 2023 (CST): 12:15 CT = 18:15Z.
    ['Black Friday 09:00 CST -> the 12:15 CT early close', 'globex', '2023-11-24T15:00:00Z', '2023-11-24T18:15:00Z'],
    ['Black Friday RTH 09:00 CST -> 12:15 CT', 'rth', '2023-11-24T15:00:00Z', '2023-11-24T18:15:00Z'],
    ['Thanksgiving eve 17:00 CST -> the 12:00 CT Thanksgiving halt', 'globex', '2023-11-22T23:00:00Z', '2023-11-23T18:00:00Z'],
    ['Thanksgiving 17:00 CST (reopen) -> Friday 12:15 CT', 'globex', '2023-11-23T23:00:00Z', '2023-11-24T18:15:00Z'],
    // Labor Day 2023 (CDT): the 12:00 CT halt = 17:00Z.
    ['Sun 17:00 CDT before Labor Day -> Monday 12:00 CT', 'globex', '2023-09-03T22:00:00Z', '2023-09-04T17:00:00Z'],
    ['Labor Day 17:00 CDT (reopen) -> Tuesday 16:00 CT', 'globex', '2023-09-04T22:00:00Z', '2023-09-05T21:00:00Z'],
    // Christmas Eve 2025 closes at 12:15 CST; Christmas is closed; it reopens at 17:00 CT.
    ['Christmas Eve 09:00 CST -> 12:15 CT', 'globex', '2025-12-24T15:00:00Z', '2025-12-24T18:15:00Z'],
    ['Christmas 17:00 CST (reopen) -> Dec 26 16:00 CT', 'globex', '2025-12-25T23:00:00Z', '2025-12-26T22:00:00Z'],
    // 2025-01-09 National Day of Mourning: equities until 08:30 CT.
    ['2025-01-08 17:00 CST -> 2025-01-09 08:30 CT', 'globex', '2025-01-08T23:00:00Z', '2025-01-09T14:30:00Z'],
  ] as const)('holidays: %s', (_, kind, at, end) => {
    expect(new Date(new SessionCalendar(kind).endOf(utc(at))).toISOString()).toBe(new Date(utc(end)).toISOString());
  });

  it.each([
    ['Labor Day 12:00 CDT, halted', 'globex', '2023-09-04T17:00:00Z'],
    ['Labor Day 10:00 CDT, no RTH on a holiday', 'rth', '2023-09-04T15:00:00Z'],
    ['Black Friday 12:15 CST, closed early', 'globex', '2023-11-24T18:15:00Z'],
    ['Christmas Eve 17:00 CST, no evening session before Christmas', 'globex', '2025-12-24T23:00:00Z'],
    ['Christmas Day 10:00 CST', 'globex', '2025-12-25T16:00:00Z'],
    ['Thu 17:00 CDT before Good Friday 2024', 'globex', '2024-03-28T22:00:00Z'],
    ['Good Friday 2024 09:00 CDT', 'globex', '2024-03-29T14:00:00Z'],
    ['Good Friday 2023 RTH 08:30 CDT: closed at 08:15', 'rth', '2023-04-07T13:30:00Z'],
  ] as const)('holidays: closed at %s -> the instant itself', (_, kind, at) => {
    expect(new SessionCalendar(kind).endOf(utc(at))).toBe(utc(at));
  });
});

describe('SessionCloseRule', () => {
  const rule = new SessionCloseRule({ session: 'globex', flattenBeforeCloseMinutes: 5, noEntryBeforeCloseMinutes: 15 });
  const close = utc('2025-11-04T22:00:00Z'); // Tue 16:00 CT

  it('blocks entries from 15 minutes before the halt (inclusive) and while the market is closed', () => {
    expect(rule.blocksEntry(close - 16 * MIN)).toBe(false);
    expect(rule.blocksEntry(close - 15 * MIN - 1)).toBe(false);
    expect(rule.blocksEntry(close - 15 * MIN)).toBe(true);
    expect(rule.blocksEntry(close - MIN)).toBe(true);
    expect(rule.blocksEntry(close + 30 * MIN)).toBe(true); // the halt
    expect(rule.blocksEntry(close + 60 * MIN)).toBe(false); // 17:00 CT reopen
  });

  it('exits from 5 minutes before the deadline (inclusive), and at once after it', () => {
    const since = close - 3 * 60 * MIN;
    const deadline = rule.deadline(since);
    expect(deadline).toBe(close);
    expect(rule.mustExit(close - 6 * MIN, deadline)).toBe(false);
    expect(rule.mustExit(close - 5 * MIN, deadline)).toBe(true);
    expect(rule.mustExit(close + 61 * MIN, deadline)).toBe(true);
    // A position opened while the market is closed must go at once.
    expect(rule.mustExit(close + 10 * MIN, rule.deadline(close + 10 * MIN))).toBe(true);
  });

  it('flattens before an early close and takes no entry in the minutes before it (day after Thanksgiving 2023, 12:15 CT)', () => {
    const earlyClose = utc('2023-11-24T18:15:00Z');
    const since = utc('2023-11-24T16:00:00Z'); // 10:00 CST
    const deadline = rule.deadline(since);
    expect(deadline).toBe(earlyClose);
    expect(rule.mustExit(earlyClose - 6 * MIN, deadline)).toBe(false);
    expect(rule.mustExit(earlyClose - 5 * MIN, deadline)).toBe(true);
    expect(rule.blocksEntry(earlyClose - 16 * MIN)).toBe(false);
    expect(rule.blocksEntry(earlyClose - 15 * MIN)).toBe(true);
    // Between the early close and the weekend nothing is entered.
    expect(rule.blocksEntry(utc('2023-11-24T20:00:00Z'))).toBe(true);
    // A holiday halt works alike: Labor Day 2023 halts at 12:00 CDT (17:00Z).
    expect(rule.deadline(utc('2023-09-04T14:00:00Z'))).toBe(utc('2023-09-04T17:00:00Z'));
    expect(rule.blocksEntry(utc('2023-09-04T16:45:00Z'))).toBe(true);
  });

  it('never lets the no-entry window be shorter than the flatten window', () => {
    const r = new SessionCloseRule({ session: 'globex', flattenBeforeCloseMinutes: 10, noEntryBeforeCloseMinutes: 2 });
    expect(r.blocksEntry(close - 11 * MIN)).toBe(false);
    expect(r.blocksEntry(close - 10 * MIN)).toBe(true);
  });

  it("session 'rth' closes at 15:00 CT; 'none' never exits and never blocks", () => {
    const r = new SessionCloseRule({ session: 'rth', flattenBeforeCloseMinutes: 5, noEntryBeforeCloseMinutes: 15 });
    expect(r.deadline(utc('2025-11-04T15:00:00Z'))).toBe(utc('2025-11-04T21:00:00Z'));
    expect(r.blocksEntry(utc('2025-11-04T20:44:00Z'))).toBe(false);
    expect(r.blocksEntry(utc('2025-11-04T20:45:00Z'))).toBe(true);
    expect(r.blocksEntry(utc('2025-11-05T02:00:00Z'))).toBe(true); // overnight
    const off = new SessionCloseRule({ session: 'none', flattenBeforeCloseMinutes: 5, noEntryBeforeCloseMinutes: 15 });
    expect(off.enabled).toBe(false);
    expect(off.blocksEntry(close + 30 * MIN)).toBe(false);
    expect(off.mustExit(close + 30 * MIN, off.deadline(close - MIN))).toBe(false);
  });

  it('names the key of a bad window', () => {
    expect(() => new SessionCloseRule({ session: 'globex', flattenBeforeCloseMinutes: -1, noEntryBeforeCloseMinutes: 15 })).toThrow(/strategy\.exits\.flattenBeforeCloseMinutes/);
  });
});
