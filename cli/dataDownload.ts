/**
 * `mia data download` and `mia data record`: build a market-data history from Polygon.io.
 *
 * download: minute bars (and, with --quotes, top-of-book quotes) over REST into CSV files
 *   the replay reads back; paginated, resumable (rerun the same command after an
 *   interruption), with a progress bar on a terminal. `--symbol ES` follows the front
 *   contract through the quarterly rolls; `ESZ4` is one contract; `I:SPX` / `SPX` an index.
 * record: live bars, quotes and trades of the futures contract and the indices over the
 *   WebSocket, appended to daily files, plus one option chain snapshot per day.
 *
 * Exit codes: 0 done; 1 runtime failure (the partial download stays resumable); 2 bad flags,
 * bad configuration, a missing or refused POLYGON_API_KEY.
 */
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { MiaConfig } from '../config/schema.ts';
import { systemClock } from '../core/clock.ts';
import { DailyRecorder, utcDate } from '../adapters/polygon/dailyRecorder.ts';
import { frontContractSegments, isProductRoot } from '../adapters/polygon/futuresContracts.ts';
import { DownloadStateError, discardIfEmpty, downloadHistory, planDownload, type DownloadPlan, type DownloadResult } from '../adapters/polygon/historyDownload.ts';
import { PolygonError } from '../adapters/polygon/polygonError.ts';
import { PolygonRest } from '../adapters/polygon/polygonRest.ts';
import { polygonSettings, type PolygonSettings } from '../adapters/polygon/polygonSettings.ts';
import { PolygonStream, restBackfill } from '../adapters/polygon/polygonStream.ts';
import { positiveInt, UsageError } from './usage.ts';
import { standaloneConnection } from '../actors/connectionHost.ts';

const DAY_MS = 86_400_000;

/**
 * A `--from` / `--to` value in ms UTC: a date `YYYY-MM-DD` (its 00:00 UTC; for `--to`, the
 * end of that day, so the range includes it) or an ISO-8601 time with `Z` or an offset.
 */
export function parseRangeBound(value: string, flag: '--from' | '--to'): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (Number.isFinite(ms) && new Date(ms).toISOString().startsWith(value)) return flag === '--to' ? ms + DAY_MS : ms;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(`${flag} must be a date (YYYY-MM-DD) or an ISO-8601 time with a zone (2025-01-06T14:30:00Z), got "${value}"`);
}

function loadPolygon(configFile: string | undefined): { config: MiaConfig; settings: PolygonSettings } {
  const config = loadConfig(configFile ? { file: configFile } : {});
  return { config, settings: polygonSettings(config, process.env) };
}

/** Polygon errors as the CLI reports them: a refused key is configuration (exit 2). */
function cliError(err: unknown, resumable?: string): Error {
  if (err instanceof DownloadStateError) return new UsageError(err.message);
  if (err instanceof PolygonError) {
    if (err.kind === 'auth') return new ConfigError('POLYGON_API_KEY', err.message);
    return new Error(`${err.message}${resumable ? ` (${resumable})` : ''}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

interface DownloadFlags {
  symbol: string;
  from: string;
  to: string;
  out: string;
  resolution: string;
  quotes?: boolean;
  quotesOut?: string;
  force?: boolean;
  progress: boolean;
  config?: string;
  json?: boolean;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function progressBar(enabled: boolean, plan: DownloadPlan, label: string) {
  if (!enabled || !process.stderr.isTTY) return { update: (_t: number | null, _rows: number) => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {percentage}% | {rows} rows | {at}`, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const span = plan.to - plan.from;
  bar.start(1000, 0, { rows: 0, at: new Date(plan.from).toISOString() });
  return {
    update: (time: number | null, rows: number) =>
      bar.update(time === null ? 0 : Math.min(1000, Math.round(((time - plan.from) / span) * 1000)), { rows, at: iso(time) ?? '-' }),
    stop: () => bar.stop(),
  };
}

async function runDownload(rest: PolygonRest, plan: DownloadPlan, out: string, flags: DownloadFlags, signal: AbortSignal): Promise<DownloadResult> {
  const bar = progressBar(flags.progress, plan, plan.kind);
  try {
    return await downloadHistory({ rest, plan, out, force: flags.force ?? false, signal, onPage: (p) => bar.update(p.lastTime, p.rows) });
  } finally {
    bar.stop();
  }
}

/** The human summary of one download: what was kept, and every rejected row by cause. */
export function describeDownload(result: DownloadResult): string {
  const contracts = result.segments.map((s) => s.ticker).join(', ');
  const kept = `${result.resumed ? 'resumed and finished' : 'downloaded'} ${result.rows} ${result.kind} (${contracts}) ${iso(result.first) ?? '-'} .. ${iso(result.last) ?? '-'} into ${result.file}`;
  if (result.rejected === 0) return kept;
  // Say why, by cause: a count alone reads as if the download were broken.
  const causes = Object.entries(result.rejectedBy).sort((a, b) => b[1] - a[1]);
  const listed = causes.reduce((n, [, c]) => n + c, 0);
  const lines = causes.map(([cause, n]) => `  ${n} ${cause}`);
  if (listed < result.rejected) lines.push(`  ${result.rejected - listed} (cause not recorded: resumed from an older progress file)`);
  const note = result.kind === 'quotes' && causes.some(([c]) => c.startsWith('one-sided')) ? '\n  (a quote file keeps two-sided quotes only: bid and ask both present)' : '';
  return `${kept}\nrejected ${result.rejected} ${result.kind === 'quotes' ? 'quote' : 'bar'} rows Polygon sent, not written:\n${lines.join('\n')}${note}`;
}

async function downloadCommand(flags: DownloadFlags): Promise<number> {
  const from = parseRangeBound(flags.from, '--from');
  const to = parseRangeBound(flags.to, '--to');
  if (from >= to) throw new UsageError(`--from (${flags.from}) must be before --to (${flags.to})`);
  const symbol = flags.symbol.trim().toUpperCase();
  const out = resolve(flags.out);
  const quotesOut = flags.quotesOut ? resolve(flags.quotesOut) : flags.quotes ? out.replace(/(\.csv)?$/i, '.quotes.csv') : undefined;
  if (quotesOut === out) throw new UsageError('--quotes-out must differ from --out');
  let barPlan: DownloadPlan;
  let quotePlan: DownloadPlan | undefined;
  try {
    barPlan = planDownload('bars', symbol, from, to, flags.resolution);
    if (quotesOut) quotePlan = planDownload('quotes', symbol, from, to, flags.resolution);
  } catch (err) {
    throw cliError(err);
  }
  const { settings } = loadPolygon(flags.config);
  const rest = PolygonRest.fromSettings(settings, {
    onRetry: (r) => process.stderr.write(`mia: Polygon ${r.reason} on ${r.path}: retry ${r.attempt} in ${r.waitMs} ms\n`),
  });

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let bars: DownloadResult;
    try {
      bars = await runDownload(rest, barPlan, out, flags, controller.signal);
    } catch (err) {
      throw cliError(err, `what was downloaded is kept: rerun the same command to resume`);
    }
    let quotes: DownloadResult | { skipped: string } | undefined;
    if (quotePlan && quotesOut) {
      try {
        quotes = await runDownload(rest, quotePlan, quotesOut, flags, controller.signal);
      } catch (err) {
        if (!(err instanceof PolygonError && err.kind === 'not-entitled')) throw cliError(err, `rerun the same command to resume the quotes`);
        await discardIfEmpty(quotesOut);
        process.stderr.write(`mia: quotes not downloaded: ${err.message}\n`);
        quotes = { skipped: 'not-entitled' };
      }
    }
    if (flags.json) {
      const json = (r: DownloadResult) => ({ ...r, first: iso(r.first), last: iso(r.last), segments: r.segments.map((s) => ({ ...s, from: iso(s.from), to: iso(s.to) })) });
      const quotesJson = quotes === undefined ? undefined : 'skipped' in quotes ? quotes : json(quotes);
      process.stdout.write(`${JSON.stringify({ symbol, from: iso(from), to: iso(to), bars: json(bars), ...(quotesJson ? { quotes: quotesJson } : {}) }, null, 2)}\n`);
    } else {
      process.stdout.write(`${describeDownload(bars)}\n`);
      if (quotes && !('skipped' in quotes)) process.stdout.write(`${describeDownload(quotes)}\n`);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Attaches `download` to the `data` command group. */
export function registerDataDownload(data: Command): void {
  data
    .command('download')
    .description('download minute bars (and quotes where the plan allows) from Polygon.io into CSV; resumable')
    .requiredOption('--symbol <symbol>', 'ES (front contract through the rolls), a contract (ESZ4), or an index (I:SPX, SPX, VIX)')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD, UTC) or ISO-8601 time')
    .requiredOption('--to <date>', 'last day, included (YYYY-MM-DD, UTC), or ISO-8601 time (excluded)')
    .requiredOption('--out <file>', 'CSV file for the bars (time,open,high,low,close,volume; ISO UTC times)')
    .option('--resolution <r>', 'bar size as Polygon names it: 1min, 5mins, 1hr, 1day', '1min')
    .option('--quotes', 'also download top-of-book quotes into <out>.quotes.csv')
    .option('--quotes-out <file>', 'download quotes into FILE (implies --quotes)')
    .option('--force', 'overwrite --out even if it exists or holds another interrupted download')
    .option('--no-progress', 'no progress bar')
    .option('--config <file>', 'configuration file (JSON); also MIA_CONFIG')
    .option('--json', 'print the result as JSON')
    .action(async (flags: DownloadFlags) => {
      process.exitCode = await downloadCommand(flags);
    });
}

interface RecordFlags {
  out: string;
  symbol?: string;
  indices?: string | boolean;
  quotes: boolean;
  trades: boolean;
  chain: boolean;
  maxBars?: number;
  config?: string;
  json?: boolean;
}

const log = (line: string) => process.stderr.write(`mia: ${line}\n`);

async function recordCommand(flags: RecordFlags): Promise<number> {
  const { config, settings } = loadPolygon(flags.config);
  const clock = systemClock;
  const asked = (flags.symbol ?? settings.futuresTicker).trim().toUpperCase();
  const ticker = isProductRoot(asked) ? frontContractSegments(asked, clock.now(), clock.now() + 1)[0]!.ticker : asked;
  const indices =
    flags.indices === false ? [] : typeof flags.indices === 'string' ? flags.indices.split(',').map((s) => s.trim()).filter(Boolean) : settings.indexTickers;
  for (const i of indices) if (!i.startsWith('I:')) throw new UsageError(`--indices takes Polygon index tickers such as I:SPX, got "${i}"`);

  const rest = PolygonRest.fromSettings(settings);
  const recorder = new DailyRecorder(resolve(flags.out), (e) => log(e.message));
  const connection = {
    heartbeatMs: config.connection.heartbeatSeconds * 1_000,
    maxAttempts: config.connection.maxReconnectAttempts,
    backoffBaseMs: config.connection.backoffBaseMs,
    backoffMaxMs: config.connection.backoffMaxMs,
    seed: config.feed.seed,
  };

  let finish!: (outcome: { code: number; error?: Error }) => void;
  const finished = new Promise<{ code: number; error?: Error }>((r) => (finish = r));
  let liveBars = 0;
  let authError: PolygonError | undefined;

  const futures = new PolygonStream({
    url: `${settings.wsUrl}/futures`,
    apiKey: settings.apiKey,
    subscriptions: [`AM.${ticker}`, ...(flags.trades ? [`T.${ticker}`] : []), ...(flags.quotes ? [`Q.${ticker}`] : [])],
    connection: { ...connection, name: 'polygon-futures' },
    connectionHost: standaloneConnection,
    clock,
    staleAfterMs: settings.staleAfterMs,
    backfill: restBackfill(rest),
    listener: {
      onBar: (bar) => {
        if (!recorder.bar(bar)) return;
        liveBars++;
        if (flags.maxBars !== undefined && liveBars >= flags.maxBars) finish({ code: 0 });
      },
      onTrade: (t) => recorder.trade(t),
      onQuote: (q) => recorder.quote(q),
      onConnected: (i) => log(`futures stream ${i.reconnect ? 're' : ''}connected (${ticker})`),
      onDisconnected: (reason) => log(`futures stream disconnected: ${reason}`),
      onBackfill: (b) => log(`backfilled ${b.bars} bars of ${b.symbol} over REST (${iso(b.from)} .. ${iso(b.to)})`),
      onStale: (t) => log(`no market data since ${iso(t - settings.staleAfterMs)}: stale`),
      onFresh: () => log('market data flowing again'),
      onError: (e) => {
        if (e instanceof PolygonError && e.kind === 'auth') authError = e;
        log(e.message);
      },
      onFailed: (reason) => finish({ code: 1, error: authError ?? new Error(`the futures stream gave up: ${reason}`) }),
    },
  });
  const indexStream =
    indices.length === 0
      ? undefined
      : new PolygonStream({
          url: `${settings.wsUrl}/indices`,
          apiKey: settings.apiKey,
          subscriptions: indices.flatMap((i) => [`AM.${i}`, `V.${i}`]),
          connection: { ...connection, name: 'polygon-indices', seed: connection.seed + 1 },
          connectionHost: standaloneConnection,
          clock,
          staleAfterMs: settings.staleAfterMs,
          backfill: restBackfill(rest),
          listener: {
            onBar: (bar) => void recorder.bar(bar),
            onIndexValue: (v) => recorder.indexValue(v),
            onError: (e) => log(`indices: ${e.message}`),
            // The indices are extra: their stream failing does not stop the recording.
            onFailed: (reason) => log(`indices stream gave up: ${reason}`),
          },
        });

  // One chain snapshot per UTC day, taken at start and when the day changes.
  let chainTask: Promise<void> = Promise.resolve();
  let chainEnabled = flags.chain;
  const takeChain = () => {
    const date = utcDate(clock.now());
    if (!chainEnabled || recorder.hasChain(date, settings.chainUnderlying)) return;
    chainTask = chainTask.then(async () => {
      try {
        if (recorder.hasChain(date, settings.chainUnderlying)) return;
        const body = await rest.optionChainBody(settings.chainUnderlying);
        await recorder.chain(date, settings.chainUnderlying, body);
        log(`option chain of ${settings.chainUnderlying} recorded for ${date} (${body.results.length} contracts)`);
      } catch (err) {
        if (err instanceof PolygonError && err.kind === 'not-entitled') chainEnabled = false;
        log(`option chain not recorded: ${(err as Error).message}`);
      }
    });
  };
  takeChain();
  const chainTimer = setInterval(takeChain, 60_000);

  const onSignal = () => finish({ code: 0 });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  futures.start();
  indexStream?.start();
  const outcome = await finished;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  clearInterval(chainTimer);
  futures.stop();
  indexStream?.stop();
  await chainTask;
  await recorder.close();

  const summary = { dir: recorder.dir, ticker, indices, ...recorder.counts };
  process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : `recorded ${summary.bars} bars, ${summary.quotes} quotes, ${summary.trades} trades, ${summary.values} index values, ${summary.chains} option chains into ${summary.dir}\n`);
  if (outcome.error) throw cliError(outcome.error);
  if (recorder.error) throw new Error(`recording failed: ${recorder.error.message}`);
  return outcome.code;
}

/** Attaches `record` to the `data` command group. */
export function registerDataRecord(data: Command): void {
  data
    .command('record')
    .description('record live Polygon.io bars, quotes, trades, index values and a daily option chain into daily files')
    .requiredOption('--out <dir>', 'directory of daily files (<dir>/<YYYY-MM-DD>/<symbol>.bars.csv, ...)')
    .option('--symbol <symbol>', 'futures contract, or a product (ES) for its front contract (default: polygon.futuresTicker)')
    .option('--indices <tickers>', 'comma-separated index tickers (default: polygon.indexTickers)')
    .option('--no-indices', 'do not record indices')
    .option('--no-quotes', 'do not record quotes')
    .option('--no-trades', 'do not record trades')
    .option('--no-chain', 'do not record the daily option chain snapshot')
    .option('--max-bars <n>', 'stop after N futures minute bars (default: until SIGINT/SIGTERM)', positiveInt('--max-bars'))
    .option('--config <file>', 'configuration file (JSON); also MIA_CONFIG')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: RecordFlags) => {
      process.exitCode = await recordCommand(flags);
    });
}
