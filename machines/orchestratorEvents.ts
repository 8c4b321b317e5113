/**
 * The low-rate events that flow between the root orchestrator and its children (market
 * data, scoring, execution) and from the operator. Ticks and bars never appear here: they
 * stay on the MarketBus hot path. Every event carries its event time (ms UTC).
 */
import { errorMessage, failureCodeOf, type FailureCode } from '../core/errors.ts';
import type { VenueReport } from '../core/venue.ts';
import type { ScoredSignal } from '../strategy/scorer.ts';

// The venue seam lives in core (adapters speak it without importing a statechart).
export type { BracketOrder, ReconcileHint, VenueCommand, VenueReport } from '../core/venue.ts';

/** Children that the orchestrator spawns, supervises and restarts by name. */
export const SUPERVISED_CHILDREN = ['marketData', 'scoring', 'execution'] as const;
export type SupervisedChild = (typeof SUPERVISED_CHILDREN)[number];

/** A signal as the scoring actor reports it: side, score, threshold and feature vector. */
export type SignalPayload = ScoredSignal;

/** Why the scoring actor marked a signal as opening no position. */
export type EntryBlock = 'session-close';

/** Sent by children to the orchestrator. */
export type ChildEvent =
  | { type: 'MD.ENDING'; time: number }
  | { type: 'MD.DONE'; bars: number; time: number }
  | { type: 'MD.STALE'; time: number }
  | { type: 'MD.OK'; time: number }
  /** `entryBlocked`: the signal may close an opposite position but opens none (counted). */
  | { type: 'SIGNAL'; signal: SignalPayload; entryBlocked?: EntryBlock }
  /** SIGNAL events in one step, in order: only ones a SIGNAL step would refuse or skip (machines/signalBatch.ts). */
  | { type: 'SIGNALS'; signals: { signal: SignalPayload; entryBlocked?: EntryBlock }[] }
  | { type: 'TIME_STOP'; time: number }
  /** The open position reached the flatten window before `sessionEnd` (or outlived it). */
  | { type: 'SESSION_CLOSE'; time: number; sessionEnd: number }
  | VenueReport
  /** A child reports its own failure (I/O actors catch their errors and report them). */
  | {
      type: 'CHILD.FAILED';
      child: SupervisedChild;
      /** Why, for supervision and risk: LOGON_REFUSED, TIMEOUT, CONNECTION_LOST, ... */
      code: FailureCode;
      /** The same in words, for the operator and the audit trail. */
      error: string;
      time: number;
    };

/**
 * The CHILD.FAILED a child sends about `error`: its code when it carries a failure code
 * (a DtcClientError LOGON_REFUSED, ...), else `code` or INTERNAL; its message for humans.
 */
export function childFailed(child: SupervisedChild, error: unknown, time: number, code?: FailureCode): Extract<ChildEvent, { type: 'CHILD.FAILED' }> {
  const own = failureCodeOf(error);
  return { type: 'CHILD.FAILED', child, code: own !== 'INTERNAL' ? own : (code ?? 'INTERNAL'), error: errorMessage(error), time };
}

export type ScoringCommand = { type: 'POSITION'; qty: number; since: number };
export type MarketDataCommand = { type: 'MD.STOP' };

/** Operator commands (CLI, control channel, Discord), already authorised by the caller. */
export type OperatorEvent =
  | { type: 'OPERATOR.PAUSE'; who: string; reason: string; time: number }
  | { type: 'OPERATOR.RESUME'; who: string; reason: string; time: number }
  | { type: 'OPERATOR.KILL'; who: string; reason: string; time: number }
  | { type: 'OPERATOR.FLATTEN'; who: string; reason: string; time: number };
