/**
 * Robustness commands (issue 6): `mia sweep` (a parameter grid on a worker pool), `mia
 * compare` (A/B of two configurations on the same data), `mia stress` (named stress
 * windows). Each writes its JSON result to `--json OUT` and prints a short table. The data
 * files are loaded here first, so a bad file or flag fails with exit 2 before any worker
 * starts; workers then load the same paths themselves.
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { progressBar } from './progressBar.ts';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { OBJECTIVES, type Objective } from '../config/backtestSchema.ts';
import type { MiaConfig } from '../config/schema.ts';
import { BacktestInputError } from '../backtest/engineData.ts';
import { runAB, type ABComparison } from '../backtest/abCompare.ts';
import { BUILTIN_STRESS_WINDOWS, runStress, type StressReport } from '../backtest/stressWindows.ts';
import { sweep, type SweepResult } from '../backtest/sweep.ts';
import { expandGrid, readGridSpec } from '../backtest/sweepGrid.ts';
import { cachedData, dataDays, type EngineData } from '../backtest/sweepEngine.ts';
import { poolBatch, sweepPool } from '../backtest/sweepPool.ts';
import type { BacktestMetrics, DataProvenance } from '../backtest/result.ts';
import { addLoaderOptions, loaderErrorForCli, loaderOptionsFrom } from './loaderOptions.ts';
import { positiveInt, UsageError, collect } from './usage.ts';
import { dayOption } from './dayOption.ts';

interface CommonOptions extends Record<string, unknown> {
  data: string[];
  config?: string;
  from?: string;
  to?: string;
  workers?: number;
  json: string;
}


function addCommon(cmd: Command, { window }: { window: boolean }): Command {
  cmd
    .option('--data <file>', 'market-data file (repeat for several files in time order)', collect, [])
    .option('--workers <n>', 'worker threads (default: backtest.workers, else one per core)', positiveInt('--workers'))
    .requiredOption('--json <out>', 'write the JSON result to OUT');
  if (window) cmd.option('--from <day>', 'first trading day judged (YYYY-MM-DD)', dayOption('--from')).option('--to <day>', 'last trading day judged (YYYY-MM-DD)', dayOption('--to'));
  return addLoaderOptions(cmd);
}

/** The data files, loaded and checked here (exit 2 on a bad path or option). */
async function checkedData(opts: CommonOptions): Promise<{ data: EngineData; provenance: DataProvenance[] }> {
  if (opts.data.length === 0) throw new UsageError('--data: at least one market-data file is needed');
  if (opts.from && opts.to && opts.from > opts.to) throw new UsageError(`--from: ${opts.from} is after --to ${opts.to}`);
  const data: EngineData = { files: opts.data.map((f) => resolve(f)), loader: loaderOptionsFrom(opts) };
  try {
    return { data, provenance: (await cachedData(data)).data };
  } catch (err) {
    if (err instanceof BacktestInputError) throw new UsageError(err.message);
    throw loaderErrorForCli(err);
  }
}

const windowOf = (opts: CommonOptions) => ({ ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}) });

function workersFor(opts: CommonOptions, config: MiaConfig, tasks: number): number {
  const wanted = opts.workers ?? config.backtest.workers ?? availableParallelism();
  return Math.max(1, Math.min(wanted, tasks));
}

/** A progress bar of finished runs on a terminal's stderr; silent otherwise. */

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(resolve(file), `${JSON.stringify(value, null, 2)}\n`);
}

const fmt = (x: number | null, digits = 2): string => (x === null ? '-' : x.toFixed(digits));
const metricCells = (m: BacktestMetrics): string =>
  `trades ${m.trades}  net ${fmt(m.netProfit)}  sharpe ${fmt(m.sharpe)}  PF ${fmt(m.profitFactor)}  maxDD ${fmt(m.maxDrawdown)} (${fmt(m.maxDrawdownPct * 100, 1)}%)`;

async function sweepCommand(opts: CommonOptions & { grid: string; objective?: Objective; minTrades?: number; queue?: string }): Promise<void> {
  const spec = readGridSpec(opts.grid);
  const points = expandGrid(spec, opts.config ? { file: opts.config } : {});
  const settings = points[0]!.config.backtest;
  const { data, provenance } = await checkedData(opts);
  const queued = opts.queue !== undefined ? (await import('./queueRun.ts')).queueRun(opts.queue, data, 'sweep') : null;
  const pool = queued ? null : sweepPool(workersFor(opts, points[0]!.config, points.length));
  const progress = progressBar('sweep', 'runs');
  let result: SweepResult;
  try {
    result = await sweep({
      points,
      batch: queued ? queued.batch : poolBatch(pool!, data, progress.update),
      ...windowOf(opts),
      objective: opts.objective ?? settings.objective,
      minTrades: opts.minTrades ?? settings.minTrades,
    });
  } finally {
    progress.stop();
    await pool?.close();
    await queued?.close();
  }
  const best = result.best === null ? null : result.rows[result.best]!;
  await writeJson(opts.json, {
    command: 'sweep',
    provenance: { data: provenance },
    grid: spec,
    // Local threads, or with --queue the queue workers that ran jobs.
    workers: queued ? queued.workersSeen().length : pool!.size,
    ...result,
    chosen: best ? { index: best.index, params: best.params, metrics: best.metrics } : null,
  });
  const lines = result.rows.map((r) => `${r.index === result.best ? '*' : ' '} ${String(r.index).padStart(4)}  ${JSON.stringify(r.params)}  ${metricCells(r.metrics)}${r.eligible ? '' : '  (ineligible)'}`);
  lines.push(best ? `best by ${result.objective} (>= ${result.minTrades} trades): #${best.index} ${JSON.stringify(best.params)}` : `no point has >= ${result.minTrades} trades and a defined ${result.objective}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function compareCommand(opts: CommonOptions & { configB: string; seed?: number; resamples?: number }): Promise<void> {
  if (!opts.config) throw new UsageError('--config: the A configuration file is needed (and --config-b for B)');
  const configA = loadConfig({ file: opts.config });
  const configB = loadConfig({ file: opts.configB });
  const settings = configA.backtest.compare;
  const { data, provenance } = await checkedData(opts);
  const pool = sweepPool(workersFor(opts, configA, 2));
  let ab: ABComparison;
  try {
    ab = await runAB(poolBatch(pool, data), configA, configB, windowOf(opts), { seed: opts.seed ?? settings.seed, resamples: opts.resamples ?? settings.resamples });
  } finally {
    await pool.close();
  }
  await writeJson(opts.json, { command: 'compare', provenance: { data: provenance }, configA: resolve(opts.config), configB: resolve(opts.configB), ...ab });
  const d = ab.daily;
  process.stdout.write(
    [
      `period  ${ab.period.from} .. ${ab.period.to} (${d.days} days)`,
      `A       ${metricCells(ab.a)}`,
      `B       ${metricCells(ab.b)}`,
      `B - A   daily P&L mean ${fmt(d.meanDifference)}, 95% interval [${fmt(d.interval95.low)}, ${fmt(d.interval95.high)}] (bootstrap, ${d.resamples} resamples, seed ${d.seed})`,
      `verdict ${d.verdict}`,
    ].join('\n') + '\n',
  );
}

async function stressCommand(opts: CommonOptions): Promise<void> {
  const config = loadConfig(opts.config ? { file: opts.config } : {});
  const windows = config.backtest.stressWindows ?? BUILTIN_STRESS_WINDOWS;
  const { data, provenance } = await checkedData(opts);
  const days = await dataDays(data);
  const pool = sweepPool(workersFor(opts, config, windows.length));
  const progress = progressBar('stress', 'runs');
  let report: StressReport;
  try {
    report = await runStress(poolBatch(pool, data, progress.update), config, windows, days);
  } finally {
    progress.stop();
    await pool.close();
  }
  await writeJson(opts.json, { command: 'stress', provenance: { data: provenance }, ...report });
  const lines = report.windows.map((w) => `${w.name.padEnd(24)} ${w.period.from} .. ${w.period.to}${w.partial ? ` (${fmt(w.coverage * 100, 0)}% covered)` : ''}  ${metricCells(w.metrics)}`);
  for (const s of report.skipped) lines.push(`${s.name.padEnd(24)} skipped: ${s.reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const integer = (flag: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${flag} must be an integer, got "${value}"`);
  return n;
};

const atLeast = (flag: string, min: number) => (value: string): number => {
  const n = integer(flag)(value);
  if (n < min) throw new InvalidArgumentError(`${flag} must be >= ${min}, got "${value}"`);
  return n;
};

/** Registers `mia sweep`, `mia compare` and `mia stress`. */
export function registerRobustness(program: Command): void {
  addCommon(
    program
      .command('sweep')
      .description('backtest every point of a parameter grid on a worker pool and rank the points by an objective')
      .requiredOption('--grid <file>', 'JSON grid: { "strategy.threshold": [0.2, 0.25], "strategy.stopPoints": [6, 8] }')
      .option('--config <file>', 'base configuration file (JSON); also MIA_CONFIG')
      .addOption(new Option('--objective <metric>', 'metric that ranks the points (default: backtest.objective)').choices(OBJECTIVES))
      .option('--min-trades <n>', 'a point needs this many trades to be chosen (default: backtest.minTrades)', atLeast('--min-trades', 0))
      .option('--queue <url>', 'run the points as jobs on a Redis queue served by `mia worker` instead of local threads (redis://HOST:PORT; password in MIA_QUEUE_PASSWORD)'),
    { window: true },
  ).action((opts) => sweepCommand(opts));

  addCommon(
    program
      .command('compare')
      .description('A/B: two configurations on the same data, metrics side by side and a paired bootstrap of daily P&L')
      .option('--config <file>', 'configuration A (JSON)')
      .requiredOption('--config-b <file>', 'configuration B (JSON)')
      .option('--seed <n>', 'bootstrap seed (default: backtest.compare.seed)', integer('--seed'))
      .option('--resamples <n>', 'bootstrap resamples (default: backtest.compare.resamples)', atLeast('--resamples', 100)),
    { window: true },
  ).action((opts) => compareCommand(opts));

  addCommon(
    program
      .command('stress')
      .description('run the named stress windows the data covers (built-in list, or backtest.stressWindows)')
      .option('--config <file>', 'configuration file (JSON); also MIA_CONFIG'),
    { window: false },
  ).action((opts) => stressCommand(opts));
}
