/**
 * Scoring actor: runs the strategy pipeline on every MarketBus input (bars, quotes, trade
 * prints, book depth, option chains: plain calls, no XState per event) and sends the
 * orchestrator a SIGNAL only when the confluence score crosses its threshold, and a
 * TIME_STOP when an open trade has outlived its bar budget.
 *
 * A failure inside the strategy is reported once as CHILD.FAILED (the orchestrator
 * restarts the actor, which starts a fresh pipeline) and the actor ignores every input
 * after it.
 */
import { fromCallback } from 'xstate';
import type { MarketBus } from '../core/marketBus.ts';
import { Scorer, type ScorerDeps, type ScorerParams } from '../strategy/scorer.ts';
import type { ChildEvent, ScoringCommand } from '../machines/orchestratorEvents.ts';
import type { ChildInput } from '../machines/orchestrator.ts';

export interface ScoringDeps {
  bus: MarketBus;
  /** Threshold, VWAP ATR bars, bar length and (optionally) the whole `strategy` configuration. */
  params: ScorerParams;
  /** An open position older than this many bars is closed by a time stop. */
  maxBarsInTrade: number;
  /** Injected computations (gamma levels from chains, expiry factor); strategy/gamma's by default. */
  strategyDeps?: ScorerDeps;
}

export function scoringActor(deps: ScoringDeps) {
  return fromCallback<ScoringCommand, ChildInput>(({ sendBack, receive }) => {
    const scorer = new Scorer(deps.params, deps.strategyDeps);
    const maxAge = deps.maxBarsInTrade * deps.params.barMs;
    let position = 0;
    let since = 0;
    let timeStopSent = false;
    let failed = false;

    receive((event) => {
      if (event.type !== 'POSITION') return;
      if (event.qty === 0 || event.since !== since) timeStopSent = false;
      position = event.qty;
      since = event.since;
    });

    const fail = (err: unknown, time: number) => {
      failed = true;
      sendBack({ type: 'CHILD.FAILED', child: 'scoring', error: err instanceof Error ? err.message : String(err), time } satisfies ChildEvent);
    };

    return deps.bus.subscribe('strategy', {
      onBar(bar) {
        if (failed) return;
        try {
          const signal = scorer.onBar(bar);
          if (signal) sendBack({ type: 'SIGNAL', signal } satisfies ChildEvent);
          if (scorer.pipeline.isVixBar(bar)) return;
          const close = bar.time + deps.params.barMs;
          if (position !== 0 && !timeStopSent && close - since >= maxAge) {
            timeStopSent = true;
            sendBack({ type: 'TIME_STOP', time: close } satisfies ChildEvent);
          }
        } catch (err) {
          fail(err, bar.time);
        }
      },
      onQuote(quote) {
        if (failed) return;
        try {
          scorer.onQuote(quote);
        } catch (err) {
          fail(err, quote.time);
        }
      },
      onTrade(trade) {
        if (failed) return;
        try {
          scorer.onTrade(trade);
        } catch (err) {
          fail(err, trade.time);
        }
      },
      onBook(book) {
        if (failed) return;
        try {
          scorer.onBook(book);
        } catch (err) {
          fail(err, book.time);
        }
      },
      onChain(chain) {
        if (failed) return;
        try {
          scorer.onChain(chain);
        } catch (err) {
          fail(err, chain.time);
        }
      },
    });
  });
}
