import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SessionCalendar, SessionCloseRule } from '../../strategy/sessionClose.ts';
import { chicagoTime, isGlobexOpen, isRth } from '../../core/tradingDay.ts';

const MIN = 60_000;
const utc = (s: string) => Date.parse(s);

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

  it('agrees with core/tradingDay on any minute of 2020-2027: the end is the first closed minute after an open one', () => {
    const calendars = { globex, rth } as const;
    const openAt = { globex: isGlobexOpen, rth: isRth } as const;
    fc.assert(
      fc.property(fc.integer({ min: utc('2020-01-01T00:00:00Z') / MIN, max: utc('2027-12-31T00:00:00Z') / MIN }), fc.constantFrom('globex', 'rth'), (minute, kind: 'globex' | 'rth') => {
        const ms = minute * MIN;
        const end = new SessionCalendar(kind).endOf(ms);
        if (!openAt[kind](ms)) return end === ms;
        // Reuse one calendar too: the cached offsets must not change the answer.
        expect(calendars[kind].endOf(ms)).toBe(end);
        const t = chicagoTime(end);
        return end > ms && end - ms <= 24 * 60 * MIN && t.minute === 0 && t.hour === (kind === 'rth' ? 15 : 16) && openAt[kind](end - MIN) && !openAt[kind](end);
      }),
      { numRuns: 300 },
    );
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
