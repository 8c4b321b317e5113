/**
 * The strategy's signals on a replay for `mia ml train`, from the pipeline the session's
 * scoring actor runs (actors/scoringActor.ts): the Scorer sees every bar and, with
 * `--chains`, `--vix` or `--stream`, every chain, VIX close, quote, trade and book snapshot
 * that the backtest's feed (backtest/engineFeed.ts) publishes before each bar, in the same
 * order as in `mia backtest` and `mia run --feed replay`. A model is thus trained on the
 * features it will see live, availability included.
 */
import type { StrategySettings } from '../config/strategySchema.ts';
import type { Bar } from '../core/types.ts';
import { arrayBarTable } from '../core/barColumns.ts';
import { MarketBus } from '../core/marketBus.ts';
import { BacktestFeed } from '../backtest/engineFeed.ts';
import { FEATURE_NAMES } from '../strategy/confluence.ts';
import { Scorer, type ScoredSignal } from '../strategy/scorer.ts';
import { replayFeedInputs, type ReplayInputs } from './replayInputs.ts';

/** Signals of `bars`; `inputs` (absent: bars only) are published beside them as in a replay. */
export function replaySignals(bars: readonly Bar[], barMs: number, strategy: StrategySettings, inputs?: ReplayInputs): ScoredSignal[] {
  const scorer = new Scorer({ threshold: strategy.threshold, atrBars: strategy.vwapAtrBars, barMs, strategy });
  const signals: ScoredSignal[] = [];
  if (!inputs) {
    for (const bar of bars) {
      const s = scorer.onBar(bar);
      if (s) signals.push(s);
    }
    return signals;
  }
  const bus = new MarketBus();
  bus.subscribe('strategy', {
    onBar(bar) {
      const s = scorer.onBar(bar);
      if (s) signals.push(s);
    },
    onQuote: (q) => scorer.onQuote(q),
    onTrade: (t) => scorer.onTrade(t),
    onBook: (b) => scorer.onBook(b),
    onChain: (c) => scorer.onChain(c),
  });
  const feed = new BacktestFeed({ bars: arrayBarTable(bars), barMs, bus: () => bus, ...replayFeedInputs(inputs, strategy.volatility.vixSymbol) });
  for (let bar = feed.next(); bar; bar = feed.next()) bus.publishBar(bar);
  return signals;
}

/** Per confluence feature, the share of `signals` it was available on (0 without signals). */
export function signalAvailability(signals: readonly { available: readonly string[] }[]): Record<string, number> {
  const counts = new Map<string, number>(FEATURE_NAMES.map((f) => [f, 0]));
  for (const s of signals) for (const f of s.available) counts.set(f, (counts.get(f) ?? 0) + 1);
  return Object.fromEntries([...counts].map(([f, n]) => [f, signals.length > 0 ? n / signals.length : 0]));
}
