/**
 * From signals and the bars they fired on to a model file: label every signal with its
 * trade (labelling.ts), build its feature row (signalFeatures.ts), train walk-forward
 * (walkForward.ts) and assemble the versioned document (modelSchema.ts). Pure: the caller
 * brings the bars, the signals, the model's version number and the provenance.
 */
import type { Bar } from '../../core/types.ts';
import type { MlSettings } from '../../config/mlSchema.ts';
import { normaliseWeights } from './ensemble.ts';
import { labelSignal, type ExitRules, type SignalToLabel } from './labelling.ts';
import { ML_MODEL_FORMAT, ML_MODEL_VERSION, type DataProvenanceRecord, type MlModelFile } from './modelSchema.ts';
import { ML_FEATURE_NAMES, signalRow, type SignalInputs } from './signalFeatures.ts';
import { walkForward, type LabelledSample, type WalkForwardResult } from './walkForward.ts';
import { MiaError, type MiaErrorOptions } from '../../core/errors.ts';
import { evaluateModel } from './evaluation.ts';

export type TrainableSignal = SignalInputs & SignalToLabel;

/** Labelled samples of one series' signals; signals whose trade the data does not close are counted, not kept. */
export function labelledSamples(signals: readonly TrainableSignal[], bars: readonly Bar[], rules: ExitRules): { samples: LabelledSample[]; unlabelled: number } {
  const samples: LabelledSample[] = [];
  let unlabelled = 0;
  const toLabel = withOppositeSignals(signals);
  for (let i = 0; i < signals.length; i++) {
    const s = signals[i]!;
    const outcome = labelSignal(toLabel[i]!, bars, rules);
    if (!outcome) {
      unlabelled++;
      continue;
    }
    samples.push({ time: s.time, knownAt: outcome.knownAt, row: signalRow(s), label: outcome.label });
  }
  return { samples, unlabelled };
}

/**
 * Each signal as labelling sees it, in the same order: its time and side, and the close
 * time of the next signal of the other side (the live session exits on it), when there is one.
 */
export function withOppositeSignals(signals: readonly SignalToLabel[]): SignalToLabel[] {
  const order = signals.map((_, i) => i).sort((a, b) => signals[a]!.time - signals[b]!.time);
  const out: SignalToLabel[] = new Array(signals.length);
  let nextBuy = Infinity;
  let nextSell = Infinity;
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    const s = signals[i]!;
    const o = s.side === 'buy' ? nextSell : nextBuy;
    out[i] = o === Infinity ? { time: s.time, side: s.side } : { time: s.time, side: s.side, oppositeAt: o };
    if (s.side === 'buy') nextBuy = s.time;
    else nextSell = s.time;
  }
  return out;
}

/** Raised when there are too few labelled signals (or one class only) to train. */
export class NotEnoughSignalsError extends MiaError<'NOT_ENOUGH_SIGNALS'> {
  override readonly name = 'NotEnoughSignalsError';
  constructor(message: string, options?: MiaErrorOptions) {
    super('NOT_ENOUGH_SIGNALS', message, options);
  }
}

export interface TrainFilterInput {
  /** Every labelled sample, any order (sorted here by signal time). */
  samples: readonly LabelledSample[];
  unlabelled: number;
  settings: MlSettings;
  rules: ExitRules;
  modelVersion: number;
  dataProvenance: DataProvenanceRecord[];
  configHash: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function trainFilter(input: TrainFilterInput): { model: MlModelFile; result: WalkForwardResult } {
  const { settings } = input;
  const t = settings.training;
  const samples = [...input.samples].sort((a, b) => a.time - b.time);
  const positives = samples.reduce((a, s) => a + s.label, 0);
  if (samples.length < t.minSignals) {
    throw new NotEnoughSignalsError(`${samples.length} labelled signals (${input.unlabelled} more without a closed trade): at least ${t.minSignals} are needed to train (ml.training.minSignals)`);
  }
  if (positives === 0 || positives === samples.length) {
    throw new NotEnoughSignalsError(`${samples.length} labelled signals, all ${positives === 0 ? 'losses' : 'wins'}: a filter needs both outcomes`);
  }
  const weights = normaliseWeights(settings.weights);
  const result = walkForward(samples, { training: t, weights });
  const evaluation = evaluateModel(samples, result.oos, result.oosAuc, { training: t, weights });
  const model: MlModelFile = {
    format: ML_MODEL_FORMAT,
    version: ML_MODEL_VERSION,
    modelVersion: input.modelVersion,
    trainedOn: { from: iso(samples[0]!.time), to: iso(samples.at(-1)!.time), signals: samples.length, positives },
    features: [...ML_FEATURE_NAMES],
    oosAuc: result.oosAuc,
    foldAucs: result.folds.map((f) => f.auc),
    folds: result.folds.map((f) => ({
      fold: f.fold,
      from: iso(f.from),
      to: iso(f.to),
      train: f.train,
      purged: f.purged,
      test: f.test,
      testPositives: f.testPositives,
      auc: f.auc,
      ...(f.skipped ? { skipped: f.skipped } : {}),
    })),
    oosPredictions: { probability: result.oos.probability, label: result.oos.label },
    weights,
    threshold: settings.threshold,
    labelling: { ...input.rules },
    unlabelled: input.unlabelled,
    training: structuredClone(t),
    models: result.final,
    dataProvenance: input.dataProvenance,
    configHash: input.configHash,
    evaluation,
  };
  return { model, result };
}
