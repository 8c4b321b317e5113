/**
 * The ML filter earns its place only by beating a shuffled-label control: the bootstrap
 * interval of the out-of-sample AUC, the control, and the verdict.
 */
import { describe, expect, it } from 'vitest';
import { bootstrapAucInterval, evaluateModel, shuffledLabels } from '../../../strategy/ml/evaluation.ts';
import { rocAuc } from '../../../strategy/ml/auc.ts';
import { walkForward, type LabelledSample } from '../../../strategy/ml/walkForward.ts';
import { defaultConfig } from '../../../config/schema.ts';
import { normaliseWeights } from '../../../strategy/ml/ensemble.ts';
import { Prng } from '../../../core/prng.ts';

const training = { ...defaultConfig().ml.training, folds: 3, rf: { ...defaultConfig().ml.training.rf, trees: 5, maxDepth: 3 }, gbt: { ...defaultConfig().ml.training.gbt, trees: 5 }, lr: { ...defaultConfig().ml.training.lr, iterations: 40 } };
const options = { training, weights: normaliseWeights(defaultConfig().ml.weights) };

function samples(n: number, signal: number, seed: number): LabelledSample[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = rng.next() * 2 - 1;
    const noise = rng.next() * 2 - 1;
    const label = (signal * x + (1 - signal) * noise > 0 ? 1 : 0) as 0 | 1;
    const row = Array.from({ length: 12 }, (_, k) => (k === 0 ? x : rng.next()));
    return { time: i * 60_000, knownAt: i * 60_000 + 1, row, label };
  });
}

describe('model evaluation', () => {
  it('bootstraps an interval around the AUC', () => {
    const rng = new Prng(3);
    const label = Array.from({ length: 300 }, () => (rng.next() > 0.5 ? 1 : 0) as 0 | 1);
    const probability = label.map((l) => 0.5 + (l - 0.5) * 0.3 + (rng.next() - 0.5) * 0.6);
    const auc = rocAuc(probability, label)!;
    const i = bootstrapAucInterval(probability, label, 500)!;
    expect(i.low).toBeLessThan(auc);
    expect(i.high).toBeGreaterThan(auc);
    expect(i.high - i.low).toBeGreaterThan(0.02);
  });

  it('shuffles labels only', () => {
    const s = samples(50, 1, 1);
    const t = shuffledLabels(s, 9);
    expect(t.map((x) => x.time)).toEqual(s.map((x) => x.time));
    expect(t.reduce((a, x) => a + x.label, 0)).toBe(s.reduce((a, x) => a + x.label, 0));
    expect(t.map((x) => x.label)).not.toEqual(s.map((x) => x.label));
  });

  it('a model whose interval clears chance but not its control is not judged to beat it', { timeout: 60_000 }, () => {
    // Labels arranged so that the control's shuffle (seed + 1) turns them into a learnable
    // label: the control then scores high, above the model's interval (whose low end is > 0.5).
    const learnable = samples(240, 1, 5);
    const seed = options.training.seed;
    const n = learnable.length;
    const source = new Array<number>(n).fill(0); // source[j]: the index whose label the shuffle puts at j
    for (let bit = 0; 1 << bit < n; bit++) {
      const probe = shuffledLabels(learnable.map((x, i) => ({ ...x, label: ((i >> bit) & 1) as 0 | 1 })), seed + 1);
      probe.forEach((x, j) => (source[j]! |= x.label << bit));
    }
    const arranged = learnable.map((x) => ({ ...x }));
    learnable.forEach((x, j) => (arranged[source[j]!]!.label = x.label));
    expect(shuffledLabels(arranged, seed + 1).map((x) => x.label)).toEqual(learnable.map((x) => x.label));

    const rng = new Prng(11);
    const label = Array.from({ length: 400 }, () => (rng.next() > 0.5 ? 1 : 0) as 0 | 1);
    const probability = label.map((l) => 0.5 + (l - 0.5) * 0.25 + (rng.next() - 0.5) * 0.6);
    const e = evaluateModel(arranged, { probability, label }, rocAuc(probability, label), options, seed);
    expect(e.interval!.low).toBeGreaterThan(0.5);
    expect(e.control.auc!).toBeGreaterThan(e.interval!.low);
    expect(e.beatsControl).toBe(false);
    expect(e.verdict).toMatch(/not above the shuffled-label control/);
  });

  it('a learnable label beats its control; pure noise does not', { timeout: 60_000 }, () => {
    for (const [signal, beats] of [[1, true], [0, false]] as const) {
      const s = samples(240, signal, 5);
      const r = walkForward(s, options);
      const e = evaluateModel(s, r.oos, r.oosAuc, options);
      expect(e.beatsControl).toBe(beats);
      expect(e.control.auc).not.toBeNull();
      if (!beats) expect(e.verdict).not.toBe('');
    }
  });
});
