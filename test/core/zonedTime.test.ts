import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TradingDayCounter, tradingDay } from '../../core/tradingDay.ts';
import { ZoneClock, chicagoTime, easternDate, naiveMs } from '../../core/zonedTime.ts';

/** Local wall clock of an instant through Intl, the module's own oracle avoided. */
const wall = (zone: string, ms: number) => {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return { day: Date.UTC(p.year!, p.month! - 1, p.day!) / 86_400_000, minute: p.hour! * 60 + p.minute! };
};

describe('ZoneClock (hot-path zone offsets, core/zonedTime.ts)', () => {
  it('New York offsets in winter and summer, and across both 2023 switches minute by minute', () => {
    const ny = new ZoneClock('America/New_York');
    expect(ny.offsetMs(Date.parse('2023-01-10T12:00:00Z'))).toBe(-5 * 3_600_000);
    expect(ny.offsetMs(Date.parse('2023-07-10T12:00:00Z'))).toBe(-4 * 3_600_000);
    for (const day of ['2023-03-12', '2023-11-05']) {
      const start = Date.parse(`${day}T00:00:00Z`);
      for (let ms = start; ms < start + 86_400_000; ms += 60_000) {
        const w = wall('America/New_York', ms);
        expect([ny.minuteOfDay(ms), ny.dayNumber(ms)]).toEqual([w.minute, w.day]);
      }
    }
  });

  it('property: matches Intl for increasing and random times in New York and Chicago', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: Date.parse('2015-01-01'), max: Date.parse('2030-01-01') }), { minLength: 1, maxLength: 50 }), (times) => {
        const ny = new ZoneClock('America/New_York');
        const chi = new ZoneClock('America/Chicago');
        for (const ms of [...times].sort((a, b) => a - b).concat(times)) {
          const n = wall('America/New_York', ms);
          const c = wall('America/Chicago', ms);
          expect([ny.minuteOfDay(ms), ny.dayNumber(ms)]).toEqual([n.minute, n.day]);
          expect([chi.minuteOfDay(ms), chi.dayNumber(ms)]).toEqual([c.minute, c.day]);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a non-finite time', () => {
    expect(() => new ZoneClock('America/New_York').offsetMs(Number.NaN)).toThrow(RangeError);
  });
});

describe('TradingDayCounter', () => {
  it('property: its day number is the date of tradingDay(), at any time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: Date.parse('2015-01-01'), max: Date.parse('2030-01-01') }), { minLength: 1, maxLength: 50 }), (times) => {
        const counter = new TradingDayCounter();
        for (const ms of times) {
          expect(new Date(counter.dayNumber(ms) * 86_400_000).toISOString().slice(0, 10)).toBe(tradingDay(ms));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('changes at 17:00 Chicago, skips the weekend, and across the DST switch', () => {
    const c = new TradingDayCounter();
    const iso = (ms: number) => new Date(c.dayNumber(ms) * 86_400_000).toISOString().slice(0, 10);
    expect(iso(Date.parse('2023-03-10T21:59:00Z'))).toBe('2023-03-10'); // Fri 15:59 CST
    expect(iso(Date.parse('2023-03-10T23:00:00Z'))).toBe('2023-03-13'); // Fri 17:00 CST -> Monday
    expect(iso(Date.parse('2023-03-12T22:00:00Z'))).toBe('2023-03-13'); // Sun 17:00 CDT
    expect(iso(Date.parse('2023-03-13T21:59:00Z'))).toBe('2023-03-13'); // Mon 16:59 CDT
    expect(iso(Date.parse('2023-03-13T22:00:00Z'))).toBe('2023-03-14'); // Mon 17:00 CDT
  });
});

describe('zoned conversion round trips (core/zonedTime.ts)', () => {
  // Zones with DST north and south, half- and quarter-hour offsets, and none.
  const zones = ['America/Chicago', 'America/New_York', 'Europe/Madrid', 'Australia/Sydney', 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC'];
  const instant = fc.integer({ min: Date.parse('1995-01-01'), max: Date.parse('2040-01-01') });

  it('property: instant -> wall clock -> instant gives the same instant (fall-back hour included)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.array(instant, { minLength: 1, maxLength: 30 }), (tz, times) => {
        const zone = new ZoneClock(tz);
        for (const t of times) {
          const f = zone.fields(t);
          const naive = naiveMs(f.year, f.month, f.day, f.hour, f.minute, f.second, ((t % 1000) + 1000) % 1000);
          // In a repeated hour the earlier instant is the default; `notBefore` picks this one.
          expect(zone.toUtc(naive, t)).toBe(t);
          expect([t, t - 3_600_000, t - 1_800_000]).toContain(zone.toUtc(naive));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('property: wall clock -> instant -> wall clock gives the same fields when the wall time exists', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, (tz, t) => {
        const zone = new ZoneClock(tz);
        const f = zone.fields(t);
        const back = zone.fields(zone.wallTimeToUtc(f.year, f.month, f.day, f.hour, f.minute));
        expect([back.year, back.month, back.day, back.hour, back.minute]).toEqual([f.year, f.month, f.day, f.hour, f.minute]);
      }),
      { numRuns: 200 },
    );
  });

  it('property: fields() match Intl in any order of calls', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.array(instant, { minLength: 1, maxLength: 30 }), (tz, times) => {
        const zone = new ZoneClock(tz);
        const fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
        const wd = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 } as Record<string, number>;
        for (const t of times) {
          const p = Object.fromEntries(fmt.formatToParts(t).map((x) => [x.type, x.value]));
          expect(zone.fields(t)).toEqual({
            year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour), minute: Number(p.minute), second: Number(p.second), weekday: wd[p.weekday!],
          });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('Chicago across the 2024 DST switches: 01:59 CST -> 03:00 CDT, and 01:59 CDT -> 01:00 CST', () => {
    const at = (iso: string) => { const t = chicagoTime(Date.parse(iso)); return `${t.hour}:${String(t.minute).padStart(2, '0')}`; };
    expect(at('2024-03-10T07:59:00Z')).toBe('1:59');
    expect(at('2024-03-10T08:00:00Z')).toBe('3:00');
    expect(at('2024-11-03T06:59:00Z')).toBe('1:59');
    expect(at('2024-11-03T07:00:00Z')).toBe('1:00');
    const chicago = new ZoneClock('America/Chicago');
    expect(chicago.toUtc(naiveMs(2024, 3, 10, 2, 30))).toBeNaN(); // skipped
    expect(chicago.toUtc(naiveMs(2024, 11, 3, 1, 30))).toBe(Date.parse('2024-11-03T06:30:00Z')); // first of two
    expect(chicago.toUtc(naiveMs(2024, 11, 3, 1, 30), Date.parse('2024-11-03T06:31:00Z'))).toBe(Date.parse('2024-11-03T07:30:00Z'));
    // US/Eastern date rolls at local midnight, not UTC midnight.
    expect(easternDate(Date.parse('2024-07-01T03:59:00Z'))).toBe('2024-06-30');
    expect(easternDate(Date.parse('2024-07-01T04:00:00Z'))).toBe('2024-07-01');
  });

  it('refuses an unknown zone and a non-finite instant', () => {
    expect(() => new ZoneClock('Mars/Olympus')).toThrow(RangeError);
    expect(() => chicagoTime(Number.NaN)).toThrow(RangeError);
  });
});
