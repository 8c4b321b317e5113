/**
 * The root orchestrator. It spawns the market-data, scoring and execution actors by string
 * name from `setup({ actors })` (so a persisted snapshot restores them), invokes the risk
 * and deployment machines, routes the low-rate events between them (orderRouting.ts) and
 * supervises its I/O children (supervision.ts). Each order's machine (order.ts) is stepped
 * in its routing table, once per event (orchestratorTx.ts), and persisted with the context.
 *
 * Pure: no I/O. Journal and audit records leave through `emit` (the runner persists
 * them); the real actor logic is supplied with `orchestratorMachine.provide({ actors })`.
 *
 * `running` has three parallel regions:
 *
 *   session      where the session is:
 *     trading      normal operation
 *     flattening   the session is ending: cancel everything, close the position
 *     ended        flat (or out of data); market data told to stop
 *     stopping     the runner is stopping: market data told to stop, orders in flight
 *                  still get their answers (and their fills are journaled)
 *   exit         the exit protocol: a position is closed only once the bracket's cancels
 *                are confirmed, so that a stop and the exit can never both fill
 *     idle         no closing order waiting
 *     pending      a closing order (pending.exit, or pending.flatten, which outranks it)
 *                  waits for the cancels; left when it is sent or the position is flat
 *   kill         the kill switch is acted upon once per kill
 *     idle         risk is not killed, or the kill is not acted upon yet
 *     handled      risk is killed and everything was cancelled and flattened: a restored
 *                  snapshot does not do it again
 *   stopped      final, after SHUTDOWN
 *
 * The routing logic (orderRouting.ts) moves the exit and kill regions through its
 * transaction (orchestratorTx.ts), which raises EXIT.* and KILL.* at commit.
 */
import { and, enqueueActions, fromCallback, not, or, setup, stateIn, type ActorRefFrom, type AnyActorRef, type CallbackActorLogic, type EventObject, type SnapshotFrom } from 'xstate';
import type { Fill, OrderRequest, Trade } from '../core/types.ts';
import { emptyBook, type PositionBook } from '../core/positionBook.ts';
import { emptyTradeRecord, type SizingSettings, type TradeRecord } from '../strategy/sizing.ts';
import type { GateThresholds, RiskLimits } from '../config/schema.ts';
import type { OrderSnapshot } from './order.ts';
import { orderSnapshotFrom, type OrderState } from './orderStep.ts';
import { riskMachine, riskStatus, type RiskStatus } from './risk.ts';
import { deploymentMachine, type DeploymentEvent } from './deployment.ts';
import type { AccountKind } from '../config/accounts.ts';
import { backoffDelay } from '../core/backoff.ts';
import { orderActorId, Tx, type Enqueue, type ProtocolEvent, type SessionState } from './orchestratorTx.ts';
import * as routing from './orderRouting.ts';
import { configureRisk } from './riskConfigure.ts';
import type { PendingEquity } from './riskMarks.ts';
import { decayFailure, failedChild, initialSupervision, onChildFailure, restartChild, type SupervisionRecord } from './supervision.ts';
import {
  SUPERVISED_CHILDREN,
  type ChildEvent,
  type MarketDataCommand,
  type OperatorEvent,
  type ScoringCommand,
  type SupervisedChild,
  type VenueCommand,
} from './orchestratorEvents.ts';

export interface OrchestratorSettings {
  symbol: string;
  pointValue: number;
  tickSize: number;
  startingEquity: number;
  limits: RiskLimits;
  gates: GateThresholds;
  /** `sizing` absent: the fixed `quantity` (strategy/sizing.ts). */
  strategy: { quantity: number; stopPoints: number; targetPoints: number; sizing?: SizingSettings };
  supervision: { maxRestarts: number; windowMs: number; backoffBaseMs: number; backoffMaxMs: number };
  /** The traded account and its kind (config/accounts.ts); every order is checked against the phase. */
  account: { id: string; kind: AccountKind | null };
}

export interface OrchestratorInput {
  settings: OrchestratorSettings;
}

export interface SessionCounters {
  signals: { long: number; short: number };
  ordersSent: number;
  riskRefusals: number;
  fills: number;
  rejects: number;
  trades: number;
  /** Flat, nothing working, a signal came, and no entry was sent: why. */
  entriesSkipped: { sessionClose: number; sizing: number };
  /** Session-close exits asked for by the scoring actor. */
  sessionCloseExits: number;
}

export interface OrchestratorContext {
  settings: OrchestratorSettings;
  sessionId: string;
  /** Sequence for ClientOrderIDs; persisted, so IDs stay unique across restarts. */
  orderSeq: number;
  book: PositionBook;
  lastMark: number;
  /** Latest event time seen (ms UTC): the time of orders the orchestrator originates. */
  lastTime: number;
  counters: SessionCounters;
  supervision: Record<SupervisedChild, SupervisionRecord>;
  riskState: RiskStatus;
  /** Orders not finished yet, by ClientOrderID (the routing table). */
  live: Record<string, routing.LiveOrder>;
  /** Recent execution ids, to ignore a duplicate fill after its order retired. */
  seenExecutions: string[];
  /**
   * Since when (event time) the open position has had no working stop, and when the watch
   * acted on it; null while flat or protected. Absent in snapshots saved before the watch.
   */
  unprotected?: { since: number; actedAt: number | null } | null;
  openAtEnd: number;
  /**
   * The latest equity mark risk has not been sent because it only moves risk's equity and
   * open P&L (riskMarks.ts); it goes to risk ahead of anything else risk is sent. Absent in
   * snapshots saved before marks were held.
   */
  pendingEquity?: PendingEquity | null;
  /**
   * Closed trades for Kelly sizing (bounded by strategy.sizing.lookbackTrades). Kept across
   * SESSION.START: a restart carries on with the same record instead of re-learning it.
   */
  tradeRecord: TradeRecord;
}

export type SessionEvent =
  /**
   * `settings`: the current configuration's settings. A restored snapshot keeps the saved
   * ones (XState ignores `input` on restore), so the session passes them here; what
   * changed is audited.
   */
  | { type: 'SESSION.START'; sessionId: string; time: number; settings?: OrchestratorSettings }
  | { type: 'SHUTDOWN' }
  /** The runner is stopping (SIGTERM/SIGINT): no new positions, market data stops, venue reports still count. */
  | { type: 'SESSION.STOPPING'; time: number }
  | { type: 'SUPERVISION.RESTART'; child: SupervisedChild }
  | { type: 'SUPERVISION.DECAY'; child: SupervisedChild }
  | { type: 'PHASE'; event: DeploymentEvent };

export type OrchestratorEvent = ChildEvent | OperatorEvent | SessionEvent | ProtocolEvent;

/** Records that leave the machine for the journal and the audit trail. */
export type OrchestratorEmitted =
  /** The order as its actor has it: filled quantity, average fill price and venue id once known. */
  | {
      type: 'journal.order';
      clientOrderId: string;
      request: OrderRequest;
      status: string;
      detail?: string;
      time: number;
      filledQty?: number;
      avgFillPrice?: number;
      serverOrderId?: string;
    }
  | { type: 'journal.fill'; fill: Fill }
  | { type: 'journal.trade'; trade: Trade }
  | { type: 'audit'; who: string; action: string; detail: string; time: number }
  | { type: 'session.ended'; openPosition: number; time: number };

/** Input of the supervised children: the generation tells a restart from the first start. */
export interface ChildInput {
  generation: number;
}

const emptyCounters = (): SessionCounters => ({
  signals: { long: 0, short: 0 },
  ordersSent: 0,
  riskRefusals: 0,
  fills: 0,
  rejects: 0,
  trades: 0,
  entriesSkipped: { sessionClose: 0, sizing: 0 },
  sessionCloseExits: 0,
});

/** Placeholders: the runner provides the real logic with `.provide({ actors })`. */
const idle = <TEvent extends EventObject>() =>
  fromCallback<TEvent, ChildInput>(() => undefined) as CallbackActorLogic<TEvent, ChildInput>;

/**
 * Runs `fn` as one transaction over the context (see orchestratorTx.ts). The logic inside
 * is fully typed; only the action object handed to XState's config is cast, because its
 * exact type depends on each transition's event and is not expressible here.
 */
const transact = (fn: (tx: Tx, event: OrchestratorEvent) => void): never =>
  enqueueActions(({ context, event, enqueue, check, self }: { context: OrchestratorContext; event: OrchestratorEvent; enqueue: unknown; check: (guard: never) => boolean; self: AnyActorRef }) => {
    const tx = new Tx(context, self, check);
    fn(tx, event);
    // Every transition ends with the order path's invariants: anomalies reach risk, and no
    // position stays without its stop past the limit.
    routing.reportAnomalies(tx);
    routing.watchProtection(tx);
    routing.reportAnomalies(tx);
    tx.commit(enqueue as Enqueue, context);
  }) as never;

export type { SessionState };

export const orchestratorMachine = setup({
  types: {
    context: {} as OrchestratorContext,
    events: {} as OrchestratorEvent,
    input: {} as OrchestratorInput,
    emitted: {} as OrchestratorEmitted,
  },
  actors: {
    marketData: idle<MarketDataCommand>(),
    scoring: idle<ScoringCommand>(),
    execution: idle<VenueCommand>(),
    risk: riskMachine,
    deployment: deploymentMachine,
  },
  delays: {
    restartBackoff: ({ context, event }) => {
      const child = (event as { child?: SupervisedChild }).child ?? 'execution';
      const s = context.settings.supervision;
      return backoffDelay(Math.max(1, context.supervision[child].recentFailures), s.backoffBaseMs, s.backoffMaxMs, 1);
    },
    supervisionWindow: ({ context }) => context.settings.supervision.windowMs,
  },
  guards: {
    isFlatAndIdle: ({ context }) => context.book.qty === 0 && Object.keys(context.live).length === 0,
    forFlatten: ({ event }) => event.type === 'EXIT.PENDING' && event.purpose === 'flatten',
    /** A risk snapshot (onSnapshot) whose status differs from the one the orchestrator holds. */
    riskStatusChanged: ({ context, event }) => riskStatus((event as unknown as { snapshot: SnapshotFrom<typeof riskMachine> }).snapshot) !== context.riskState,
    riskKilled: ({ event }) => riskStatus((event as unknown as { snapshot: SnapshotFrom<typeof riskMachine> }).snapshot) === 'killed',
  },
}).createMachine({
  id: 'orchestrator',
  context: ({ input }) => ({
    settings: input.settings,
    sessionId: 'unset',
    orderSeq: 0,
    book: emptyBook(input.settings.symbol),
    lastMark: 0,
    lastTime: 0,
    counters: emptyCounters(),
    supervision: initialSupervision(),
    riskState: 'reconciling',
    live: {},
    seenExecutions: [],
    unprotected: null,
    openAtEnd: 0,
    pendingEquity: null,
    tradeRecord: emptyTradeRecord(),
  }),
  initial: 'running',
  states: {
    running: {
      invoke: [
        {
          id: 'risk',
          systemId: 'risk',
          src: 'risk',
          input: ({ context }) => ({
            limits: context.settings.limits,
            startingEquity: context.settings.startingEquity,
            pointValue: context.settings.pointValue,
          }),
          // Every risk snapshot comes back here: the orchestrator reacts to killed. Most
          // snapshots (a mark, an order counted) change neither the status nor the kill
          // handling: the guard lets those pass without a transaction, which would change nothing.
          onSnapshot: {
            guard: or(['riskStatusChanged', and(['riskKilled', not(stateIn('#orchestrator.running.kill.handled'))])]),
            actions: transact((tx, e) => {
              const snap = (e as unknown as { snapshot: SnapshotFrom<typeof riskMachine> }).snapshot;
              const status = riskStatus(snap);
              const was = tx.ctx.riskState;
              if (status !== was) {
                // The cause goes with the change: a prop-firm breach is read back from this line as evidence.
                const cause =
                  status === 'killed' ? `: ${snap.context.killedBy ?? 'unknown'}: ${snap.context.killReason ?? 'no reason recorded'}` : status === 'limited' && snap.context.reasons.length > 0 ? ` (${snap.context.reasons.join(', ')})` : '';
                tx.emit({ type: 'audit', who: 'risk', action: 'risk-state', detail: `${was} -> ${status}${cause}`, time: tx.ctx.lastTime });
                tx.update({ riskState: status });
                // Reconciled: an unprotected position gets its bracket now that orders may leave.
                // A position over maxContracts is reduced first; what remains keeps its stop.
                if (was === 'reconciling' && (status === 'normal' || status === 'limited') && !routing.enforcePositionLimit(tx)) routing.protectPosition(tx);
              }
              // Killed: cancel every working order and flatten, once per kill (running.kill).
              // A handled kill is left with killed (checked only then: this runs on every risk snapshot).
              if (status !== 'killed') {
                if (was === 'killed' && tx.killHandled) tx.setKillHandled(false);
              } else if (!tx.killHandled) {
                tx.setKillHandled(true);
                routing.cancelAllAndFlatten(tx);
              }
            }),
          },
        },
        {
          id: 'deployment',
          systemId: 'deployment',
          src: 'deployment',
          input: ({ context }) => ({ thresholds: context.settings.gates }),
          // A phase change brings its account rules to risk at once (riskConfigure.ts).
          onSnapshot: { actions: transact((tx) => configureRisk(tx, tx.ctx.lastTime, true)) },
        },
      ],
      type: 'parallel',
      entry: enqueueActions(({ enqueue }) => {
        for (const child of SUPERVISED_CHILDREN) enqueue.spawnChild(child, { id: child, systemId: child, input: { generation: 0 } });
      }),
      on: {
        'MD.STALE': { actions: transact((tx, e) => tx.send('risk', { type: 'MARKET_DATA_STALE', time: (e as { time: number }).time })) },
        'MD.OK': { actions: transact((tx, e) => tx.send('risk', { type: 'MARKET_DATA_OK', time: (e as { time: number }).time })) },
        'VENUE.UP': { actions: transact((tx, e) => tx.send('risk', { type: 'VENUE_UP', time: (e as { time: number }).time })) },
        'VENUE.DOWN': {
          actions: transact((tx, e) => {
            if (e.type !== 'VENUE.DOWN') return;
            tx.send('risk', { type: 'VENUE_DOWN', time: e.time });
            tx.send('risk', { type: 'RECONCILE_START', time: e.time });
            routing.onLinkLost(tx, e.time);
            tx.emit({ type: 'audit', who: 'execution', action: 'venue-down', detail: e.reason, time: e.time });
          }),
        },
        'VENUE.ACCEPTED': { actions: transact((tx, e) => e.type === 'VENUE.ACCEPTED' && routing.onAccepted(tx, e.clientOrderId, e.serverOrderId, e.time)) },
        'VENUE.REJECTED': { actions: transact((tx, e) => e.type === 'VENUE.REJECTED' && routing.onRejected(tx, e.clientOrderId, e.reason, e.time)) },
        'VENUE.CANCELED': { actions: transact((tx, e) => e.type === 'VENUE.CANCELED' && routing.onCanceled(tx, e.clientOrderId, e.time)) },
        'VENUE.CANCEL_REJECTED': {
          actions: transact((tx, e) => {
            if (e.type !== 'VENUE.CANCEL_REJECTED' || !tx.ctx.live[e.clientOrderId]) return;
            tx.sendOrder(e.clientOrderId, { type: 'CANCEL_REJECTED', reason: e.reason });
          }),
        },
        'VENUE.FILL': {
          actions: transact((tx, e) => {
            if (e.type !== 'VENUE.FILL') return;
            routing.onFill(tx, e.fill);
            // Killed or ending: whatever is still open gets flattened.
            if (tx.ctx.riskState === 'killed' || tx.inSession('flattening')) routing.cancelAllAndFlatten(tx);
          }),
        },
        'VENUE.RECONCILED': {
          actions: transact((tx, e) => {
            if (e.type !== 'VENUE.RECONCILED') return;
            // Killed or ending: whatever is still open after the outage gets flattened (a
            // flatten order lost with the link is asked for again).
            if (tx.ctx.riskState === 'killed' || tx.inSession('flattening')) tx.setPendingExit('flatten');
            // What the venue could not give (fills too far back): limited, never a guess.
            if (e.incomplete) routing.onIncompleteHistory(tx, e.incomplete, e.time);
            routing.onReconciled(tx, e.orders, e.position, e.time, e.avgPrice, e.orphans);
          }),
        },
        'VENUE.FOREIGN': { actions: transact((tx, e) => e.type === 'VENUE.FOREIGN' && routing.onForeign(tx, e)) },
        'VENUE.ACCOUNT': {
          actions: transact((tx, e) => {
            if (e.type !== 'VENUE.ACCOUNT') return;
            const margin = e.marginPerContract !== undefined ? { marginPerContract: e.marginPerContract } : {};
            tx.send('risk', { type: 'ACCOUNT', time: e.time, availableFunds: e.availableFunds, ...margin });
          }),
        },
        'VENUE.MARK': { actions: transact((tx, e) => e.type === 'VENUE.MARK' && routing.onMark(tx, e.price, e.time)) },
        'OPERATOR.PAUSE': {
          actions: transact((tx, e) => {
            if (e.type !== 'OPERATOR.PAUSE') return;
            tx.send('risk', { type: 'PAUSE', time: e.time, who: e.who, reason: e.reason });
            auditOperator(tx, e);
          }),
        },
        'OPERATOR.RESUME': {
          actions: transact((tx, e) => {
            if (e.type !== 'OPERATOR.RESUME') return;
            tx.send('risk', { type: 'UNPAUSE', time: e.time, who: e.who });
            if (tx.ctx.riskState === 'killed') {
              tx.send('risk', { type: 'RESUME', time: e.time, who: e.who, reason: e.reason });
              // Leaving killed goes through reconciling: ask the venue for the truth.
              routing.requestReconcile(tx);
            }
            auditOperator(tx, e);
          }),
        },
        'OPERATOR.KILL': {
          actions: transact((tx, e) => {
            if (e.type !== 'OPERATOR.KILL') return;
            tx.send('risk', { type: 'KILL', time: e.time, who: e.who, reason: e.reason });
            auditOperator(tx, e);
          }),
        },
        'OPERATOR.FLATTEN': {
          actions: transact((tx, e) => {
            if (e.type !== 'OPERATOR.FLATTEN') return;
            auditOperator(tx, e);
            routing.cancelAllAndFlatten(tx);
          }),
        },
        PHASE: {
          actions: transact((tx, e) => {
            if (e.type !== 'PHASE') return;
            tx.send('deployment', { ...e.event });
            tx.emit({ type: 'audit', who: e.event.who, action: `phase-${e.event.type.toLowerCase()}`, detail: JSON.stringify(e.event), time: tx.ctx.lastTime });
          }),
        },
        'xstate.error.actor.*': {
          actions: transact((tx, e) => {
            const child = failedChild(e);
            if (child) onChildFailure(tx, child, (e as { error?: unknown }).error);
          }),
        },
        'CHILD.FAILED': {
          actions: transact((tx, e) => e.type === 'CHILD.FAILED' && onChildFailure(tx, e.child, e.error, e.code)),
        },
        'SUPERVISION.RESTART': {
          actions: transact((tx, e) => {
            if (e.type !== 'SUPERVISION.RESTART') return;
            restartChild(tx, e.child);
            // A new scoring actor knows no position: without it, no time stop nor session-close exit.
            if (e.child === 'scoring' && tx.ctx.book.qty !== 0) tx.send('scoring', { type: 'POSITION', qty: tx.ctx.book.qty, since: tx.ctx.book.openedAt });
          }),
        },
        'SUPERVISION.DECAY': { actions: transact((tx, e) => e.type === 'SUPERVISION.DECAY' && decayFailure(tx, e.child)) },
        SHUTDOWN: { target: 'stopped' },
      },
      states: {
        session: {
          initial: 'trading',
          on: {
            'SESSION.START': {
              // A restored snapshot may have ended: a new session trades again (risk permitting).
              target: '.trading',
              actions: transact((tx, e) => {
                if (e.type !== 'SESSION.START') return;
                tx.update({ sessionId: e.sessionId, counters: emptyCounters(), lastTime: Math.max(tx.ctx.lastTime, e.time), openAtEnd: 0 });
                if (e.settings) {
                  const changed = settingsDiff(tx.ctx.settings, e.settings);
                  tx.update({ settings: e.settings });
                  if (changed.length > 0) tx.emit({ type: 'audit', who: 'config', action: 'settings-refreshed', detail: changed.join('; '), time: e.time });
                }
                // The risk actor judges with the current limits and phase (a restored one kept its own).
                configureRisk(tx, e.time);
                // A start or restart trades nothing until the venue's orders and positions are known.
                tx.send('risk', { type: 'RECONCILE_START', time: e.time });
                routing.requestReconcile(tx);
              }),
            },
          },
          states: {
            trading: {
              on: {
                SIGNAL: { actions: transact((tx, e) => e.type === 'SIGNAL' && routing.onSignal(tx, e.signal, e.entryBlocked)) },
                SIGNALS: { actions: transact((tx, e) => e.type === 'SIGNALS' && e.signals.forEach((s) => routing.onSignal(tx, s.signal, s.entryBlocked))) },
                TIME_STOP: {
                  actions: transact((tx, e) => {
                    if (e.type !== 'TIME_STOP') return;
                    tx.update({ lastTime: Math.max(tx.ctx.lastTime, e.time) });
                    routing.exitPosition(tx, 'exit');
                  }),
                },
                SESSION_CLOSE: { actions: transact((tx, e) => e.type === 'SESSION_CLOSE' && routing.onSessionClose(tx, e.time, e.sessionEnd)) },
                'MD.ENDING': { target: 'flattening' },
                'MD.DONE': { target: 'flattening' },
                'SESSION.STOPPING': { target: 'stopping' },
              },
            },
            stopping: {
              // No signal, time stop or session-close exit is handled here: nothing new opens.
              entry: transact((tx, e) => {
                tx.update({ lastTime: Math.max(tx.ctx.lastTime, (e as { time?: number }).time ?? 0) });
                tx.flushEquity(); // a session that ends leaves risk with the last mark
                tx.send('marketData', { type: 'MD.STOP' });
                tx.emit({ type: 'audit', who: 'session', action: 'stopping', detail: `position ${tx.ctx.book.qty}, ${Object.keys(tx.ctx.live).length} order(s) live`, time: tx.ctx.lastTime });
              }),
            },
            flattening: {
              entry: transact((tx) => routing.cancelAllAndFlatten(tx)),
              always: { guard: 'isFlatAndIdle', target: 'ended' },
              on: {
                // Out of data before the position closed: end anyway and report it open.
                'MD.DONE': { target: 'ended' },
              },
            },
            ended: {
              entry: transact((tx) => {
                tx.update({ openAtEnd: tx.ctx.book.qty });
                tx.flushEquity(); // a session that ends leaves risk with the last mark
                tx.send('marketData', { type: 'MD.STOP' });
                tx.emit({ type: 'session.ended', openPosition: tx.ctx.book.qty, time: tx.ctx.lastTime });
              }),
            },
          },
        },
        exit: {
          initial: 'idle',
          on: {
            'EXIT.PENDING': [{ guard: 'forFlatten', target: '.pending.flatten' }, { target: '.pending.exit' }],
            'EXIT.DONE': { target: '.idle' },
          },
          states: {
            idle: {},
            pending: {
              initial: 'exit',
              states: { exit: {}, flatten: {} },
            },
          },
        },
        kill: {
          initial: 'idle',
          on: {
            'KILL.HANDLED': { target: '.handled' },
            'KILL.CLEARED': { target: '.idle' },
          },
          states: { idle: {}, handled: {} },
        },
      },
    },
    stopped: { type: 'final' },
  },
});

/** `key: old -> new` for every leaf that differs (JSON values), e.g. `limits.maxContracts: 2 -> 5`. */
export function settingsDiff(before: unknown, after: unknown, path = ''): string[] {
  if (before !== null && after !== null && typeof before === 'object' && typeof after === 'object' && !Array.isArray(before) && !Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => settingsDiff((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  const a = JSON.stringify(before);
  const b = JSON.stringify(after);
  return a === b ? [] : [`${path}: ${a ?? 'absent'} -> ${b ?? 'absent'}`];
}

function auditOperator(tx: Tx, e: OperatorEvent): void {
  tx.emit({ type: 'audit', who: e.who, action: e.type.slice('OPERATOR.'.length).toLowerCase(), detail: e.reason, time: e.time });
}

export type OrchestratorActor = ActorRefFrom<typeof orchestratorMachine>;
export type OrchestratorSnapshot = SnapshotFrom<typeof orchestratorMachine>;

/** Where the session is: the session region's state while running, else `stopped`. */
export function sessionState(snapshot: OrchestratorSnapshot): SessionState | 'stopped' {
  const value = snapshot.value as { running?: { session?: SessionState } } | string;
  return typeof value === 'object' && value.running?.session ? value.running.session : 'stopped';
}

/**
 * A live order's snapshot, as the orchestrator holds it (the operator views read it here),
 * or undefined when the order is not live.
 */
export function orderSnapshotOf(snapshot: OrchestratorSnapshot, clientOrderId: string): OrderSnapshot | undefined {
  const state = snapshot.context.live[clientOrderId]?.state;
  return state ? orderSnapshotFrom(state) : undefined;
}

/**
 * A persisted snapshot in today's shape (anything else is returned as it is; restore judges it):
 * - saved before the exit protocol and the kill handling were states (`running` held the
 *   session's state directly and the context carried `pendingExit` and `killHandledAt`):
 *   the same session state, `running.exit.pending.<purpose>` for a pending closing order,
 *   `running.kill.handled` when the saved kill (risk's `killedAt`) was the one acted upon;
 * - saved while each order ran as a child actor (`order:<id>`): each live order takes its
 *   actor's persisted state into the table, and the order children are dropped.
 */
export function upgradeSnapshot(snapshot: unknown): unknown {
  return upgradeOrderActors(upgradeProtocolRegions(snapshot));
}

type PersistedShape = {
  value?: unknown;
  context?: Record<string, unknown>;
  children?: Record<string, { src?: unknown; snapshot?: { context?: { killedAt?: unknown }; value?: unknown; status?: unknown } }>;
};

function upgradeProtocolRegions(snapshot: unknown): unknown {
  if (snapshot === null || typeof snapshot !== 'object') return snapshot;
  const s = snapshot as PersistedShape;
  const value = s.value as { running?: unknown } | undefined;
  if (!value || typeof value !== 'object' || typeof value.running !== 'string' || !s.context || typeof s.context !== 'object') return snapshot;
  const { pendingExit, killHandledAt, ...context } = s.context;
  const killedAt = s.children?.risk?.snapshot?.context?.killedAt;
  const handled = typeof killHandledAt === 'number' && killedAt === killHandledAt;
  return {
    ...s,
    value: {
      running: {
        session: value.running,
        exit: pendingExit === 'exit' || pendingExit === 'flatten' ? { pending: pendingExit } : 'idle',
        kill: handled ? 'handled' : 'idle',
      },
    },
    context,
  };
}

function upgradeOrderActors(snapshot: unknown): unknown {
  if (snapshot === null || typeof snapshot !== 'object') return snapshot;
  const s = snapshot as PersistedShape;
  if (!s.children || typeof s.children !== 'object' || !Object.keys(s.children).some((id) => id.startsWith('order:'))) return snapshot;
  const children: NonNullable<PersistedShape['children']> = {};
  for (const [id, child] of Object.entries(s.children)) if (!id.startsWith('order:')) children[id] = child;
  const live = s.context?.live;
  if (!live || typeof live !== 'object') return { ...s, children };
  const upgraded: Record<string, unknown> = {};
  for (const [clientOrderId, entry] of Object.entries(live as Record<string, { request?: unknown }>)) {
    const saved = s.children[orderActorId(clientOrderId)]?.snapshot as { value?: unknown; context?: unknown; status?: unknown } | undefined;
    upgraded[clientOrderId] = saved && saved.value !== undefined && saved.context ? { ...entry, state: { value: saved.value, context: saved.context, status: saved.status ?? 'active' } as OrderState } : entry;
  }
  return { ...s, context: { ...s.context, live: upgraded }, children };
}
