/**
 * `mia backtest` through the real command: the JSON contract (ISO times, dollars),
 * the --from/--to window of CME trading days, and exit code 2 naming the bad flag or file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { tradingDay } from '../../core/tradingDay.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { runMia } from '../fixtures/runMia.ts';
import { openEvidenceStore } from '../../adapters/store/evidenceStore.ts';

const tempDir = useTempHomes('mia-backtest-cli-');
const SAMPLE = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Runs `mia ...args` in this process (usage errors need no child process): exit code and stderr. */
async function miaInProcess(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(['node', 'mia', ...args]);
    return { code, stderr };
  } finally {
    spy.mockRestore();
    process.exitCode = undefined;
  }
}

const METRICS = ['trades', 'winRate', 'profitFactor', 'sharpe', 'sortino', 'maxDrawdown', 'maxDrawdownPct', 'recoveryFactor', 'netProfit', 'cagr', 'signalsPerMonth'];

describe('mia backtest', () => {
  it.skipIf(!hasSharedData(SAMPLE))('writes the contract JSON for a window of trading days', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const out = join(dir, 'out', 'result.json');
    const r = await runMia(['backtest', '--data', sharedData(SAMPLE), '--from', '2023-03-14', '--to', '2023-03-15', '--monte-carlo', '50', '--json', out, '--quiet'], { MIA_HOME: dir, MIA__strategy__minAvailableWeight: '0' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(''); // --quiet: no table
    const result = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>;
    expect(Object.keys(result.metrics)).toEqual(expect.arrayContaining(METRICS));
    expect(result.metrics.trades).toBe(result.trades.length);
    expect(result.trades.length).toBeGreaterThan(0);
    for (const t of result.trades) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['side', 'qty', 'entryTime', 'exitTime', 'entryPrice', 'exitPrice', 'commission', 'pnl']));
      expect(t.entryTime).toMatch(ISO);
      expect(t.exitTime).toMatch(ISO);
      // Dollars to the cent.
      expect(Math.round(t.pnl * 100) / 100).toBe(t.pnl);
      // Only the window's trading days are replayed.
      expect(['2023-03-14', '2023-03-15']).toContain(tradingDay(Date.parse(t.entryTime)));
    }
    expect(result.period).toEqual({ from: '2023-03-14', to: '2023-03-15' });
    expect(result.provenance.window).toEqual({ from: '2023-03-14', to: '2023-03-15' });
    expect(result.provenance.data[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(tradingDay(Date.parse(result.provenance.data[0].from))).toBe('2023-03-14');
    expect(tradingDay(Date.parse(result.provenance.data[0].to))).toBe('2023-03-15');
    expect(result.provenance.configHash).toMatch(/^[0-9a-f]{64}$/);
    for (const p of result.equity) expect(p.time).toMatch(ISO);
    expect(result.monteCarlo.shuffle.runs).toBe(50);
    expect(result.counts.bars).toBeGreaterThan(2 * 1300);
    expect(result.counts.bars).toBeLessThanOrEqual(2 * 1380);
    // The result is the home's evidence for the calibration gate, judged by `mia phase advance`.
    const evidence = openEvidenceStore(dir).latest('calibration->backtest');
    expect(evidence?.evidence.source).toBe('backtest');
    expect(evidence?.evidence.period).toEqual({ from: '2023-03-14', to: '2023-03-15' });
    expect(evidence?.evidence.metrics.winRate).toBe(result.metrics.winRate);
  });

  it('refuses bad flags and unreadable data with exit 2, naming the flag or the file', { timeout: 60_000 }, async () => {
    const noData = await miaInProcess(['backtest', '--json', '-']);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toContain('--data');

    const missing = await miaInProcess(['backtest', '--data', '/nonexistent/es.csv']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/nonexistent/es.csv');

    const badDay = await miaInProcess(['backtest', '--data', '/nonexistent/es.csv', '--from', '2023-13-01']);
    expect(badDay.code).toBe(2);
    expect(badDay.stderr).toContain('--from');

    const badPolicy = await miaInProcess(['backtest', '--data', '/nonexistent/es.csv', '--operator-resume', 'weekly']);
    expect(badPolicy.code).toBe(2);
    expect(badPolicy.stderr).toContain('--operator-resume');

    const dir = tempDir();
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ risk: { maxContracts: -1 } }));
    const badConfig = await miaInProcess(['backtest', '--data', '/nonexistent/es.csv', '--config', config]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('risk.maxContracts');
  });

  it('refuses overlapping data files, naming both', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const row = (m: number, p: number) => `2023-03-08 10:${String(m).padStart(2, '0')}:00,${p},${p + 1},${p - 1},${p},100`;
    writeFileSync(a, `${[0, 1, 2, 3].map((m) => row(m, 4000)).join('\n')}\n`);
    writeFileSync(b, `${[3, 4, 5].map((m) => row(m, 4000)).join('\n')}\n`);
    const r = await miaInProcess(['backtest', '--data', a, '--data', b, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(a);
    expect(r.stderr).toContain(b);
    expect(r.stderr).toContain('overlap');
  });
});
