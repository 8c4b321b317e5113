/**
 * Parity with streams: `mia backtest --data F` and `mia run --feed replay --replay F` with
 * the same `--chains`, `--vix` and `--stream` and default flags give the same trades, the
 * same feature availability and the same coverage of each stream (the same loaders and the
 * same feed publish them before each bar in both).
 *
 * Real shared data: the FirstRate ES minutes of 2023-09 with the SPX chains of 2023-09-04
 * and 2023-09-14 (both before the file's first bar, 2023-09-24: the later one applies from
 * it, so the test's configuration keeps levels for 30 days) and the VIX daily closes; and one
 * Lean ES day with its own quote zip as a stream (quotes feed the order-book feature and the
 * venue's fills).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal } from '../fixtures/readJournal.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { SEPTEMBER, SEPTEMBER_CHAINS, VIX_DAILY, septemberStreams } from '../fixtures/septemberStreams.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { runMia } from '../fixtures/runMia.ts';

const tempHome = useTempHomes('mia-parity-streams-');
const CHAINS = SEPTEMBER_CHAINS;
const VIX = VIX_DAILY;
const LEAN_TRADES = 'es/lean/minute/es/20131007_trade.zip';
const LEAN_QUOTES = 'es/lean/minute/es/20131007_quote.zip';

interface Trade { side: string; qty: number; entryTime: number | string; exitTime: number | string; entryPrice: number; exitPrice: number; pnl: number }
const key = (t: Trade) => `${t.side} ${t.qty} ${new Date(t.entryTime).toISOString()} ${new Date(t.exitTime).toISOString()} ${t.entryPrice} ${t.exitPrice} ${t.pnl.toFixed(2)}`;

/** Runs both commands on `data` with `extra` flags; returns the backtest's result, the run's summary and journal trades, and the run's stderr. */
async function both(home: string, data: string, extra: string[], config: unknown) {
  const configFile = join(home, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const out = join(home, 'backtest.json');
  const bt = await runMia(['backtest', '--data', data, ...extra, '--config', configFile, '--json', out, '--quiet', '--no-evidence'], { MIA_HOME: join(home, 'bt') });
  expect(bt.stderr).toBe('');
  expect(bt.code).toBe(0);
  const result = JSON.parse(readFileSync(out, 'utf8')) as { trades: Trade[]; streams: Record<string, unknown>; featureAvailability: Record<string, number> };

  const runHome = join(home, 'run');
  const run = await runMia(['run', '--feed', 'replay', '--replay', data, ...extra, '--speed', 'max', '--config', configFile, '--json'], { MIA_HOME: runHome });
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout) as { trades: number; streams: Record<string, unknown>; featureAvailability: Record<string, number> };
  const journal = (await readJournal(runHome)) as { trades: Trade[] };
  return { result, summary, trades: journal.trades, stderr: run.stderr };
}

describe.skipIf(![SEPTEMBER, VIX, ...CHAINS].every(hasSharedData))('mia backtest and mia run --feed replay with --chains and --vix (real FirstRate ES 2023-09, SPX chains, VIX daily)', () => {
  it('give the same trades, availability and coverage', { timeout: 240_000 }, async () => {
    const home = tempHome();
    const { file, chains } = septemberStreams(home);
    const config = { strategy: { minAvailableWeight: 0, features: { gammaLevels: { maxAgeMinutes: 30 * 24 * 60 } } } };

    const { result, summary, trades, stderr } = await both(home, file, ['--chains', chains, '--vix', sharedData(VIX)], config);
    expect(result.trades.length).toBeGreaterThan(3);
    expect(result.trades.map(key)).toEqual(trades.map(key));
    expect(summary.trades).toBe(trades.length);
    // The chains reached the strategy in both: gamma levels were available (price-only bars have none).
    expect(result.featureAvailability.gammaLevels).toBeGreaterThan(0.9);
    expect(summary.featureAvailability).toEqual(result.featureAvailability);
    expect(summary.streams).toEqual(result.streams);
    expect(result.streams).toMatchObject({
      vix: { tradingDays: 4, withVix: 4 },
      chains: { path: chains, chains: 2, before: 2, inBars: 0, after: 0, from: '2023-09-04T18:56:00.000Z', to: '2023-09-14T20:31:00.000Z' },
    });
    expect(stderr).toMatch(/^vix: a close of the 4 days before 4 of 4 trading days/m);
    expect(stderr).toMatch(/^chains: .*: 2 SPX chains .* 0 inside the bars, 2 before them/m);
  });
});

describe.skipIf(![LEAN_TRADES, LEAN_QUOTES, VIX].every(hasSharedData))('mia backtest and mia run --feed replay with --stream and --vix (real Lean ES trades and quotes, 2013-10-07)', () => {
  it('give the same trades, availability and coverage', { timeout: 120_000 }, async () => {
    const home = tempHome();
    const { result, summary, trades, stderr } = await both(home, sharedData(LEAN_TRADES), ['--stream', sharedData(LEAN_QUOTES), '--vix', sharedData(VIX)], { strategy: { minAvailableWeight: 0 } });
    expect(result.trades.length).toBeGreaterThan(0);
    expect(result.trades.map(key)).toEqual(trades.map(key));
    // The quotes reached the strategy in both (the order-book feature reads them).
    expect(result.featureAvailability.orderBook).toBeGreaterThan(0.9);
    expect(summary.featureAvailability).toEqual(result.featureAvailability);
    expect(summary.streams).toEqual(result.streams);
    expect(result.streams).toMatchObject({ market: [{ file: sharedData(LEAN_QUOTES), kind: 'quotes', items: 1393, inBars: 1392 }], vix: { tradingDays: 2, withVix: 2 } });
    expect(stderr).toMatch(/^stream: .*20131007_quote\.zip: quotes 1392 of 1393 inside the bars/m);
  });
});
