import { describe, it, expect } from 'vitest';
import { SessionMultiplier, sessionAt } from '../../../strategy/features/sessionMultiplier.ts';

const m = { preMarket: 0.8, opening: 1.2, midday: 1.0, powerHour: 1.2, afterHours: 0.8, overnight: 0.5 };

describe('session multiplier (US/Eastern event time)', () => {
  it.each([
    [0, 'overnight'], [239, 'overnight'], [240, 'preMarket'], [569, 'preMarket'], [570, 'opening'], [659, 'opening'],
    [660, 'midday'], [839, 'midday'], [840, 'powerHour'], [959, 'powerHour'], [960, 'afterHours'], [1199, 'afterHours'], [1200, 'overnight'], [1439, 'overnight'],
  ] as const)('minute %i of the Eastern day is %s', (minute, name) => {
    expect(sessionAt(minute)).toBe(name);
  });

  it.each([
    // EST (UTC-5) and EDT (UTC-4): the same Eastern wall clock, different UTC instants
    ['2023-01-10T14:29:00Z', 0.8, 'Tue 09:29 EST'],
    ['2023-01-10T14:30:00Z', 1.2, 'Tue 09:30 EST'],
    ['2023-07-10T13:30:00Z', 1.2, 'Mon 09:30 EDT'],
    ['2023-07-10T15:00:00Z', 1.0, 'Mon 11:00 EDT'],
    ['2023-07-10T18:00:00Z', 1.2, 'Mon 14:00 EDT'],
    ['2023-07-10T20:00:00Z', 0.8, 'Mon 16:00 EDT'],
    ['2023-07-11T00:00:00Z', 0.5, 'Mon 20:00 EDT'],
    ['2023-07-11T07:59:00Z', 0.5, 'Tue 03:59 EDT'],
    ['2023-07-11T08:00:00Z', 0.8, 'Tue 04:00 EDT'],
    ['2023-03-13T13:30:00Z', 1.2, 'Mon 09:30 EDT, the day after the switch'],
    ['2023-03-10T14:30:00Z', 1.2, 'Fri 09:30 EST, before the switch'],
  ])('%s -> %f (%s)', (iso, expected) => {
    expect(new SessionMultiplier(m).at(Date.parse(iso))).toBe(expected);
  });

  it('uses its configured multipliers', () => {
    expect(new SessionMultiplier({ ...m, opening: 2 }).at(Date.parse('2023-07-10T13:30:00Z'))).toBe(2);
  });
});
