/**
 * `mia ml train` reports the out-of-sample AUC with its bootstrap interval beside the
 * shuffled-label control and activates only a model that beats it; `mia ml activate`
 * refuses such a model without --force. On price-only FirstRate bars the model does not
 * beat its control (the finding), so it is saved but not active.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMia } from '../fixtures/runMia.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-ml-activate-');
const MARCH = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const light = { strategy: { minAvailableWeight: 0 }, ml: { training: { minSignals: 50, rf: { trees: 5, maxDepth: 4 }, gbt: { trees: 5 }, lr: { iterations: 50 } } } };

describe('mia ml train / activate', () => {
  it.skipIf(!hasSharedData(MARCH))('a model that does not beat its shuffled-label control is saved, not activated, and activate refuses it without --force', { timeout: 180_000 }, async () => {
    const home = tempHome();
    const cfg = join(home, 'config.json');
    writeFileSync(cfg, JSON.stringify(light));
    const r = await runMia(['ml', 'train', '--data', sharedData(MARCH), '--config', cfg, '--folds', '3', '--json'], { MIA_HOME: home });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { evaluation: { oosAuc: number; interval: { low: number; high: number }; control: { auc: number }; beatsControl: boolean; verdict: string }; activated: boolean; modelVersion: number };
    const e = out.evaluation;
    expect(e.interval.low).toBeLessThanOrEqual(e.oosAuc);
    expect(e.interval.high).toBeGreaterThanOrEqual(e.oosAuc);
    expect(typeof e.control.auc).toBe('number');
    expect(e.beatsControl).toBe(false);
    expect(out.activated).toBe(false);
    expect(r.stderr).toMatch(/not activated: /);
    expect(existsSync(join(home, 'models', 'active.json'))).toBe(false);

    const refused = await runMia(['ml', 'activate', String(out.modelVersion)], { MIA_HOME: home });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not activated: .*--force/);
    expect(existsSync(join(home, 'models', 'active.json'))).toBe(false);

    const forced = await runMia(['ml', 'activate', String(out.modelVersion), '--force', '--json'], { MIA_HOME: home });
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(join(home, 'models', 'active.json'), 'utf8'))).toMatchObject({ modelVersion: out.modelVersion, forced: true });
    const missing = await runMia(['ml', 'activate', '99'], { MIA_HOME: home });
    expect(missing.code).toBe(1);
  });
});
