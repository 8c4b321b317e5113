/**
 * `mia backtest --vix` and `--stream` through the command (in this process): the streams'
 * coverage in the JSON, their files in the provenance, and exit code 2 naming the flag for a
 * stream that cannot be used.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-backtest-streams-');
const ES = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const VIX = 'vix/VIX_History.csv';
const DOM = 'nq_ticks/ts_and_dom_2min.csv';

async function mia(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return { code: await main(['node', 'mia', ...args]), stderr };
  } finally {
    err.mockRestore();
    out.mockRestore();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    process.exitCode = undefined;
  }
}

describe.skipIf(!hasSharedData(ES) || !hasSharedData(VIX) || !hasSharedData(DOM))('mia backtest with streams', () => {
  it('records the VIX coverage and provenance, and refuses a stream of another instrument naming --stream', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const out = join(dir, 'r.json');
    const r = await mia(['backtest', '--data', sharedData(ES), '--from', '2023-03-13', '--to', '2023-03-14', '--vix', sharedData(VIX), '--json', out, '--no-evidence', '--quiet']);
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.streams.vix).toMatchObject({ tradingDays: 2, withVix: 2, from: '2023-03-10T21:15:00.000Z', to: '2023-03-13T20:15:00.000Z' });
    expect(result.provenance.data).toHaveLength(2);
    expect(result.provenance.data[0].file).toBe(sharedData(ES));
    expect(result.provenance.data.at(-1)).toMatchObject({ format: 'vix-daily', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const bad = await mia(['backtest', '--data', sharedData(ES), '--from', '2023-03-13', '--to', '2023-03-13', '--stream', sharedData(DOM), '--json', join(dir, 'x.json'), '--no-evidence', '--quiet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--stream: .*NQ/);
    const wrongVix = await mia(['backtest', '--data', sharedData(ES), '--from', '2023-03-13', '--to', '2023-03-13', '--vix', sharedData(ES), '--json', join(dir, 'y.json'), '--no-evidence', '--quiet']);
    expect(wrongVix.code).toBe(2);
    expect(wrongVix.stderr).toMatch(/not a VIX daily file/);
  });
});
