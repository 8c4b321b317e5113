import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { backoffDelay, nextRandom } from '../../core/backoff.ts';

// A zero base never grows (0 * 2^1024 would be NaN, not 0).
const cap = (attempt: number, base: number, max: number) => (base === 0 ? 0 : Math.min(max, base * 2 ** (attempt - 1)));

describe('backoffDelay', () => {
  it('stays within [cap/2, cap] for any attempt, base, max and jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, base, max, unit) => {
          const delay = backoffDelay(attempt, base, max, unit);
          const c = cap(attempt, base, max);
          expect(delay).toBeGreaterThanOrEqual(c / 2);
          expect(delay).toBeLessThanOrEqual(c);
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it('never shrinks from one attempt to the next for the same jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, base, max, unit) => {
          expect(backoffDelay(attempt + 1, base, max, unit)).toBeGreaterThanOrEqual(backoffDelay(attempt, base, max, unit));
        },
      ),
    );
  });

  it('doubles per attempt until the cap, with jitter 1 giving the full delay and 0 half of it', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, 100, 1_000, 1))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, 100, 1_000, 0))).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it('stays finite for huge attempts and a zero base', () => {
    expect(backoffDelay(5_000, 100, 30_000, 1)).toBe(30_000);
    expect(backoffDelay(5_000, 0, 30_000, 1)).toBe(0);
  });

  it('rejects arguments that would make the delay meaningless', () => {
    expect(() => backoffDelay(0, 100, 1_000, 0.5)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, 100, 1_000, 0.5)).toThrow(RangeError);
    expect(() => backoffDelay(1, -1, 1_000, 0.5)).toThrow(RangeError);
    expect(() => backoffDelay(1, 100, Number.POSITIVE_INFINITY, 0.5)).toThrow(RangeError);
    expect(() => backoffDelay(1, 100, 1_000, 1.01)).toThrow(RangeError);
    expect(() => backoffDelay(1, 100, 1_000, Number.NaN)).toThrow(RangeError);
  });
});

describe('nextRandom', () => {
  it('is deterministic: the same state gives the same draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (state) => {
        expect(nextRandom(state)).toEqual(nextRandom(state));
      }),
    );
  });

  it('draws in [0, 1) and keeps a uint32 state', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (state) => {
        const draw = nextRandom(state);
        expect(draw.value).toBeGreaterThanOrEqual(0);
        expect(draw.value).toBeLessThan(1);
        expect(Number.isInteger(draw.state) && draw.state >= 0 && draw.state <= 0xffff_ffff).toBe(true);
        expect(draw.state).not.toBe(state);
      }),
    );
  });

  it('spreads its draws evenly over [0, 1)', () => {
    const buckets = new Array<number>(10).fill(0);
    let state = 12345;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const draw = nextRandom(state);
      state = draw.state;
      const b = Math.floor(draw.value * 10);
      buckets[b] = (buckets[b] ?? 0) + 1;
    }
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(n / 10 / 10);
  });
});
