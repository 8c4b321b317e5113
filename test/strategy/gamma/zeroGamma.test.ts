import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chainGammas } from '../../../strategy/gamma/chainGammas.ts';
import { resolveGammaParams } from '../../../strategy/gamma/gammaParams.ts';
import { gexProfile } from '../../../strategy/gamma/gexProfile.ts';
import { checkSpotGrid, repricedGexCurve, repricedNetGex, zeroCrossing, zeroGammaLevel, type GexCurve } from '../../../strategy/gamma/zeroGamma.ts';
import { yearsToExpiry } from '../../../strategy/gamma/timeToExpiry.ts';
import { NOON, chainOf, contract } from './chainFixtures.ts';

const params = resolveGammaParams();
const curve = (spots: number[], net: number[]): GexCurve => ({ spots: Float64Array.from(spots), netGex: Float64Array.from(net) });

/** Independent re-pricing: BS gamma = e^-qT phi(d1) / (S vol sqrt T), written out here. */
function netGexByHand(rows: { right: 'call' | 'put'; strike: number; oi: number; iv: number; years: number }[], s: number): number {
  const r = 0.04;
  const q = 0.015;
  let net = 0;
  for (const o of rows) {
    const d1 = (Math.log(s / o.strike) + (r - q + (o.iv * o.iv) / 2) * o.years) / (o.iv * Math.sqrt(o.years));
    const gamma = (Math.exp(-q * o.years) * Math.exp(-(d1 * d1) / 2)) / Math.sqrt(2 * Math.PI) / (s * o.iv * Math.sqrt(o.years));
    net += (o.right === 'call' ? 1 : -1) * gamma * o.oi * 100 * s * s * 0.01;
  }
  return net;
}

describe('zero crossing of a curve', () => {
  it('interpolates linearly between the bracketing points', () => {
    expect(zeroCrossing(curve([90, 100, 110], [-10, 10, 30]), 100)).toBeCloseTo(95, 12);
    expect(zeroCrossing(curve([90, 100, 110], [-30, -10, 30]), 100)).toBeCloseTo(102.5, 12);
  });

  it('picks the crossing nearest to spot, and null when the sign never changes', () => {
    const c = curve([80, 90, 100, 110, 120], [-1, 1, 1, 1, -1]);
    expect(zeroCrossing(c, 112)).toBeCloseTo(115, 12);
    expect(zeroCrossing(c, 88)).toBeCloseTo(85, 12);
    expect(zeroCrossing(curve([90, 100, 110], [1, 2, 3]), 100)).toBeNull();
    expect(zeroCrossing(curve([90, 100, 110], [-1, -2, -3]), 100)).toBeNull();
    expect(zeroCrossing(curve([], []), 100)).toBeNull();
  });

  it('puts a crossing through a run of exact zeros in its middle, and a touch is no crossing', () => {
    expect(zeroCrossing(curve([90, 100, 110, 120], [-1, 0, 0, 1]), 100)).toBeCloseTo(105, 12);
    expect(zeroCrossing(curve([90, 100, 110], [1, 0, 1]), 100)).toBeNull();
  });

  it('always lands inside a bracket whose ends differ in sign (random curves)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e9, noNaN: true }), fc.double({ min: -1e9, max: -1e-3, noNaN: true })), { minLength: 2, maxLength: 40 }), fc.double({ min: 0, max: 40, noNaN: true }), (values, spot) => {
        const c = curve(values.map((_, i) => i), values);
        const z = zeroCrossing(c, spot);
        const signs = values.filter((v) => v !== 0).map(Math.sign);
        const changes = signs.some((s, i) => i > 0 && s !== signs[i - 1]);
        expect(z !== null).toBe(changes);
        if (z !== null) {
          const lo = Math.floor(z);
          const hi = Math.ceil(z);
          const left = values.slice(0, lo + 1).reverse().find((v) => v !== 0)!;
          const right = values.slice(hi).find((v) => v !== 0)!;
          expect(Math.sign(left)).toBe(-Math.sign(right));
        }
      }),
    );
  });
});

describe('zero-gamma level by re-pricing', () => {
  const years = yearsToExpiry(NOON, '2024-01-19')!;
  // Heavy puts below 4700, heavy calls above: the flip sits between them.
  const rows = [
    { right: 'put' as const, strike: 4600, oi: 40_000, iv: 0.18, years },
    { right: 'put' as const, strike: 4650, oi: 20_000, iv: 0.17, years },
    { right: 'call' as const, strike: 4750, oi: 20_000, iv: 0.14, years },
    { right: 'call' as const, strike: 4800, oi: 40_000, iv: 0.13, years },
  ];
  const chain = chainOf(rows.map((o) => contract(o.right, o.strike, o.oi, { iv: o.iv })));
  const g = chainGammas(chain, params);

  it('re-prices net GEX like an independent Black-Scholes sum, and agrees with the profile at spot', () => {
    for (const s of [4500, 4650, 4700, 4777.7, 4900]) expect(repricedNetGex(g, s) / netGexByHand(rows, s)).toBeCloseTo(1, 10);
    expect(repricedNetGex(g, 4700)).toBeCloseTo(gexProfile(g).netGex, 0);
    expect(() => repricedNetGex(g, 0)).toThrow(/positive/);
  });

  it('finds the level where the re-priced net GEX changes sign', () => {
    const z = zeroGammaLevel(g)!;
    expect(z).toBeGreaterThan(4600);
    expect(z).toBeLessThan(4800);
    // The grid's step is 0.25 % of spot: the sign differs a step either side.
    const step = 4700 * 0.0025;
    expect(Math.sign(netGexByHand(rows, z - step))).toBe(-Math.sign(netGexByHand(rows, z + step)));
    // A finer grid converges on the root of the continuous curve.
    const fine = zeroGammaLevel(g, { range: 0.1, step: 0.0001 })!;
    expect(Math.abs(netGexByHand(rows, fine))).toBeLessThan(1e-4 * Math.abs(netGexByHand(rows, 4600)));
    expect(Math.abs(fine - z)).toBeLessThan(step);
  });

  it('is null when net GEX keeps one sign over the grid', () => {
    const callsOnly = chainGammas(chainOf([contract('call', 4700, 1000, { iv: 0.15 })]), params);
    expect(zeroGammaLevel(callsOnly)).toBeNull();
    expect(zeroGammaLevel(chainGammas(chainOf([]), params))).toBeNull();
  });

  it('lays the grid symmetric around spot in the given steps', () => {
    const c = repricedGexCurve(g, { range: 0.1, step: 0.0025 });
    expect(c.spots.length).toBe(81);
    expect(c.spots[0]).toBeCloseTo(4700 * 0.9, 9);
    expect(c.spots[40]).toBe(4700);
    expect(c.spots[80]).toBeCloseTo(4700 * 1.1, 9);
    expect(() => checkSpotGrid({ range: 0, step: 0.01 })).toThrow(/range/);
    expect(() => checkSpotGrid({ range: 0.1, step: 0.2 })).toThrow(/step/);
    expect(() => checkSpotGrid({ range: 0.5, step: 1e-9 })).toThrow(/steps/);
  });
});
