/**
 * `mia calibrate` (phase 1): a seeded walk-forward search of threshold, weights and session
 * multipliers for a band of signals per month and an objective (backtest/calibrate.ts).
 * This module only parses flags, builds the batch runner (a worker pool, or this thread
 * with `--workers 1`), prints the out-of-sample figures, writes the JSON and records the
 * evidence. Weights are searched over the features the data feeds (a probe run on the first
 * in-sample window), the others set to 0, unless `--weights all`. `--chains`, `--vix` and
 * `--stream` are replayed in every run as `mia backtest` replays them (sweepStreams.ts).
 *
 * Exit codes: 0 done (whatever the numbers say); 2 bad flag, configuration or data; 1 runtime failure.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { systemClock } from '../core/clock.ts';
import { FEATURE_NAMES, type FeatureName } from '../strategy/confluence.ts';
import { calibrate, CALIBRATION_OBJECTIVES, PLAN_BAND, type CalibrationObjective, type CalibrationResult, type SignalBand } from '../backtest/calibrate.ts';
import { recordCalibrationEvidence } from '../backtest/calibrateEvidence.ts';
import { probeFeatures } from '../backtest/calibrateProbe.ts';
import { defaultSpace } from '../backtest/calibrateSpace.ts';
import { BacktestEmptyError } from '../backtest/engine.ts';
import { cachedData, dataDays, engineRunner, engineStreams, type EngineData } from '../backtest/sweepEngine.ts';
import { hasStreams, type StreamInputs, type StreamSources } from '../backtest/sweepStreams.ts';
import { arrayBarTable } from '../core/barColumns.ts';
import { serialBatch, type BatchRunner } from '../backtest/sweepRunner.ts';
import { parseSpan, walkForwardWindows } from '../backtest/walkForwardWindows.ts';
import { addLoaderOptions, loaderOptionsFrom } from './loaderOptions.ts';
import { progressBar } from './progressBar.ts';
import { resolveHome } from './home.ts';
import { collect, positiveInt, UsageError } from './usage.ts';
import { dayOption } from './dayOption.ts';
import { addReplayInputOptions } from './replayInputOptions.ts';
import { replayInputError } from './replayInputs.ts';

export interface CalibrateCliOptions extends Record<string, unknown> {
  data: string[];
  chains?: string;
  vix?: string;
  stream?: string[];
  config?: string;
  from?: string;
  to?: string;
  signalsPerMonth?: SignalBand;
  objective?: CalibrationObjective;
  minTrades?: number;
  candidates?: number;
  seed?: number;
  thresholdSteps?: number;
  inSample?: string;
  outOfSample?: string;
  weights?: 'available' | 'all';
  workers?: number;
  /** Run the candidates on a BullMQ queue (`redis://HOST:PORT`) served by `mia worker`. */
  queue?: string;
  json?: string;
  outConfig?: string;
  home?: string;
  evidence?: boolean;
  quiet?: boolean;
}

/** `25-35` -> { min: 25, max: 35 } (also `30`: exactly). */
export function parseBand(text: string): SignalBand {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*$/.exec(text);
  const band = m ? { min: Number(m[1]), max: Number(m[2] ?? m[1]) } : null;
  if (!band || band.min > band.max) throw new InvalidArgumentError(`--signals-per-month must be a range such as 25-35, got "${text}"`);
  return band;
}


const span = (flag: string) => (value: string): string => {
  try {
    parseSpan(value, flag);
    return value;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

export function registerCalibrate(program: Command): void {
  const cmd = program
    .command('calibrate')
    .description('phase 1: search threshold, weights and session multipliers walk-forward for a band of signals per month; reports out-of-sample results only')
    .option('--data <file>', 'market-data file (repeat for several files in time order)', collect, [])
    .option('--config <file>', 'base configuration (JSON); also MIA_CONFIG')
    .option('--from <day>', 'first trading day (YYYY-MM-DD; default: the data\'s first)', dayOption('--from'))
    .option('--to <day>', 'last trading day (YYYY-MM-DD; default: the data\'s last)', dayOption('--to'))
    .option('--signals-per-month <min-max>', `target band of signals per month (default ${PLAN_BAND.min}-${PLAN_BAND.max}, the plan's)`, parseBand)
    .addOption(new Option('--objective <name>', 'what chooses a candidate in sample (default profitFactor)').choices([...CALIBRATION_OBJECTIVES]))
    .option('--min-trades <n>', 'in-sample trades a candidate needs (default backtest.minTrades)', positiveInt('--min-trades'))
    .option('--candidates <n>', 'candidates drawn, the base configuration included (default 64)', positiveInt('--candidates'))
    .option('--seed <n>', 'seed of the search (default 1)', positiveInt('--seed'))
    .option('--threshold-steps <n>', 'bisection steps of the threshold per candidate and window (default 8)', positiveInt('--threshold-steps'))
    .option('--in-sample <span>', 'in-sample span, Nd trading days or Nm months (default backtest.walkForward.inSample)', span('--in-sample'))
    .option('--out-of-sample <span>', 'out-of-sample span and step (default backtest.walkForward.outOfSample)', span('--out-of-sample'))
    .addOption(new Option('--weights <which>', 'feature weights searched: available (the features the data feeds; the others 0) or all').choices(['available', 'all']).default('available'))
    .option('--workers <n>', 'worker threads (1: in this thread; default backtest.workers, else one per core)', positiveInt('--workers'))
    .option('--queue <url>', 'run the candidates as jobs on a Redis queue served by `mia worker` instead of local threads (redis://HOST:PORT; password in MIA_QUEUE_PASSWORD)')
    .option('--json <out>', 'write the JSON result to OUT')
    .option('--out-config <file>', 'write the configuration the last window chose (JSON, usable with --config)')
    .option('--home <dir>', 'home whose evidence/ receives the calibration; also MIA_HOME (default: working directory)')
    .option('--no-evidence', 'do not record the calibration as gate evidence')
    .option('--quiet', 'no progress bar and no table');
  // --chains, --vix and --stream as mia backtest has them, replayed in every run.
  addLoaderOptions(addReplayInputOptions(cmd)).action(async (opts: CalibrateCliOptions) => {
    process.exitCode = await calibrateCommand(opts);
  });
}

function usage(err: unknown): Error {
  return err instanceof BacktestEmptyError || err instanceof RangeError ? new UsageError(err.message) : replayInputError(err);
}

/** The runner candidates are evaluated through: this thread, or a pool of engine workers. */
async function openRunner(data: EngineData, workers: number, queue: string | undefined, quiet: boolean): Promise<{ runner: BatchRunner; close: () => Promise<void> }> {
  if (queue !== undefined) {
    // The candidates as jobs on the Redis queue served by `mia worker` (cli/queueRun.ts): same results as in process.
    const queued = (await import('./queueRun.ts')).queueRun(queue, data, 'calibrate', quiet);
    return { runner: queued.batch, close: () => queued.close() };
  }
  if (workers <= 1) return { runner: serialBatch(engineRunner(data)), close: async () => undefined };
  const { poolBatch, sweepPool } = await import('../backtest/sweepPool.ts');
  const pool = sweepPool(workers);
  return { runner: poolBatch(pool, data), close: () => pool.close() };
}

export async function calibrateCommand(opts: CalibrateCliOptions): Promise<number> {
  if (opts.data.length === 0) throw new UsageError('--data FILE is required (repeat it for several files)');
  if (opts.from && opts.to && opts.from > opts.to) throw new UsageError(`--from ${opts.from} is after --to ${opts.to}`);
  const config = loadConfig({ ...(opts.config ? { file: opts.config } : {}), overrides: { venue: { kind: 'simulated' }, feed: { kind: 'replay', speed: 'max' } } });
  const settings = config.backtest;
  const sources: StreamSources = {
    ...(opts.chains !== undefined ? { chains: resolve(opts.chains) } : {}),
    ...(opts.vix !== undefined ? { vix: resolve(opts.vix) } : {}),
    ...(opts.stream !== undefined ? { stream: opts.stream.map((f) => resolve(f)) } : {}),
  };
  const data: EngineData = { files: opts.data.map((f) => resolve(f)), loader: loaderOptionsFrom(opts), ...(hasStreams(sources) ? { streams: sources } : {}) };
  let days: string[];
  let provenance;
  let streams: StreamInputs | null = null;
  try {
    const all = await cachedData(data);
    provenance = all.data;
    days = await dataDays(data);
    // Loaded here first (and cached for the feature probe and an in-thread runner): a stream
    // that cannot be used fails with its flag before any run.
    streams = await engineStreams(data, { bars: arrayBarTable(all.bars), barMs: all.barMs, data: all.data });
  } catch (err) {
    throw usage(err);
  }
  if (streams) {
    provenance = [...provenance, ...streams.provenance, ...streams.chainFiles];
    if (opts.quiet !== true) for (const line of streamLines(streams)) process.stderr.write(`${line}\n`);
  }
  const from = opts.from ?? days[0];
  const to = opts.to ?? days.at(-1);
  if (from === undefined || to === undefined) throw new UsageError('--data: the data has no bar');
  const inSample = opts.inSample ?? settings.walkForward.inSample;
  const outOfSample = opts.outOfSample ?? settings.walkForward.outOfSample;
  let windows;
  try {
    windows = walkForwardWindows({ from, to, inSample: parseSpan(inSample, '--in-sample'), outOfSample: parseSpan(outOfSample, '--out-of-sample'), anchored: settings.walkForward.anchored });
  } catch (err) {
    throw new UsageError(`--in-sample/--out-of-sample: ${(err as Error).message}`);
  }

  const quiet = opts.quiet === true;
  let features: FeatureName[] = [...FEATURE_NAMES];
  let proxies: Record<string, string> = {};
  if ((opts.weights ?? 'available') === 'available') {
    const probe = await probeFeatures(data, config, windows[0]!.inSample).catch((err: unknown) => {
      throw usage(err);
    });
    features = probe.fed;
    proxies = probe.proxies;
    if (features.length === 0) throw new UsageError(`--data: no feature of the confluence is fed by the data on ${probe.window.from} .. ${probe.window.to}`);
  }
  const space = defaultSpace(features);
  const workers = Math.max(1, opts.workers ?? settings.workers ?? availableParallelism());
  const { runner, close } = await openRunner(data, workers, opts.queue, quiet);
  const bar = progressBar('calibrate', 'runs', !quiet);
  let result: CalibrationResult;
  try {
    result = await calibrate({
      config,
      from,
      to,
      runner,
      space,
      ...(opts.candidates !== undefined ? { candidates: opts.candidates } : {}),
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.thresholdSteps !== undefined ? { steps: opts.thresholdSteps } : {}),
      ...(opts.signalsPerMonth ? { band: opts.signalsPerMonth } : {}),
      objective: opts.objective ?? 'profitFactor',
      minTrades: opts.minTrades ?? settings.minTrades,
      inSample,
      outOfSample,
      anchored: settings.walkForward.anchored,
      warmup: settings.walkForward.warmup,
      batchSize: Math.max(2, workers * 2),
      onProgress: (done, total) => bar.update(done, total),
    });
  } catch (err) {
    throw usage(err);
  } finally {
    bar.stop();
    await close();
  }

  if (opts.evidence !== false) {
    const file = await recordCalibrationEvidence(resolveHome(opts.home), result, provenance, systemClock, config);
    if (!quiet) process.stderr.write(`evidence: ${file}\n`);
  }
  const { final, ...rest } = result;
  const output = {
    command: 'calibrate',
    provenance: { data: provenance },
    proxies,
    ...rest,
    final: final ? { index: final.index, params: final.params } : null,
  };
  if (opts.json !== undefined) await writeOut(opts.json, `${JSON.stringify(output, null, 2)}\n`);
  if (opts.outConfig !== undefined && final) await writeOut(opts.outConfig, `${JSON.stringify({ strategy: final.config.strategy }, null, 2)}\n`);
  if (!quiet) process.stdout.write(`${calibrationTable(result, proxies).join('\n')}\n`);
  return 0;
}

/** What each stream covers of the bars (as mia backtest prints it). */
function streamLines(s: StreamInputs): string[] {
  const out: string[] = [];
  for (const f of s.chainFiles) out.push(`chains: ${f.file}`);
  for (const c of s.market?.coverage ?? []) out.push(`stream: ${c.file}: ${c.kind} ${c.inBars} of ${c.items} inside the bars (${c.from ?? '-'} .. ${c.to ?? '-'})${c.books > 0 ? `, ${c.books} book snapshots` : ''}`);
  if (s.vixStream) out.push(`vix: a close of the 4 days before ${s.vixStream.coverage.withVix} of ${s.vixStream.coverage.tradingDays} trading days, each applied from the next session's open`);
  return out;
}

async function writeOut(file: string, text: string): Promise<void> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

const fmt = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));

/** The terminal summary: out-of-sample figures first, then one line per window. */
export function calibrationTable(r: CalibrationResult, proxies: Record<string, string> = {}): string[] {
  const s = r.settings;
  const o = r.outOfSample;
  const p = o.performance;
  const searched = s.space.features.map((f) => (proxies[f] ? `${f} (proxy)` : f)).join(', ');
  const lines = [
    `MIA calibrate ${s.from} .. ${s.to}: ${s.candidates} candidates (seed ${s.seed}), in sample ${s.inSample}, out of sample ${s.outOfSample}`,
    `  band ${s.band.min}-${s.band.max} signals/month (in sample: counted on weekdays) · objective ${s.objective} · min ${s.minTrades} trades in sample`,
    `  weights searched: ${searched}${s.space.zeroOthers ? ' (others 0)' : ''}`,
    `OUT OF SAMPLE ${o.period.from} .. ${o.period.to}`,
    `  signals/month   ${fmt(o.signalsPerMonth, 1)} (${o.signals} signals) ${o.inBand ? 'inside' : 'OUTSIDE'} the band; ${fmt(o.signalsPerMonthWeekdays, 1)} counted on weekdays`,
    `  trades          ${p.trades}`,
    `  profitFactor    ${fmt(p.profitFactor)}`,
    `  expectancy      ${fmt(p.expectancy)}`,
    `  winRate         ${p.winRate === null ? 'n/a' : `${(p.winRate * 100).toFixed(1)}%`}`,
    `  netProfit       $${p.netProfit.toFixed(2)}`,
    `  maxDrawdown     $${p.maxDrawdown.toFixed(2)}`,
    'windows',
  ];
  for (const w of r.windows) {
    const head = `  #${w.index} OOS ${w.outOfSample.from}..${w.outOfSample.to}  in band ${w.inBand}, eligible ${w.eligible}`;
    lines.push(
      w.chosen && w.result
        ? `${head}  chose #${w.chosen.index} (IS ${s.objective} ${fmt(w.chosen.inSample.objective)}, ${fmt(w.chosen.inSample.signalsPerMonthWeekdays, 1)}/month)  OOS trades ${w.result.trades}, signals ${w.result.signals} (${fmt(w.result.signalsPerMonthWeekdays, 1)}/month), PF ${fmt(w.result.profitFactor)}, net $${w.result.netProfit.toFixed(2)}`
        : `${head}  nothing chosen: ${w.reason}`,
    );
  }
  lines.push(r.final ? `final choice #${r.final.index}: ${JSON.stringify(r.final.params)}` : 'final choice: none (the last window had no eligible candidate)');
  return lines;
}
