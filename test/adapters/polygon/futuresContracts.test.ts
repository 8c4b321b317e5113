import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frontContractSegments, isProductRoot, polygonTicker, tradingDayStart } from '../../../adapters/polygon/futuresContracts.ts';
import { chicagoTime } from '../../../core/zonedTime.ts';

describe('front contract segments', () => {
  it('rolls ESZ4 -> ESH5 at 17:00 Chicago on the eve of the roll Thursday (third Friday - 8 days)', () => {
    // Dec 2024: third Friday is the 20th, roll day Thursday the 12th, so the switch is
    // Wednesday Dec 11 at 17:00 CST = 23:00 UTC. Mar 2025: third Friday 21st, roll Thursday
    // 13th, switch Mar 12 17:00 CDT (DST began Mar 9) = 22:00 UTC.
    const from = Date.UTC(2024, 11, 1);
    const to = Date.UTC(2025, 3, 1);
    expect(frontContractSegments('ES', from, to)).toEqual([
      { ticker: 'ESZ4', from, to: Date.UTC(2024, 11, 11, 23) },
      { ticker: 'ESH5', from: Date.UTC(2024, 11, 11, 23), to: Date.UTC(2025, 2, 12, 22) },
      { ticker: 'ESM5', from: Date.UTC(2025, 2, 12, 22), to },
    ]);
  });

  it('covers [from, to) contiguously with quarterly contracts in order, switching at 17:00 Chicago', () => {
    const day = 86_400_000;
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2030, 0, 1) }), fc.integer({ min: 1, max: 900 * day }), (from, span) => {
        const to = from + span;
        const segs = frontContractSegments('ES', from, to);
        expect(segs[0]!.from).toBe(from);
        expect(segs.at(-1)!.to).toBe(to);
        segs.forEach((s, i) => {
          expect(s.from).toBeLessThan(s.to);
          expect(s.ticker).toMatch(/^ES[HMUZ]\d$/);
          if (i > 0) {
            expect(s.from).toBe(segs[i - 1]!.to);
            const local = chicagoTime(s.from);
            expect([local.hour, local.minute, local.weekday]).toEqual([17, 0, 3]); // Wednesday 17:00
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('spells contracts the Polygon way and tells a product root from a contract', () => {
    expect(polygonTicker({ root: 'ES', year: 2025, month: 12 })).toBe('ESZ5');
    expect(isProductRoot('ES')).toBe(true);
    expect(isProductRoot('ESZ5')).toBe(false);
    expect(isProductRoot('I:SPX')).toBe(false);
    expect(new Date(tradingDayStart('2025-07-10')).toISOString()).toBe('2025-07-09T22:00:00.000Z');
  });
});
