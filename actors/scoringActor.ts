/**
 * Scoring actor: runs the strategy pipeline on every MarketBus input (bars, quotes, trade
 * prints, book depth, option chains: plain calls, no XState per event) and sends the
 * orchestrator a SIGNAL only when the confluence score crosses its threshold, a
 * TIME_STOP when an open trade has outlived its bar budget, and a SESSION_CLOSE when an
 * open trade reaches `strategy.exits.flattenBeforeCloseMinutes` before the end of its
 * session segment (strategy/sessionClose.ts; a bar after that end, as replay gaps bring,
 * exits at once). A signal inside the no-entry window is still sent, marked
 * `entryBlocked`: the orchestrator counts it, lets it close an opposite position, and
 * takes no entry on it.
 *
 * A failure inside the strategy is reported once as CHILD.FAILED (the orchestrator
 * restarts the actor, which starts a fresh pipeline) and the actor ignores every input
 * after it.
 */
import { fromCallback } from 'xstate';
import type { MarketBus } from '../core/marketBus.ts';
import type { Bar } from '../core/types.ts';
import { Scorer, type ScoredSignal, type ScorerDeps, type ScorerParams } from '../strategy/scorer.ts';
import { SessionCloseRule, type SessionExitSettings } from '../strategy/sessionClose.ts';
import { defaultStrategySettings } from '../config/strategySchema.ts';
import { childFailed, type ChildEvent, type ScoringCommand } from '../machines/orchestratorEvents.ts';
import type { ChildInput } from '../machines/orchestrator.ts';

export interface ScoringDeps {
  bus: MarketBus;
  /** Threshold, VWAP ATR bars, bar length and (optionally) the whole `strategy` configuration. */
  params: ScorerParams;
  /** An open position older than this many bars is closed by a time stop. */
  maxBarsInTrade: number;
  /** Sees every signal as it is sent (logs, the backtest's signal list), in plain code. */
  onSignal?: (signal: ScoredSignal) => void;
  /** Sees the scorer after every bar (the backtest's feature availability), in plain code. */
  onScored?: (scorer: Scorer, bar: Bar) => void;
  /** Injected computations (gamma levels from chains, expiry factor); strategy/gamma's by default. */
  strategyDeps?: ScorerDeps;
  /** Session-close exits; `params.strategy.exits` (or the embedded defaults) when absent. */
  exits?: SessionExitSettings;
  /** Offered each SIGNAL first: true when it took it (to deliver batched, session/signalBatcher.ts), false to send it now. */
  offerSignal?: (event: Extract<ChildEvent, { type: 'SIGNAL' }>) => boolean;
}

export function scoringActor(deps: ScoringDeps) {
  return fromCallback<ScoringCommand, ChildInput>(({ sendBack, receive }) => {
    const scorer = new Scorer(deps.params, deps.strategyDeps);
    const maxAge = deps.maxBarsInTrade * deps.params.barMs;
    const sessionClose = new SessionCloseRule(deps.exits ?? (deps.params.strategy ?? defaultStrategySettings()).exits);
    let position = 0;
    let since = 0;
    let timeStopSent = false;
    /** When the open position must be flat (its segment's end); NaN until known. */
    let deadline = Number.NaN;
    /** 0 nothing sent; 1 sent inside the flatten window; 2 sent after the deadline itself (once more, in case the first exit failed). */
    let sessionCloseSent: 0 | 1 | 2 = 0;
    let failed = false;

    receive((event) => {
      if (event.type !== 'POSITION') return;
      if (event.qty === 0 || event.since !== since) {
        timeStopSent = false;
        deadline = Number.NaN;
        sessionCloseSent = 0;
      }
      position = event.qty;
      since = event.since;
    });

    const checkSessionClose = (barTime: number, close: number) => {
      if (position === 0 || !sessionClose.enabled) return;
      if (Number.isNaN(deadline)) deadline = sessionClose.deadline(since > 0 ? since : barTime);
      if (!sessionClose.mustExit(close, deadline)) return;
      const phase = barTime >= deadline ? 2 : 1;
      if (sessionCloseSent >= phase) return;
      sessionCloseSent = phase;
      sendBack({ type: 'SESSION_CLOSE', time: close, sessionEnd: deadline } satisfies ChildEvent);
    };

    const fail = (err: unknown, time: number) => {
      failed = true;
      sendBack(childFailed('scoring', err, time));
    };

    return deps.bus.subscribe('strategy', {
      onBar(bar) {
        if (failed) return;
        try {
          const signal = scorer.onBar(bar);
          deps.onScored?.(scorer, bar);
          if (signal) {
            const blocked = sessionClose.blocksEntry(signal.time);
            deps.onSignal?.(signal);
            const event = { type: 'SIGNAL' as const, signal, ...(blocked ? { entryBlocked: 'session-close' as const } : {}) } satisfies ChildEvent;
            if (!deps.offerSignal?.(event)) sendBack(event);
          }
          if (scorer.pipeline.isVixBar(bar)) return;
          const close = bar.time + deps.params.barMs;
          checkSessionClose(bar.time, close);
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
