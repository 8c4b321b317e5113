/**
 * `mia ml train` and `mia ml report`: the ML signal filter's model files.
 *
 * train: loads each --data file (the loader options of `mia data inspect`), runs the
 * Scorer over its bars to collect the strategy's signals (with --chains, --vix and --stream
 * beside the bars as in `mia backtest`: cli/mlSignals.ts), labels each with the outcome of
 * its trade under the live exit rules, trains the ensemble walk-forward and saves the next
 * model version under `$MIA_HOME/models/` (or --out FILE). Prints the signals, the
 * positives and the out-of-sample AUC per fold and overall.
 *
 * report: a model's version, training window, AUCs, feature importances, threshold and
 * the pass rate at that threshold on its out-of-sample predictions.
 *
 * Exit codes: 0 done; 1 too few signals to train, or a model that cannot be read; 2 bad
 * usage or configuration (the message names the flag or key).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { MiaConfig } from '../config/schema.ts';
import { commissionPerContract, instrumentFor } from '../config/instruments.ts';
import { provenanceLabel } from '../core/types.ts';
import { openReplaySource } from '../adapters/files/replaySource.ts';
import { activateModel, latestModelPath, modelFileName, modelsDir, nextModelVersion, readModelFile, saveModelInHome, writeModelFile } from '../adapters/files/mlModelFile.ts';
import { canonicalJson } from '../adapters/signals/signalLog.ts';
import type { ScoredSignal } from '../strategy/scorer.ts';
import { arrayBarTable } from '../core/barColumns.ts';
import type { DataProvenance } from '../backtest/result.ts';
import { fileProvenance } from '../backtest/engineData.ts';
import { addReplayInputOptions, firstReplayInputFlag, type ReplayInputOptions } from './replayInputOptions.ts';
import { coverageLines, loadReplayInputs, replayCoverage, replayInputsProvenance, type ReplayInputs, type StreamsCoverage } from './replayInputs.ts';
import { replaySignals, signalAvailability } from './mlSignals.ts';
import { weightsProblem } from '../strategy/ml/ensemble.ts';
import type { ExitRules } from '../strategy/ml/labelling.ts';
import type { DataProvenanceRecord, MlModelFile } from '../strategy/ml/modelSchema.ts';
import { modelReport, type ModelReport } from '../strategy/ml/modelReport.ts';
import { labelledSamples, NotEnoughSignalsError, trainFilter } from '../strategy/ml/trainFilter.ts';
import type { LabelledSample } from '../strategy/ml/walkForward.ts';
import { addLoaderOptions, loaderErrorForCli, loaderOptionsFrom } from './loaderOptions.ts';
import { resolveHome } from './home.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, collect } from './usage.ts';

interface TrainOptions extends Record<string, unknown>, ReplayInputOptions {
  data: string[];
  config?: string;
  home?: string;
  folds?: string;
  out?: string;
  json?: boolean;
}

interface ReportOptions {
  model?: string;
  home?: string;
  json?: boolean;
}

const auc = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** The configuration a model depends on: instrument, strategy, fills and the ml section. */
export function mlConfigHash(config: MiaConfig): string {
  const relevant = {
    symbol: config.symbol,
    strategy: config.strategy,
    fills: { slippageTicks: config.venue.slippageTicks, commissionPerContract: commissionPerContract(config) },
    ml: { ...config.ml, model: undefined },
  };
  return createHash('sha256').update(canonicalJson(relevant)).digest('hex');
}

function parseFolds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2) throw new UsageError(`--folds must be an integer >= 2, got "${value}"`);
  return n;
}

/** One --data file, loaded (bars of the loader options' reading). */
async function loadTrainingFile(file: string, opts: TrainOptions) {
  let handle;
  try {
    handle = await openReplaySource(file, loaderOptionsFrom(opts));
  } catch (err) {
    throw loaderErrorForCli(err);
  }
  if (handle.bars.length === 0) throw new UsageError(`--data ${file}: no bars`);
  return handle;
}

type TrainingFile = Awaited<ReturnType<typeof loadTrainingFile>>;

/** Signals and labelled samples of one data file (with the streams beside its bars, when given). */
function samplesOf(handle: TrainingFile, config: MiaConfig, inputs: ReplayInputs | undefined) {
  const st = config.strategy;
  const signals = replaySignals(handle.bars, handle.barMs, st, inputs);
  const instrument = instrumentFor(config.symbol);
  const rules: ExitRules = {
    stopPoints: st.stopPoints,
    targetPoints: st.targetPoints,
    maxBarsInTrade: st.maxBarsInTrade,
    barMs: handle.barMs,
    tickSize: instrument.tickSize,
    slippageTicks: config.venue.slippageTicks,
    pointValue: instrument.pointValue,
    commissionPerContract: commissionPerContract(config),
  };
  const labelled = labelledSamples(signals, handle.bars, rules);
  const s = handle.series;
  const provenance: DataProvenanceRecord = { file: s.file, sha256: s.sha256, format: s.format, rows: s.rows, from: s.from, to: s.to, label: provenanceLabel(s.provenance) };
  return { signals, ...labelled, rules, provenance };
}

/**
 * The --chains, --vix and --stream of a training, loaded with the backtest's loaders for
 * the bars of every --data file, with their coverage (printed as mia backtest prints it).
 */
async function trainingInputs(opts: TrainOptions, files: readonly TrainingFile[]): Promise<{ inputs: ReplayInputs; coverage: StreamsCoverage } | undefined> {
  if (firstReplayInputFlag(opts) === null) return undefined;
  const all = files.length === 1 ? files[0]!.bars : files.flatMap((f) => f.bars).sort((a, b) => a.time - b.time);
  const bars = arrayBarTable(all);
  const data: DataProvenance[] = files.map(({ series, bars: b }) => fileProvenance(series, b));
  const inputs = await loadReplayInputs(opts, loaderOptionsFrom(opts), bars, files[0]!.barMs, data);
  const coverage = replayCoverage(inputs, bars, files[0]!.barMs)!;
  for (const line of coverageLines(coverage)) process.stderr.write(`${line}\n`);
  return { inputs, coverage };
}

/** A model's provenance records: its data files, then its streams, VIX file and chain files. */
function streamRecords(inputs: ReplayInputs): DataProvenanceRecord[] {
  return [...replayInputsProvenance(inputs), ...inputs.chains.files].map(({ file, sha256, format, rows, from, to, label }) => ({ file, sha256, format, rows, from, to, label }));
}

export async function trainAction(opts: TrainOptions): Promise<number> {
  if (opts.data.length === 0) throw new UsageError('mia ml train needs at least one --data FILE');
  const folds = parseFolds(opts.folds);
  const config = loadConfig({ ...(opts.config ? { file: opts.config } : {}), ...(folds !== undefined ? { overrides: { ml: { training: { folds } } } } : {}) });
  const problem = weightsProblem(config.ml.weights);
  if (problem) throw new ConfigError('ml.weights', problem);
  const home = resolveHome(opts.home);

  const files: TrainingFile[] = [];
  for (const file of opts.data) {
    const handle = await loadTrainingFile(file, opts);
    if (files.length > 0 && handle.barMs !== files[0]!.barMs) throw new UsageError(`--data ${file}: ${handle.barMs / 60_000}-minute bars, the other files have ${files[0]!.barMs / 60_000}-minute bars`);
    files.push(handle);
  }
  const streams = await trainingInputs(opts, files);

  const samples: LabelledSample[] = [];
  const provenance: DataProvenanceRecord[] = [];
  const allSignals: ScoredSignal[] = [];
  let signals = 0;
  let unlabelled = 0;
  let rules: ExitRules | undefined;
  for (const handle of files) {
    const r = samplesOf(handle, config, streams?.inputs);
    rules = r.rules;
    samples.push(...r.samples);
    provenance.push(r.provenance);
    allSignals.push(...r.signals);
    signals += r.signals.length;
    unlabelled += r.unlabelled;
  }
  if (streams) provenance.push(...streamRecords(streams.inputs));
  // Which confluence features the signals carried (streams make more of them available).
  const featureAvailability = signalAvailability(allSignals);

  let model: MlModelFile;
  try {
    ({ model } = trainFilter({ samples, unlabelled, settings: config.ml, rules: rules!, modelVersion: nextModelVersion(home), dataProvenance: provenance, configHash: mlConfigHash(config) }));
  } catch (err) {
    if (!(err instanceof NotEnoughSignalsError)) throw err;
    process.stderr.write(`mia: cannot train: ${signals} signals, ${err.message}\n`);
    return EXIT_FAILURE;
  }
  const path = opts.out ? await writeModelFile(opts.out, model) : await saveModelInHome(home, model);
  // Only a model that beats its shuffled-label control becomes the home's active filter.
  const evaluation = model.evaluation!;
  const activated = !opts.out && evaluation.beatsControl;
  if (activated) await activateModel(home, { modelVersion: model.modelVersion, forced: false, reason: 'beats its shuffled-label control (mia ml train)' });
  const summary = {
    model: path,
    modelVersion: model.modelVersion,
    signals,
    labelled: model.trainedOn.signals,
    positives: model.trainedOn.positives,
    unlabelled,
    trainedOn: model.trainedOn,
    oosAuc: model.oosAuc,
    folds: model.folds,
    threshold: model.threshold,
    dataProvenance: model.dataProvenance,
    featureAvailability,
    ...(streams ? { streams: streams.coverage } : {}),
    evaluation,
    activated,
    warnings: [...chanceWarnings(model.oosAuc), ...(evaluation.beatsControl ? [] : [`not activated: ${evaluation.verdict} (mia ml activate ${model.modelVersion} --force to use it anyway)`])],
  };
  // A model no better than chance still filters: say so before it reaches a live home.
  for (const w of summary.warnings) process.stderr.write(`mia: warning: ${w}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return EXIT_OK;
  }
  const lines = [
    `signals     ${signals} (${summary.labelled} labelled, ${unlabelled} without a closed trade)`,
    `positives   ${summary.positives} wins (${pct(summary.positives / summary.labelled)})`,
    `window      ${model.trainedOn.from} .. ${model.trainedOn.to}`,
    `features    ${featuresLine(featureAvailability)}`,
    ...model.folds.map(
      (f) => `fold ${f.fold}      ${f.from} .. ${f.to}: train ${f.train} (${f.purged} purged), test ${f.test}, AUC ${auc(f.auc)}${f.skipped ? ` (skipped: ${f.skipped})` : ''}`,
    ),
    `OOS AUC     ${auc(model.oosAuc)}${evaluation.interval ? ` (${Math.round(evaluation.interval.level * 100)}% bootstrap interval ${auc(evaluation.interval.low)} .. ${auc(evaluation.interval.high)})` : ''}`,
    `control     ${auc(evaluation.control.auc)} (same walk-forward, labels shuffled)`,
    `saved       ${path} (model v${model.modelVersion})${activated ? ', activated' : ', NOT activated'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

function formatReport(path: string, r: ModelReport): string {
  const t = r.atThreshold;
  return [
    `model       ${path} (v${r.modelVersion})`,
    `window      ${r.trainedOn.from} .. ${r.trainedOn.to}: ${r.trainedOn.signals} signals, ${r.trainedOn.positives} wins`,
    `OOS AUC     ${auc(r.oosAuc)} (folds: ${r.foldAucs.map(auc).join(', ')})`,
    `weights     rf ${r.weights.rf.toFixed(2)}, gbt ${r.weights.gbt.toFixed(2)}, lr ${r.weights.lr.toFixed(2)}`,
    `threshold   ${r.threshold}: ${t.passed} of ${t.predictions} OOS predictions pass (${pct(t.passRate)}); win rate ${pct(t.passedWinRate)} of those, ${pct(t.baseWinRate)} of all`,
    'importance',
    ...r.importance.filter((f) => f.importance > 0).map((f) => `  ${f.feature.padEnd(20)} ${(f.importance * 100).toFixed(1)}%`),
  ].join('\n');
}

export async function reportAction(opts: ReportOptions): Promise<number> {
  const home = resolveHome(opts.home);
  const path = opts.model ? resolve(opts.model) : latestModelPath(home);
  if (!path) {
    process.stderr.write(`mia: no trained model in ${modelsDir(home)}: train one with mia ml train --data FILE\n`);
    return EXIT_FAILURE;
  }
  const report = modelReport(readModelFile(path));
  process.stdout.write(opts.json ? `${JSON.stringify({ model: path, ...report }, null, 2)}\n` : `${formatReport(path, report)}\n`);
  return EXIT_OK;
}

interface ActivateOptions {
  home?: string;
  force?: boolean;
  json?: boolean;
}

/** `mia ml activate VERSION`: refuses a model that does not beat its control unless --force. */
export async function activateAction(version: string, opts: ActivateOptions): Promise<number> {
  const v = Number(version);
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`VERSION must be a model version (1, 2, ...), got "${version}"`);
  const home = resolveHome(opts.home);
  const path = join(modelsDir(home), modelFileName(v));
  if (!existsSync(path)) {
    process.stderr.write(`mia: no model v${v} in ${modelsDir(home)}\n`);
    return EXIT_FAILURE;
  }
  const model = readModelFile(path);
  const e = model.evaluation;
  const why = e === undefined ? 'it carries no evaluation against a shuffled-label control (retrain with mia ml train)' : e.beatsControl ? '' : e.verdict;
  if (why !== '' && !opts.force) {
    process.stderr.write(`mia: model v${v} not activated: ${why}; --force activates it anyway\n`);
    return EXIT_FAILURE;
  }
  const reason = why === '' ? 'beats its shuffled-label control (mia ml activate)' : `forced by the operator although ${why}`;
  await activateModel(home, { modelVersion: v, forced: why !== '', reason });
  const out = { model: path, modelVersion: v, forced: why !== '', reason };
  process.stdout.write(opts.json ? `${JSON.stringify(out, null, 2)}\n` : `activated model v${v}${why !== '' ? ' (forced)' : ''}: ${reason}\n`);
  return EXIT_OK;
}

/** Attaches `mia ml train`, `mia ml report` and `mia ml activate`. */
export function registerMlCommands(program: Command): void {
  const ml = program.command('ml').description('the ML signal filter: train its model walk-forward, report on a model');
  addLoaderOptions(
    addReplayInputOptions(
      ml
        .command('train')
        .description('collect and label the strategy\'s signals on market data, train the ensemble walk-forward, save the next model version')
        .option('--data <file>', 'market-data file (repeatable; any format mia data inspect reads)', collect, [])
        .option('--config <file>', 'configuration file (JSON); also MIA_CONFIG')
        .option('--home <dir>', 'home directory (models go to <home>/models); also MIA_HOME')
        .option('--folds <k>', 'walk-forward folds (default ml.training.folds, 5)')
        .option('--out <file>', 'write the model here instead of <home>/models/ml-filter-v<N>.json')
        .option('--json', 'print the result as JSON'),
    ),
  ).action(async (opts: TrainOptions) => {
    process.exitCode = await trainAction(opts);
  });
  ml.command('report')
    .description('print a model\'s version, window, out-of-sample AUCs, feature importances and pass rate at its threshold')
    .option('--model <file>', 'model file (default: the latest in <home>/models)')
    .option('--home <dir>', 'home directory; also MIA_HOME')
    .option('--json', 'print the report as JSON')
    .action(async (opts: ReportOptions) => {
      process.exitCode = await reportAction(opts);
    });
  ml.command('activate')
    .description('make model VERSION the home\'s active filter; refused for a model that does not beat its shuffled-label control unless --force')
    .argument('<version>', 'model version (ml-filter-v<VERSION>.json)')
    .option('--home <dir>', 'home directory; also MIA_HOME')
    .option('--force', 'activate a model that does not beat its control (recorded as forced)')
    .option('--json', 'print the result as JSON')
    .action(async (version: string, opts: ActivateOptions) => {
      process.exitCode = await activateAction(version, opts);
    });
}

/** `gammaLevels 100%, ... (none: orderBook, ...)`: the features the signals carried. */
function featuresLine(shares: Record<string, number>): string {
  const some = Object.entries(shares).filter(([, v]) => v > 0);
  const none = Object.entries(shares).filter(([, v]) => v === 0).map(([k]) => k);
  return `${some.length} of ${some.length + none.length} on signals: ${some.map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ') || '-'}${none.length > 0 ? ` (none: ${none.join(', ')})` : ''}`;
}

/** Out-of-sample AUC at or below this is no edge worth filtering signals with. */
const CHANCE_AUC = 0.55;

function chanceWarnings(oosAuc: number | null): string[] {
  if (oosAuc === null) return ['no out-of-sample AUC: the model was never tested on unseen signals'];
  if (oosAuc > CHANCE_AUC) return [];
  return [
    `out-of-sample AUC ${oosAuc.toFixed(3)} is not above chance (${CHANCE_AUC}): with ml.enabled this model filters signals on noise; ` +
      'set ml.enabled false or train on richer data before using it in a live home',
  ];
}
