/**
 * Test helper (not product code): BacktestResult objects for the report tests. Trades come
 * from a fixed, simple rule run on bars (real FirstRate ES minute bars through the official
 * loader, or a seeded random walk), so prices, times and P&L are real-shaped; every metric
 * comes from backtest/metrics.ts computeMetrics, never typed in by hand.
 *
 * The rule: every `every` bars, when flat, enter 1 contract at the close in the direction
 * of the last `lookback` bars' move; exit `hold` bars later at the close (or on the last
 * bar). Equity is marked at every bar close while a position is open, and at each exit.
 */
import { createHash } from 'node:crypto';
import { loadSeries } from '../../../adapters/files/loadSeries.ts';
import { computeMetrics } from '../../../backtest/metrics.ts';
import type { BacktestMetrics, BacktestResult, BacktestTrade, DataProvenance } from '../../../backtest/result.ts';
import { headlineMetrics } from '../../../backtest/result.ts';
import { Prng } from '../../../core/prng.ts';
import { provenanceLabel, type Bar, type Trade } from '../../../core/types.ts';
import { tradingDay } from '../../../core/tradingDay.ts';
import { sharedData as sharedDataPath } from '../../fixtures/sharedData.ts';

export const ES_MARCH = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';
export const POINT_VALUE = 50;
export const ROUND_TURN_COMMISSION = 4.5;
export const STARTING_EQUITY = 50_000;

export interface RuleOptions {
  every: number;
  hold: number;
  lookback: number;
}

export interface RuleRun {
  trades: Trade[];
  marks: Array<{ time: number; equity: number }>;
  signalTimes: number[];
}

/** The fixture's trading rule (see the module notes) over bars in time order. */
export function runRule(bars: readonly Bar[], { every, hold, lookback }: RuleOptions): RuleRun {
  const trades: Trade[] = [];
  const marks: RuleRun['marks'] = [];
  const signalTimes: number[] = [];
  let realised = STARTING_EQUITY;
  let open: { side: 1 | -1; price: number; time: number; at: number } | null = null;
  bars.forEach((bar, i) => {
    if (open) {
      const closing = i - open.at >= hold || i === bars.length - 1;
      if (closing) {
        const pnl = (bar.close - open.price) * open.side * POINT_VALUE - ROUND_TURN_COMMISSION;
        trades.push({
          symbol: bar.symbol, side: open.side === 1 ? 'long' : 'short', qty: 1, entryTime: open.time, exitTime: bar.time,
          entryPrice: open.price, exitPrice: bar.close, commission: ROUND_TURN_COMMISSION, pnl,
        });
        realised += pnl;
        marks.push({ time: bar.time, equity: realised });
        open = null;
      } else {
        marks.push({ time: bar.time, equity: realised + (bar.close - open.price) * open.side * POINT_VALUE });
      }
    }
    if (!open && i >= lookback && i % every === 0 && i < bars.length - 1) {
      const side = bar.close >= bars[i - lookback]!.close ? 1 : -1;
      open = { side, price: bar.close, time: bar.time, at: i };
      signalTimes.push(bar.time);
    }
  });
  return { trades, marks, signalTimes };
}

const iso = (ms: number): string => new Date(ms).toISOString();

export interface BuildInput {
  run: RuleRun;
  period: { from: string; to: string };
  data: DataProvenance[];
  featureAvailability?: Record<string, number>;
  config?: Record<string, unknown>;
  bars: number;
  /** Use the trades' realised curve instead of the marks (as a result without marks would). */
  withoutMarks?: boolean;
}

/** A BacktestResult whose metrics are computeMetrics' over the run. */
export function buildResult(input: BuildInput): BacktestResult {
  const { run } = input;
  const performance = computeMetrics({
    trades: run.trades,
    startingEquity: STARTING_EQUITY,
    period: input.period,
    ...(input.withoutMarks ? {} : { equityMarks: run.marks }),
    signalTimes: run.signalTimes,
  });
  const metrics: BacktestMetrics = headlineMetrics(performance);
  const trades: BacktestTrade[] = run.trades.map((t) => ({
    side: t.side, qty: t.qty, entryTime: iso(t.entryTime), exitTime: iso(t.exitTime), entryPrice: t.entryPrice, exitPrice: t.exitPrice,
    commission: t.commission, pnl: t.pnl, exitReason: 'time-stop',
  }));
  const config = input.config ?? { strategy: { rule: 'momentum' }, venue: { commissionPerContract: ROUND_TURN_COMMISSION / 2 } };
  return {
    provenance: {
      data: input.data,
      chains: [],
      configHash: createHash('sha256').update(JSON.stringify(config)).digest('hex'),
      mia: '0.1.0',
      window: { from: null, to: null },
    },
    period: performance.period,
    metrics,
    performance,
    trades,
    fills: run.trades.flatMap((t, i) => [
      { clientOrderId: `e${i}`, executionId: `x${i}a`, purpose: 'entry', side: t.side === 'long' ? 'buy' as const : 'sell' as const, qty: t.qty, price: t.entryPrice, time: iso(t.entryTime), commission: t.commission / 2 },
      { clientOrderId: `x${i}`, executionId: `x${i}b`, purpose: 'exit', side: t.side === 'long' ? 'sell' as const : 'buy' as const, qty: t.qty, price: t.exitPrice, time: iso(t.exitTime), commission: t.commission / 2 },
    ]),
    signals: run.trades.map((t) => ({ time: iso(t.entryTime), side: t.side === 'long' ? 'buy' as const : 'sell' as const, score: 0.5, threshold: 0.3, price: t.entryPrice, available: ['tickMomentum'] })),
    equity: run.marks.map((m) => ({ time: iso(m.time), equity: m.equity })),
    featureAvailability: input.featureAvailability ?? { tickMomentum: 1, volume: 0.97, gamma: 0 },
    counts: { bars: input.bars, orders: run.trades.length * 2, riskRefusals: 0, rejects: 0 },
    config,
  };
}

/** The rule over the first `maxBars` real ES minute bars of the March 2023 FirstRate sample (all by default). */
export async function realDataResult(options: { maxBars?: number; rule?: RuleOptions } = {}): Promise<BacktestResult> {
  const series = await loadSeries(sharedDataPath(ES_MARCH));
  if (series.kind !== 'bars') throw new Error(`bars expected in ${ES_MARCH}`);
  const bars = series.items.slice(0, options.maxBars ?? series.items.length);
  const run = runRule(bars, options.rule ?? { every: 45, hold: 30, lookback: 30 });
  const data: DataProvenance = {
    file: series.file, sha256: series.sha256, format: series.format, rows: bars.length,
    from: iso(bars[0]!.time), to: iso(bars[bars.length - 1]!.time), label: provenanceLabel(series.provenance),
  };
  return buildResult({ run, period: { from: tradingDay(bars[0]!.time), to: tradingDay(bars[bars.length - 1]!.time) }, data: [data], bars: bars.length });
}

/** Minute bars of a seeded random walk on the ES tick grid, from Monday 2024-01-08 00:00 UTC. */
export function randomWalkBars(n: number, seed = 7): Bar[] {
  const rng = new Prng(seed);
  const start = Date.UTC(2024, 0, 8);
  const bars: Bar[] = [];
  let price = 4800;
  for (let i = 0; i < n; i++) {
    price += (Math.floor(rng.next() * 9) - 4) * 0.25;
    bars.push({ symbol: 'ES', time: start + i * 60_000, open: price, high: price, low: price, close: price, volume: 1 });
  }
  return bars;
}

/** A synthetic result over `n` random-walk minute bars (for sizes the real sample lacks). */
export function syntheticResult(n: number, rule: RuleOptions, extra: Partial<BuildInput> = {}): BacktestResult {
  const bars = randomWalkBars(n);
  const run = runRule(bars, rule);
  const data: DataProvenance = {
    file: 'synthetic-random-walk', sha256: createHash('sha256').update(`random-walk:${n}`).digest('hex'), format: 'synthetic', rows: n,
    from: iso(bars[0]!.time), to: iso(bars[n - 1]!.time), label: 'simulated',
  };
  return buildResult({ run, period: { from: tradingDay(bars[0]!.time), to: tradingDay(bars[n - 1]!.time) }, data: [data], bars: n, ...extra });
}

/** A result from a hand-written trade list (times ISO UTC, pnl net of commission). */
export function handResult(
  trades: Array<{ side: 'long' | 'short'; entry: string; exit: string; entryPrice: number; exitPrice: number }>,
  period: { from: string; to: string },
  extra: Partial<BuildInput> = {},
): BacktestResult {
  const run: RuleRun = { trades: [], marks: [], signalTimes: [] };
  let equity = STARTING_EQUITY;
  for (const t of trades) {
    const dir = t.side === 'long' ? 1 : -1;
    const pnl = (t.exitPrice - t.entryPrice) * dir * POINT_VALUE - ROUND_TURN_COMMISSION;
    const trade: Trade = {
      symbol: 'ES', side: t.side, qty: 1, entryTime: Date.parse(t.entry), exitTime: Date.parse(t.exit),
      entryPrice: t.entryPrice, exitPrice: t.exitPrice, commission: ROUND_TURN_COMMISSION, pnl,
    };
    run.trades.push(trade);
    run.signalTimes.push(trade.entryTime);
    equity += pnl;
    run.marks.push({ time: trade.exitTime, equity });
  }
  const data: DataProvenance = {
    file: 'hand-written', sha256: createHash('sha256').update(JSON.stringify(trades)).digest('hex'), format: 'none', rows: 0,
    from: null, to: null, label: 'hand-written',
  };
  return buildResult({ run, period, data: [data], bars: 0, ...extra });
}
