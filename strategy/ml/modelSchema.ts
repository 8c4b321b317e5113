/**
 * The model file (`$MIA_HOME/models/ml-filter-v<N>.json`): versioned JSON holding the
 * trained ensemble, its training window, its walk-forward out-of-sample AUC (overall and
 * per fold), the OOS predictions behind it, the labelling rules and hyperparameters, the
 * data it came from and the hash of the configuration. Times are ISO-8601 UTC from the
 * data, never the wall clock. Validated on load: a file that does not match is refused.
 */
import * as z from 'zod';

export const ML_MODEL_FORMAT = 'mia-ml-filter';
export const ML_MODEL_VERSION = 1;

const finite = z.number().finite();
const count = z.number().int().min(0);
const iso = z.iso.datetime();
const probability = finite.min(0).max(1);

const treeSchema = z
  .strictObject({
    feature: z.array(z.number().int().min(-1)),
    threshold: z.array(finite),
    left: z.array(z.number().int()),
    right: z.array(z.number().int()),
    value: z.array(finite),
    gain: z.array(finite.min(0)),
  })
  .superRefine((t, ctx) => {
    const n = t.feature.length;
    if (n === 0 || [t.threshold, t.left, t.right, t.value, t.gain].some((a) => a.length !== n)) {
      ctx.addIssue({ code: 'custom', message: `a tree needs at least one node and arrays of one length (${n})` });
      return;
    }
    // Children always come after their parent: prediction cannot loop.
    for (let i = 0; i < n; i++) {
      if (t.feature[i]! < 0) continue;
      const l = t.left[i]!;
      const r = t.right[i]!;
      if (!(l > i && l < n && r > i && r < n)) {
        ctx.addIssue({ code: 'custom', message: `node ${i} has children ${l}, ${r} outside (${i}, ${n})` });
        return;
      }
    }
  });

const weightsSchema = z.strictObject({ rf: finite.min(0), gbt: finite.min(0), lr: finite.min(0) });

export const dataProvenanceSchema = z.strictObject({
  file: z.string(),
  sha256: z.string(),
  format: z.string(),
  rows: count,
  from: iso.nullable(),
  to: iso.nullable(),
  /** `replay:<file>#<sha256>`, as `mia run` labels it. */
  label: z.string(),
});

export const mlModelFileSchema = z
  .strictObject({
    format: z.literal(ML_MODEL_FORMAT),
    version: z.literal(ML_MODEL_VERSION),
    /** 1, 2, 3 ... per home: each training saves the next. */
    modelVersion: z.number().int().positive(),
    trainedOn: z.strictObject({ from: iso, to: iso, signals: count, positives: count }),
    /** Input names in row order (strategy/ml/signalFeatures.ts). */
    features: z.array(z.string().min(1)).min(1),
    oosAuc: probability.nullable(),
    foldAucs: z.array(probability.nullable()),
    folds: z.array(
      z.strictObject({
        fold: z.number().int().positive(),
        from: iso,
        to: iso,
        train: count,
        purged: count,
        test: count,
        testPositives: count,
        auc: probability.nullable(),
        skipped: z.string().optional(),
      }),
    ),
    /** The stitched out-of-sample ensemble predictions (time order) and their labels. */
    oosPredictions: z.strictObject({ probability: z.array(probability), label: z.array(z.union([z.literal(0), z.literal(1)])) }),
    weights: weightsSchema,
    threshold: probability,
    /** The exit rules the labels were simulated with. */
    labelling: z.strictObject({
      stopPoints: finite.positive(),
      targetPoints: finite.positive(),
      maxBarsInTrade: z.number().int().positive(),
      barMs: z.number().int().positive(),
      tickSize: finite.positive(),
      slippageTicks: finite.min(0),
      pointValue: finite.positive(),
      commissionPerContract: finite.min(0),
    }),
    /** Signals dropped because the data ended before their trade closed. */
    unlabelled: count,
    training: z.strictObject({
      folds: z.number().int().min(2),
      minSignals: z.number().int().positive(),
      seed: z.number().int(),
      rf: z.strictObject({ trees: count, maxDepth: count, minLeaf: count, maxFeatures: count }),
      gbt: z.strictObject({ trees: count, maxDepth: count, minLeaf: count, shrinkage: finite.positive() }),
      lr: z.strictObject({ l2: finite.min(0), learningRate: finite.positive(), iterations: count }),
    }),
    models: z.strictObject({
      rf: z.strictObject({ trees: z.array(treeSchema) }),
      gbt: z.strictObject({ base: finite, trees: z.array(treeSchema) }),
      lr: z.strictObject({ mean: z.array(finite), std: z.array(finite.positive()), weights: z.array(finite), bias: finite }),
    }),
    dataProvenance: z.array(dataProvenanceSchema),
    /** sha256 of the canonical JSON of the configuration sections the model depends on. */
    configHash: z.string().regex(/^[0-9a-f]{64}$/),
    /** Out-of-sample AUC with its bootstrap interval beside the shuffled-label control (strategy/ml/evaluation.ts). */
    evaluation: z
      .strictObject({
        oosAuc: probability.nullable(),
        interval: z.strictObject({ low: probability, high: probability, level: probability, resamples: count }).nullable(),
        control: z.strictObject({ auc: probability.nullable(), seed: z.number().int() }),
        beatsControl: z.boolean(),
        verdict: z.string(),
      })
      .optional(),
  })
  .superRefine((m, ctx) => {
    const width = m.features.length;
    const lr = m.models.lr;
    if (lr.mean.length !== width || lr.std.length !== width || lr.weights.length !== width) {
      ctx.addIssue({ code: 'custom', path: ['models', 'lr'], message: `logistic regression arrays must have ${width} entries (one per feature)` });
    }
    const trees = [...m.models.rf.trees, ...m.models.gbt.trees];
    if (trees.some((t) => t.feature.some((f) => f >= width))) {
      ctx.addIssue({ code: 'custom', path: ['models'], message: `a tree splits on a feature index >= ${width}` });
    }
    if (m.oosPredictions.probability.length !== m.oosPredictions.label.length) {
      ctx.addIssue({ code: 'custom', path: ['oosPredictions'], message: 'probability and label must have one length' });
    }
  });

export type MlModelFile = z.infer<typeof mlModelFileSchema>;
export type DataProvenanceRecord = z.infer<typeof dataProvenanceSchema>;
