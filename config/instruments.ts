/** Contract specifications (DOMAIN.md). Prices in index points, money in dollars. */
export interface Instrument {
  root: string;
  tickSize: number;
  /** Dollars per 1.0 index point. */
  pointValue: number;
  /** Dollars per tick. */
  tickValue: number;
}

export const instruments: Readonly<Record<string, Instrument>> = {
  ES: { root: 'ES', tickSize: 0.25, pointValue: 50, tickValue: 12.5 },
  MES: { root: 'MES', tickSize: 0.25, pointValue: 5, tickValue: 1.25 },
  NQ: { root: 'NQ', tickSize: 0.25, pointValue: 20, tickValue: 5 },
};

/** Symbols already resolved: the venue asks on every bar, and a regex per bar shows in profiles. */
const resolved = new Map<string, Instrument>();

/** `ESZ5`, `ESZ25`, `ESZ25-CME`, `ESZ5.CME`, `ES` -> the ES spec; unknown roots throw. */
export function instrumentFor(symbol: string): Instrument {
  const known = resolved.get(symbol);
  if (known) return known;
  const m = /^(MES|ES|NQ)(?:[FGHJKMNQUVXZ]\d{1,2})?(?:[-.][A-Z]+)?$/.exec(symbol.toUpperCase());
  const spec = m ? instruments[m[1]!] : undefined;
  if (!spec) throw new Error(`unknown symbol "${symbol}": expected ES, MES or NQ (e.g. ESZ25, ESZ25-CME)`);
  if (resolved.size < 256) resolved.set(symbol, spec);
  return spec;
}

