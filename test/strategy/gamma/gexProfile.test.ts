import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bsGamma } from '../../../strategy/gamma/blackScholes.ts';
import { chainGammas } from '../../../strategy/gamma/chainGammas.ts';
import { DEFAULT_GAMMA_PARAMS, GammaInputError, resolveGammaParams } from '../../../strategy/gamma/gammaParams.ts';
import { dollarGammaPerPercent, gexProfile } from '../../../strategy/gamma/gexProfile.ts';
import { callWall, putWall } from '../../../strategy/gamma/walls.ts';
import { yearsToExpiry } from '../../../strategy/gamma/timeToExpiry.ts';
import { NOON, chainOf, contract } from './chainFixtures.ts';

const params = resolveGammaParams();

describe('dollar gamma', () => {
  it('is G * OI * 100 * S^2 * 0.01', () => {
    // 0.002 gamma, 1000 contracts, SPX 4000: 0.002 * 1000 * 100 * 16e6 * 0.01 = 32e6.
    expect(dollarGammaPerPercent(0.002, 1000, 4000)).toBeCloseTo(32e6, 6);
    expect(dollarGammaPerPercent(0.002, 1000, 4000, 10)).toBeCloseTo(3.2e6, 6);
  });
});

describe('chain gammas', () => {
  it('uses the source gamma, computes it from IV when absent, and skips and counts the rest', () => {
    const chain = chainOf([
      contract('call', 4700, 100, { gamma: 0.003, iv: 0.15 }),
      contract('put', 4700, 200, { iv: 0.16 }),
      contract('call', 4800, 50, { gamma: 0.001 }),
      contract('call', 4900, 70),
      contract('put', 4600, 0, { gamma: 0.002, iv: 0.2 }),
      contract('put', 4600, 40, { expiry: '2024-01-09', gamma: 0.002, iv: 0.2 }),
      contract('put', 4600, 40, { expiry: '2024-01-10', settlement: 'am', gamma: 0.002, iv: 0.2 }),
      contract('call', Number.NaN, 10, { gamma: 0.001 }),
      contract('call', 4700, -3, { gamma: 0.001 }),
      contract('call', 4700, 5, { expiry: 'Jan 19', gamma: 0.001 }),
    ]);
    const g = chainGammas(chain, params);
    expect(g.counts).toEqual({
      contracts: 10, invalid: 3, zeroOpenInterest: 1, expired: 2, beyondMaxDays: 0, noGreeks: 1, used: 3, gammaFromIv: 1, notRepriced: 1,
    });
    expect([...g.strike]).toEqual([4700, 4700, 4800]);
    expect([...g.sign]).toEqual([1, -1, 1]);
    expect(g.gamma[0]).toBe(0.003);
    const years = yearsToExpiry(NOON, '2024-01-19')!;
    expect(years).toBeCloseTo((9 * 24 + 4) / (365 * 24), 12);
    expect(g.gamma[1]).toBeCloseTo(bsGamma({ spot: 4700, strike: 4700, years, iv: 0.16, rate: 0.04, dividendYield: 0.015 }), 15);
    expect(g.iv[2]).toBeNaN();
  });

  it('keeps only expiries within expiryMaxDays calendar days', () => {
    const chain = chainOf([
      contract('call', 4700, 1, { expiry: '2024-01-10', gamma: 0.01 }),
      contract('call', 4700, 1, { expiry: '2024-01-11', gamma: 0.01 }),
      contract('call', 4700, 1, { expiry: '2024-01-17', gamma: 0.01 }),
      contract('call', 4700, 1, { expiry: '2024-01-18', gamma: 0.01 }),
    ]);
    expect(chainGammas(chain, { ...params, expiryMaxDays: 0 }).counts).toMatchObject({ used: 1, beyondMaxDays: 3 });
    expect(chainGammas(chain, { ...params, expiryMaxDays: 7 }).counts).toMatchObject({ used: 3, beyondMaxDays: 1 });
    expect(chainGammas(chain, params).counts).toMatchObject({ used: 4, beyondMaxDays: 0 });
  });

  it('refuses bad parameters and a bad spot with a typed error naming them', () => {
    expect(() => resolveGammaParams({ riskFreeRate: Number.NaN })).toThrow(/riskFreeRate/);
    expect(() => resolveGammaParams({ contractMultiplier: 0 })).toThrow(/contractMultiplier/);
    expect(() => resolveGammaParams({ expiryMaxDays: 1.5 })).toThrow(/expiryMaxDays/);
    expect(() => resolveGammaParams({ minYears: -1 })).toThrow(GammaInputError);
    expect(() => chainGammas(chainOf([], 0), params)).toThrow(/spot/);
    expect(resolveGammaParams({ riskFreeRate: undefined })).toEqual({ ...DEFAULT_GAMMA_PARAMS });
  });
});

describe('GEX profile and walls', () => {
  it('adds calls, subtracts puts, per strike and net (hand-computed)', () => {
    const chain = chainOf([
      contract('call', 4700, 1000, { gamma: 0.002 }),
      contract('call', 4700, 500, { gamma: 0.002, expiry: '2024-01-26' }),
      contract('put', 4700, 400, { gamma: 0.002 }),
      contract('put', 4600, 3000, { gamma: 0.001 }),
      contract('call', 4800, 2000, { gamma: 0.001 }),
    ], 4000);
    const p = gexProfile(chainGammas(chain, params));
    const unit = 100 * 4000 * 4000 * 0.01; // dollars per unit of gamma * OI
    expect(p.byStrike).toEqual([
      { strike: 4600, callGex: 0, putGex: -3 * unit, netGex: -3 * unit },
      { strike: 4700, callGex: 3 * unit, putGex: -0.8 * unit, netGex: 2.2 * unit },
      { strike: 4800, callGex: 2 * unit, putGex: 0, netGex: 2 * unit },
    ].map((r) => ({ strike: r.strike, callGex: expect.closeTo(r.callGex, 3), putGex: expect.closeTo(r.putGex, 3), netGex: expect.closeTo(r.netGex, 3) })));
    expect(p.netGex).toBeCloseTo(1.2 * unit, 3);
    expect(callWall(p.byStrike)).toBe(4700);
    expect(putWall(p.byStrike)).toBe(4600);
  });

  it('has no wall on a side without exposure, and breaks ties to the lower strike', () => {
    const calls = gexProfile(chainGammas(chainOf([contract('call', 4750, 10, { gamma: 0.01 }), contract('call', 4700, 10, { gamma: 0.01 })]), params));
    expect(putWall(calls.byStrike)).toBeNull();
    expect(callWall(calls.byStrike)).toBe(4700);
    expect(callWall([])).toBeNull();
  });

  it('net GEX is the sum of the strikes, and walls are the arg-max strikes (random chains)', () => {
    const contractArb = fc.record({
      right: fc.constantFrom('call' as const, 'put' as const),
      strike: fc.integer({ min: 900, max: 1000 }).map((k) => k * 5),
      openInterest: fc.integer({ min: 0, max: 50_000 }),
      gamma: fc.double({ min: 0, max: 0.01, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(contractArb, { maxLength: 60 }), (rows) => {
        const p = gexProfile(chainGammas(chainOf(rows.map((r) => contract(r.right, r.strike, r.openInterest, { gamma: r.gamma }))), params));
        const sum = p.byStrike.reduce((a, r) => a + r.netGex, 0);
        expect(p.netGex).toBeCloseTo(sum, 0);
        for (const r of p.byStrike) {
          expect(r.callGex).toBeGreaterThanOrEqual(0);
          expect(r.putGex).toBeLessThanOrEqual(0);
        }
        const maxCall = Math.max(0, ...p.byStrike.map((r) => r.callGex));
        const cw = callWall(p.byStrike);
        if (maxCall === 0) expect(cw).toBeNull();
        else expect(p.byStrike.find((r) => r.strike === cw)!.callGex).toBe(maxCall);
        const maxPut = Math.max(0, ...p.byStrike.map((r) => -r.putGex));
        const pw = putWall(p.byStrike);
        if (maxPut === 0) expect(pw).toBeNull();
        else expect(-p.byStrike.find((r) => r.strike === pw)!.putGex).toBe(maxPut);
      }),
    );
  });
});
