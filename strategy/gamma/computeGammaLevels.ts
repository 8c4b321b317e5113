/**
 * One chain snapshot -> gamma levels: per-strike GEX profile, net GEX, call and put
 * walls, zero-gamma level by re-pricing, and the ES translation when a basis or an ES
 * price is given. Pure: the chain comes in, numbers go out.
 */
import type { OptionChainSnapshot } from '../../core/types.ts';
import { chainGammas, type GammaCounts } from './chainGammas.ts';
import { esBasis, withEsLevels } from './esTranslation.ts';
import type { GammaLevels } from './gammaLevels.ts';
import { GammaInputError, resolveGammaParams, type GammaParams } from './gammaParams.ts';
import { gexProfile, type StrikeGex } from './gexProfile.ts';
import { callWall, putWall } from './walls.ts';
import { DEFAULT_SPOT_GRID, checkSpotGrid, zeroGammaLevel, type SpotGrid } from './zeroGamma.ts';

export interface GammaLevelsOptions extends Partial<GammaParams> {
  /** Spot grid of the zero-gamma search (fractions of spot). */
  grid?: Partial<SpotGrid>;
  /** ES price at the chain's time: basis = esPrice - chain spot. */
  esPrice?: number;
  /** ES - SPX basis, when known directly. Exclusive with `esPrice`. */
  basis?: number;
}

/** The levels with what produced them. */
export interface GammaAnalysis {
  levels: GammaLevels;
  /** Per-strike GEX at spot, strikes ascending. */
  byStrike: StrikeGex[];
  counts: GammaCounts;
  params: GammaParams;
  grid: SpotGrid;
}

/** Computes the gamma levels of one chain snapshot. */
export function computeGammaLevels(chain: OptionChainSnapshot, options: GammaLevelsOptions = {}): GammaAnalysis {
  const { grid: gridOverrides, esPrice, basis, ...paramOverrides } = options;
  if (esPrice !== undefined && basis !== undefined) throw new GammaInputError('give either esPrice or basis, not both');
  const params = resolveGammaParams(paramOverrides);
  const grid = checkSpotGrid({ ...DEFAULT_SPOT_GRID, ...gridOverrides });
  const g = chainGammas(chain, params);
  const profile = gexProfile(g);
  let levels: GammaLevels = {
    time: chain.time,
    spot: chain.spot,
    netGex: profile.netGex,
    callWall: callWall(profile.byStrike),
    putWall: putWall(profile.byStrike),
    zeroGamma: zeroGammaLevel(g, grid),
  };
  const b = basis ?? (esPrice !== undefined ? esBasis(esPrice, chain.spot) : undefined);
  if (b !== undefined) levels = withEsLevels(levels, b);
  return { levels, byStrike: profile.byStrike, counts: g.counts, params, grid };
}
