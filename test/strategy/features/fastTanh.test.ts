import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fastTanh } from '../../../strategy/features/fastTanh.ts';

describe('fastTanh', () => {
  it('matches Math.tanh within 1e-15 over the whole range, small arguments within a few ulps relative', () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), (x) => {
        const want = Math.tanh(x);
        const got = fastTanh(x);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-15);
        if (want !== 0) expect(Math.abs(got - want) / Math.abs(want)).toBeLessThanOrEqual(1e-14);
      }),
      { numRuns: 20_000 },
    );
    // the range-reduction boundaries (n = 1, 32, 33 ...) and a dense sweep of small values
    for (let x = -3; x <= 3; x += 0.000_37) {
      const want = Math.tanh(x);
      expect(Math.abs(fastTanh(x) - want)).toBeLessThanOrEqual(1e-15 + 1e-14 * Math.abs(want));
    }
  });

  it('is exactly odd, so mirrored inputs give exactly opposite values', () => {
    fc.assert(fc.property(fc.double({ min: -50, max: 50, noNaN: true }), (x) => Object.is(fastTanh(-x), -fastTanh(x))));
  });

  it('keeps signed zeros and tiny values, saturates to +-1, propagates NaN', () => {
    expect(Object.is(fastTanh(0), 0)).toBe(true);
    expect(Object.is(fastTanh(-0), -0)).toBe(true);
    expect(fastTanh(1e-300)).toBe(1e-300);
    expect(fastTanh(20)).toBe(1);
    expect(fastTanh(-1e9)).toBe(-1);
    expect(fastTanh(Number.POSITIVE_INFINITY)).toBe(1);
    expect(fastTanh(Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(fastTanh(Number.NaN)).toBeNaN();
    expect(fastTanh(19.5)).toBe(Math.tanh(19.5));
  });
});
