import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TradingDayCounter, ZoneClock, tradingDay } from '../../core/tradingDay.ts';

/** Local wall clock of an instant through Intl, the module's own oracle avoided. */
const wall = (zone: string, ms: number) => {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return { day: Date.UTC(p.year!, p.month! - 1, p.day!) / 86_400_000, minute: p.hour! * 60 + p.minute! };
};

describe('ZoneClock (hot-path zone offsets, core/tradingDay.ts)', () => {
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
