/**
 * SPX and VIX levels beside the simulated ES path.
 *
 * - SPX = ES - basis. The basis (the futures' carry premium) drifts slowly: a
 *   mean-reverting walk kept inside [min, max], about `dailySd` points per trading day.
 * - VIX follows the path's own realised volatility: `level` times the square root of a
 *   short EWMA (about four hours) of squared minute returns, each scaled by the long-run variance
 *   of its session (RTH or overnight), so the index tracks volatility clusters rather than
 *   the intraday RTH/overnight rhythm. A calm path sits near `level`; a burst lifts it.
 */
import type { Prng } from '../../core/prng.ts';

export interface BasisParams {
  /** ES - SPX at the start, index points. */
  initial: number;
  min: number;
  max: number;
  /** Typical change over one trading day (about 1,380 Globex minutes), points. */
  dailySd: number;
}

export interface VixParams {
  /** VIX of a path whose volatility is at its own long-run average. */
  level: number;
  /** Bounds of the index (a sanity clamp, never reached on ordinary paths). */
  min: number;
  max: number;
}

export const defaultBasisParams: BasisParams = { initial: 40, min: 20, max: 60, dailySd: 1 };
export const defaultVixParams: VixParams = { level: 16, min: 9, max: 80 };

/** Index levels at one minute's close. */
export interface IndexLevels {
  /** SPX index, 2 decimals. */
  spx: number;
  /** VIX index, 2 decimals. */
  vix: number;
  /** ES - SPX, points. */
  basis: number;
}

const GLOBEX_MINUTES_PER_DAY = 1_380;
/** EWMA weights: short about four hours (a volatility burst shows), long about ten days (session baselines). */
const SHORT_ALPHA = 1 / 240;
const LONG_ALPHA = 1 / (10 * GLOBEX_MINUTES_PER_DAY);
/** The prior variance counts as this many observed minutes. */
const PRIOR_WEIGHT = 60;
/** Pull of the basis back to the middle of its band per minute (half-life about five days). */
const BASIS_REVERSION = Math.LN2 / (5 * GLOBEX_MINUTES_PER_DAY);

const round2 = (x: number) => Math.round(x * 100) / 100;

export class SimulatedIndexes {
  private basis: number;
  private lastClose = Number.NaN;
  /** Long-run minute variance (points^2) per session: [overnight, RTH]. */
  private readonly sessionVariance: [number, number];
  /** Returns seen per session: the baselines learn as running means at first, then as EWMAs. */
  private readonly sessionCount: [number, number] = [0, 0];
  /** EWMA of squared returns relative to their session's long-run variance (1 = average). */
  private relativeVariance = 1;
  private readonly basisStep: number;

  constructor(
    private readonly rng: Prng,
    private readonly basisParams: BasisParams = defaultBasisParams,
    private readonly vixParams: VixParams = defaultVixParams,
    /** Prior minute variance of ES (points^2) before the path has taught its own. */
    priorVariance = 0.5,
  ) {
    if (!(basisParams.min <= basisParams.initial && basisParams.initial <= basisParams.max)) {
      throw new RangeError(`basis initial ${basisParams.initial} is outside [${basisParams.min}, ${basisParams.max}]`);
    }
    this.basis = basisParams.initial;
    this.sessionVariance = [priorVariance, priorVariance];
    this.basisStep = basisParams.dailySd / Math.sqrt(GLOBEX_MINUTES_PER_DAY);
  }

  /** Levels at the close of a minute whose ES close is `esClose`. */
  next(esClose: number, rth: boolean): IndexLevels {
    const b = this.basisParams;
    const middle = (b.min + b.max) / 2;
    let basis = this.basis + BASIS_REVERSION * (middle - this.basis) + this.basisStep * this.rng.normal();
    // Reflect at the band's edges: the basis stays inside without sticking to a bound.
    if (basis > b.max) basis = Math.max(b.min, 2 * b.max - basis);
    if (basis < b.min) basis = Math.min(b.max, 2 * b.min - basis);
    this.basis = basis;

    if (!Number.isNaN(this.lastClose)) {
      const r = esClose - this.lastClose;
      const session = rth ? 1 : 0;
      const baseline = this.sessionVariance[session];
      this.relativeVariance += SHORT_ALPHA * ((r * r) / baseline - this.relativeVariance);
      const learn = Math.max(LONG_ALPHA, 1 / (++this.sessionCount[session] + PRIOR_WEIGHT));
      this.sessionVariance[session] = baseline + learn * (r * r - baseline);
    }
    this.lastClose = esClose;
    const v = this.vixParams;
    const vix = Math.min(v.max, Math.max(v.min, v.level * Math.sqrt(this.relativeVariance)));
    return { spx: round2(esClose - basis), vix: round2(vix), basis: round2(basis) };
  }
}
