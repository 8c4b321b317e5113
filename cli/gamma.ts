/**
 * `mia gamma --chain FILE`: dealer gamma levels of one option chain file (a CBOE
 * `*_quotedata.csv` export or a saved Polygon options snapshot): net GEX, call wall, put
 * wall, zero gamma, the per-strike profile, and the levels in ES points with a basis.
 * GEX is in dollars per 1 % move of the underlying.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { OptionChainSnapshot, Provenance } from '../core/types.ts';
import { provenanceLabel } from '../core/types.ts';
import { CboeChainError, cboeChainFromBytes, looksLikeCboeChain } from '../adapters/files/cboeChain.ts';
import { PolygonChainError, latestPolygonTimestamp, parsePolygonChainReport } from '../adapters/files/polygonChain.ts';
import { computeGammaLevels, type GammaAnalysis } from '../strategy/gamma/computeGammaLevels.ts';
import { daysToMonthlyExpiry, expiryCycleFactorForDays } from '../strategy/gamma/expiryCycle.ts';
import { UsageError } from './usage.ts';

export type ChainFormat = 'cboe' | 'polygon';

export interface GammaCommandOptions {
  chain: string;
  format?: ChainFormat;
  esPrice?: number;
  basis?: number;
  expiryMaxDays?: number;
  time?: number;
  spot?: number;
  underlying?: string;
  rate?: number;
  dividendYield?: number;
  /** Percent of spot. */
  gridRange?: number;
  /** Percent of spot. */
  gridStep?: number;
  json?: boolean;
}

const finiteNumber = (flag: string) => (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} must be a number, got "${value}"`);
  return n;
};

const positiveNumber = (flag: string) => (value: string): number => {
  const n = finiteNumber(flag)(value);
  if (!(n > 0)) throw new InvalidArgumentError(`${flag} must be positive, got "${value}"`);
  return n;
};

const nonNegativeInt = (flag: string) => (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${flag} must be a whole number of days >= 0, got "${value}"`);
  return n;
};

const timeValue = (value: string): number => {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`--time must be an ISO 8601 time or ms since epoch, got "${value}"`);
  return n;
};

/** Wires `mia gamma` into the program. */
export function registerGammaCommand(program: Command): void {
  program
    .command('gamma')
    .description('dealer gamma levels (GEX per strike, walls, zero gamma) of an option chain file; GEX in $ per 1% move')
    .requiredOption('--chain <file>', 'CBOE *_quotedata.csv export or saved Polygon options snapshot (JSON)')
    .addOption(new Option('--format <kind>', 'chain file format (default: detected from the content)').choices(['cboe', 'polygon']))
    .option('--es-price <p>', 'ES price at the chain time: basis = ES - SPX, levels also in ES points', positiveNumber('--es-price'))
    .option('--basis <b>', 'ES - SPX basis in points, levels also in ES points', finiteNumber('--basis'))
    .option('--expiry-max-days <n>', 'keep only expiries at most N calendar days away (0 = 0DTE)', nonNegativeInt('--expiry-max-days'))
    .option('--time <t>', "snapshot time, ISO 8601 or ms (default: the file's own)", timeValue)
    .option('--spot <p>', "underlying price (default: the file's own)", positiveNumber('--spot'))
    .option('--underlying <symbol>', 'underlying symbol of a Polygon file (default SPX)')
    .option('--rate <r>', 'risk-free rate, decimal (default 0.04)', finiteNumber('--rate'))
    .option('--dividend-yield <q>', 'dividend yield, decimal (default 0.015)', finiteNumber('--dividend-yield'))
    .option('--grid-range <pct>', 'zero-gamma search half-width, % of spot (default 10)', positiveNumber('--grid-range'))
    .option('--grid-step <pct>', 'zero-gamma search step, % of spot (default 0.25)', positiveNumber('--grid-step'))
    .option('--json', 'print the result as JSON')
    .action(async (opts: GammaCommandOptions) => {
      process.exitCode = await gammaCommand(opts);
    });
}

interface LoadedChain {
  format: ChainFormat;
  snapshot: OptionChainSnapshot;
  /** What the loader left out or noticed. */
  source: Record<string, unknown>;
  warnings: string[];
}

function detectFormat(text: string): ChainFormat | null {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('{') || start.startsWith('[')) return 'polygon';
  return looksLikeCboeChain(text) ? 'cboe' : null;
}

async function loadChain(opts: GammaCommandOptions): Promise<LoadedChain> {
  let bytes: Buffer;
  try {
    bytes = await readFile(opts.chain);
  } catch (err) {
    throw new UsageError(`--chain: cannot read "${opts.chain}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const text = bytes.toString('utf8');
  const format = opts.format ?? detectFormat(text);
  if (format === null) {
    throw new UsageError(`--chain: "${opts.chain}" is neither a CBOE quotedata CSV nor a Polygon options snapshot JSON (use --format cboe|polygon to force one)`);
  }
  const flag = `--chain "${opts.chain}" (${opts.format ? '--format ' : 'detected '}${format})`;
  if (format === 'cboe') {
    try {
      const { snapshot, quality } = cboeChainFromBytes(bytes, opts.chain, { time: opts.time });
      if (opts.spot !== undefined) snapshot.spot = opts.spot;
      const { rejected, ...rest } = quality;
      return {
        format,
        snapshot,
        source: { ...rest, rejected: rejected.length, rejectedSample: rejected.slice(0, 20) },
        warnings: quality.warnings,
      };
    } catch (err) {
      if (err instanceof CboeChainError) throw new UsageError(`${flag}: ${err.message}`);
      throw err;
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${flag}: not valid JSON: ${(err as Error).message.replace(/\n/g, '\\n')}`);
  }
  const time = opts.time ?? latestPolygonTimestamp(body);
  try {
    // A body of the wrong shape is reported as such before a missing time is.
    const { snapshot, report } = parsePolygonChainReport(body, { underlying: opts.underlying ?? 'SPX', time: time ?? 0, spot: opts.spot });
    if (time === null) throw new UsageError(`--time is required: "${opts.chain}" carries no timestamp`);
    const warnings = report.dropped.length > 0 ? [`${report.dropped.length} contract(s) left out`] : [];
    if (opts.time === undefined) warnings.push('snapshot time taken from the latest timestamp in the file (pass --time for the request time)');
    return { format, snapshot, source: { ...report, dropped: report.dropped.length, droppedSample: report.dropped.slice(0, 20) }, warnings };
  } catch (err) {
    if (err instanceof PolygonChainError) throw new UsageError(`${flag}: ${err.message}`);
    throw err;
  }
}

function analyse(chain: LoadedChain, opts: GammaCommandOptions): GammaAnalysis {
  if (opts.esPrice !== undefined && opts.basis !== undefined) throw new UsageError('--es-price and --basis are exclusive: give one');
  const range = (opts.gridRange ?? 10) / 100;
  const step = (opts.gridStep ?? 0.25) / 100;
  if (!(range < 1)) throw new UsageError(`--grid-range must be below 100 (% of spot), got ${opts.gridRange}`);
  if (!(step <= range)) throw new UsageError(`--grid-step must not exceed --grid-range, got ${opts.gridStep} > ${opts.gridRange ?? 10}`);
  if (range / step > 20_000) throw new UsageError(`--grid-step is too fine for --grid-range (more than 20000 steps per side)`);
  return computeGammaLevels(chain.snapshot, {
    riskFreeRate: opts.rate,
    dividendYield: opts.dividendYield,
    expiryMaxDays: opts.expiryMaxDays,
    grid: { range, step },
    esPrice: opts.esPrice,
    basis: opts.basis,
  });
}

/** Runs `mia gamma`; returns the exit code (usage problems throw UsageError). */
export async function gammaCommand(opts: GammaCommandOptions): Promise<number> {
  const chain = await loadChain(opts);
  const a = analyse(chain, opts);
  const { levels } = a;
  const days = daysToMonthlyExpiry(levels.time);
  const result = {
    underlying: chain.snapshot.underlying,
    time: levels.time,
    timeIso: new Date(levels.time).toISOString(),
    spot: levels.spot,
    netGex: levels.netGex,
    callWall: levels.callWall,
    putWall: levels.putWall,
    zeroGamma: levels.zeroGamma,
    ...(levels.basis !== undefined ? { basis: levels.basis, es: levels.es } : {}),
    expiryCycle: { daysToMonthlyExpiry: days, factor: expiryCycleFactorForDays(days) },
    byStrike: a.byStrike,
    counts: a.counts,
    params: { ...a.params, grid: a.grid },
    provenance: chain.snapshot.provenance,
    format: chain.format,
    source: chain.source,
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(humanReport(result, a, chain.warnings));
  return 0;
}

const money = (x: number): string => {
  const abs = Math.abs(x);
  const sign = x < 0 ? '-' : '';
  if (abs >= 1e9) return `${sign}$${(abs / 1e9).toFixed(2)}bn`;
  if (abs >= 1e6) return `${sign}$${(abs / 1e6).toFixed(1)}m`;
  return `${sign}$${abs.toFixed(0)}`;
};
const level = (x: number | null | undefined): string => (x === null || x === undefined ? 'none' : x.toFixed(2));

function humanReport(
  r: { underlying: string; timeIso: string; spot: number; provenance: Provenance; expiryCycle: { daysToMonthlyExpiry: number; factor: number } },
  a: GammaAnalysis,
  warnings: readonly string[],
): string {
  const { levels, counts } = a;
  const out: string[] = [];
  out.push(`gamma levels  ${r.underlying} at ${r.timeIso}  (${provenanceLabel(r.provenance)})`);
  out.push(`spot          ${level(r.spot)}`);
  out.push(`net GEX       ${money(levels.netGex)} per 1% move (${levels.netGex >= 0 ? 'dealers long gamma' : 'dealers short gamma'})`);
  out.push(`call wall     ${level(levels.callWall)}`);
  out.push(`put wall      ${level(levels.putWall)}`);
  out.push(`zero gamma    ${level(levels.zeroGamma)}${levels.zeroGamma === null ? ` (no sign change within +/-${(a.grid.range * 100).toFixed(2)}%)` : ''}`);
  if (levels.basis !== undefined && levels.es) {
    out.push(`ES basis      ${levels.basis >= 0 ? '+' : ''}${levels.basis.toFixed(2)}`);
    out.push(`ES levels     call wall ${level(levels.es.callWall)}, put wall ${level(levels.es.putWall)}, zero gamma ${level(levels.es.zeroGamma)}`);
  }
  out.push(`expiry cycle  ${r.expiryCycle.daysToMonthlyExpiry} day(s) to the monthly expiry, factor ${r.expiryCycle.factor}`);
  out.push(
    `contracts     ${counts.contracts} in the chain, ${counts.used} used (${counts.gammaFromIv} gamma from IV); skipped: ` +
      `${counts.zeroOpenInterest} no OI, ${counts.expired} expired, ${counts.beyondMaxDays} beyond max days, ${counts.noGreeks} no gamma/IV, ${counts.invalid} invalid`,
  );
  for (const w of warnings) out.push(`warning       ${w}`);
  const top = [...a.byStrike].sort((x, y) => Math.abs(y.netGex) - Math.abs(x.netGex)).slice(0, 12).sort((x, y) => x.strike - y.strike);
  if (top.length > 0) {
    out.push('');
    out.push('strike      call GEX      put GEX      net GEX   (12 largest |net GEX|)');
    for (const s of top) {
      out.push(`${s.strike.toFixed(2).padStart(8)}  ${money(s.callGex).padStart(10)}  ${money(s.putGex).padStart(11)}  ${money(s.netGex).padStart(11)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
