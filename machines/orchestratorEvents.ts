/**
 * The low-rate events that flow between the root orchestrator and its children (market
 * data, scoring, execution) and from the operator. Ticks and bars never appear here: they
 * stay on the MarketBus hot path. Every event carries its event time (ms UTC).
 */
import type { Fill, OrderRequest } from '../core/types.ts';
import type { ScoredSignal } from '../strategy/scorer.ts';
import type { VenueOrderState } from './order.ts';

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
  | { type: 'VENUE.UP'; time: number }
  | { type: 'VENUE.DOWN'; reason: string; time: number }
  | { type: 'VENUE.ACCEPTED'; clientOrderId: string; serverOrderId: string; time: number }
  | { type: 'VENUE.FILL'; fill: Fill }
  | { type: 'VENUE.REJECTED'; clientOrderId: string; reason: string; time: number }
  | { type: 'VENUE.CANCELED'; clientOrderId: string; time: number }
  | { type: 'VENUE.CANCEL_REJECTED'; clientOrderId: string; reason: string; time: number }
  /**
   * The venue's truth: every order it knows, its position and that position's average price.
   * `incomplete` says what the venue could not give (fills history): then risk goes limited.
   */
  | { type: 'VENUE.RECONCILED'; orders: Record<string, VenueOrderState>; position: number; avgPrice?: number; incomplete?: string; time: number }
  /** An update, open order or fill for a ClientOrderID MIA never sent; `fill` when it moved the position. */
  | { type: 'VENUE.FOREIGN'; clientOrderId: string; serverOrderId: string; detail: string; fill?: Fill; time: number }
  | { type: 'VENUE.MARK'; price: number; time: number }
  /** The venue account's balance: what risk's margin rule checks entries against. */
  | { type: 'VENUE.ACCOUNT'; availableFunds: number; marginPerContract?: number; time: number }
  /** A child reports its own failure (I/O actors catch their errors and report them). */
  | { type: 'CHILD.FAILED'; child: SupervisedChild; error: string; time: number };

/** Sent by the orchestrator to its children. */
export type VenueCommand =
  | { type: 'VENUE.SUBMIT'; request: OrderRequest }
  | { type: 'VENUE.CANCEL'; clientOrderId: string }
  /**
   * Report the venue's truth. `live` is what the orchestrator believes is still open, so
   * that a venue actor that lost its memory (restart) can tie venue records to them.
   */
  | { type: 'VENUE.RECONCILE'; live: Record<string, ReconcileHint> };

/** An order the orchestrator believes is live, as a venue actor needs it to reconcile. */
export interface ReconcileHint {
  request: OrderRequest;
  serverOrderId?: string;
  filledQty: number;
}

export type ScoringCommand = { type: 'POSITION'; qty: number; since: number };
export type MarketDataCommand = { type: 'MD.STOP' };

/** Operator commands (CLI, control channel, Discord), already authorised by the caller. */
export type OperatorEvent =
  | { type: 'OPERATOR.PAUSE'; who: string; reason: string; time: number }
  | { type: 'OPERATOR.RESUME'; who: string; reason: string; time: number }
  | { type: 'OPERATOR.KILL'; who: string; reason: string; time: number }
  | { type: 'OPERATOR.FLATTEN'; who: string; reason: string; time: number };
