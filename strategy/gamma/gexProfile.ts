/**
 * Dealer gamma exposure (GEX) at spot, per strike and net (DOMAIN.md "Dealer gamma
 * levels"): an option's dollar gamma per 1 % move is G * OI * multiplier * S^2 * 0.01;
 * calls count as dealer-long (+), puts as dealer-short (-).
 */
import type { ChainGammas } from './chainGammas.ts';

/** Dollars of delta change per 1 % move of the underlying, for `openInterest` contracts. */
export function dollarGammaPerPercent(gamma: number, openInterest: number, spot: number, multiplier = 100): number {
  return gamma * openInterest * multiplier * spot * spot * 0.01;
}

/** One strike's GEX, summed over the expiries kept; `putGex` is <= 0 (dealer-short). */
export interface StrikeGex {
  strike: number;
  callGex: number;
  putGex: number;
  netGex: number;
}

export interface GexProfile {
  spot: number;
  /** Sum over calls minus sum over puts, dollars per 1 % move. */
  netGex: number;
  /** Strikes ascending; only strikes with at least one contributing contract. */
  byStrike: StrikeGex[];
}

/** Per-strike and net GEX at the snapshot's spot, from each contract's gamma at spot. */
export function gexProfile(g: ChainGammas): GexProfile {
  const scale = g.params.contractMultiplier * g.spot * g.spot * 0.01;
  const rows = new Map<number, StrikeGex>();
  let net = 0;
  for (let i = 0; i < g.size; i++) {
    const strike = g.strike[i]!;
    const gex = g.gamma[i]! * g.openInterest[i]! * scale;
    let row = rows.get(strike);
    if (row === undefined) rows.set(strike, (row = { strike, callGex: 0, putGex: 0, netGex: 0 }));
    if (g.sign[i]! > 0) {
      row.callGex += gex;
      row.netGex += gex;
      net += gex;
    } else {
      row.putGex -= gex;
      row.netGex -= gex;
      net -= gex;
    }
  }
  const byStrike = [...rows.values()].sort((a, b) => a.strike - b.strike);
  return { spot: g.spot, netGex: net, byStrike };
}
