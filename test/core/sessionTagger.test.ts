/**
 * Globex hours and the cached session tagger: the tagger agrees with the uncached
 * tradingDay/isRth, and Globex open/closed is checked against an Intl Chicago clock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionTagger, isGlobexOpen, isRth, tagSessions, tradingDay } from '../../core/tradingDay.ts';

const chicago = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', hourCycle: 'h23', weekday: 'short', hour: '2-digit' });
const wall = (ms: number) => {
  const p = Object.fromEntries(chicago.formatToParts(ms).map((x) => [x.type, x.value]));
  return { weekday: p.weekday!, hour: Number(p.hour) };
};

describe('isGlobexOpen', () => {
  it.each([
    ['2023-03-10T21:59:00Z', true, 'Fri 15:59 CST'],
    ['2023-03-10T22:00:00Z', false, 'Fri 16:00 CST: weekend close'],
    ['2023-03-12T21:59:00Z', false, 'Sun 16:59 CDT'],
    ['2023-03-12T22:00:00Z', true, 'Sun 17:00 CDT: open (the DST week)'],
    ['2023-07-11T21:30:00Z', false, 'Tue 16:30 CDT: maintenance break'],
    ['2023-07-11T22:00:00Z', true, 'Tue 17:00 CDT'],
    ['2023-01-14T12:00:00Z', false, 'Saturday'],
  ])('%s -> %s (%s)', (iso, open) => {
    expect(isGlobexOpen(Date.parse(iso))).toBe(open);
    expect(new SessionTagger().isOpen(Date.parse(iso))).toBe(open);
  });

  it('matches the rule on a Chicago wall clock at any time', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }), (t) => {
        const { weekday, hour } = wall(t);
        const expected = weekday === 'Sat' ? false : weekday === 'Sun' ? hour >= 17 : weekday === 'Fri' ? hour < 16 : hour !== 16;
        expect(isGlobexOpen(t)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SessionTagger', () => {
  it('agrees with the uncached functions over increasing times with jumps (DST weeks included)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2010, 0, 1), max: Date.UTC(2030, 0, 1) }), fc.array(fc.integer({ min: 1, max: 5_000_000 }), { maxLength: 300 }), (start, steps) => {
        const tagger = new SessionTagger();
        let t = start;
        for (const step of [0, ...steps]) {
          t += step * 1000;
          expect(tagger.tag(t)).toEqual({ tradingDay: tradingDay(t), rth: isRth(t), open: isGlobexOpen(t) });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('tags a bar series', () => {
    const t = Date.parse('2023-03-13T13:30:00Z'); // Mon 08:30 CDT: RTH opens
    expect(tagSessions([{ time: t - 60_000 }, { time: t }])).toEqual([
      { tradingDay: '2023-03-13', rth: false, open: true },
      { tradingDay: '2023-03-13', rth: true, open: true },
    ]);
  });
});
