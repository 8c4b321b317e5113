/**
 * The filter on real data: the default strategy's signals on the FirstRate ES minute
 * samples, labelled under the default exit rules, trained walk-forward. Reports the
 * out-of-sample AUC; checks purging against the bars themselves: every training label of
 * a fold is the same when computed on the bars that closed before the fold's start.
 * Skipped (with the reason) when ../shared/data is absent.
 */
import { describe, expect, it } from 'vitest';
import { normaliseWeights } from '../../../strategy/ml/ensemble.ts';
import { labelSignal } from '../../../strategy/ml/labelling.ts';
import { trainFilter, withOppositeSignals } from '../../../strategy/ml/trainFilter.ts';
import { walkForward } from '../../../strategy/ml/walkForward.ts';
import { ES_MARCH, ES_SEPTEMBER, hasFirstRate } from '../fixtures/firstRate.ts';
import { defaultRules, lightMl, MINUTE, realSamples } from './mlFixtures.ts';

const both = hasFirstRate(ES_MARCH) && hasFirstRate(ES_SEPTEMBER);

describe.skipIf(!both)('ML filter on real ES minute bars (FirstRate samples; skipped when ../shared/data is absent)', () => {
  it('labels thousands of signals of both outcomes and reports the walk-forward OOS AUC', { timeout: 90_000 }, () => {
    const march = realSamples(ES_MARCH);
    const september = realSamples(ES_SEPTEMBER);
    const samples = [...march.samples, ...september.samples];
    const wins = samples.filter((s) => s.label === 1).length;
    expect(samples.length).toBeGreaterThan(2_000);
    expect(wins).toBeGreaterThan(samples.length * 0.2);
    expect(wins).toBeLessThan(samples.length * 0.8);
    // Only a trade still open when its file ends has no label.
    expect(march.unlabelled + september.unlabelled).toBeLessThan(20);

    const { model } = trainFilter({
      samples,
      unlabelled: march.unlabelled + september.unlabelled,
      settings: lightMl(),
      rules: defaultRules(),
      modelVersion: 1,
      dataProvenance: [],
      configHash: '0'.repeat(64),
    });
    expect(model.trainedOn).toMatchObject({ signals: samples.length, positives: wins });
    expect(model.foldAucs).toHaveLength(4);
    expect(model.oosAuc).not.toBeNull();
    console.info(`real-data OOS AUC ${model.oosAuc!.toFixed(3)} (folds ${model.foldAucs.map((a) => a?.toFixed(3)).join(', ')}) on ${samples.length} signals, ${wins} wins`);
  });

  it('purging: every training label of a fold is known from bars that closed before the fold starts', { timeout: 60_000 }, () => {
    const { bars, signals, samples } = realSamples(ES_MARCH);
    const ml = lightMl({ training: { folds: 4, minSignals: 20, rf: { trees: 4, maxDepth: 3 }, gbt: { trees: 4 }, lr: { iterations: 20 } } });
    const r = walkForward(samples, { training: ml.training, weights: normaliseWeights(ml.weights) });
    // Labels end at the next opposite signal too (the live exit): label each as training did.
    const byTime = new Map(withOppositeSignals(signals).map((s) => [s.time, s]));
    let checked = 0;
    for (const f of r.folds) {
      const before = bars.filter((b) => b.time + MINUTE <= f.from);
      for (const i of f.trainIds) {
        const outcome = labelSignal(byTime.get(samples[i]!.time)!, before, defaultRules());
        expect(outcome?.label).toBe(samples[i]!.label);
        checked++;
      }
      // The purged ones are exactly those whose trade was still open at the fold's start.
      expect(f.purged).toBe(samples.slice(0, samples.findIndex((s) => s.time === f.from)).filter((s) => s.knownAt > f.from).length);
    }
    expect(checked).toBeGreaterThan(1_000);
  });
});
