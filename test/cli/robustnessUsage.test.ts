/** `mia sweep | compare | stress` usage errors: exit 2 with a message naming the flag, key or file. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-robustness-usage-');
// Never read: every error here comes before the data is loaded.
const MARCH = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';

async function mia(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    return { code: await main(['node', 'mia', ...args]), stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('mia robustness commands, usage', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('sweep: unknown grid key, bad grid value, missing grid file, missing --data, bad --from, bad --workers', async () => {
    const dir = tempHome();
    const grid = (name: string, spec: unknown) => {
      const f = join(dir, name);
      writeFileSync(f, JSON.stringify(spec));
      return f;
    };
    const out = join(dir, 'out.json');
    const data = sharedData(MARCH);
    const unknown = await mia('sweep', '--data', data, '--grid', grid('a.json', { 'strategy.threshold': [0.2], 'strategy.nope': [1] }), '--json', out);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('strategy.nope: unknown configuration key in the grid');
    const badValue = await mia('sweep', '--data', data, '--grid', grid('b.json', { 'strategy.threshold': [5] }), '--json', out);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('strategy.threshold');
    const noGrid = await mia('sweep', '--data', data, '--grid', join(dir, 'none.json'), '--json', out);
    expect(noGrid.code).toBe(2);
    expect(noGrid.stderr).toContain('none.json');
    const good = grid('c.json', { 'strategy.threshold': [0.2] });
    const noData = await mia('sweep', '--grid', good, '--json', out);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toContain('--data');
    const badFrom = await mia('sweep', '--data', data, '--grid', good, '--from', '2023-02-30', '--json', out);
    expect(badFrom.code).toBe(2);
    expect(badFrom.stderr).toContain('--from');
    const backwards = await mia('sweep', '--data', data, '--grid', good, '--from', '2023-03-20', '--to', '2023-03-10', '--json', out);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('--from');
    const workers = await mia('sweep', '--data', data, '--grid', good, '--workers', '0', '--json', out);
    expect(workers.code).toBe(2);
    expect(workers.stderr).toContain('--workers');
    const noJson = await mia('sweep', '--data', data, '--grid', good);
    expect(noJson.code).toBe(2);
    expect(noJson.stderr).toContain('--json');
  });

  it('a data file that does not exist is a usage error naming it', async () => {
    const dir = tempHome();
    const missing = join(dir, 'missing.csv');
    const r = await mia('stress', '--data', missing, '--json', join(dir, 'out.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.csv');
  });

  it('compare needs both configurations', async () => {
    const dir = tempHome();
    const a = join(dir, 'a.json');
    writeFileSync(a, '{}');
    const noB = await mia('compare', '--data', sharedData(MARCH), '--config', a, '--json', join(dir, 'o.json'));
    expect(noB.code).toBe(2);
    expect(noB.stderr).toContain('--config-b');
    const noA = await mia('compare', '--data', sharedData(MARCH), '--config-b', a, '--json', join(dir, 'o.json'));
    expect(noA.code).toBe(2);
    expect(noA.stderr).toContain('--config');
    const badB = join(dir, 'b.json');
    writeFileSync(badB, '{"strategy": {"nope": 1}}');
    const unknownKey = await mia('compare', '--data', sharedData(MARCH), '--config', a, '--config-b', badB, '--json', join(dir, 'o.json'));
    expect(unknownKey.code).toBe(2);
    expect(unknownKey.stderr).toContain('strategy.nope');
  });
}, 60_000);
