/**
 * The `ml` section of the configuration: the ensemble signal filter (DOMAIN.md "ML
 * filter") and how `mia ml train` trains it. A signal passes when the ensemble's P(win)
 * exceeds `threshold`; with no trained model the filter is off and says so.
 *
 * Strict objects (an unknown key is an error) with `.default` / `.prefault` only.
 * Cross-field rules (the weights must not all be 0) are checked where the values are used
 * (strategy/ml/ensemble.ts normaliseWeights) and name the key.
 */
import * as z from 'zod';

const count = z.number().int().positive();
const weight = z.number().finite().min(0);

export const mlWeightsSchema = z.strictObject({
  rf: weight.default(0.5),
  gbt: weight.default(0.3),
  lr: weight.default(0.2),
});

export const mlTrainingSchema = z.strictObject({
  /** Walk-forward folds: signals in time order cut into this many blocks; each block after the first is predicted by a model trained on the blocks before it. */
  folds: z.number().int().min(2).default(5),
  /** Fewest labelled signals `mia ml train` accepts. */
  minSignals: count.default(100),
  /** Seed of the forest's bootstraps and feature draws. */
  seed: z.number().int().default(1),
  rf: z
    .strictObject({
      trees: count.default(50),
      maxDepth: count.default(6),
      minLeaf: count.default(5),
      /** Features drawn at each split; 0 = round(sqrt(features)). */
      maxFeatures: z.number().int().min(0).default(0),
    })
    .prefault({}),
  gbt: z
    .strictObject({
      trees: count.default(50),
      maxDepth: count.default(3),
      minLeaf: count.default(10),
      shrinkage: z.number().finite().positive().max(1).default(0.1),
    })
    .prefault({}),
  lr: z
    .strictObject({
      l2: z.number().finite().min(0).default(1),
      learningRate: z.number().finite().positive().default(0.5),
      iterations: count.default(300),
    })
    .prefault({}),
});

export const mlSchema = z.strictObject({
  /** false: no filtering even with a model (signals say so). */
  enabled: z.boolean().default(true),
  /** A signal passes only when P(win) is strictly above this. */
  threshold: z.number().finite().min(0).max(1).default(0.7),
  /** Model file; null = the latest `$MIA_HOME/models/ml-filter-v<N>.json`. */
  model: z.string().min(1).nullable().default(null),
  /** Ensemble weights (normalised to sum 1). */
  weights: mlWeightsSchema.prefault({}),
  training: mlTrainingSchema.prefault({}),
});

export type MlSettings = z.infer<typeof mlSchema>;
export type MlWeights = z.infer<typeof mlWeightsSchema>;
export type MlTrainingSettings = z.infer<typeof mlTrainingSchema>;

export const defaultMlSettings = (): MlSettings => mlSchema.parse({});
