/**
 * A series' symbol and tick size when the file does not say: from the option, from the
 * rows' own symbol, else from the file or folder name (`ES_1min_sample.csv`,
 * `nq_ticks/...`). The tick size drives the off-tick check; an unknown instrument
 * (AAPL, GCJ5) is not checked rather than checked against the wrong grid.
 */
import { basename, dirname } from 'node:path';
import { instrumentFor, instruments } from '../../config/instruments.ts';

const ROOTS = Object.keys(instruments).sort((a, b) => b.length - a.length);

/** ES/MES/NQ root inside a symbol or a name (`&ES_CCB`, `ESZ13`, `time_and_sales_nq_`), or null. */
export function knownRoot(text: string): string | null {
  const upper = text.toUpperCase();
  try {
    return instrumentFor(upper).root;
  } catch {
    // fall through to a looser match
  }
  for (const root of ROOTS) {
    const re = new RegExp(`(?:^|[^A-Z])${root}(?:[FGHJKMNQUVXZ]\\d{1,4})?(?:[^A-Z]|$)`);
    if (re.test(upper)) return root;
  }
  return null;
}

/** Root guessed from the file name, then its folder; null when neither names ES, MES or NQ. */
export function rootFromPath(file: string): string | null {
  return knownRoot(basename(file).replace(/\.[a-z0-9]+$/i, '')) ?? knownRoot(basename(dirname(file)));
}

/** Tick size for the off-tick check: the option, else the instrument's, else null (not checked). */
export function tickSizeFor(symbol: string, option: number | undefined): number | null {
  if (option !== undefined) return option > 0 ? option : null;
  const root = knownRoot(symbol);
  return root ? instruments[root]!.tickSize : null;
}
