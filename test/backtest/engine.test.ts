/**
 * The backtest engine on real ES minute bars (the FirstRate sample): the same inputs give
 * byte-identical results, the trades, fills and equity agree with an independent
 * recomputation, and the backtest's operator resumes a latched `limited` at the next
 * trading day but never a kill.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type MiaConfigInput } from '../../config/schema.ts';
import { runBacktest } from '../../backtest/engine.ts';
import { barsInWindow, loadBacktestData, type BacktestData } from '../../backtest/engineData.ts';
import type { BacktestResult } from '../../backtest/result.ts';
import { tradingDay } from '../../core/tradingDay.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const SAMPLE = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
const POINT_VALUE = 50;
// Price-only bars carry two weighted features: the availability guard is off so that there are trades to check.
const config = (input: MiaConfigInput = {}) => configSchema.parse({ ...input, strategy: { minAvailableWeight: 0, ...input.strategy } });

let data: BacktestData;
beforeAll(async () => {
  if (hasSharedData(SAMPLE)) data = await loadBacktestData([sharedData(SAMPLE)], {}, { from: null, to: null });
});

const window = (from: string, to: string) => barsInWindow(data.bars, { from, to });

describe.skipIf(!hasSharedData(SAMPLE))('backtest engine on real ES bars', () => {
  it('is deterministic: two runs on the same bars and configuration give byte-identical JSON', { timeout: 60_000 }, async () => {
    const bars = window('2023-03-13', '2023-03-15');
    const run = () => runBacktest({ config: config(), bars, barMs: data.barMs, data: data.data, monteCarlo: { runs: 50 } });
    const a = JSON.stringify(await run());
    const b = JSON.stringify(await run());
    expect(a).toBe(b);
    const r = JSON.parse(a) as BacktestResult;
    expect(r.trades.length).toBeGreaterThan(0);
    expect(r.signals.length).toBeGreaterThan(0);
  });

  it('agrees with an independent recomputation of trades, fills and equity', { timeout: 60_000 }, async () => {
    const cfg = config({ venue: { commissionPerContract: 2.25, slippageTicks: 1 }, risk: { maxConsecutiveLosses: 100, trailingDrawdown: 100_000, dailyLossLimit: 100_000 } });
    const r = await runBacktest({ config: cfg, bars: window('2023-03-13', '2023-03-17'), barMs: data.barMs, data: data.data, operatorResume: 'never' });
    expect(r.trades.length).toBeGreaterThan(5);
    const sign = { long: 1, short: -1 } as const;
    for (const t of r.trades) {
      // Round-turn commission: the configured amount per contract per side.
      expect(t.commission).toBeCloseTo(2 * 2.25 * t.qty, 9);
      expect(t.pnl).toBeCloseTo((t.exitPrice - t.entryPrice) * sign[t.side] * t.qty * POINT_VALUE - t.commission, 6);
      expect(Date.parse(t.exitTime)).toBeGreaterThan(Date.parse(t.entryTime));
    }
    const net = r.trades.reduce((s, t) => s + t.pnl, 0);
    expect(r.metrics.netProfit).toBeCloseTo(net, 6);
    expect(r.risk?.openPositionAtEnd).toBe(0);
    expect(r.equity.at(-1)!.equity).toBeCloseTo(cfg.startingEquity + net, 2);
    expect(r.performance.finalEquity).toBeCloseTo(cfg.startingEquity + net, 6);

    // Every trade is two fills: an entry at its entry price and time, a closing fill at its exit.
    expect(r.fills.length).toBe(2 * r.trades.length);
    r.trades.forEach((t, i) => {
      const [entry, exit] = [r.fills[2 * i]!, r.fills[2 * i + 1]!];
      expect(entry.purpose).toBe('entry');
      expect([entry.side, entry.time, entry.price, entry.qty]).toEqual([t.side === 'long' ? 'buy' : 'sell', t.entryTime, t.entryPrice, t.qty]);
      expect([exit.side, exit.time, exit.price, exit.qty]).toEqual([t.side === 'long' ? 'sell' : 'buy', t.exitTime, t.exitPrice, t.qty]);
      const reasonOf: Record<string, string> = { 'bracket-stop': 'stop', 'bracket-target': 'target' };
      expect(t.exitReason).toBe(reasonOf[exit.purpose] ?? exit.purpose);
    });
    // Market entries pay one tick of slippage against the next bar's open.
    const byOpen = new Map(data.bars.map((b) => [new Date(b.time).toISOString(), b.open]));
    for (const f of r.fills.filter((x) => x.purpose === 'entry')) {
      expect(f.price).toBe(byOpen.get(f.time)! + (f.side === 'buy' ? 0.25 : -0.25));
    }
    // Counts and the period come from the same run.
    expect(r.counts.trades).toBe(r.trades.length);
    expect(r.counts.fills).toBe(r.fills.length);
    expect(r.counts.signals).toBe(r.signals.length);
    expect(r.metrics.trades).toBe(r.trades.length);
    expect(r.period).toEqual({ from: '2023-03-13', to: '2023-03-17' });
    for (const s of r.signals) expect(tradingDay(Date.parse(s.time)) >= '2023-03-13').toBe(true);
    // Availability is the scorer's own: price-and-volume bars feed the bar features, never
    // the book, tape or option-chain ones; every signal names only available features.
    const a = r.featureAvailability;
    for (const f of ['volumeConfirmation', 'vwapTrend', 'multiTimeframe', 'battleNavale']) expect(a[f]).toBeGreaterThan(0.9);
    for (const f of ['gammaLevels', 'optionsFlow', 'orderBook', 'tickMomentum', 'aggressionBias', 'deltaDivergence', 'smartMoney']) expect(a[f]).toBe(0);
    for (const s of r.signals) for (const f of s.available) expect(a[f]).toBeGreaterThan(0);
  });

  it('resumes a latched consecutive-losses limit at the next trading day with next-day, never with never', { timeout: 60_000 }, async () => {
    // Low loss limits latch quickly; loss kills are kept out of reach.
    const cfg = config({ risk: { maxConsecutiveLosses: 2, trailingDrawdown: 100_000, dailyLossLimit: 100_000 } });
    const bars = window('2023-03-13', '2023-03-17');
    const never = await runBacktest({ config: cfg, bars, barMs: data.barMs, operatorResume: 'never' });
    const nextDay = await runBacktest({ config: cfg, bars, barMs: data.barMs, operatorResume: 'next-day' });
    expect(never.counts.operatorResumes).toBe(0);
    expect(never.risk?.finalState).toBe('limited');
    expect(never.risk?.reasons).toContain('consecutive-losses');
    // Without an operator, no entry after the latch: every trade closes on the day it latched or before.
    expect(nextDay.counts.operatorResumes).toBeGreaterThan(0);
    expect(nextDay.trades.length).toBeGreaterThan(never.trades.length);
    const lastNever = never.trades.at(-1)!;
    const laterDays = nextDay.trades.filter((t) => tradingDay(Date.parse(t.entryTime)) > tradingDay(Date.parse(lastNever.exitTime)));
    expect(laterDays.length).toBeGreaterThan(0);
  });

  it('never resumes a kill: trading stops at the loss limit and the result says why', { timeout: 60_000 }, async () => {
    const cfg = config({ risk: { maxConsecutiveLosses: 100, dailyLossLimit: 300, trailingDrawdown: 100_000 } });
    const r = await runBacktest({ config: cfg, bars: window('2023-03-13', '2023-03-17'), barMs: data.barMs, operatorResume: 'next-day' });
    expect(r.risk?.finalState).toBe('killed');
    expect(r.risk?.killed?.reason).toMatch(/daily loss/);
    const killedAt = Date.parse(r.risk!.killed!.time);
    // Nothing is entered after the kill (the flatten of the open position may close after it).
    expect(r.fills.filter((f) => f.purpose === 'entry' && Date.parse(f.time) > killedAt)).toEqual([]);
    expect(r.risk?.openPositionAtEnd).toBe(0);
  });

  it('warms the features up on bars before tradeFrom without trading or judging them', { timeout: 60_000 }, async () => {
    const bars = window('2023-03-13', '2023-03-15');
    const tradeFrom = bars.find((b) => tradingDay(b.time) === '2023-03-14')!.time;
    const r = await runBacktest({ config: config(), bars, barMs: data.barMs, tradeFrom, operatorResume: 'never' });
    expect(r.period.from).toBe('2023-03-14');
    for (const f of r.fills) expect(Date.parse(f.time)).toBeGreaterThanOrEqual(tradeFrom);
    for (const s of r.signals) expect(Date.parse(s.time)).toBeGreaterThanOrEqual(tradeFrom);
    expect(Date.parse(r.equity[0]!.time)).toBeGreaterThan(tradeFrom);
    expect(r.trades.length).toBeGreaterThan(0);
  });
});
