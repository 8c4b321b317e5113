/**
 * `mia sweep`, `mia compare` and `mia stress` through the real command (bin/mia.js, whose
 * workers load TypeScript through tsx) on real ES minute bars.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMia } from '../fixtures/runMia.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-robustness-');
const MARCH = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const SEPTEMBER = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';

describe.skipIf(!hasSharedData(MARCH) || !hasSharedData(SEPTEMBER))('mia robustness commands (real ES bars)', () => {
  it('sweep: every grid point on 2 workers, in grid order, with provenance and the chosen point', async () => {
    const home = tempHome();
    const grid = join(home, 'grid.json');
    writeFileSync(grid, JSON.stringify({ 'strategy.stopPoints': [4, 8], 'strategy.targetPoints': [12] }));
    const out = join(home, 'sweep.json');
    const r = await runMia(['sweep', '--data', sharedData(MARCH), '--grid', grid, '--workers', '2', '--from', '2023-03-14', '--to', '2023-03-14', '--min-trades', '1', '--json', out], { MIA_HOME: home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.command).toBe('sweep');
    expect(json.workers).toBe(2);
    expect(json.provenance.data[0].sha256).toBe(createHash('sha256').update(readFileSync(sharedData(MARCH))).digest('hex'));
    expect(json.rows.map((row: { index: number; params: unknown }) => [row.index, row.params])).toEqual([
      [0, { 'strategy.stopPoints': 4, 'strategy.targetPoints': 12 }],
      [1, { 'strategy.stopPoints': 8, 'strategy.targetPoints': 12 }],
    ]);
    for (const row of json.rows) expect(row.period).toEqual({ from: '2023-03-14', to: '2023-03-14' });
    expect(json.objective).toBe('sharpe');
    if (json.best !== null) expect(json.chosen.params).toEqual(json.rows[json.best].params);
    expect(r.stdout).toMatch(/strategy\.stopPoints/);
  }, 240_000);

  it('compare: a configuration against itself shows no difference; stress runs the covered window and skips the rest', async () => {
    const home = tempHome();
    const config = join(home, 'a.json');
    writeFileSync(config, JSON.stringify({ strategy: { stopPoints: 6 } }));
    const cmpOut = join(home, 'compare.json');
    const stressOut = join(home, 'stress.json');
    const [cmp, stress] = await Promise.all([
      runMia(['compare', '--data', sharedData(MARCH), '--config', config, '--config-b', config, '--from', '2023-03-14', '--to', '2023-03-15', '--workers', '1', '--resamples', '500', '--json', cmpOut], { MIA_HOME: home }),
      runMia(['stress', '--data', sharedData(SEPTEMBER), '--workers', '1', '--json', stressOut], { MIA_HOME: home }),
    ]);
    expect(cmp.stderr).toBe('');
    expect(cmp.code).toBe(0);
    const ab = JSON.parse(readFileSync(cmpOut, 'utf8'));
    expect(ab.period).toEqual({ from: '2023-03-14', to: '2023-03-15' });
    expect(ab.a).toEqual(ab.b);
    for (const v of Object.values(ab.difference)) expect(v === null || v === 0).toBe(true);
    expect(ab.daily.meanDifference).toBe(0);
    expect(ab.daily.interval95.low).toBeLessThanOrEqual(0);
    expect(ab.daily.interval95.high).toBeGreaterThanOrEqual(0);
    expect(ab.daily.verdict).toBe('no significant difference');

    expect(stress.stderr).toBe('');
    expect(stress.code).toBe(0);
    const report = JSON.parse(readFileSync(stressOut, 'utf8'));
    // The September 2023 sample (2023-09-25 .. 2023-10-09) covers the October 2023 yields window in full.
    expect(report.windows.map((w: { name: string }) => w.name)).toEqual(['yields-2023']);
    expect(report.windows[0]).toMatchObject({ period: { from: '2023-10-02', to: '2023-10-06' }, coverage: 1, partial: false });
    expect(report.windows[0].metrics.trades).toBeGreaterThanOrEqual(0);
    expect(report.skipped.map((s: { name: string }) => s.name)).toContain('regional-banks-2023');
    expect(report.skipped.find((s: { name: string }) => s.name === 'regional-banks-2023').reason).toMatch(/not covered by the data/);
  }, 240_000);
});
