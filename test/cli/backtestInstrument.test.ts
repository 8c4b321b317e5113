/**
 * `mia backtest` takes the instrument from the data: an NQ tick file under the default ES
 * configuration is refused (exit 2, naming both), under symbol NQ it trades at $20 a point;
 * trades carry the front contract of their dates, never a fixed ESZ25.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { runMia } from '../fixtures/runMia.ts';

const tempDir = useTempHomes('mia-backtest-instrument-');
const NQ = 'nq_ticks/time_and_sales_nq_.csv';
const ES = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';

interface Result { trades: Array<{ contract: string; entryTime: string; entryPrice: number; exitPrice: number; side: string; qty: number; commission: number; pnl: number }>; config: { symbol: string } }

describe('mia backtest instruments', () => {
  it.skipIf(!hasSharedData(NQ))('refuses an NQ file under an ES configuration, trades it at NQ specs under symbol NQ', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const refused = await runMia(['backtest', '--data', sharedData(NQ), '--quiet', '--no-evidence'], { MIA_HOME: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds NQ .*configuration trades ES/);

    const out = join(dir, 'nq.json');
    const ok = await runMia(['backtest', '--data', sharedData(NQ), '--json', out, '--quiet', '--no-evidence'], { MIA_HOME: dir, MIA__symbol: 'NQ', MIA__strategy__minAvailableWeight: '0' });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as Result;
    expect(r.config.symbol).toBe('NQZ25');
    for (const t of r.trades) {
      expect(t.contract).toBe('NQZ25');
      const sign = t.side === 'long' ? 1 : -1;
      expect(t.pnl).toBeCloseTo((t.exitPrice - t.entryPrice) * sign * t.qty * 20 - t.commission, 6);
    }
  });

  it.skipIf(!hasSharedData(ES))('labels ES trades with the front contract of their dates (ESH23, then ESM23 after the March roll)', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const out = join(dir, 'es.json');
    const r0 = await runMia(['backtest', '--data', sharedData(ES), '--from', '2023-03-08', '--to', '2023-03-09', '--json', out, '--quiet', '--no-evidence'], {
      MIA_HOME: dir,
      MIA__strategy__minAvailableWeight: '0',
      MIA__risk__maxConsecutiveLosses: '100',
      MIA__risk__dailyLossLimit: '100000',
    });
    expect(r0.code).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as Result;
    expect(r.config.symbol).toBe('ESH23');
    const contracts = new Set(r.trades.map((t) => t.contract));
    expect(contracts.has('ESZ25')).toBe(false);
    // ESH23 expires 2023-03-17: from trading day 2023-03-09 the front is ESM23.
    for (const t of r.trades) expect(t.contract).toBe(t.entryTime < '2023-03-08T22:00:00.000Z' ? 'ESH23' : 'ESM23');
    expect(contracts.size).toBe(2);
  });
});
