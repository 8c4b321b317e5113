/**
 * A synthetic market and runner for the walk-forward and sweep tests: one move per trading
 * day (seeded), and a "strategy" whose daily trade earns move * direction, the direction set
 * by strategy.threshold. The runner reads only the days of its request (warm-up included),
 * records every request, and computes its metrics with computeMetrics like the engine.
 */
import { Prng } from '../../core/prng.ts';
import { computeMetrics } from '../../backtest/metrics.ts';
import type { BacktestTrade } from '../../backtest/result.ts';
import { headlineMetrics } from '../../backtest/result.ts';
import { metricTrades, type BacktestOutcome, type BacktestRequest, type BacktestRunner } from '../../backtest/sweepRunner.ts';
import { weekdays } from '../../backtest/walkForwardWindows.ts';

export type Market = Map<string, number>;

/** One move (index points) per weekday, seeded. */
export function syntheticMarket(from: string, to: string, seed: number): Market {
  const prng = new Prng(seed);
  return new Map(weekdays(from, to).map((d) => [d, Math.round(prng.normal() * 8 * 4) / 4]));
}

/** Direction of each threshold: 0.2 follows the move, 0.3 fades it, 0.25 follows half size. */
const DIRECTION: Record<number, number> = { 0.2: 1, 0.25: 0.5, 0.3: -1 };

export interface RecordingRunner {
  run: BacktestRunner;
  requests: BacktestRequest[];
  outcomes: BacktestOutcome[];
}

export function recordingRunner(market: Market, options: { skipDays?: (threshold: number, day: string) => boolean } = {}): RecordingRunner {
  const requests: BacktestRequest[] = [];
  const outcomes: BacktestOutcome[] = [];
  const run: BacktestRunner = async (req) => {
    requests.push(req);
    const days = [...market.keys()].sort();
    const from = req.from ?? days[0]!;
    const to = req.to ?? days.at(-1)!;
    const threshold = req.config.strategy.threshold;
    const direction = DIRECTION[threshold] ?? 0;
    const qty = req.config.strategy.quantity;
    const trades: BacktestTrade[] = [];
    for (const day of days) {
      if (day < from || day > to) continue; // the only data this run may read
      if (options.skipDays?.(threshold, day)) continue;
      const move = market.get(day)!;
      const side = direction >= 0 ? 'long' : 'short';
      const points = move * direction;
      trades.push({
        side,
        qty,
        entryTime: `${day}T14:30:00.000Z`,
        exitTime: `${day}T19:00:00.000Z`,
        entryPrice: 4000,
        exitPrice: 4000 + (side === 'long' ? points : -points),
        commission: 4.5 * qty,
        pnl: points * 50 * qty - 4.5 * qty,
      });
    }
    const performance = computeMetrics({ trades: metricTrades(trades, req.config.symbol), startingEquity: req.config.startingEquity, period: { from, to } });
    const outcome: BacktestOutcome = {
      period: { from, to },
      metrics: headlineMetrics(performance),
      performance,
      trades,
      counts: { bars: trades.length, orders: trades.length * 2, riskRefusals: 0, rejects: 0 },
      ...(req.detail === 'summary' ? {} : { equity: [], signals: [] }),
    };
    outcomes.push(outcome);
    return outcome;
  };
  return { run, requests, outcomes };
}
