/**
 * Parity by default: `mia backtest` and `mia run --feed replay` on the same file with
 * default flags give the same trades. The backtest's automatic operator (which resumes a
 * latched `limited` each new trading day) is opt-in, so a consecutive-losses latch holds
 * in both until the end, as it would live.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../fixtures/readJournal.ts';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { runMia } from '../fixtures/runMia.ts';

const tempHome = useTempHomes('mia-parity-default-');
const SAMPLE = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
// Price-only bars carry two weighted features: let them fire so that there is something to compare.
const CONFIG = { strategy: { minAvailableWeight: 0 } };

interface Trade { side: string; qty: number; entryTime: number | string; exitTime: number | string; entryPrice: number; exitPrice: number; pnl: number }
const key = (t: Trade) => `${t.side} ${t.qty} ${new Date(t.entryTime).toISOString()} ${new Date(t.exitTime).toISOString()} ${t.entryPrice} ${t.exitPrice} ${t.pnl.toFixed(2)}`;

describe.skipIf(!hasSharedData(SAMPLE))('mia backtest and mia run --feed replay with default flags', () => {
  it('give the same trades on the same file (no automatic operator resume by default)', { timeout: 180_000 }, async () => {
    const home = tempHome();
    // Three CME trading days of the real file (a header and its first rows), as a file of its own.
    const lines = readFileSync(sharedData(SAMPLE), 'utf8').split(/\r?\n/);
    const file = join(home, 'es_3days.csv');
    writeFileSync(file, `${lines.slice(0, 3_400).join('\n')}\n`);
    const configFile = join(home, 'config.json');
    writeFileSync(configFile, JSON.stringify(CONFIG));

    const out = join(home, 'backtest.json');
    const bt = await runMia(['backtest', '--data', file, '--config', configFile, '--json', out, '--quiet', '--no-evidence'], { MIA_HOME: join(home, 'bt') });
    expect(bt.stderr).toBe('');
    expect(bt.code).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as { trades: Trade[]; counts: { operatorResumes: number }; risk: { operatorResume: string; reasons: string[] } };
    expect(result.risk.operatorResume).toBe('never');
    expect(result.counts.operatorResumes).toBe(0);

    const runHome = join(home, 'run');
    const run = await runMia(['run', '--feed', 'replay', '--replay', file, '--speed', 'max', '--config', configFile, '--json'], { MIA_HOME: runHome });
    expect(run.code).toBe(0);
    const journal = (await readJournal(runHome)) as { trades: Trade[] };
    expect(result.trades.length).toBeGreaterThan(3);
    expect(result.trades.map(key)).toEqual(journal.trades.map(key));
  });
});
