/**
 * `mia data check`: the phase-0 proof that MIA can read the two markets it trades on, ES
 * futures and the SPX index (the plan's "validation données ES + options SPX").
 *
 * - With Polygon configured (`POLYGON_API_KEY` set), it asks Polygon for ES minute bars
 *   (`polygon.futuresTicker`) and SPX minute bars (the `I:SPX` index ticker) over the days
 *   before `--at` (default now): both must come back with rows.
 * - Otherwise it reads the configured local data: `--es FILE` (default `feed.replayFile`)
 *   and `--spx FILE` (a CBOE `*quotedata*.csv` SPX chain or any index bar file `mia data
 *   inspect` reads): both must load with rows.
 *
 * With `--home` (or MIA_HOME), a check that passed is recorded through the evidence store as
 * `marketDataConnected` setup evidence (source `data-check`), with the provenance of what was
 * read (polygon, or each file and its sha256, which `mia phase advance` re-hashes).
 * Exit codes: 0 both read; 1 one could not be read; 2 bad flags or configuration.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import type { MiaConfig } from '../config/schema.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Provenance } from '../core/types.ts';
import { PolygonRest } from '../adapters/polygon/polygonRest.ts';
import { polygonSettings } from '../adapters/polygon/polygonSettings.ts';
import { loadSeries } from '../adapters/files/loadSeries.ts';
import { loadCboeChain } from '../adapters/files/cboeChain.ts';
import { isCboeChainName } from '../backtest/chainSource.ts';
import { openEvidenceStore } from '../adapters/store/evidenceStore.ts';
import { resolveHome } from './home.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './usage.ts';

/** Days of history asked from Polygon before `--at`: enough to span a weekend or a holiday. */
export const POLYGON_LOOKBACK_DAYS = 4;

export interface DataCheckFlags {
  home?: string;
  config?: string;
  json?: boolean;
  at?: string;
  es?: string;
  spx?: string;
}

/** What was read for one market. */
export interface MarketCheck {
  ok: boolean;
  /** What was asked: a Polygon ticker or a file. */
  source: string;
  rows: number;
  from: string | null;
  to: string | null;
  /** Why it failed, when it did. */
  error?: string;
  provenance?: Provenance;
}

export interface DataCheckResult {
  ok: boolean;
  via: 'polygon' | 'local';
  es: MarketCheck;
  spx: MarketCheck;
  /** The evidence record written, when a home was given and the check passed. */
  evidence?: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function polygonCheck(config: MiaConfig, env: NodeJS.ProcessEnv, at: number): Promise<Pick<DataCheckResult, 'es' | 'spx'>> {
  const rest = PolygonRest.fromSettings(polygonSettings(config, env));
  const window = { from: at - POLYGON_LOOKBACK_DAYS * 86_400_000, to: at };
  const spxTicker = config.polygon.indexTickers.find((t) => t === 'I:SPX') ?? 'I:SPX';
  const one = async (source: string, read: () => Promise<{ time: number }[]>): Promise<MarketCheck> => {
    try {
      const bars = await read();
      const iso = (i: number) => (bars[i] ? new Date(bars[i]!.time).toISOString() : null);
      return bars.length > 0
        ? { ok: true, source, rows: bars.length, from: iso(0), to: iso(bars.length - 1), provenance: { kind: 'polygon' } }
        : { ok: false, source, rows: 0, from: null, to: null, error: `no minute bars between ${new Date(window.from).toISOString()} and ${new Date(window.to).toISOString()}` };
    } catch (err) {
      return { ok: false, source, rows: 0, from: null, to: null, error: message(err) };
    }
  };
  const es = await one(`polygon ${config.polygon.futuresTicker}`, async () => (await rest.futuresBars(config.polygon.futuresTicker, window)).items);
  const spx = await one(`polygon ${spxTicker}`, async () => (await rest.indexBars(spxTicker, window)).items);
  return { es, spx };
}

async function fileCheck(file: string | null, what: string): Promise<MarketCheck> {
  if (file === null) return { ok: false, source: '(none)', rows: 0, from: null, to: null, error: `no ${what} data configured: set POLYGON_API_KEY, or give --${what.toLowerCase()} FILE` };
  const path = resolve(file);
  if (!existsSync(path)) return { ok: false, source: path, rows: 0, from: null, to: null, error: `${path} does not exist` };
  try {
    if (what === 'SPX' && isCboeChainName(path)) {
      const { snapshot } = await loadCboeChain(path);
      const when = new Date(snapshot.time).toISOString();
      const ok = snapshot.contracts.length > 0 && /SPX/i.test(snapshot.underlying);
      return { ok, source: path, rows: snapshot.contracts.length, from: when, to: when, provenance: snapshot.provenance, ...(ok ? {} : { error: `chain of ${snapshot.underlying} with ${snapshot.contracts.length} contracts: not an SPX chain` }) };
    }
    const series = await loadSeries(path);
    const ok = series.rows > 0;
    return { ok, source: path, rows: series.rows, from: series.from, to: series.to, provenance: series.provenance, ...(ok ? {} : { error: 'no row could be read' }) };
  } catch (err) {
    return { ok: false, source: path, rows: 0, from: null, to: null, error: message(err) };
  }
}

/**
 * Runs the check and, with a home, records it. Throws UsageError / ConfigError for bad
 * flags or configuration (exit 2).
 */
export async function runDataCheck(flags: DataCheckFlags, env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<DataCheckResult> {
  const config = loadConfig(flags.config ? { file: flags.config } : {});
  const at = flags.at === undefined ? clock.now() : Date.parse(flags.at);
  if (!Number.isFinite(at)) throw new UsageError(`--at must be an ISO-8601 time, got "${flags.at}"`);
  const usePolygon = Boolean(env.POLYGON_API_KEY?.trim()) && flags.es === undefined && flags.spx === undefined;
  const markets = usePolygon
    ? await polygonCheck(config, env, at)
    : { es: await fileCheck(flags.es ?? config.feed.replayFile, 'ES'), spx: await fileCheck(flags.spx ?? null, 'SPX') };
  const result: DataCheckResult = { ok: markets.es.ok && markets.spx.ok, via: usePolygon ? 'polygon' : 'local', ...markets };
  const home = flags.home ?? env.MIA_HOME;
  if (home !== undefined && result.ok) {
    const now = new Date(clock.now()).toISOString();
    const provenance = [markets.es.provenance!, markets.spx.provenance!];
    const unique = provenance.filter((p, i) => provenance.findIndex((q) => JSON.stringify(q) === JSON.stringify(p)) === i);
    result.evidence = await openEvidenceStore(resolveHome(home, env)).record(
      {
        transition: 'setup->calibration',
        evidence: { metrics: {}, provenance: unique, period: { from: now.slice(0, 10), to: now.slice(0, 10) }, checks: { marketDataConnected: true }, producedAt: now, source: 'data-check' },
        detail: {
          via: result.via,
          es: { source: markets.es.source, rows: markets.es.rows, from: markets.es.from, to: markets.es.to },
          spx: { source: markets.spx.source, rows: markets.spx.rows, from: markets.spx.from, to: markets.spx.to },
        },
      },
      'mia data check',
    );
  }
  return result;
}

function format(r: DataCheckResult): string {
  const line = (name: string, m: MarketCheck) =>
    `${name.padEnd(4)} ${m.ok ? 'OK    ' : 'FAILED'} ${m.source}${m.ok ? `: ${m.rows} rows ${m.from} .. ${m.to}` : `: ${m.error}`}`;
  const lines = [`data check via ${r.via}  ${r.ok ? 'OK' : 'FAILED'}`, line('ES', r.es), line('SPX', r.spx)];
  if (r.evidence) lines.push(`evidence: ${r.evidence}`);
  return `${lines.join('\n')}\n`;
}

/** The command's action: prints the result and returns the exit code. */
export async function dataCheckAction(flags: DataCheckFlags, env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<number> {
  const result = await runDataCheck(flags, env, clock);
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : format(result));
  return result.ok ? EXIT_OK : EXIT_FAILURE;
}

/** Adds `check` to the `data` command group. */
export function registerDataCheck(data: Command): Command {
  return data
    .command('check')
    .description('verify ES and SPX data access (Polygon when POLYGON_API_KEY is set, else the configured files); with --home, record it as phase-0 evidence')
    .option('--es <file>', 'ES data file to read instead of Polygon (default: feed.replayFile)')
    .option('--spx <file>', 'SPX data file: a CBOE *quotedata*.csv chain or index bars')
    .option('--at <iso>', 'ask Polygon for the days before this time (default: now)')
    .option('--home <dir>', 'record a passed check as phase-0 evidence in this home; also MIA_HOME')
    .option('--config <file>', 'configuration file; also MIA_CONFIG')
    .option('--json', 'print the result as JSON')
    .action(async (flags: DataCheckFlags) => {
      process.exitCode = await dataCheckAction(flags);
    });
}
