/**
 * The contracts of a chain that carry dealer gamma at the snapshot, with each one's gamma
 * at spot, in flat typed arrays for the re-pricing loops.
 *
 * Gamma at spot is the source's own figure when it gives one; a contract with an IV but
 * no gamma gets its Black-Scholes gamma. A contract with open interest but neither is
 * skipped and counted, never given a placeholder. Contracts without an IV still count at
 * spot but cannot be re-priced for the zero-gamma grid (counted as `notRepriced`).
 */
import type { OptionChainSnapshot } from '../../core/types.ts';
import { bsGamma } from './blackScholes.ts';
import { calendarDaysBetween, easternDate } from '../../core/zonedTime.ts';
import { GammaInputError, type GammaParams } from './gammaParams.ts';
import { yearsToExpiry, type SettledOptionContract } from './timeToExpiry.ts';

/** Where every contract of the chain went. Skip reasons are exclusive, checked in this order. */
export interface GammaCounts {
  /** Contracts in the chain. */
  contracts: number;
  /** Contracts whose strike, expiry or open interest is unusable. */
  invalid: number;
  /** No open interest: no dealer position to hedge. */
  zeroOpenInterest: number;
  /** Settled at or before the snapshot time. */
  expired: number;
  /** Beyond `expiryMaxDays`. */
  beyondMaxDays: number;
  /** Open interest but neither gamma nor IV: skipped. */
  noGreeks: number;
  /** Contribute to GEX at spot. */
  used: number;
  /** Of `used`: gamma computed by Black-Scholes from the IV. */
  gammaFromIv: number;
  /** Of `used`: no IV, so left out of the zero-gamma re-pricing. */
  notRepriced: number;
}

/** The contributing contracts, column-wise. `iv` is NaN when the source had none. */
export interface ChainGammas {
  time: number;
  spot: number;
  params: GammaParams;
  size: number;
  strike: Float64Array;
  /** +1 for a call (dealer long), -1 for a put (dealer short). */
  sign: Int8Array;
  openInterest: Float64Array;
  years: Float64Array;
  iv: Float64Array;
  /** Gamma per index point at the snapshot's spot. */
  gamma: Float64Array;
  counts: GammaCounts;
}

/** Selects and prices the chain's contracts for the gamma computation. */
export function chainGammas(chain: OptionChainSnapshot, params: GammaParams): ChainGammas {
  const { spot, time } = chain;
  if (!(spot > 0) || !Number.isFinite(spot)) throw new GammaInputError(`chain spot must be a positive number, got ${spot}`);
  if (!Number.isFinite(time)) throw new GammaInputError(`chain time must be a finite ms timestamp, got ${time}`);
  const contracts = chain.contracts as readonly SettledOptionContract[];
  const n = contracts.length;
  const strike = new Float64Array(n);
  const sign = new Int8Array(n);
  const openInterest = new Float64Array(n);
  const years = new Float64Array(n);
  const iv = new Float64Array(n);
  const gamma = new Float64Array(n);
  const counts: GammaCounts = {
    contracts: n, invalid: 0, zeroOpenInterest: 0, expired: 0, beyondMaxDays: 0, noGreeks: 0, used: 0, gammaFromIv: 0, notRepriced: 0,
  };
  const today = easternDate(time);
  const daysTo = new Map<string, number>();
  let k = 0;
  for (const c of contracts) {
    if (!(c.strike > 0) || !Number.isFinite(c.strike) || !(c.openInterest >= 0) || !Number.isFinite(c.openInterest) || (c.right !== 'call' && c.right !== 'put')) {
      counts.invalid++;
      continue;
    }
    if (c.openInterest === 0) {
      counts.zeroOpenInterest++;
      continue;
    }
    const t = yearsToExpiry(time, c.expiry, c.settlement ?? 'pm', params.minYears);
    if (t === null) {
      // A malformed expiry date also lands here; tell the two apart for the report.
      if (/^\d{4}-\d{2}-\d{2}$/.test(c.expiry)) counts.expired++;
      else counts.invalid++;
      continue;
    }
    if (params.expiryMaxDays !== undefined) {
      let days = daysTo.get(c.expiry);
      if (days === undefined) daysTo.set(c.expiry, (days = calendarDaysBetween(today, c.expiry)));
      if (days > params.expiryMaxDays) {
        counts.beyondMaxDays++;
        continue;
      }
    }
    const vol = c.iv !== undefined && c.iv > 0 && Number.isFinite(c.iv) ? c.iv : Number.NaN;
    let g = c.gamma !== undefined && c.gamma >= 0 && Number.isFinite(c.gamma) ? c.gamma : Number.NaN;
    if (Number.isNaN(g) && !Number.isNaN(vol)) {
      g = bsGamma({ spot, strike: c.strike, years: t, iv: vol, rate: params.riskFreeRate, dividendYield: params.dividendYield });
      counts.gammaFromIv++;
    }
    if (Number.isNaN(g)) {
      counts.noGreeks++;
      continue;
    }
    if (Number.isNaN(vol)) counts.notRepriced++;
    strike[k] = c.strike;
    sign[k] = c.right === 'call' ? 1 : -1;
    openInterest[k] = c.openInterest;
    years[k] = t;
    iv[k] = vol;
    gamma[k] = g;
    k++;
  }
  counts.used = k;
  return {
    time, spot, params, size: k,
    strike: strike.subarray(0, k), sign: sign.subarray(0, k), openInterest: openInterest.subarray(0, k),
    years: years.subarray(0, k), iv: iv.subarray(0, k), gamma: gamma.subarray(0, k),
    counts,
  };
}
