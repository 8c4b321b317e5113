import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TradingDayTracker, isRth, tradingDay } from '../../core/tradingDay.ts';

const MINUTE = 60_000;
const utc = (iso: string) => Date.parse(iso);

/** Chicago wall clock of an instant, computed here with Intl so the module is not its own oracle. */
const chicago = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Chicago', hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit',
});
const wall = (ms: number) => {
  const p = Object.fromEntries(chicago.formatToParts(ms).map((x) => [x.type, x.value]));
  return { weekday: p.weekday!, hour: Number(p.hour), minute: Number(p.minute) };
};

describe('tradingDay: the 17:00 America/Chicago boundary', () => {
  it.each([
    // winter, CST = UTC-6: 17:00 CT is 23:00Z
    ['2023-01-10T22:59:00Z', '2023-01-10', 'Tue 16:59 CST'],
    ['2023-01-10T23:00:00Z', '2023-01-11', 'Tue 17:00 CST'],
    ['2023-01-11T05:59:00Z', '2023-01-11', 'Tue 23:59 CST (next UTC day already)'],
    ['2023-01-11T06:00:00Z', '2023-01-11', 'Wed 00:00 CST'],
    // summer, CDT = UTC-5: 17:00 CT is 22:00Z
    ['2023-07-11T21:59:00Z', '2023-07-11', 'Tue 16:59 CDT'],
    ['2023-07-11T22:00:00Z', '2023-07-12', 'Tue 17:00 CDT'],
    ['2023-07-11T22:30:00Z', '2023-07-12', 'Tue 17:30 CDT (still Tue in UTC)'],
    ['2023-07-12T04:59:00Z', '2023-07-12', 'Tue 23:59 CDT'],
    // maintenance break belongs to the day that just closed
    ['2023-07-11T21:30:00Z', '2023-07-11', 'Tue 16:30 CDT'],
  ])('%s -> %s (%s)', (iso, day) => {
    expect(tradingDay(utc(iso))).toBe(day);
  });

  it('spring-forward week (DST starts Sun 2023-03-12): boundary moves from 23:00Z to 22:00Z', () => {
    expect(tradingDay(utc('2023-03-09T22:59:00Z'))).toBe('2023-03-09'); // Thu 16:59 CST
    expect(tradingDay(utc('2023-03-09T23:00:00Z'))).toBe('2023-03-10'); // Thu 17:00 CST
    expect(tradingDay(utc('2023-03-12T07:59:00Z'))).toBe('2023-03-13'); // Sun 01:59 CST, just before the jump
    expect(tradingDay(utc('2023-03-12T08:00:00Z'))).toBe('2023-03-13'); // Sun 03:00 CDT, just after
    expect(tradingDay(utc('2023-03-12T22:00:00Z'))).toBe('2023-03-13'); // Sun 17:00 CDT: Globex opens Monday's day
    expect(tradingDay(utc('2023-03-13T21:59:00Z'))).toBe('2023-03-13'); // Mon 16:59 CDT
    expect(tradingDay(utc('2023-03-13T22:00:00Z'))).toBe('2023-03-14'); // Mon 17:00 CDT (was 23:00Z last week)
    expect(tradingDay(utc('2023-03-13T22:59:00Z'))).toBe('2023-03-14');
  });

  it('fall-back week (DST ends Sun 2023-11-05): boundary moves from 22:00Z to 23:00Z', () => {
    expect(tradingDay(utc('2023-11-02T21:59:00Z'))).toBe('2023-11-02'); // Thu 16:59 CDT
    expect(tradingDay(utc('2023-11-02T22:00:00Z'))).toBe('2023-11-03'); // Thu 17:00 CDT
    expect(tradingDay(utc('2023-11-05T06:30:00Z'))).toBe('2023-11-06'); // Sun 01:30 CDT (first pass)
    expect(tradingDay(utc('2023-11-05T07:30:00Z'))).toBe('2023-11-06'); // Sun 01:30 CST (repeated hour)
    expect(tradingDay(utc('2023-11-05T23:00:00Z'))).toBe('2023-11-06'); // Sun 17:00 CST
    expect(tradingDay(utc('2023-11-06T22:00:00Z'))).toBe('2023-11-06'); // Mon 16:00 CST: not yet the boundary
    expect(tradingDay(utc('2023-11-06T22:59:00Z'))).toBe('2023-11-06'); // Mon 16:59 CST
    expect(tradingDay(utc('2023-11-06T23:00:00Z'))).toBe('2023-11-07'); // Mon 17:00 CST
  });

  it.each([
    ['2023-07-14T22:00:00Z', 'Fri 17:00 CDT'],
    ['2023-07-15T03:00:00Z', 'Fri 22:00 CDT'],
    ['2023-07-15T05:00:00Z', 'Sat 00:00 CDT'],
    ['2023-07-15T17:00:00Z', 'Sat 12:00 CDT'],
    ['2023-07-15T22:00:00Z', 'Sat 17:00 CDT'],
    ['2023-07-16T05:00:00Z', 'Sun 00:00 CDT'],
    ['2023-07-16T21:59:00Z', 'Sun 16:59 CDT'],
    ['2023-07-16T22:00:00Z', 'Sun 17:00 CDT (Globex open)'],
    ['2023-07-17T21:59:00Z', 'Mon 16:59 CDT'],
  ])('weekend hours belong to the next Monday: %s (%s)', (iso) => {
    expect(tradingDay(utc(iso))).toBe('2023-07-17');
  });

  it('Friday before the close is still Friday; the year rolls over on a weekend', () => {
    expect(tradingDay(utc('2023-07-14T20:59:00Z'))).toBe('2023-07-14'); // Fri 15:59 CDT
    // New Year's Day 2024 (Monday) is a CME closure: the next trading day is Tuesday.
    expect(tradingDay(utc('2023-12-29T23:00:00Z'))).toBe('2024-01-02'); // Fri 17:00 CST
    expect(tradingDay(utc('2024-01-01T23:00:00Z'))).toBe('2024-01-02'); // Mon 17:00 CST, the reopen
    // 2026-01-01 is a Thursday (closed): Wednesday evening and Thursday belong to Friday.
    expect(tradingDay(utc('2025-12-31T21:59:00Z'))).toBe('2025-12-31'); // Wed 15:59 CST
    expect(tradingDay(utc('2025-12-31T23:00:00Z'))).toBe('2026-01-02'); // Wed 17:00 CST
  });

  it.each([
    // Good Friday 2024 (closed): Thursday's evening hours belong to Monday.
    ['2024-03-28T20:59:00Z', '2024-03-28', 'Thu 15:59 CDT before Good Friday'],
    ['2024-03-28T22:00:00Z', '2024-04-01', 'Thu 17:00 CDT before Good Friday'],
    ['2024-03-29T15:00:00Z', '2024-04-01', 'Good Friday 10:00 CDT'],
    // Labor Day 2023 (halt at 12:00 CT): Sunday evening and Monday belong to Tuesday.
    ['2023-09-03T22:00:00Z', '2023-09-05', 'Sun 17:00 CDT before Labor Day'],
    ['2023-09-04T16:59:00Z', '2023-09-05', 'Labor Day 11:59 CDT'],
    ['2023-09-04T22:00:00Z', '2023-09-05', 'Labor Day 17:00 CDT, the reopen'],
    ['2023-09-05T21:59:00Z', '2023-09-05', 'Tue 16:59 CDT'],
    // Thanksgiving 2023 (halt) belongs to Friday, itself a trade date closing early.
    ['2023-11-22T23:00:00Z', '2023-11-24', 'Wed 17:00 CST before Thanksgiving'],
    ['2023-11-23T17:00:00Z', '2023-11-24', 'Thanksgiving 11:00 CST'],
    ['2023-11-24T18:14:00Z', '2023-11-24', 'Fri 12:14 CST, before the early close'],
    // Christmas 2025 (Thursday, closed): Christmas Eve's evening and Christmas belong to Friday.
    ['2025-12-24T18:00:00Z', '2025-12-24', 'Christmas Eve 12:00 CST, before the 12:15 close'],
    ['2025-12-24T23:00:00Z', '2025-12-26', 'Christmas Eve 17:00 CST'],
    ['2025-12-25T23:00:00Z', '2025-12-26', 'Christmas 17:00 CST, the reopen'],
  ])('CME holidays are not trading days: %s -> %s (%s)', (iso, day) => {
    expect(tradingDay(utc(iso))).toBe(day);
  });

  it('refuses a non-finite time', () => {
    expect(() => tradingDay(Number.NaN)).toThrow(RangeError);
    expect(() => tradingDay(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('tradingDay and TradingDayTracker over whole weeks', () => {
  /** Walks a week minute by minute; checks the tracker and the shape of the calendar. */
  const walkWeek = (start: number, end = start + 7 * 24 * 60 * MINUTE) => {
    const tracker = new TradingDayTracker();
    const days = new Set<string>();
    const disagreements: number[] = [];
    let prev = tradingDay(start);
    for (let ms = start; ms < end; ms += MINUTE) {
      const day = tradingDay(ms);
      if (tracker.dayOf(ms) !== day) disagreements.push(ms);
      if (day !== prev) {
        // the day only ever changes at 17:00 Chicago, into a later weekday
        const w = wall(ms);
        expect(`${w.hour}:${w.minute}`).toBe('17:0');
        expect(day > prev).toBe(true);
        prev = day;
      }
      days.add(day);
    }
    expect(disagreements.map((ms) => new Date(ms).toISOString())).toEqual([]);
    for (const d of days) {
      const weekday = new Date(`${d}T12:00:00Z`).getUTCDay();
      expect(weekday).toBeGreaterThanOrEqual(1);
      expect(weekday).toBeLessThanOrEqual(5);
    }
    return days;
  };

  it('the DST weeks of 2023 have five trading days and the tracker agrees every minute', () => {
    // Fri 17:00 CST (23:00Z) .. Fri 16:59 CDT (21:59Z), across the spring-forward Sunday
    expect([...walkWeek(utc('2023-03-10T23:00:00Z'), utc('2023-03-17T22:00:00Z'))]).toEqual(['2023-03-13', '2023-03-14', '2023-03-15', '2023-03-16', '2023-03-17']);
    // Fri 17:00 CDT (22:00Z) .. Fri 16:59 CST (22:59Z), across the fall-back Sunday
    expect([...walkWeek(utc('2023-11-03T22:00:00Z'), utc('2023-11-10T23:00:00Z'))]).toEqual(['2023-11-06', '2023-11-07', '2023-11-08', '2023-11-09', '2023-11-10']);
    // Thu 18:00 CST .. Thu 19:00 CDT: across the switch the weekend is skipped
    expect([...walkWeek(utc('2023-03-10T00:00:00Z'))]).toEqual(['2023-03-10', '2023-03-13', '2023-03-14', '2023-03-15', '2023-03-16', '2023-03-17']);
  });

  it('property: from any start minute, the tracker agrees with tradingDay over a week', () => {
    fc.assert(
      fc.property(fc.integer({ min: utc('2020-01-01T00:00:00Z') / MINUTE, max: utc('2030-01-01T00:00:00Z') / MINUTE }), (minute) => {
        walkWeek(minute * MINUTE);
      }),
      { numRuns: 3 },
    );
  });

  it('property: the tracker is right for times in any order (it caches per UTC hour only)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: utc('2023-01-01T00:00:00Z'), max: utc('2024-01-01T00:00:00Z') }), { maxLength: 200 }), (times) => {
        const tracker = new TradingDayTracker();
        for (const t of times) expect(tracker.dayOf(t)).toBe(tradingDay(t));
      }),
    );
  });
});

describe('isRth: 08:30-15:00 America/Chicago on weekdays', () => {
  it.each([
    ['2023-01-10T14:29:00Z', false, 'Tue 08:29 CST'],
    ['2023-01-10T14:30:00Z', true, 'Tue 08:30 CST'],
    ['2023-01-10T20:59:00Z', true, 'Tue 14:59 CST'],
    ['2023-01-10T21:00:00Z', false, 'Tue 15:00 CST'],
    ['2023-07-11T13:29:00Z', false, 'Tue 08:29 CDT'],
    ['2023-07-11T13:30:00Z', true, 'Tue 08:30 CDT'],
    ['2023-07-11T19:59:00Z', true, 'Tue 14:59 CDT'],
    ['2023-07-11T20:00:00Z', false, 'Tue 15:00 CDT'],
    ['2023-03-13T13:30:00Z', true, 'Mon 08:30 CDT, first day after spring forward'],
    ['2023-03-13T14:30:00Z', true, 'Mon 09:30 CDT'],
    ['2023-03-10T14:29:00Z', false, 'Fri 08:29 CST'],
    ['2023-07-15T15:00:00Z', false, 'Sat 10:00 CDT'],
    ['2023-07-16T15:00:00Z', false, 'Sun 10:00 CDT'],
    ['2023-07-11T03:00:00Z', false, 'Mon 22:00 CDT (overnight)'],
  ])('%s -> %s (%s)', (iso, expected) => {
    expect(isRth(utc(iso))).toBe(expected);
  });
});
