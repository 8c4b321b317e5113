/** Contract specifications (DOMAIN.md). Prices in index points, money in dollars. */
import { frontQuarterly, contractSymbol, parseContract } from '../core/contractRoll.ts';
import { tradingDay } from '../core/tradingDay.ts';

export interface Instrument {
  root: string;
  /** What it is, for messages. */
  name: string;
  tickSize: number;
  /** Dollars per 1.0 index point. */
  pointValue: number;
  /** Dollars per tick. */
  tickValue: number;
  /**
   * Typical retail commission per contract per side, dollars (exchange + clearing + NFA +
   * broker): the venue's when `venue.commissionPerContract` is not set. A round turn is twice this.
   */
  commissionPerContract: number;
}

export const instruments: Readonly<Record<string, Instrument>> = {
  ES: { root: 'ES', name: 'E-mini S&P 500', tickSize: 0.25, pointValue: 50, tickValue: 12.5, commissionPerContract: 2.25 },
  MES: { root: 'MES', name: 'Micro E-mini S&P 500', tickSize: 0.25, pointValue: 5, tickValue: 1.25, commissionPerContract: 0.62 },
  NQ: { root: 'NQ', name: 'E-mini Nasdaq-100', tickSize: 0.25, pointValue: 20, tickValue: 5, commissionPerContract: 2.25 },
  MNQ: { root: 'MNQ', name: 'Micro E-mini Nasdaq-100', tickSize: 0.25, pointValue: 2, tickValue: 0.5, commissionPerContract: 0.62 },
};

/** `ESZ5`, `ESZ25`, `ESZ25-CME`, `ESZ5.CME`, `ES`, `MNQH24` -> the spec of its root; unknown roots throw. */
/** Symbols already resolved: the venue asks on every bar, and a regex per bar shows in profiles. */
const resolved = new Map<string, Instrument>();

export function instrumentFor(symbol: string): Instrument {
  const known = resolved.get(symbol);
  if (known) return known;
  const m = /^(MES|MNQ|ES|NQ)(?:[FGHJKMNQUVXZ]\d{1,2})?(?:[-.][A-Z]+)?$/.exec(symbol.toUpperCase());
  const spec = m ? instruments[m[1]!] : undefined;
  if (!spec) throw new Error(`unknown symbol "${symbol}": expected ES, MES, NQ or MNQ (e.g. ESZ25, ESZ25-CME)`);
  if (resolved.size < 256) resolved.set(symbol, spec);
  return spec;
}

/** Round a price to the instrument's tick grid. */
export const roundToTick = (price: number, tick: number): number => Math.round(price / tick) * tick;

/** Commission per contract per side: the configured one, else the instrument's. */
export function commissionPerContract(config: { symbol: string; venue: { commissionPerContract: number | null } }): number {
  return config.venue.commissionPerContract ?? instrumentFor(config.symbol).commissionPerContract;
}

/** A replayed file of another instrument than the configuration's: refused (exit 2), never traded at the wrong point value. */
export class InstrumentMismatchError extends Error {
  override readonly name = 'InstrumentMismatchError';
}

/**
 * The contract a replay of `dataSymbol` (the loader's symbol: `ES`, `NQ`, `ESZ13`) trades,
 * starting at `firstTime`: the data's own contract when it names one, else the front
 * quarterly contract of that trading day (calendar roll, 8 days before expiry). The data's
 * instrument must be the configuration's (`configSymbol`'s root): a NQ file is never
 * backtested as ES.
 */
export function replayContract(dataSymbol: string, configSymbol: string, firstTime: number, source = 'the data'): string {
  const configured = instrumentFor(configSymbol);
  let data: Instrument;
  try {
    data = instrumentFor(dataSymbol);
  } catch {
    throw new InstrumentMismatchError(`${source}: symbol "${dataSymbol}" is not an instrument MIA knows (${Object.keys(instruments).join(', ')}); pass --symbol with the file's instrument`);
  }
  if (data.root !== configured.root) {
    throw new InstrumentMismatchError(
      `${source} holds ${data.root} (${data.name}, $${data.pointValue} a point) but the configuration trades ${configured.root} (symbol "${configSymbol}", $${configured.pointValue} a point): set "symbol": "${data.root}" in the configuration (or MIA__symbol=${data.root}) to trade it`,
    );
  }
  const own = parseContract(dataSymbol);
  if (own && own.root === data.root) return contractSymbol(own);
  return contractSymbol(frontQuarterly(data.root, tradingDay(firstTime)));
}

/** The front quarterly contract label of `root` at `time` (ms UTC), e.g. ES in early September 2023 -> ESU23. */
export const frontContractAt = (root: string, time: number): string => contractSymbol(frontQuarterly(root, tradingDay(time)));
