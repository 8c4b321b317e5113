/**
 * Time to expiry of an option, from the snapshot's event time to the expiry's settlement.
 *
 * Convention (ACT/365 years, US/Eastern settlement times):
 * - PM-settled contracts (SPXW weeklies and dailies, SPY and other equity options) settle
 *   on the closing print: 16:00 ET on the expiry date.
 * - AM-settled contracts (the standard SPX monthly, root `SPX`) settle on the Special
 *   Opening Quotation: we use 09:30 ET on the expiry date, so on a monthly expiry day the
 *   AM contracts drop out at the open while the SPXW contracts of the same date live on.
 * - A contract whose settlement is at or before the snapshot time is expired (no gamma).
 * - A live contract closer than `minYears` to settlement is floored there, so a 0DTE
 *   option near the bell never divides by zero (gamma ~ 1/sqrt(T)).
 * When the source does not say how a contract settles, it is taken as PM-settled.
 */
import type { OptionContract } from '../../core/types.ts';
import { easternWallTimeToUtc } from '../../core/zonedTime.ts';

export type Settlement = 'am' | 'pm';

/**
 * An option contract that may say how it settles. Loaders that know (the OSI root in a
 * CBOE export or a Polygon ticker) add `settlement`; OptionContract itself has no field.
 */
export type SettledOptionContract = OptionContract & { settlement?: Settlement };

export const YEAR_MS = 365 * 86_400_000;

/** Default floor on time to expiry: one hour, in years. */
export const DEFAULT_MIN_YEARS = 3_600_000 / YEAR_MS;

/** Roots whose standard options settle on the morning's opening quotation. */
const AM_SETTLED_ROOTS = new Set(['SPX', 'NDX', 'RUT', 'DJX', 'VIX']);

/** Settlement style of an OSI option root (`SPX` -> am, `SPXW` -> pm, `SPY` -> pm). */
export function settlementOfRoot(root: string): Settlement {
  return AM_SETTLED_ROOTS.has(root.toUpperCase()) ? 'am' : 'pm';
}

const settlementCache = new Map<string, number>();

/** The settlement instant (ms UTC) of an expiry date YYYY-MM-DD; NaN for a malformed date. */
export function settlementTime(expiry: string, settlement: Settlement = 'pm'): number {
  const key = `${expiry}|${settlement}`;
  const hit = settlementCache.get(key);
  if (hit !== undefined) return hit;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expiry);
  const ms = m
    ? settlement === 'am'
      ? easternWallTimeToUtc(Number(m[1]), Number(m[2]), Number(m[3]), 9, 30)
      : easternWallTimeToUtc(Number(m[1]), Number(m[2]), Number(m[3]), 16, 0)
    : Number.NaN;
  settlementCache.set(key, ms);
  return ms;
}

/**
 * Years from `time` to the contract's settlement, floored at `minYears`; null when the
 * contract has already settled (or its expiry date is malformed).
 */
export function yearsToExpiry(
  time: number,
  expiry: string,
  settlement: Settlement = 'pm',
  minYears: number = DEFAULT_MIN_YEARS,
): number | null {
  const settle = settlementTime(expiry, settlement);
  if (!(settle > time)) return null;
  return Math.max(minYears, (settle - time) / YEAR_MS);
}
