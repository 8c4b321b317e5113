/**
 * Walk-forward and calibration runs replay the same streams as the single backtest (issue
 * 15): a one-window walk-forward with `--vix` and `--chains` gives, out of sample, exactly the
 * trades of `mia backtest` with the same streams on that window, through the worker pool
 * (shared bars, streams loaded per worker) and through the in-thread engine runner; and the
 * streams do change that window's trades (the comparison can fail).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { loadConfig } from '../../config/load.ts';
import { engineRunner } from '../../backtest/sweepEngine.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-wf-streams-');
const ES = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const VIX = 'vix/VIX_History.csv';
const CHAIN = 'options/cboe/spx_quotedata_2023-02-07.csv';
const DOM = 'nq_ticks/ts_and_dom_2min.csv';

// A chain of 2023-02-07 is weeks old in March: its age limit is raised so that gamma and the
// options flow score (the streams must reach the features for the test to mean anything).
const CONFIG = {
  strategy: { minAvailableWeight: 0, features: { gammaLevels: { maxAgeMinutes: 100_000 }, optionsFlow: { maxAgeMinutes: 100_000 } } },
  backtest: { walkForward: { warmup: false }, workers: 2 },
};

async function mia(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return { code: await main(['node', 'mia', ...args]), stderr };
  } finally {
    err.mockRestore();
    out.mockRestore();
    process.exitCode = undefined;
  }
}

describe.skipIf(!hasSharedData(ES) || !hasSharedData(VIX) || !hasSharedData(CHAIN))('walk-forward with streams', () => {
  it('equals the single backtest with the same streams on its one window', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify(CONFIG));
    const streams = ['--vix', sharedData(VIX), '--chains', sharedData(CHAIN)];
    const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

    const single = join(dir, 'single.json');
    expect((await mia(['backtest', '--data', sharedData(ES), '--config', config, '--from', '2023-03-15', '--to', '2023-03-16', ...streams, '--json', single, '--no-evidence', '--quiet'])).code).toBe(0);
    const bare = join(dir, 'bare.json');
    expect((await mia(['backtest', '--data', sharedData(ES), '--config', config, '--from', '2023-03-15', '--to', '2023-03-16', '--json', bare, '--no-evidence', '--quiet'])).code).toBe(0);
    const s = read(single);
    expect(s.featureAvailability.gammaLevels).toBeGreaterThan(0.9);
    expect(s.trades.length).toBeGreaterThan(0);
    expect(s.trades).not.toEqual(read(bare).trades); // the streams change this window's trades

    const wf = join(dir, 'wf.json');
    const run = await mia(['backtest', '--data', sharedData(ES), '--config', config, '--from', '2023-03-13', '--to', '2023-03-16', '--walk-forward', '--in-sample', '2d', '--out-of-sample', '2d', ...streams, '--json', wf, '--no-evidence', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const w = read(wf).walkForward;
    expect(w.windows.map((x: { outOfSample: unknown }) => x.outOfSample)).toEqual([{ from: '2023-03-15', to: '2023-03-16' }]);
    expect(w.outOfSample.trades).toEqual(s.trades);
    expect(w.outOfSample.performance.netProfit).toBe(s.performance.netProfit);

    // The in-thread runner (calibrate --workers 1, and the pool's fallback when bars do not fit shared columns).
    const runner = engineRunner({ files: [sharedData(ES)], streams: { vix: sharedData(VIX), chains: sharedData(CHAIN) } });
    const inThread = await runner({ config: loadConfig({ file: config }), from: '2023-03-15', to: '2023-03-16' });
    expect(inThread.trades).toEqual(s.trades);
  });

  it('refuses streams with --queue (its jobs carry the bar files only), naming the flag', async () => {
    const r = await mia(['backtest', '--data', sharedData(ES), '--walk-forward', '--queue', 'redis://127.0.0.1:1', '--vix', sharedData(VIX), '--no-evidence', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--vix: not available with --queue/);
    const c = await mia(['calibrate', '--data', sharedData(ES), '--queue', 'redis://127.0.0.1:1', '--chains', sharedData(CHAIN), '--no-evidence', '--quiet']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--chains: not available with --queue/);
    if (hasSharedData(DOM)) {
      // A stream calibrate cannot use is refused before any run, naming the flag (as mia backtest does).
      const nq = await mia(['calibrate', '--data', sharedData(ES), '--stream', sharedData(DOM), '--in-sample', '2d', '--out-of-sample', '2d', '--no-evidence', '--quiet']);
      expect(nq.code).toBe(2);
      expect(nq.stderr).toMatch(/--stream: .*NQ/);
    }
  });
});
