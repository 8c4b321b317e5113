/**
 * Parameters of the dealer-gamma computation, with documented defaults. Rates are
 * inputs, not market data MIA fetches: pass the current ones for precise work.
 */
import { DEFAULT_MIN_YEARS } from './timeToExpiry.ts';
import { MiaError, type MiaErrorOptions } from '../../core/errors.ts';

export interface GammaParams {
  /** Continuously compounded risk-free rate. Default 0.04 (US T-bills, 2023-2024 order of magnitude). */
  riskFreeRate: number;
  /** Continuous dividend yield of the index. Default 0.015 (S&P 500, 2022-2024). */
  dividendYield: number;
  /** Units of the underlying per contract. Default 100 (SPX, SPY). */
  contractMultiplier: number;
  /** Floor on time to expiry, in years. Default one hour (see timeToExpiry.ts). */
  minYears: number;
  /**
   * Keep only expiries at most this many calendar days (US/Eastern dates) after the
   * snapshot's date: 0 = 0DTE only. Undefined keeps every expiry.
   */
  expiryMaxDays?: number;
}

export const DEFAULT_GAMMA_PARAMS: Readonly<GammaParams> = Object.freeze({
  riskFreeRate: 0.04,
  dividendYield: 0.015,
  contractMultiplier: 100,
  minYears: DEFAULT_MIN_YEARS,
});

/** Raised for parameters or inputs the gamma computation cannot work with. */
export class GammaInputError extends MiaError<'GAMMA_INPUT_INVALID'> {
  override name = 'GammaInputError';
  constructor(message: string, options?: MiaErrorOptions) {
    super('GAMMA_INPUT_INVALID', message, options);
  }
}

/** Defaults overridden by `overrides`, checked: a bad value names its key. */
export function resolveGammaParams(overrides: Partial<GammaParams> = {}): GammaParams {
  const p: GammaParams = { ...DEFAULT_GAMMA_PARAMS };
  for (const [key, value] of Object.entries(overrides) as [keyof GammaParams, number | undefined][]) {
    if (value !== undefined) p[key] = value;
  }
  const finite = (key: keyof GammaParams) => {
    if (!Number.isFinite(p[key])) throw new GammaInputError(`${key} must be a finite number, got ${p[key]}`);
  };
  finite('riskFreeRate');
  finite('dividendYield');
  if (!(p.contractMultiplier > 0) || !Number.isFinite(p.contractMultiplier))
    throw new GammaInputError(`contractMultiplier must be positive, got ${p.contractMultiplier}`);
  if (!(p.minYears > 0) || !Number.isFinite(p.minYears)) throw new GammaInputError(`minYears must be positive, got ${p.minYears}`);
  if (p.expiryMaxDays !== undefined && !(Number.isInteger(p.expiryMaxDays) && p.expiryMaxDays >= 0))
    throw new GammaInputError(`expiryMaxDays must be a non-negative integer, got ${p.expiryMaxDays}`);
  return p;
}
