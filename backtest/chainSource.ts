/**
 * Option chains for a backtest's gamma features (`--chains PATH`): a directory, or one
 * file, of CBOE delayed-quote exports (any name containing `quotedata` and ending `.csv`,
 * e.g. `spx_quotedata_2023-09-04.csv` or `SPX_quotedata.csv`) and saved Polygon snapshots
 * (`*.json`, timed by their latest timestamp).
 *
 * Only chains of the gamma underlying (SPX by default) are kept: the levels are translated
 * to ES with the ES-SPX basis, so an SPY chain (prices a tenth of SPX) would put every
 * level thousands of points away. Chains of another underlying are skipped and listed.
 * A source that yields no chain at all is an error naming what was tried: a backtest that
 * was asked for gamma never runs without it silently.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { provenanceLabel, type OptionChainSnapshot } from '../core/types.ts';
import { CboeChainError, cboeChainFromBytes } from '../adapters/files/cboeChain.ts';
import { latestPolygonTimestamp, parsePolygonChainReport, PolygonChainError } from '../adapters/files/polygonChain.ts';
import type { DataProvenance } from './result.ts';

/** Bad `--chains` input (the CLI turns it into exit code 2). */
export class ChainSourceError extends Error {
  override readonly name = 'ChainSourceError';
}

export interface ChainSkip {
  file: string;
  reason: string;
}

export interface ChainSource {
  /** In time order. */
  chains: OptionChainSnapshot[];
  files: DataProvenance[];
  /** Files read but not used (another underlying), with why. */
  skipped: ChainSkip[];
}

/** A CBOE export by name: contains `quotedata`, ends `.csv` (case-insensitive). */
export const isCboeChainName = (name: string): boolean => /quotedata.*\.csv$/i.test(name);
const isPolygonChainName = (name: string): boolean => /\.json$/i.test(name);
/** A name the chain loader reads in a directory (CBOE export or Polygon snapshot). */
export const isChainFileName = (name: string): boolean => isCboeChainName(name) || isPolygonChainName(name);

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Every chain of `path` (a directory or one file) whose underlying is `underlying`.
 * Throws ChainSourceError when the path cannot be read, a chain file is broken, or nothing is left.
 */
export async function loadChainSource(path: string, underlying = 'SPX'): Promise<ChainSource> {
  let files: string[];
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new ChainSourceError(`cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (isDir) {
    const names = (await readdir(path)).sort();
    files = names.filter(isChainFileName).map((n) => resolve(join(path, n)));
    if (files.length === 0) {
      const seen = names.length === 0 ? 'the directory is empty' : `saw ${names.length} other file(s): ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}`;
      throw new ChainSourceError(`no option chain in directory "${path}": tried names containing "quotedata" ending .csv (CBOE) and *.json (Polygon snapshots); ${seen}`);
    }
  } else {
    files = [resolve(path)];
  }

  const loaded: { chain: OptionChainSnapshot; prov: DataProvenance }[] = [];
  const skipped: ChainSkip[] = [];
  for (const file of files) {
    const bytes = await readFile(file);
    const cboe = !isPolygonChainName(basename(file));
    let chain: OptionChainSnapshot;
    try {
      if (cboe) {
        chain = cboeChainFromBytes(bytes, file).snapshot;
      } else {
        const body: unknown = JSON.parse(bytes.toString('utf8'));
        const time = latestPolygonTimestamp(body);
        if (time === null) throw new PolygonChainError('the snapshot carries no timestamp: its time is unknown');
        chain = parsePolygonChainReport(body, { underlying, time }).snapshot;
      }
    } catch (err) {
      if (err instanceof CboeChainError || err instanceof PolygonChainError || err instanceof SyntaxError) {
        throw new ChainSourceError(`${file}: ${err.message}`);
      }
      throw err;
    }
    if (chain.underlying !== underlying) {
      skipped.push({ file, reason: `underlying ${chain.underlying || 'unknown'}, not ${underlying}` });
      continue;
    }
    const at = iso(chain.time);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    loaded.push({
      chain,
      prov: { file, sha256, format: cboe ? 'cboe' : 'polygon', rows: chain.contracts.length, from: at, to: at, label: provenanceLabel({ kind: 'replay', file, sha256 }) },
    });
  }
  if (loaded.length === 0) {
    const why = skipped.map((s) => `${basename(s.file)} (${s.reason})`).join(', ');
    throw new ChainSourceError(`no ${underlying} option chain in "${path}": tried ${files.length} file(s), none of ${underlying}: ${why}`);
  }
  loaded.sort((a, b) => a.chain.time - b.chain.time);
  return { chains: loaded.map((l) => l.chain), files: loaded.map((l) => l.prov), skipped };
}
