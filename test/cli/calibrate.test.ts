/**
 * `mia calibrate` through the command, in this process: a short real window (FirstRate
 * March 2023 sample) run in this thread, its JSON (out-of-sample figures, one row per
 * window), the evidence it records, and exit code 2 on bad flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { parseBand } from '../../cli/calibrate.ts';
import { openEvidenceStore } from '../../adapters/store/evidenceStore.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-calibrate-cli-');
const SAMPLE = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';

async function mia(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  try {
    const code = await main(['node', 'mia', ...args]);
    return { code, stderr, stdout };
  } finally {
    err.mockRestore();
    out.mockRestore();
    process.exitCode = undefined;
  }
}

describe('mia calibrate', () => {
  it('parses a band of signals per month', () => {
    expect(parseBand('25-35')).toEqual({ min: 25, max: 35 });
    expect(parseBand('30')).toEqual({ min: 30, max: 30 });
    expect(() => parseBand('35-25')).toThrow(/25-35/);
    expect(() => parseBand('many')).toThrow(/--signals-per-month/);
  });

  it('exits 2 naming a bad flag', async () => {
    expect((await mia(['calibrate', '--data', 'x.csv', '--signals-per-month', 'lots'])).code).toBe(2);
    const r = await mia(['calibrate', '--data', 'x.csv', '--objective', 'sharpe']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--objective/);
    expect((await mia(['calibrate'])).stderr).toMatch(/--data/);
  });

  it.skipIf(!hasSharedData(SAMPLE))('calibrates a real window out of sample and records the evidence', { timeout: 120_000 }, async () => {
    const home = tempDir();
    const out = join(home, 'cal.json');
    const conf = join(home, 'chosen.json');
    const r = await mia([
      'calibrate', '--data', sharedData(SAMPLE), '--from', '2023-03-13', '--to', '2023-03-20', '--in-sample', '3d', '--out-of-sample', '1d',
      '--candidates', '3', '--threshold-steps', '2', '--signals-per-month', '0-100000', '--min-trades', '1', '--workers', '1', '--home', home, '--json', out, '--out-config', conf, '--quiet',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.command).toBe('calibrate');
    expect(result.provenance.data[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.windows.length).toBe(3);
    expect(result.outOfSample.period).toEqual({ from: result.windows[0].outOfSample.from, to: result.windows.at(-1).outOfSample.to });
    // The weights searched are the features the bars feed; the rest are zero.
    expect(result.settings.space.features).toContain('volumeConfirmation');
    expect(result.settings.space.features).not.toContain('gammaLevels');
    const sumTrades = result.windows.reduce((n: number, w: { result: { trades: number } | null }) => n + (w.result?.trades ?? 0), 0);
    expect(result.outOfSample.performance.trades).toBe(sumTrades);
    const piece = openEvidenceStore(home).latest('calibration->backtest');
    expect(piece?.evidence.source).toBe('walk-forward');
    expect(piece?.producedBy).toBe('mia calibrate');
    expect(piece?.detail?.producedBy).toBe('mia calibrate');
    expect(piece?.evidence.period).toEqual(result.outOfSample.period);
    expect(piece?.evidence.provenance[0]).toMatchObject({ kind: 'replay', sha256: result.provenance.data[0].sha256 });
    expect(existsSync(conf)).toBe(result.final !== null);
  });
});
