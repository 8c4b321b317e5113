/**
 * `mia backtest`: replays market-data files through the same session `mia run` runs (see
 * backtest/engine.ts) and writes the result: `--json OUT` (the issue's contract), a
 * terminal table, and with `--report DIR` the self-contained HTML report.
 *
 * Exit codes: 0 done; 2 bad flag, configuration or unreadable data (the message names the
 * flag, key or file); 1 runtime failure.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ResearchInputs } from '../backtest/report/researchSection.ts';
import type { BarTable } from '../core/barColumns.ts';
import type { OperatorResumePolicy } from '../backtest/engine.ts';
import { BacktestInputError, STREAM_MIN_BYTES, loadBacktestTable } from '../backtest/engineData.ts';
import { addReplayInputOptions } from './replayInputOptions.ts';
import { coverageLines, loadReplayInputs, replayCoverage, replayFeedInputs, replayInputsProvenance, type StreamsCoverage } from './replayInputs.ts';
import type { BacktestResult } from '../backtest/result.ts';
import type { WalkForwardResult } from '../backtest/walkForward.ts';
import { addLoaderOptions, dataErrorForCli, loaderOptionsFrom } from './loaderOptions.ts';
import { positiveInt, UsageError, collect } from './usage.ts';
import { resolveHome } from './home.ts';
import { dayOption } from './dayOption.ts';

// The engine, the configuration schema, reports and evidence load once the data file is
// streaming in (engineData.ts: a worker parses it meanwhile), not before: see backtestCommand.
// The progress bar (cli-progress) loads only when it can show.
const noProgress: Pick<typeof import('./progressBar.ts'), 'progressBar'> = { progressBar: () => ({ update: () => undefined, stop: () => undefined }) };
const engineModules = (quiet: boolean) =>
  Promise.all([
    import('../backtest/engine.ts'),
    import('../config/load.ts'),
    quiet ? noProgress : import('./progressBar.ts'),
    import('../backtest/report/jsonChunks.ts'),
  ]);

export interface BacktestOptions extends Record<string, unknown> {
  data?: string[];
  chains?: string;
  vix?: string;
  stream?: string[];
  config?: string;
  from?: string;
  to?: string;
  walkForward?: boolean;
  monteCarlo?: number;
  report?: string;
  json?: string;
  operatorResume?: OperatorResumePolicy;
  quiet?: boolean;
  /** Walk-forward candidate parameters (a sweep grid file). */
  grid?: string;
  inSample?: string;
  outOfSample?: string;
  home?: string;
  /** false with --no-evidence. */
  evidence?: boolean;
  /** With --walk-forward: run the windows' backtests as jobs on this Redis queue (mia worker). */
  queue?: string;
}


export function registerBacktest(program: Command): void {
  const cmd = program
    .command('backtest')
    .description('replay market-data files through the same scoring, risk checks and order machines as mia run, and report')
    .option('--data <file>', 'market-data file (repeatable; files are joined in time order and must not overlap)', collect)
    .option('--config <file>', 'configuration file (JSON); also MIA_CONFIG')
    .option('--from <day>', 'first CME trading day to replay, YYYY-MM-DD (inclusive)', dayOption('--from'))
    .option('--to <day>', 'last CME trading day to replay, YYYY-MM-DD (inclusive)', dayOption('--to'))
    .option('--walk-forward', 'walk-forward analysis (rolling in-sample choice, stitched out-of-sample record) under "walkForward"')
    .option('--monte-carlo <n>', 'Monte Carlo of the trades: N shuffled and N bootstrapped sequences, under "monteCarlo"', positiveInt('--monte-carlo'))
    .option('--report <dir>', 'write the HTML report (and the JSON result) into DIR')
    .option('--json <out>', 'write the JSON result to OUT ("-" for stdout)')
    .addOption(
      new Option('--operator-resume <policy>', 'never (default, as mia run), or next-day: resume risk limited for an operator-only reason at each new trading day')
        .choices(['next-day', 'never'])
        .default('never'),
    )
    .option('--quiet', 'no progress bar and no terminal table')
    .option('--grid <file>', 'with --walk-forward: candidate parameters chosen in sample, JSON { "strategy.threshold": [0.2, 0.3] }')
    .option('--in-sample <span>', 'with --walk-forward: in-sample span, Nd trading days or Nm months (default backtest.walkForward.inSample)')
    .option('--out-of-sample <span>', 'with --walk-forward: out-of-sample span and step (default backtest.walkForward.outOfSample)')
    .option('--home <dir>', 'home whose evidence/ receives the result for the phase gates; also MIA_HOME (default: working directory)')
    .option('--no-evidence', 'do not record the result as gate evidence')
    .option('--queue <url>', 'with --walk-forward: run each window\'s backtests as jobs on a Redis queue served by `mia worker` (redis://HOST:PORT; password in MIA_QUEUE_PASSWORD)');
  addLoaderOptions(addReplayInputOptions(cmd)).action(async (opts: BacktestOptions) => {
    process.exitCode = await backtestCommand(opts);
  });
}

/** Bad input of ours or of the loaders becomes a usage error (exit 2) naming the flag or file. */
function usage(err: unknown): Error {
  // By name: BacktestEmptyError (engine.ts) and InstrumentMismatchError (config) load lazily.
  const name = (err as Error | undefined)?.name;
  if (err instanceof BacktestInputError || name === 'BacktestEmptyError' || name === 'InstrumentMismatchError') return new UsageError((err as Error).message);
  return dataErrorForCli(err);
}


export async function backtestCommand(opts: BacktestOptions): Promise<number> {
  const files = opts.data ?? [];
  if (files.length === 0) throw new UsageError('--data FILE is required (repeat it for several files)');
  if (opts.grid !== undefined && !opts.walkForward) throw new UsageError('--grid needs --walk-forward (a plain sweep is `mia sweep`)');
  if (opts.queue !== undefined && !opts.walkForward) throw new UsageError('--queue needs --walk-forward (a plain backtest is one run: `mia sweep --queue` for many)');
  if (opts.from !== undefined && opts.to !== undefined && opts.from > opts.to) throw new UsageError(`--from ${opts.from} is after --to ${opts.to}`);
  const window = { from: opts.from ?? null, to: opts.to ?? null };
  const loader = loaderOptionsFrom(opts);
  // The data first: a big file's parse (a worker thread) overlaps loading the engine and the
  // configuration. A bad configuration is still reported before bad data, as before.
  // MIA_STREAM_MIN_BYTES: from which file size the bars stream in (tests, benchmarks; default 8 MiB).
  const streamMin = process.env.MIA_STREAM_MIN_BYTES !== undefined ? Number(process.env.MIA_STREAM_MIN_BYTES) : undefined;
  const loading = loadBacktestTable(files, loader, window, streamMin !== undefined && Number.isFinite(streamMin) ? streamMin : STREAM_MIN_BYTES);
  loading.catch(() => undefined);
  const quiet = opts.quiet === true;
  const [{ runBacktest }, { loadConfig }, { progressBar }, { batched, prettyJsonChunks }] = await engineModules(quiet);
  const config = loadConfig({ ...(opts.config ? { file: opts.config } : {}), overrides: { venue: { kind: 'simulated' }, feed: { kind: 'replay', speed: 'max' } } });

  let data;
  try {
    data = await loading;
  } catch (err) {
    throw usage(err);
  }
  if (!(data.bars.has ? data.bars.has(0) : data.bars.length > 0)) throw new UsageError(`--from/--to: no bar of ${files.join(', ')} falls in ${window.from ?? '...'} .. ${window.to ?? '...'}`);
  // Streams, VIX and chains read every bar's time: with them, a streamed file is waited for here.
  const inputs = await loadReplayInputs(opts, loader, data.bars, data.barMs, data.data);
  const coverage = replayCoverage(inputs, data.bars, data.barMs);
  const feedInputs = replayFeedInputs(inputs, config.strategy.volatility.vixSymbol);

  const bar = progressBar('backtest', 'bars', !quiet);
  let result: BacktestResult & { walkForward?: unknown };
  try {
    result = await runBacktest({
      config,
      bars: data.bars,
      barMs: data.barMs,
      data: [...data.data, ...replayInputsProvenance(inputs)],
      ...(feedInputs.vix ? { vix: feedInputs.vix.readings } : {}),
      ...(feedInputs.streams ? { streams: feedInputs.streams } : {}),
      chains: feedInputs.chains,
      chainFiles: inputs.chains.files,
      window,
      operatorResume: opts.operatorResume ?? 'never',
      ...(opts.monteCarlo !== undefined ? { monteCarlo: { runs: opts.monteCarlo } } : {}),
      onProgress: (done, total) => bar.update(done, total),
    });
  } catch (err) {
    // A file streaming in that turned out unreadable failed the replay: its error is the one to report.
    throw usage(data.loadError?.() ?? err);
  } finally {
    bar.stop();
  }
  // The report's price and buy-and-hold charts need the closes: a few thousand of them, kept before the bars go.
  let research: ResearchInputs | undefined;
  if (opts.report !== undefined) {
    const [{ reportCloses }, { instrumentFor }] = await Promise.all([import('../backtest/report/researchSection.ts'), import('../config/instruments.ts')]);
    research = { closes: reportCloses(closesOf(data.bars, data.barMs)), pointValue: instrumentFor((result.config.symbol as string) ?? config.symbol).pointValue };
  }
  // The bars are not needed for the output: let their columns go before it is written.
  data = undefined;
  if (coverage) {
    // Each stream's coverage (issue 15): what the replay's bars could use of it.
    (result as BacktestResult & { streams?: StreamsCoverage }).streams = coverage;
    if (!quiet) for (const line of coverageLines(coverage)) process.stderr.write(`${line}\n`);
  }

  if (opts.walkForward) {
    let walkForwardOnData;
    try {
      ({ walkForwardOnData } = await import('../backtest/walkForwardRun.ts'));
    } catch (err) {
      throw new UsageError(`--walk-forward: not available in this build (${(err as Error).message})`);
    }
    const { expandGrid, readGridSpec } = await import('../backtest/sweepGrid.ts');
    const points = opts.grid !== undefined ? expandGrid(readGridSpec(opts.grid), opts.config ? { file: opts.config } : {}) : undefined;
    const streamSources = { ...(opts.chains !== undefined ? { chains: resolve(opts.chains) } : {}), ...(opts.vix !== undefined ? { vix: resolve(opts.vix) } : {}), ...(opts.stream !== undefined ? { stream: opts.stream.map((f) => resolve(f)) } : {}) };
    // The queue's jobs carry the streams by content as they carry the bars (backtest/queue/queueStreams.ts).
    const queued = opts.queue !== undefined ? (await import('./queueRun.ts')).queueRun(opts.queue, { files, loader, ...(Object.keys(streamSources).length > 0 ? { streams: streamSources } : {}) }, 'walk-forward', quiet) : null;
    try {
      result.walkForward = await walkForwardOnData({ files, loader, streams: streamSources, config, ...(points ? { points } : {}), ...(opts.inSample ? { inSample: opts.inSample } : {}), ...(opts.outOfSample ? { outOfSample: opts.outOfSample } : {}), ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}), ...(queued ? { batch: queued.batch } : {}) });
    } finally {
      await queued?.close();
    }
  }

  // The result is evidence for the phase gates of this home (`mia phase advance` reads the latest).
  if (opts.evidence !== false) {
    const [{ recordBacktestEvidence }, { systemClock }] = await Promise.all([import('../backtest/evidence.ts'), import('../core/clock.ts')]);
    const written = await recordBacktestEvidence(resolveHome(opts.home), result as Parameters<typeof recordBacktestEvidence>[1], systemClock, config);
    if (!quiet) process.stderr.write(`evidence: ${written.join(', ')}\n`);
  }

  // Written piece by piece (the same bytes as JSON.stringify(result, null, 2)): a long
  // backtest's JSON is tens of MB that never need to exist as one string.
  const writeJson = jsonWriter(batched, prettyJsonChunks);
  if (opts.json !== undefined && opts.json !== '-') await writeJson(resolve(opts.json), result);
  if (opts.report !== undefined) {
    const dir = resolve(opts.report);
    await mkdir(dir, { recursive: true });
    await writeJson(resolve(dir, 'backtest.json'), result);
    const { writeHtmlReport } = await import('../backtest/report/htmlReport.ts');
    const html = await writeHtmlReport(result, dir, research);
    if (!quiet) process.stderr.write(`report: ${html}\n`);
  }
  if (opts.json === '-') {
    for (const piece of batched(prettyJsonChunks(result))) process.stdout.write(piece);
    process.stdout.write('\n');
  } else if (!quiet) {
    const [{ featureAvailabilityLines, walkForwardTable }, { renderTerminalReport }] = await Promise.all([import('./backtestTables.ts'), import('../backtest/report/terminalReport.ts')]);
    const tables = [...featureAvailabilityLines(result.featureAvailability ?? {})];
    if (result.walkForward) tables.push('', ...walkForwardTable(result.walkForward as WalkForwardResult));
    process.stdout.write(`${renderTerminalReport(result)}${tables.length > 0 ? `${tables.join('\n')}\n` : ''}\n`);
  }
  return 0;
}

/** Every bar's close at its close time (the report downsamples them). */
function closesOf(bars: BarTable, barMs: number): Array<{ t: number; v: number }> {
  const out = new Array<{ t: number; v: number }>(bars.length);
  for (let i = 0; i < bars.length; i++) {
    const b = bars.barAt(i);
    out[i] = { t: b.time + barMs, v: b.close };
  }
  return out;
}

type JsonChunks = typeof import('../backtest/report/jsonChunks.ts');

function jsonWriter(batched: JsonChunks['batched'], prettyJsonChunks: JsonChunks['prettyJsonChunks']) {
  return async (file: string, value: unknown): Promise<void> => {
    await mkdir(dirname(file), { recursive: true });
    const fh = await open(file, 'w');
    try {
      for (const piece of batched(prettyJsonChunks(value), 64 << 10)) await fh.write(piece);
      await fh.write('\n');
    } finally {
      await fh.close();
    }
  };
}
