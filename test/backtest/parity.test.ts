/**
 * Parity: `mia run` replaying real ES bars through the embedded paper DTC server (a real
 * socket, the real command in its own process) and `runBacktest` on the same bars and the
 * same configuration produce the same signals (count and times) and the same trades (side,
 * quantity, times, prices, P&L).
 *
 * Loss limits are set out of reach so that trading goes on for the whole replay (mia run
 * has no automatic operator; the backtest runs with --operator-resume never).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../fixtures/readJournal.ts';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { runBacktest } from '../../backtest/engine.ts';
import { loadBacktestData } from '../../backtest/engineData.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { runMia } from '../fixtures/runMia.ts';

const tempHome = useTempHomes('mia-parity-');
const SAMPLE = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
// Enough for dozens of trades (about 37 with this configuration) while the run over DTC stays short.
const BARS = 1_000;
const CONFIG = {
  strategy: { minAvailableWeight: 0 }, // price-only bars: let the two bar features fire
  risk: { maxConsecutiveLosses: 1_000, dailyLossLimit: 1_000_000, trailingDrawdown: 1_000_000, maxTradesPerDay: 1_000 },
  // Message pacing is wall-clock only (it never changes what trades); lifted so the test is quick.
  venue: { dtc: { maxMessagesPerSecond: 10_000 } },
};

interface JournalTrade {
  side: string;
  qty: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  pnl: number;
}

const tradeKey = (t: { side: string; qty: number; entryTime: string; exitTime: string; entryPrice: number; exitPrice: number; pnl: number }) =>
  `${t.side} ${t.qty} ${t.entryTime} ${t.exitTime} ${t.entryPrice} ${t.exitPrice} ${t.pnl.toFixed(2)}`;

describe.skipIf(!hasSharedData(SAMPLE))('backtest parity with mia run', () => {
  it(`trades ${BARS} real bars exactly as mia run over DTC does: same signals, same trades`, { timeout: 120_000 }, async () => {
    const home = tempHome();
    const configFile = join(home, 'config.json');
    writeFileSync(configFile, JSON.stringify(CONFIG));
    const file = sharedData(SAMPLE);

    const run = await runMia(
      ['run', '--feed', 'replay', '--replay', file, '--venue', 'dtc', '--speed', 'max', '--max-bars', String(BARS), '--config', configFile, '--json'],
      { MIA_HOME: home },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { signals: { long: number; short: number }; trades: number; venue: string; bars: number };
    expect(summary.venue).toContain('dtc');
    const journal = (await readJournal(home)) as unknown as { trades: JournalTrade[] };
    const log = readFileSync(join(home, 'logs', 'phase_0_setup', 'mia.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"msg":"signal"'))
      .map((l) => (JSON.parse(l) as { signal: { side: string; time: string } }).signal);

    const data = await loadBacktestData([file], {}, { from: null, to: null });
    const result = await runBacktest({
      config: loadConfig({ file: configFile, env: {} }),
      bars: data.bars.slice(0, BARS),
      barMs: data.barMs,
      data: data.data,
      operatorResume: 'never',
      featureAvailability: false,
    });

    // Signals: same count by side, same times and sides.
    expect(result.counts.bars).toBe(summary.bars);
    expect(result.signals.length).toBe(summary.signals.long + summary.signals.short);
    expect(result.signals.map((s) => `${s.side} ${s.time}`)).toEqual(log.map((s) => `${s.side} ${s.time}`));
    // Trades: a meaningful comparison needs some.
    expect(result.trades.length).toBeGreaterThan(10);
    expect(result.trades.length).toBe(summary.trades);
    const runTrades = journal.trades.map((t) => tradeKey({ ...t, entryTime: new Date(t.entryTime).toISOString(), exitTime: new Date(t.exitTime).toISOString() }));
    expect(result.trades.map(tradeKey)).toEqual(runTrades);
  });
});
