/**
 * Black-Scholes-Merton for European options on an index paying a continuous dividend
 * yield: prices, delta and gamma. SPX options are European, so this is their model, not
 * an approximation of one. Pure functions on plain numbers: the zero-gamma grid calls
 * them hundreds of thousands of times.
 *
 * Units: spot and strike in index points, `years` in ACT/365 years, `iv`, `rate` and
 * `dividendYield` as annualised decimals (0.18 = 18 %). Gamma is per 1 index point.
 * Degenerate inputs (non-positive spot, strike, years or volatility) give NaN: callers
 * filter contracts before pricing, and NaN never passes silently as a number.
 */
import type { OptionRight } from '../../core/types.ts';

/** One option's Black-Scholes inputs. */
export interface BlackScholesInputs {
  spot: number;
  strike: number;
  /** Time to expiry in years (ACT/365). */
  years: number;
  /** Implied volatility, annualised decimal. */
  iv: number;
  /** Continuously compounded risk-free rate. */
  rate: number;
  /** Continuous dividend yield. */
  dividendYield: number;
}

const INV_SQRT_2PI = 0.3989422804014327;

/** Standard normal density. */
export function normPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Standard normal cumulative distribution, Hart (1968) as given by West (2005),
 * "Better approximations to cumulative normal functions": double-precision accurate,
 * and exactly symmetric (N(x) + N(-x) = 1), which keeps put-call parity exact.
 */
export function normCdf(x: number): number {
  const a = Math.abs(x);
  let tail: number;
  if (a > 37) {
    tail = 0;
  } else {
    const e = Math.exp(-0.5 * a * a);
    if (a < 7.07106781186547) {
      let n = 3.52624965998911e-2 * a + 0.700383064443688;
      n = n * a + 6.37396220353165;
      n = n * a + 33.912866078383;
      n = n * a + 112.079291497871;
      n = n * a + 221.213596169931;
      n = n * a + 220.206867912376;
      let d = 8.83883476483184e-2 * a + 1.75566716318264;
      d = d * a + 16.064177579207;
      d = d * a + 86.7807322029461;
      d = d * a + 296.564248779674;
      d = d * a + 637.333633378831;
      d = d * a + 793.826512519948;
      d = d * a + 440.413735824752;
      tail = (e * n) / d;
    } else {
      let b = a + 0.65;
      b = a + 4 / b;
      b = a + 3 / b;
      b = a + 2 / b;
      b = a + 1 / b;
      tail = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

const valid = (p: BlackScholesInputs): boolean => p.spot > 0 && p.strike > 0 && p.years > 0 && p.iv > 0;

/** d1 of Black-Scholes-Merton; NaN for degenerate inputs. */
export function d1(p: BlackScholesInputs): number {
  if (!valid(p)) return Number.NaN;
  const volRoot = p.iv * Math.sqrt(p.years);
  return (Math.log(p.spot / p.strike) + (p.rate - p.dividendYield + 0.5 * p.iv * p.iv) * p.years) / volRoot;
}

/** Option price in index points. */
export function bsPrice(right: OptionRight, p: BlackScholesInputs): number {
  const x1 = d1(p);
  if (Number.isNaN(x1)) return Number.NaN;
  const x2 = x1 - p.iv * Math.sqrt(p.years);
  const fwdSpot = p.spot * Math.exp(-p.dividendYield * p.years);
  const pvStrike = p.strike * Math.exp(-p.rate * p.years);
  return right === 'call'
    ? fwdSpot * normCdf(x1) - pvStrike * normCdf(x2)
    : pvStrike * normCdf(-x2) - fwdSpot * normCdf(-x1);
}

/** Delta per 1 index point (call in (0, 1), put in (-1, 0)). */
export function bsDelta(right: OptionRight, p: BlackScholesInputs): number {
  const x1 = d1(p);
  if (Number.isNaN(x1)) return Number.NaN;
  const carry = Math.exp(-p.dividendYield * p.years);
  return right === 'call' ? carry * normCdf(x1) : carry * (normCdf(x1) - 1);
}

/** Gamma per 1 index point; the same for a call and a put. */
export function bsGamma(p: BlackScholesInputs): number {
  const x1 = d1(p);
  if (Number.isNaN(x1)) return Number.NaN;
  return (Math.exp(-p.dividendYield * p.years) * normPdf(x1)) / (p.spot * p.iv * Math.sqrt(p.years));
}
