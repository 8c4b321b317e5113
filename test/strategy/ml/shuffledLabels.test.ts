/**
 * Leakage check on real data: the same real signal rows with their labels shuffled carry
 * no information, so a pipeline that does not leak labels scores about 0.5 out of sample
 * (mean over three shuffles within 0.5 +- 0.08). Skipped when ../shared/data is absent.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../core/prng.ts';
import { normaliseWeights } from '../../../strategy/ml/ensemble.ts';
import { walkForward } from '../../../strategy/ml/walkForward.ts';
import { ES_MARCH, ES_SEPTEMBER, hasFirstRate } from '../fixtures/firstRate.ts';
import { lightMl, realSamples } from './mlFixtures.ts';

const both = hasFirstRate(ES_MARCH) && hasFirstRate(ES_SEPTEMBER);

describe.skipIf(!both)('ML filter on shuffled labels (FirstRate samples; skipped when ../shared/data is absent)', () => {
  it('scores about 0.5 out of sample', { timeout: 90_000 }, () => {
    const samples = [...realSamples(ES_MARCH).samples, ...realSamples(ES_SEPTEMBER).samples].sort((a, b) => a.time - b.time);
    const ml = lightMl({ training: { folds: 4, minSignals: 20, rf: { trees: 6, maxDepth: 4 }, gbt: { trees: 6 }, lr: { iterations: 50 } } });
    const aucs = [101, 202, 303].map((seed) => {
      const rng = new Prng(seed);
      const labels = samples.map((s) => s.label);
      for (let i = labels.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [labels[i], labels[j]] = [labels[j]!, labels[i]!];
      }
      return walkForward(samples.map((s, i) => ({ ...s, label: labels[i]! })), { training: ml.training, weights: normaliseWeights(ml.weights) }).oosAuc!;
    });
    const mean = aucs.reduce((a, v) => a + v, 0) / aucs.length;
    console.info(`shuffled-label OOS AUC ${aucs.map((a) => a.toFixed(3)).join(', ')} (mean ${mean.toFixed(3)})`);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.08);
  });
});
