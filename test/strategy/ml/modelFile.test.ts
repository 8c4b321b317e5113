/**
 * Model files and the filter in the Scorer: a saved model reads back identical and
 * predicts the same; versions increase per home and the latest is chosen; corrupt, foreign
 * or wrong-version files are refused with their path and the reason; with no model the
 * filter is off and says so; with one, a signal passes only above the threshold and the
 * rest are counted. Model trained on real signals (FirstRate March sample).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CorruptStateError } from '../../../adapters/store/jsonDocument.ts';
import { activateModel, NO_ACTIVE_MODEL, latestModelPath, MlModelFileError, nextModelVersion, openMlFilter, readModelFile, saveModelInHome, writeModelFile } from '../../../adapters/files/mlModelFile.ts';
import { defaultConfig } from '../../../config/schema.ts';
import type { MlModelFile } from '../../../strategy/ml/modelSchema.ts';
import { EnsembleFilter } from '../../../strategy/ml/mlFilter.ts';
import { trainFilter } from '../../../strategy/ml/trainFilter.ts';
import { Scorer, type ScoredSignal } from '../../../strategy/scorer.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';
import { ES_MARCH, hasFirstRate } from '../fixtures/firstRate.ts';
import { defaultRules, lightMl, MINUTE, realSamples } from './mlFixtures.ts';

const tempHome = useTempHomes('mia-ml-');
const ml = lightMl({ training: { folds: 3, minSignals: 20, rf: { trees: 5, maxDepth: 4 }, gbt: { trees: 5 }, lr: { iterations: 50 } } });

describe.skipIf(!hasFirstRate(ES_MARCH))('ML model files and the Scorer filter (real FirstRate signals; skipped when ../shared/data is absent)', () => {
  let model: MlModelFile;
  let bars: ReturnType<typeof realSamples>['bars'];
  let signals: ScoredSignal[];
  beforeAll(() => {
    const real = realSamples(ES_MARCH);
    bars = real.bars;
    signals = real.signals;
    model = trainFilter({ samples: real.samples, unlabelled: real.unlabelled, settings: ml, rules: defaultRules(), modelVersion: 1, dataProvenance: [], configHash: 'a'.repeat(64) }).model;
  }, 60_000);

  const scorer = (filter?: EnsembleFilter) => {
    const st = { ...defaultConfig().strategy, minAvailableWeight: 0 }; // price-only bars: guard off
    return new Scorer({ threshold: st.threshold, atrBars: st.vwapAtrBars, barMs: MINUTE, strategy: st, ...(filter ? { ml: filter } : {}) });
  };
  const run = (s: Scorer) => bars.map((b) => s.onBar(b)).filter((x): x is ScoredSignal => x !== null);

  it('round trip: the file reads back identical and predicts the same', async () => {
    const path = join(tempHome(), 'sub', 'model.json');
    await writeModelFile(path, model);
    const back = readModelFile(path);
    expect(back).toEqual(model);
    const a = new EnsembleFilter(model, 0.7, ml.weights);
    const b = new EnsembleFilter(back, 0.7, ml.weights);
    for (const s of signals.slice(0, 200)) expect(b.probability(s)).toBe(a.probability(s));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ format: 'mia-ml-filter', version: 1, modelVersion: 1 });
  });

  it('versions increase per home; a session loads the active model only', async () => {
    const home = tempHome();
    expect(latestModelPath(home)).toBeNull();
    expect(nextModelVersion(home)).toBe(1);
    await saveModelInHome(home, model);
    await saveModelInHome(home, { ...model, modelVersion: nextModelVersion(home) });
    expect(nextModelVersion(home)).toBe(3);
    expect(latestModelPath(home)).toBe(join(home, 'models', 'ml-filter-v2.json'));
    // A trained model is not active until it earns it (or the operator forces it).
    expect(openMlFilter(defaultConfig().ml, home)).toMatchObject({ path: null, modelVersion: null, off: NO_ACTIVE_MODEL });
    await activateModel(home, { modelVersion: 2, forced: true, reason: 'test' });
    const loaded = openMlFilter(defaultConfig().ml, home);
    expect(loaded).toMatchObject({ path: join(home, 'models', 'ml-filter-v2.json'), modelVersion: 2, off: null });
    expect(loaded.filter.evaluate(signals[0]!)).toMatchObject({ threshold: 0.7, modelVersion: 2 });
  });

  it('a corrupt, foreign, wrong-version or inconsistent file is refused with its path and why; never overwritten', async () => {
    const dir = tempHome();
    const write = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const bad = (p: string, why: RegExp) => {
      expect(() => readModelFile(p)).toThrow(MlModelFileError);
      expect(() => readModelFile(p)).toThrow(why);
      expect(() => readModelFile(p)).toThrow(p);
    };
    bad(join(dir, 'missing.json'), /no such file/);
    bad(write('torn.json', JSON.stringify(model).slice(0, 500)), /not valid JSON/);
    bad(write('other.json', '{"format":"something-else","version":1}'), /not a MIA ML filter model/);
    bad(write('v2.json', JSON.stringify({ ...model, version: 2 })), /format version 2: this MIA reads version 1/);
    const loop = structuredClone(model);
    const tree = loop.models.rf.trees[0]!;
    const inner = tree.feature.findIndex((f) => f >= 0);
    tree.left[inner] = inner;
    bad(write('loop.json', JSON.stringify(loop)), /does not match the model schema: at models\.rf\.trees\.0/);
    const narrow = structuredClone(model);
    narrow.models.lr.weights.pop();
    bad(write('narrow.json', JSON.stringify(narrow)), /logistic regression arrays must have 18 entries/);

    const torn = join(dir, 'torn.json');
    const before = readFileSync(torn, 'utf8');
    await expect(writeModelFile(torn, model)).rejects.toThrow(CorruptStateError);
    expect(readFileSync(torn, 'utf8')).toBe(before);
    // A configured model that cannot be read stops a session before it starts.
    expect(() => openMlFilter({ ...defaultConfig().ml, model: torn }, null)).toThrow(MlModelFileError);
  });

  it('a model trained on other inputs than this build computes is refused (retrain)', () => {
    const renamed = { ...model, features: model.features.map((f, i) => (i === 0 ? 'somethingElse' : f)) };
    expect(() => new EnsembleFilter(renamed, 0.7, ml.weights)).toThrow(/retrain it/);
  });

  it('no model: the filter is off and every signal says so, with no probability', () => {
    const home = tempHome();
    expect(openMlFilter(defaultConfig().ml, home)).toMatchObject({ path: null, modelVersion: null, off: 'no trained model' });
    expect(openMlFilter({ ...defaultConfig().ml, enabled: false }, home).off).toMatch(/disabled/);
    const out = run(scorer());
    expect(out.length).toBe(signals.length);
    for (const s of out) expect(s.ml).toEqual({ off: 'no trained model' });
  });

  it('with a model: a signal passes only when P(win) > threshold, carries it, and the others are counted', () => {
    const plain = run(scorer());
    const all = new EnsembleFilter(model, 0, ml.weights);
    const s0 = scorer(all);
    const open = run(s0);
    // Threshold 0: the same signals, each with the model's probability.
    expect(open.map((s) => [s.time, s.side])).toEqual(plain.map((s) => [s.time, s.side]));
    for (const s of open) {
      const { ml: verdict, ...rest } = s;
      expect(verdict).toEqual({ probability: all.probability(rest), threshold: 0, modelVersion: 1 });
    }
    expect(s0.mlFiltered).toBe(0);

    const probs = open.map((s) => (s.ml as { probability: number }).probability).sort((a, b) => a - b);
    const median = probs[Math.floor(probs.length / 2)]!;
    const half = scorer(new EnsembleFilter(model, median, ml.weights));
    const passed = run(half);
    expect(passed.length).toBeGreaterThan(0);
    expect(passed.every((s) => (s.ml as { probability: number }).probability > median)).toBe(true);
    expect(passed.length + half.mlFiltered).toBe(plain.length);
    // Filtering does not move the edge logic: the passed signals are a subset of the plain ones.
    const times = new Set(plain.map((s) => s.time));
    expect(passed.every((s) => times.has(s.time))).toBe(true);

    const none = scorer(new EnsembleFilter(model, 1, ml.weights));
    expect(run(none)).toEqual([]);
    expect(none.mlFiltered).toBe(plain.length);
  });
});
