import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { daysToMonthlyExpiry, expiryCycleFactor, expiryCycleFactorForDays, nextMonthlyExpiry, thirdFriday } from '../../../strategy/gamma/expiryCycle.ts';

const noonEt = (date: string) => Date.parse(`${date}T17:00:00Z`);

describe('expiry cycle', () => {
  it('finds the third Friday of known months', () => {
    // From exchange calendars: SPX monthly expirations.
    expect(thirdFriday(2024, 1)).toBe('2024-01-19');
    expect(thirdFriday(2023, 9)).toBe('2023-09-15');
    expect(thirdFriday(2022, 6)).toBe('2022-06-17');
    expect(thirdFriday(2023, 12)).toBe('2023-12-15');
    expect(thirdFriday(2024, 3)).toBe('2024-03-15');
    fc.assert(
      fc.property(fc.integer({ min: 1990, max: 2100 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        const d = new Date(`${thirdFriday(y, m)}T00:00:00Z`);
        expect(d.getUTCDay()).toBe(5);
        expect(d.getUTCDate()).toBeGreaterThanOrEqual(15);
        expect(d.getUTCDate()).toBeLessThanOrEqual(21);
        expect(d.getUTCMonth() + 1).toBe(m);
      }),
    );
  });

  it('counts Eastern calendar days to the next monthly expiry, 0 on the day', () => {
    expect(nextMonthlyExpiry(noonEt('2024-01-07'))).toBe('2024-01-19');
    expect(daysToMonthlyExpiry(noonEt('2024-01-07'))).toBe(12);
    expect(daysToMonthlyExpiry(noonEt('2024-01-19'))).toBe(0);
    expect(nextMonthlyExpiry(noonEt('2024-01-20'))).toBe('2024-02-16');
    expect(daysToMonthlyExpiry(noonEt('2024-01-20'))).toBe(27);
    expect(nextMonthlyExpiry(noonEt('2023-12-16'))).toBe('2024-01-19');
    // 23:30 ET on the 18th is still the 18th in New York (already the 19th in UTC).
    expect(daysToMonthlyExpiry(Date.parse('2024-01-19T04:30:00Z'))).toBe(1);
  });

  it('maps days to the DOMAIN factors at every boundary', () => {
    const expected: [number, number][] = [[0, 0.7], [2, 0.7], [3, 1.3], [5, 1.3], [6, 1.1], [10, 1.1], [11, 1.0], [30, 1.0]];
    for (const [days, factor] of expected) expect(expiryCycleFactorForDays(days)).toBe(factor);
    expect(expiryCycleFactor(noonEt('2024-01-17'))).toBe(0.7);
    expect(expiryCycleFactor(noonEt('2024-01-15'))).toBe(1.3);
    expect(expiryCycleFactor(noonEt('2024-01-10'))).toBe(1.1);
    expect(expiryCycleFactor(noonEt('2024-01-02'))).toBe(1.0);
  });
});
