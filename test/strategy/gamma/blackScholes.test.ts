import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bsDelta, bsGamma, bsPrice, normCdf, normPdf, type BlackScholesInputs } from '../../../strategy/gamma/blackScholes.ts';

const inputs = fc.record({
  spot: fc.double({ min: 50, max: 8000, noNaN: true }),
  moneyness: fc.double({ min: 0.7, max: 1.3, noNaN: true }),
  years: fc.double({ min: 1 / 365, max: 3, noNaN: true }),
  iv: fc.double({ min: 0.05, max: 1.2, noNaN: true }),
  rate: fc.double({ min: 0, max: 0.08, noNaN: true }),
  dividendYield: fc.double({ min: 0, max: 0.04, noNaN: true }),
}).map(({ moneyness, ...p }): BlackScholesInputs => ({ ...p, strike: p.spot * moneyness }));

describe('normal distribution', () => {
  it('matches tabulated values of the standard normal CDF', () => {
    // Reference values from the closed form 0.5 * erfc(-x / sqrt 2), to 15 digits.
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normCdf(3)).toBeCloseTo(0.9986501019683699, 14);
    expect(normCdf(-8) / 6.22096057427178e-16).toBeCloseTo(1, 7);
    expect(normCdf(40)).toBe(1);
    expect(normCdf(-40)).toBe(0);
    expect(normPdf(0)).toBeCloseTo(0.3989422804014327, 15);
  });

  it('is symmetric and its slope is the density', () => {
    fc.assert(
      fc.property(fc.double({ min: -9, max: 9, noNaN: true }), (x) => {
        expect(normCdf(x) + normCdf(-x)).toBeCloseTo(1, 15);
        const h = 1e-5;
        expect((normCdf(x + h) - normCdf(x - h)) / (2 * h)).toBeCloseTo(normPdf(x), 8);
      }),
    );
  });
});

describe('Black-Scholes-Merton', () => {
  it('reproduces Hull\'s worked example (S 42, K 40, r 10 %, vol 20 %, 6 months)', () => {
    // Hull, Options, Futures and Other Derivatives, example 15.6: c = 4.76, p = 0.81.
    const p = { spot: 42, strike: 40, years: 0.5, iv: 0.2, rate: 0.1, dividendYield: 0 };
    expect(bsPrice('call', p)).toBeCloseTo(4.76, 2);
    expect(bsPrice('put', p)).toBeCloseTo(0.81, 2);
  });

  it('satisfies put-call parity: C - P = S e^-qT - K e^-rT', () => {
    fc.assert(
      fc.property(inputs, (p) => {
        const parity = p.spot * Math.exp(-p.dividendYield * p.years) - p.strike * Math.exp(-p.rate * p.years);
        expect(bsPrice('call', p) - bsPrice('put', p)).toBeCloseTo(parity, 6);
      }),
    );
  });

  it('delta and gamma are the first and second derivatives of the price in spot', () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom('call' as const, 'put' as const), (p, right) => {
        // A step small against the width of the price distribution (S sigma sqrt(T)), so the
        // h^2 truncation error stays negligible even a day from expiry at low volatility.
        const h = p.spot * p.iv * Math.sqrt(p.years) * 1e-3;
        const at = (s: number) => bsPrice(right, { ...p, spot: s });
        const fdDelta = (at(p.spot + h) - at(p.spot - h)) / (2 * h);
        const fdGamma = (at(p.spot + h) - 2 * at(p.spot) + at(p.spot - h)) / (h * h);
        const gamma = bsGamma(p);
        expect(bsDelta(right, p)).toBeCloseTo(fdDelta, 5);
        expect(Math.abs(gamma - fdGamma)).toBeLessThan(1e-3 * gamma + 1e-6);
        // The same gamma through delta's slope.
        const dDelta = (bsDelta(right, { ...p, spot: p.spot + h }) - bsDelta(right, { ...p, spot: p.spot - h })) / (2 * h);
        expect(Math.abs(gamma - dDelta)).toBeLessThan(1e-4 * gamma + 1e-6);
        // Positive, or underflowed to 0 far out of the money a day from expiry.
        expect(gamma).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('prices stay above intrinsic value discounted and deltas in their ranges', () => {
    fc.assert(
      fc.property(inputs, (p) => {
        const call = bsPrice('call', p);
        const put = bsPrice('put', p);
        expect(call).toBeGreaterThanOrEqual(Math.max(0, p.spot * Math.exp(-p.dividendYield * p.years) - p.strike * Math.exp(-p.rate * p.years)) - 1e-9);
        expect(put).toBeGreaterThanOrEqual(-1e-9);
        const dc = bsDelta('call', p);
        const dp = bsDelta('put', p);
        expect(dc).toBeGreaterThanOrEqual(0);
        expect(dc).toBeLessThanOrEqual(1);
        expect(dp).toBeLessThanOrEqual(0);
        expect(dc - dp).toBeCloseTo(Math.exp(-p.dividendYield * p.years), 12);
      }),
    );
  });

  it('gives NaN, not a number that looks real, for degenerate inputs', () => {
    const ok = { spot: 100, strike: 100, years: 0.1, iv: 0.2, rate: 0, dividendYield: 0 };
    for (const bad of [{ years: 0 }, { years: -1 }, { iv: 0 }, { spot: 0 }, { strike: -5 }]) {
      expect(bsGamma({ ...ok, ...bad })).toBeNaN();
      expect(bsPrice('call', { ...ok, ...bad })).toBeNaN();
      expect(bsDelta('put', { ...ok, ...bad })).toBeNaN();
    }
  });
});
