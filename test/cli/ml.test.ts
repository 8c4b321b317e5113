/**
 * `mia ml train` and `mia ml report` through the real command, on a real FirstRate ES
 * minute sample: the saved model file, its provenance, the report, version numbering,
 * too few signals (exit 1, saying how many), and bad usage (exit 2 naming the flag or key).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readModelFile } from '../../adapters/files/mlModelFile.ts';
import { main } from '../../cli/main.ts';
import { runMia } from '../fixtures/runMia.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-ml-cli-');
const MARCH = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
/** Light training (few trees) so the command runs fast; the defaults are tested in the unit tests. */
const light = { strategy: { minAvailableWeight: 0 }, ml: { training: { minSignals: 50, rf: { trees: 5, maxDepth: 4 }, gbt: { trees: 5 }, lr: { iterations: 50 } } } };
/** The same command in this process (no process start: the error paths are many and cheap). */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'mia', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}
const configIn = (home: string, cfg: unknown) => {
  const p = join(home, 'config.json');
  writeFileSync(p, JSON.stringify(cfg));
  return p;
};

describe('mia ml', () => {
  it.skipIf(!hasSharedData(MARCH))('train saves the next model version with its window, AUCs and provenance; report reads it', { timeout: 180_000 }, async () => {
    const home = tempHome();
    const data = sharedData(MARCH);
    const cfg = configIn(home, light);
    const r = await runMia(['ml', 'train', '--data', data, '--config', cfg, '--folds', '3', '--json'], { MIA_HOME: home });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // A model no better than chance is saved but flagged, on stderr and in the JSON.
    const chance = out.oosAuc === null || out.oosAuc <= 0.55;
    expect(out.warnings.length > 0).toBe(chance);
    expect(r.stderr === '').toBe(!chance);
    if (chance) expect(r.stderr).toMatch(/warning: .*(not above chance|never tested)/);
    const path = join(home, 'models', 'ml-filter-v1.json');
    expect(out).toMatchObject({ model: path, modelVersion: 1 });
    expect(out.signals).toBeGreaterThan(1_000);
    expect(out.labelled + out.unlabelled).toBe(out.signals);
    expect(out.positives).toBeGreaterThan(0);
    expect(out.folds).toHaveLength(2);
    expect(out.oosAuc).toBeGreaterThanOrEqual(0);
    expect(out.oosAuc).toBeLessThanOrEqual(1);

    const model = readModelFile(path);
    const sha256 = createHash('sha256').update(readFileSync(data)).digest('hex');
    expect(model.dataProvenance).toEqual([expect.objectContaining({ file: data, sha256, format: 'csv', label: `replay:${data}#${sha256}` })]);
    // The window comes from the data (March 2023), not from the clock.
    expect(model.trainedOn.from.startsWith('2023-03')).toBe(true);
    expect(model.trainedOn.to.startsWith('2023-03')).toBe(true);
    expect(model.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(model.oosPredictions.probability).toHaveLength(model.folds.reduce((a, f) => a + (f.skipped ? 0 : f.test), 0));

    const rep = await runMia(['ml', 'report', '--json'], { MIA_HOME: home });
    expect(rep.code).toBe(0);
    const report = JSON.parse(rep.stdout);
    expect(report).toMatchObject({ model: path, modelVersion: 1, oosAuc: model.oosAuc, foldAucs: model.foldAucs, threshold: 0.7 });
    expect(report.importance.reduce((a: number, f: { importance: number }) => a + f.importance, 0)).toBeCloseTo(1, 9);
    const passed = model.oosPredictions.probability.filter((p) => p > 0.7).length;
    expect(report.atThreshold).toMatchObject({ predictions: model.oosPredictions.probability.length, passed });

    // --out writes elsewhere; the version still counts in the home (v2), which keeps only v1.
    const out2 = join(home, 'elsewhere', 'm.json');
    const again = await inProcess(['ml', 'train', '--data', data, '--config', cfg, '--folds', '3', '--out', out2, '--home', home]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/OOS AUC\s+\d\.\d{3}/);
    expect(again.stdout).toContain(`saved       ${out2} (model v2)`);
    expect(readModelFile(out2).modelVersion).toBe(2);
    expect(readdirSync(join(home, 'models'))).toEqual(['ml-filter-v1.json']);
    const human = await inProcess(['ml', 'report', '--model', out2, '--home', home]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/threshold\s+0\.7: \d+ of \d+ OOS predictions pass/);
  });

  it.skipIf(!hasSharedData(MARCH))('too few signals to train: exit 1, saying how many', { timeout: 120_000 }, async () => {
    const home = tempHome();
    const cfg = configIn(home, { strategy: { minAvailableWeight: 0 }, ml: { training: { minSignals: 100_000 } } });
    const r = await inProcess(['ml', 'train', '--data', sharedData(MARCH), '--config', cfg, '--home', home]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot train: \d{4} signals, \d{4} labelled signals .*at least 100000 are needed/);
    expect(existsSync(join(home, 'models'))).toBe(false);
  });

  it('bad usage exits 2 naming the flag or key; a missing or corrupt model exits 1 naming the file', { timeout: 120_000 }, async () => {
    const home = tempHome();
    const noData = await inProcess(['ml', 'train', '--home', home]);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toContain('--data');
    const folds = await inProcess(['ml', 'train', '--data', 'x.csv', '--folds', '1', '--home', home]);
    expect(folds.code).toBe(2);
    expect(folds.stderr).toContain('--folds must be an integer >= 2');
    const weights = await inProcess(['ml', 'train', '--data', 'x.csv', '--config', configIn(home, { ml: { weights: { rf: 0, gbt: 0, lr: 0 } } }), '--home', home]);
    expect(weights.code).toBe(2);
    expect(weights.stderr).toContain('ml.weights');
    const missing = await inProcess(['ml', 'train', '--data', join(home, 'nope.csv'), '--home', home]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.csv');

    const none = await inProcess(['ml', 'report', '--home', home]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no trained model in ${join(home, 'models')}`);
    const corrupt = join(home, 'bad.json');
    writeFileSync(corrupt, '{"format":"mia-ml-filter","version":1,"modelVersion":1}');
    const bad = await inProcess(['ml', 'report', '--model', corrupt, '--home', home]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`ML model file ${corrupt}: does not match the model schema`);
  });
});
