/**
 * Zero-gamma (gamma flip) level (DOMAIN.md): the spot S* at which dealers' net GEX
 * changes sign. Every contract with an IV is re-priced with Black-Scholes at hypothetical
 * spots (same IV, same time to expiry) over a grid around the snapshot's spot; the level
 * is the sign change nearest to spot, linearly interpolated between the two grid points
 * that bracket it. No sign change on the grid: null, never an edge of the grid.
 */
import type { ChainGammas } from './chainGammas.ts';
import { GammaInputError } from './gammaParams.ts';

/** The hypothetical spots: spot * (1 + k * step) for |k * step| <= range. */
export interface SpotGrid {
  /** Half-width as a fraction of spot. Default 0.10 (+/-10 %). */
  range: number;
  /** Step as a fraction of spot. Default 0.0025 (0.25 %). */
  step: number;
}

export const DEFAULT_SPOT_GRID: Readonly<SpotGrid> = Object.freeze({ range: 0.1, step: 0.0025 });

/** Most points a grid may have on each side of spot: keeps a typo from hanging the CLI. */
const MAX_STEPS_PER_SIDE = 20_000;

/** Net GEX (dollars per 1 % move) re-priced at each spot of the grid. */
export interface GexCurve {
  spots: Float64Array;
  netGex: Float64Array;
}

/** The re-pricing terms of one chain, precomputed once for every spot of the grid. */
interface RepricingTerms {
  size: number;
  logStrike: Float64Array;
  drift: Float64Array;
  invVolRoot: Float64Array;
  /** sign * OI * multiplier * 0.01 * exp(-qT) / (iv * sqrt(T)). */
  weight: Float64Array;
}

const INV_SQRT_2PI = 0.3989422804014327;

function repricingTerms(g: ChainGammas): RepricingTerms {
  const { riskFreeRate: r, dividendYield: q, contractMultiplier } = g.params;
  const n = g.size;
  const t: RepricingTerms = {
    size: 0,
    logStrike: new Float64Array(n),
    drift: new Float64Array(n),
    invVolRoot: new Float64Array(n),
    weight: new Float64Array(n),
  };
  let k = 0;
  for (let i = 0; i < n; i++) {
    const iv = g.iv[i]!;
    if (Number.isNaN(iv)) continue;
    const years = g.years[i]!;
    const volRoot = iv * Math.sqrt(years);
    t.logStrike[k] = Math.log(g.strike[i]!);
    t.drift[k] = (r - q + 0.5 * iv * iv) * years;
    t.invVolRoot[k] = 1 / volRoot;
    t.weight[k] = (g.sign[i]! * g.openInterest[i]! * contractMultiplier * 0.01 * Math.exp(-q * years)) / volRoot;
    k++;
  }
  t.size = k;
  return t;
}

/**
 * Net GEX at a hypothetical spot: sum of sign * BS gamma(S) * OI * multiplier * S^2 * 0.01,
 * which with gamma = e^(-qT) phi(d1) / (S iv sqrt(T)) is S * sum(weight * phi(d1)).
 */
function netGexWith(t: RepricingTerms, spot: number): number {
  const logSpot = Math.log(spot);
  let sum = 0;
  for (let i = 0; i < t.size; i++) {
    const d1 = (logSpot - t.logStrike[i]! + t.drift[i]!) * t.invVolRoot[i]!;
    sum += t.weight[i]! * Math.exp(-0.5 * d1 * d1);
  }
  return spot * sum * INV_SQRT_2PI;
}

/** Net GEX re-priced at one hypothetical spot (contracts without IV left out). */
export function repricedNetGex(g: ChainGammas, spot: number): number {
  if (!(spot > 0)) throw new GammaInputError(`a hypothetical spot must be positive, got ${spot}`);
  return netGexWith(repricingTerms(g), spot);
}

/** Checks a grid; a bad value names its key. */
export function checkSpotGrid(grid: SpotGrid): SpotGrid {
  if (!(grid.range > 0 && grid.range < 1)) throw new GammaInputError(`grid range must be in (0, 1) as a fraction of spot, got ${grid.range}`);
  if (!(grid.step > 0 && grid.step <= grid.range)) throw new GammaInputError(`grid step must be in (0, range], got ${grid.step}`);
  if (grid.range / grid.step > MAX_STEPS_PER_SIDE) throw new GammaInputError(`grid has more than ${MAX_STEPS_PER_SIDE} steps per side (range ${grid.range}, step ${grid.step})`);
  return grid;
}

/** Net GEX re-priced over the grid around the chain's spot, spots ascending. */
export function repricedGexCurve(g: ChainGammas, grid: SpotGrid = DEFAULT_SPOT_GRID): GexCurve {
  checkSpotGrid(grid);
  const terms = repricingTerms(g);
  // A tiny epsilon keeps floating error from dropping the last grid point (0.1 / 0.0025).
  const steps = Math.floor(grid.range / grid.step + 1e-9);
  const spots = new Float64Array(2 * steps + 1);
  const netGex = new Float64Array(2 * steps + 1);
  for (let k = -steps; k <= steps; k++) {
    const s = g.spot * (1 + k * grid.step);
    spots[k + steps] = s;
    netGex[k + steps] = netGexWith(terms, s);
  }
  return { spots, netGex };
}

/**
 * The sign change of a curve nearest to `spot`, linearly interpolated; null when the
 * curve never changes sign. A grid point where the curve is exactly zero is itself a
 * crossing when its neighbours differ in sign (or it is the curve's only zero run).
 */
export function zeroCrossing(curve: GexCurve, spot: number): number | null {
  const { spots, netGex } = curve;
  let best: number | null = null;
  let bestDistance = Infinity;
  const consider = (level: number) => {
    const d = Math.abs(level - spot);
    if (d < bestDistance) {
      bestDistance = d;
      best = level;
    }
  };
  // Walk between non-zero points; zeros in between sit on the crossing.
  let prev = -1;
  for (let i = 0; i < spots.length; i++) {
    const v = netGex[i]!;
    if (v === 0 || Number.isNaN(v)) continue;
    if (prev >= 0) {
      const u = netGex[prev]!;
      if ((u < 0 && v > 0) || (u > 0 && v < 0)) {
        if (i - prev > 1) {
          // Exact zeros between the two: the middle of the zero run.
          consider((spots[prev + 1]! + spots[i - 1]!) / 2);
        } else {
          const a = spots[prev]!;
          const b = spots[i]!;
          consider(a + ((b - a) * u) / (u - v));
        }
      }
    }
    prev = i;
  }
  return best;
}

/** The zero-gamma level of a chain over a grid, or null when net GEX keeps one sign. */
export function zeroGammaLevel(g: ChainGammas, grid: SpotGrid = DEFAULT_SPOT_GRID): number | null {
  return zeroCrossing(repricedGexCurve(g, grid), g.spot);
}
