/**
 * Scoring actor: runs the strategy on every bar of the MarketBus (plain calls, no XState
 * per bar) and sends the orchestrator a SIGNAL only when the score crosses a threshold,
 * and a TIME_STOP when an open trade has outlived its bar budget.
 */
import { fromCallback } from 'xstate';
import type { MarketBus } from '../core/marketBus.ts';
import { Scorer, type ScorerParams } from '../strategy/scorer.ts';
import type { ChildEvent, ScoringCommand } from '../machines/orchestratorEvents.ts';
import type { ChildInput } from '../machines/orchestrator.ts';

export interface ScoringDeps {
  bus: MarketBus;
  params: ScorerParams;
  /** An open position older than this many bars is closed by a time stop. */
  maxBarsInTrade: number;
}

export function scoringActor(deps: ScoringDeps) {
  return fromCallback<ScoringCommand, ChildInput>(({ sendBack, receive }) => {
    const scorer = new Scorer(deps.params);
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

    return deps.bus.subscribe('strategy', {
      onBar(bar) {
        if (failed) return;
        try {
          const signal = scorer.onBar(bar);
          if (signal) sendBack({ type: 'SIGNAL', signal } satisfies ChildEvent);
          const close = bar.time + deps.params.barMs;
          if (position !== 0 && !timeStopSent && close - since >= maxAge) {
            timeStopSent = true;
            sendBack({ type: 'TIME_STOP', time: close } satisfies ChildEvent);
          }
        } catch (err) {
          failed = true;
          sendBack({ type: 'CHILD.FAILED', child: 'scoring', error: (err as Error).message ?? String(err), time: bar.time } satisfies ChildEvent);
        }
      },
    });
  });
}
