/**
 * `mia backtest` of a file that streams in (MIA_STREAM_MIN_BYTES=0 streams any file; by
 * default from 8 MiB): the real command, its worker thread started from the bundle or the
 * sources, writes the same JSON as the same file loaded first, and a file the worker cannot
 * read is still exit code 2 naming it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { runMia } from '../fixtures/runMia.ts';

const tempDir = useTempHomes('mia-backtest-stream-');
const SAMPLE = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';

describe('mia backtest of a streamed file', () => {
  it.skipIf(!hasSharedData(SAMPLE))('writes the JSON of the file loaded first', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const outs: string[] = [];
    for (const stream of ['0', '1000000000000']) {
      const out = join(dir, `result-${stream}.json`);
      const r = await runMia(['backtest', '--data', sharedData(SAMPLE), '--json', out, '--quiet', '--no-evidence', '--operator-resume', 'next-day'], { MIA_HOME: dir, MIA_STREAM_MIN_BYTES: stream, MIA__strategy__minAvailableWeight: '0' });
      expect(r.code, r.stderr).toBe(0);
      outs.push(readFileSync(out, 'utf8'));
    }
    expect(JSON.parse(outs[0]!).trades.length).toBeGreaterThan(20);
    expect(outs[0]).toBe(outs[1]);
  });

  it('names a file the worker cannot read the columns of (exit 2)', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const file = join(dir, 'three.csv');
    writeFileSync(file, '2024-01-02T14:30:00Z,4700,4701\n');
    const r = await runMia(['backtest', '--data', file, '--format', 'csv', '--json', join(dir, 'out.json'), '--quiet', '--no-evidence'], { MIA_HOME: dir, MIA_STREAM_MIN_BYTES: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('three.csv');
  });
});
