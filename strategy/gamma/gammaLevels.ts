/**
 * The gamma levels the strategy consumes: one chain snapshot's spot, net GEX, walls and
 * zero-gamma level in SPX points, plus the same levels in ES points when a basis is known.
 * Plain data, so features, reports and the CLI share one shape.
 */

/** Levels translated to ES points (SPX level + basis); null where the SPX level is null. */
export interface EsGammaLevels {
  callWall: number | null;
  putWall: number | null;
  zeroGamma: number | null;
}

export interface GammaLevels {
  /** Snapshot time of the chain, ms UTC. */
  time: number;
  /** Underlying (SPX) price at the snapshot. */
  spot: number;
  /** Net dealer GEX at spot, dollars per 1 % move (calls +, puts -). */
  netGex: number;
  /** Strike with the largest call GEX; null when no call carries gamma. */
  callWall: number | null;
  /** Strike with the largest put GEX magnitude; null when no put carries gamma. */
  putWall: number | null;
  /** Spot where re-priced net GEX changes sign; null when it does not on the grid. */
  zeroGamma: number | null;
  /** ES price - SPX price used for `es`, when known. */
  basis?: number;
  es?: EsGammaLevels;
}
