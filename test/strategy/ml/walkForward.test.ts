/**
 * Walk-forward training: expanding folds, purging of labels not yet known at a fold's
 * start, stitched out-of-sample predictions, and a pipeline that learns a real pattern
 * (synthetic) but nothing from labels that carry none.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../core/prng.ts';
import { normaliseWeights } from '../../../strategy/ml/ensemble.ts';
import { walkForward, type LabelledSample } from '../../../strategy/ml/walkForward.ts';
import { lightMl, MINUTE } from './mlFixtures.ts';

const T0 = Date.parse('2023-03-08T15:00:00Z');
const ml = lightMl();
const opts = { training: ml.training, weights: normaliseWeights(ml.weights) };

/** n samples a minute apart; x0 decides the label when `learnable`, x1 is noise; each label known `holdMin` minutes later. */
const synthetic = (n: number, learnable: boolean, holdMin = 30, seed = 3): LabelledSample[] => {
  const rng = new Prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const x0 = rng.next() * 2 - 1;
    const x1 = rng.next();
    const label = (learnable ? x0 + 0.3 * rng.normal() > 0 : rng.next() < 0.5) ? 1 : 0;
    return { time: T0 + i * MINUTE, knownAt: T0 + (i + holdMin) * MINUTE, row: [x0, x1], label };
  });
};

describe('walkForward', () => {
  it('expanding folds: fold k trains on blocks before k minus the purged samples, predicts block k', () => {
    const samples = synthetic(500, true);
    const r = walkForward(samples, opts);
    expect(r.folds.map((f) => f.fold)).toEqual([1, 2, 3, 4]);
    for (const f of r.folds) {
      const start = samples.findIndex((s) => s.time === f.from);
      expect(start).toBe(f.fold * 100);
      expect(f.test).toBe(100);
      // Labels known 30 minutes after the signal: sample start-30 is known exactly at the
      // block start (kept), the 29 after it are still open (purged).
      expect(f.purged).toBe(29);
      expect(f.train).toBe(start - 29);
      expect(f.trainIds.every((i) => i < start && samples[i]!.knownAt <= f.from)).toBe(true);
    }
    expect(r.oos.ids).toEqual(Array.from({ length: 400 }, (_, i) => 100 + i));
    expect(r.oos.label).toEqual(r.oos.ids.map((i) => samples[i]!.label));
  });

  it('learns a real pattern out of sample', () => {
    const r = walkForward(synthetic(500, true), opts);
    expect(r.oosAuc!).toBeGreaterThan(0.85);
    for (const f of r.folds) expect(f.auc!).toBeGreaterThan(0.75);
  });

  it('finds nothing in labels that carry nothing (AUC about 0.5)', () => {
    const aucs = [5, 6, 7].map((seed) => walkForward(synthetic(500, false, 30, seed), opts).oosAuc!);
    const mean = aucs.reduce((a, v) => a + v, 0) / aucs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.08);
  });

  it('a fold whose training labels are all still open makes no predictions and says why', () => {
    // Every label is known only after the last signal: nothing can train.
    const samples = synthetic(100, true, 1_000);
    const r = walkForward(samples, opts);
    expect(r.folds.every((f) => f.train === 0 && f.skipped === 'no training sample' && f.auc === null)).toBe(true);
    expect(r.oos.ids).toEqual([]);
    expect(r.oosAuc).toBeNull();
  });

  it('refuses samples out of time order', () => {
    const samples = synthetic(50, true).reverse();
    expect(() => walkForward(samples, opts)).toThrow(/time order/);
  });
});
