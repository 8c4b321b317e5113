/**
 * SPX gamma levels in ES points (DOMAIN.md): ES level = SPX level + basis, with
 * basis = ES price - SPX price taken at the same moment. The basis carries financing
 * minus dividends to the future's expiry (positive most of the time), so it must come
 * from simultaneous prices, not from a constant.
 */
import type { EsGammaLevels, GammaLevels } from './gammaLevels.ts';
import { GammaInputError } from './gammaParams.ts';

/** ES price - SPX price. */
export function esBasis(esPrice: number, spxPrice: number): number {
  if (!Number.isFinite(esPrice) || !Number.isFinite(spxPrice)) throw new GammaInputError(`basis needs finite prices, got ES ${esPrice} and SPX ${spxPrice}`);
  return esPrice - spxPrice;
}

const shift = (level: number | null, basis: number): number | null => (level === null ? null : level + basis);

/** The levels with `basis` and their ES translation set. */
export function withEsLevels(levels: GammaLevels, basis: number): GammaLevels {
  if (!Number.isFinite(basis)) throw new GammaInputError(`basis must be a finite number, got ${basis}`);
  const es: EsGammaLevels = {
    callWall: shift(levels.callWall, basis),
    putWall: shift(levels.putWall, basis),
    zeroGamma: shift(levels.zeroGamma, basis),
  };
  return { ...levels, basis, es };
}

/** What the confluence gamma feature reads: the levels in ES points next to the ES price. */
export interface GammaFeatureInputs {
  /** Time of the chain the levels come from, ms UTC (the feature judges staleness). */
  levelsTime: number;
  /** Current ES price. */
  esPrice: number;
  /** Basis used to translate (ES - SPX). */
  basis: number;
  /** The levels in ES points; null where there is none. */
  callWall: number | null;
  putWall: number | null;
  zeroGamma: number | null;
  /** Net dealer GEX at the snapshot, dollars per 1 % (its sign tells the gamma regime). */
  netGex: number;
}

/**
 * The gamma feature's inputs at the current ES price. The basis is the one recorded with
 * the levels when there is one (simultaneous prices); otherwise ES price - the chain's
 * spot, which is only right while the levels are fresh.
 */
export function gammaFeatureInputs(levels: GammaLevels, esPrice: number): GammaFeatureInputs {
  if (!(esPrice > 0) || !Number.isFinite(esPrice)) throw new GammaInputError(`esPrice must be a positive number, got ${esPrice}`);
  const basis = levels.basis ?? esBasis(esPrice, levels.spot);
  const es = levels.es && levels.basis !== undefined ? levels.es : withEsLevels(levels, basis).es!;
  return {
    levelsTime: levels.time,
    esPrice,
    basis,
    callWall: es.callWall,
    putWall: es.putWall,
    zeroGamma: es.zeroGamma,
    netGex: levels.netGex,
  };
}
