/**
 * A trading session: wires the root orchestrator to its actors (market data, scoring,
 * execution), the state store (snapshot, journal, audit) and the logger, restores the
 * previous state of the home, runs until the session ends or is stopped, and returns a
 * summary. This is what `mia run` runs; tests drive it directly.
 *
 * Persistence: every snapshot change of any actor in the system schedules one atomic
 * write of the orchestrator's persisted snapshot (coalesced per event-loop turn, so a
 * burst of events costs one write). Journal and audit records are written as the
 * orchestrator emits them. A `kill -9` at any moment leaves files that load.
 */
import { randomBytes } from 'node:crypto';
import { createActor, type InspectionEvent } from 'xstate';
import { isLivenessOnly } from '../actors/connectionHost.ts';
import type { Logger } from 'pino';
import type { MiaConfig } from '../config/schema.ts';
import { instrumentFor } from '../config/instruments.ts';
import { systemClock, type Clock, type ManualClock } from '../core/clock.ts';
import type { MarketBus } from '../core/marketBus.ts';
import { provenanceLabel } from '../core/types.ts';
import type { StateStore } from '../adapters/store/stateStore.ts';
import type { OrderStatus } from '../adapters/store/journal.ts';
import { orchestratorMachine, orderSnapshotOf, upgradeSnapshot, type OrchestratorActor, type OrchestratorEvent, type OrchestratorSettings, type OrchestratorSnapshot } from '../machines/orchestrator.ts';
import { accountAllowed, tradedAccount, type AccountKind } from '../config/accounts.ts';
import { ConfigError } from '../config/load.ts';
import { currentPhase, type DeploymentSnapshot } from '../machines/deployment.ts';
import { riskStatus, type RiskSnapshot } from '../machines/risk.ts';
import { isInFlight } from '../machines/order.ts';
import type { ReplayFeed } from './sessionFeed.ts';
import { scoringActor, type ScoringDeps } from '../actors/scoringActor.ts';
import type { Scorer, ScoredSignal } from '../strategy/scorer.ts';
import { sessionParts, type SessionParts } from './fromConfig.ts';
import { SignalBatcher } from './signalBatcher.ts';


/** The configured account may not be traded (now): `mia run` exits 2 naming it and the phase. */
export class AccountPolicyError extends ConfigError {
  override readonly name = 'AccountPolicyError';
}

/** The orchestrator's settings from the configuration (and the account it trades). */
export function sessionSettings(config: MiaConfig, account: { id: string; kind: AccountKind | null }): OrchestratorSettings {
  const instrument = instrumentFor(config.symbol);
  return {
    symbol: config.symbol,
    pointValue: instrument.pointValue,
    tickSize: instrument.tickSize,
    startingEquity: config.startingEquity,
    limits: config.risk,
    gates: config.gates,
    strategy: config.strategy,
    supervision: config.supervision,
    account: { id: account.id, kind: account.kind },
  };
}

/**
 * An operator surface joined to the session (the control channel and Discord, the
 * inspector), built before the session by session/fromConfig.ts `sessionSurfaces`.
 */
export interface SessionSurface {
  /** Sees every inspection event of the session's actors (only a surface that needs it: it costs on every event). */
  inspect?: (event: InspectionEvent) => void;
  /** Joins the session once it runs: commands reach it from now on. */
  attach(session: Session): void | Promise<void>;
}

export interface SessionOptions {
  config: MiaConfig;
  store: StateStore;
  logger: Logger;
  /**
   * The operator surfaces, built (and closed) by the caller: each sees the inspection
   * events it asks for and is attached once the session runs.
   */
  surfaces?: readonly SessionSurface[];
  /**
   * What the session runs on (feed, venue, clock, bus, ML filter), built by
   * `sessionParts` in session/fromConfig.ts; built from `config` and `process.env` when absent.
   */
  parts?: SessionParts;
  /** Extra observer of every inspection event (the inspector of issue 7 plugs in here). */
  inspect?: (event: InspectionEvent) => void;
  /**
   * false: keep nothing between runs (the backtest): no snapshot writes, and no inspection
   * listener unless `inspect` asks for one (XState's inspection costs on every event).
   */
  persist?: boolean;
  /** Sees every signal the scoring actor sends, in plain code. */
  onSignal?: (signal: ScoredSignal) => void;
  /** Sees the scorer after every bar, in plain code. */
  onScored?: ScoringDeps['onScored'];
  /** Without `parts`: a loaded replay to trade on instead of `config.feed` (see session/sessionFeed.ts). */
  replay?: ReplayFeed;
  /** Without `parts`: bars before the session ends by itself (default `config.feed.maxBars`); Infinity runs until stopped. */
  maxBars?: number;
  /** Deliver signals that can only be counted (risk not normal, flat) in one step per batch: session/signalBatcher.ts. */
  batchSignals?: boolean;
  /**
   * Wall-clock time (default the system clock), logged at start and end: paper evidence
   * counts months of wall-clock time across live-data sessions, never data time.
   */
  operatorClock?: Clock;
  /**
   * Makes this run's ClientOrderIDs its own. Default: random when `persist` (a live or
   * paper run: two homes, or two runs on one account, must never send the same ID; DTC
   * servers reject a reused one), none when not (the backtest stays deterministic).
   */
  orderIdNonce?: string;
}

export interface SessionSummary {
  sessionId: string;
  restored: boolean;
  bars: number;
  signals: { long: number; short: number };
  orders: number;
  riskRefusals: number;
  rejects: number;
  fills: number;
  trades: number;
  /** Realised P&L of this session's trades, dollars after commissions. */
  pnl: number;
  /** Contracts still open when the session ended (0 after a normal flatten). */
  openPosition: number;
  riskState: string;
  phase: { id: number; name: string };
  provenance: string;
  venue: string;
  from: string | null;
  to: string | null;
  persistenceErrors: number;
  /** Entries not taken: inside the no-entry window before a close, or sized to zero. */
  entriesSkipped: { sessionClose: number; sizing: number };
  /** Positions closed before the daily halt or the weekly close. */
  sessionCloseExits: number;
  /** Signals the ML filter held back (0 when it is off), and why it is off when it is. */
  ml: { filtered: number; modelVersion: number | null; off: string | null };
}

export interface Session {
  actor: OrchestratorActor;
  /** Resolves when the session ended by itself or was stopped. */
  done: Promise<SessionSummary>;
  /** Sends an operator (or any orchestrator) event, stamped by the caller. */
  send(event: OrchestratorEvent): void;
  /** Stops the session now (SIGINT/SIGTERM): persists, stops every actor. */
  stop(reason: string): Promise<SessionSummary>;
  /** The summary so far (the control channel's status reads it while the session runs). */
  summary(): SessionSummary;
  /**
   * Resolves `{ ready: true }` once the venue has logged on and reconciled, or
   * `{ ready: false, why }` after `timeoutMs` (wall time) without that, `why` being the
   * venue's last complaint (refused connection, logon refused, garbage, silence).
   */
  venueReady(timeoutMs: number): Promise<{ ready: true } | { ready: false; why: string }>;
  readonly clock: ManualClock;
  /** The session's market bus: observers (the backtest's equity marks) subscribe here. */
  readonly bus: MarketBus;
}

/** How far ahead of the trading-day roll the ledger's next day file is readied (session/session.ts observer). */
const LEDGER_DAY_LEAD_MS = 60 * 60_000;

/** Journal statuses for the orchestrator's order records. */
const journalStatus: Record<string, OrderStatus> = {
  submitted: 'sent',
  'risk-refused': 'riskRefused',
  working: 'open',
  filled: 'filled',
  cancelled: 'canceled',
  rejected: 'rejected',
  expired: 'expired',
  lost: 'lost',
};

/** A saved orchestrator snapshot that cannot be restored: the run stops, naming the file. */
export class StateRestoreError extends Error {
  override readonly name = 'StateRestoreError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} cannot be restored: ${reason}. Nothing was started. Check the risk state by hand, then repair the file or run with --reset-state (which keeps a backup)`);
  }
}

/**
 * Restores `snapshot` into an actor that is never started (no child runs, nothing is
 * opened) and checks it carries the risk and deployment machines: without them the kill
 * latch and the phase would be silently lost. Refuse, never guess.
 */
function checkRestorable(snapshot: unknown, path: string, settings: OrchestratorSettings): void {
  if (snapshot === null || typeof snapshot !== 'object' || Array.isArray(snapshot)) throw new StateRestoreError(path, `the snapshot is ${snapshot === null ? 'null' : Array.isArray(snapshot) ? 'an array' : typeof snapshot}, not a machine snapshot`);
  let children: Record<string, unknown>;
  try {
    const probe = createActor(orchestratorMachine, { input: { settings }, snapshot: snapshot as OrchestratorSnapshot });
    const snap = probe.getSnapshot();
    if (!snap || typeof snap.value === 'undefined') throw new Error('it resolves to no state');
    // Resolving the state value throws on a state the machine does not have.
    orchestratorMachine.resolveState({ value: snap.value, context: snap.context });
    children = snap.children ?? {};
  } catch (e) {
    throw new StateRestoreError(path, (e as Error).message ?? String(e));
  }
  const missing = ['risk', 'deployment'].filter((id) => !(id in children));
  if (missing.length > 0) throw new StateRestoreError(path, `it holds no ${missing.join(' or ')} state`);
}

/** 8 base-36 characters (41 bits) from the OS's random source. */
function randomNonce(): string {
  return (randomBytes(6).readUIntBE(0, 6) % 36 ** 8).toString(36).padStart(8, '0');
}

export function startSession({ config, store, logger, surfaces = [], inspect: inspectOption, replay, maxBars, persist = true, onSignal, onScored, parts, batchSignals = false, operatorClock = systemClock, orderIdNonce }: SessionOptions): Session {
  // One inspection hook for the caller's observer and the surfaces that watch; none: no hook at all.
  const inspectors = [...(inspectOption ? [inspectOption] : []), ...surfaces.flatMap((s) => (s.inspect ? [s.inspect] : []))];
  const inspect = inspectors.length <= 1 ? inspectors[0] : (event: InspectionEvent) => inspectors.forEach((f) => f(event));
  const built = parts ?? sessionParts(config, { store, logger, ...(replay ? { replay } : {}), ...(maxBars !== undefined ? { maxBars } : {}) });
  const { clock, bus, instrument, ml, venue } = built;
  const { provenance, barMs: BAR_MS, progress } = built.feed;
  const start = clock.now();
  // startSession owns its parts: a refusal before the session starts closes what they opened (the embedded paper server).
  const refuse: (err: Error) => never = (err) => {
    void venue.close().catch(() => undefined);
    throw err;
  };
  // A snapshot saved before the exit protocol and kill handling were states restores in today's shape.
  const saved = built.saved ? { ...built.saved, snapshot: upgradeSnapshot(built.saved.snapshot) } : undefined;

  let liveScorer: Scorer | null = null;
  const batcher = batchSignals ? new SignalBatcher() : null;
  const machine = orchestratorMachine.provide({
    actors: {
      marketData: built.feed.logic,
      scoring: scoringActor({
        bus,
        params: { threshold: config.strategy.threshold, atrBars: config.strategy.vwapAtrBars, barMs: BAR_MS, strategy: config.strategy, ml: ml.filter },
        maxBarsInTrade: config.strategy.maxBarsInTrade,
        ...(batcher ? { offerSignal: batcher.offer } : {}),
        onScored: (scorer, bar) => {
          // The live scorer (a restarted scoring actor brings a new one): its ML filter count feeds the summary.
          liveScorer = scorer;
          onScored?.(scorer, bar);
        },
        onSignal: (signal) => {
          onSignal?.(signal);
          // One line per signal (traded or not): what the backtest's parity with `mia run` is checked on.
          // Written once the order the signal may lead to is on the wire (the decision runs synchronously
          // after this call): a synchronous file write costs ~150 µs there, and a log line is not the
          // record of the order (the journal is). Signal lines keep their order.
          if (logger.isLevelEnabled('info')) {
            const { side, time, score, threshold, price } = signal;
            queueMicrotask(() => logger.info({ signal: { side, time: new Date(time).toISOString(), score, threshold, price } }, 'signal'));
          }
        },
      }),
      execution: venue.execution,
    },
  });

  let persistScheduled = false;
  let persistenceErrors = 0;
  const writes = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>, what: string) => {
    const w = p.catch((err: unknown) => {
      persistenceErrors++;
      logger.error({ err, what }, 'persistence write failed');
    });
    writes.add(w);
    void w.finally(() => writes.delete(w));
  };

  // What the venue said last, for `venueReady`: seen on the root's inspection stream.
  const venueWatch = { ready: false, why: 'the venue did not complete logon and reconciliation (no answer)', onReady: new Set<() => void>() };
  const watchVenue = (e: { type: string; reason?: string; error?: string; child?: string }) => {
    if (e.type === 'VENUE.RECONCILED' && !venueWatch.ready) {
      venueWatch.ready = true;
      for (const f of venueWatch.onReady) f();
    } else if (e.type === 'VENUE.DOWN' && e.reason) venueWatch.why = e.reason;
    else if (e.type === 'CHILD.FAILED' && e.child === 'execution' && e.error) venueWatch.why = e.error;
  };

  let actor: OrchestratorActor;
  /** Set once the final snapshot is taken: a stopped actor must never overwrite it. */
  let sealed = false;
  const persistNow = () => {
    persistScheduled = false;
    if (sealed || !persist) return;
    const snap = actor.getSnapshot();
    track(store.orchestrator.save(actor.getPersistedSnapshot()), 'orchestrator snapshot');
    const risk = snap.children.risk;
    const deployment = snap.children.deployment;
    if (risk) track(store.risk.save(risk.getPersistedSnapshot()), 'risk snapshot');
    if (deployment) track(store.deployment.save(deployment.getPersistedSnapshot()), 'deployment snapshot');
  };
  const schedulePersist = () => {
    if (persistScheduled) return;
    persistScheduled = true;
    setImmediate(persistNow);
  };

  const account = tradedAccount(config.venue, config.accounts);
  if ('error' in account) refuse(new AccountPolicyError('venue.dtc.account', account.error));
  const settings = sessionSettings(config, account);
  // Before anything runs (the actor, a socket, a timer): a snapshot that cannot be restored
  // stops the run here, naming the file, with nothing left open.
  if (saved) {
    try {
      checkRestorable(saved.snapshot, store.orchestrator.path, settings);
    } catch (err) {
      refuse(err as Error);
    }
  }
  actor = createActor(machine, {
    input: { settings },
    ...(saved ? { snapshot: saved.snapshot as unknown as OrchestratorSnapshot } : {}),
    ...(persist
      ? {
          inspect: (event: InspectionEvent) => {
            // A peer's sign of life changes nothing recovery needs: no write per socket chunk.
            if (event.type === '@xstate.snapshot') {
              if (!isLivenessOnly(event)) schedulePersist();
            } else if (event.type === '@xstate.event') watchVenue(event.event as { type: string; reason?: string; error?: string; child?: string });
            inspect?.(event);
          },
        }
      : inspect
        ? { inspect }
        : {}),
  });

  batcher?.attach(actor);

  // Logon policy: the phase (restored, or setup) must allow the account before anything
  // connects; the pre-trade check refuses every order on it again, phase changes included.
  const deploymentAtStart = actor.getSnapshot().children.deployment?.getSnapshot() as DeploymentSnapshot | undefined;
  const phaseAtStart = deploymentAtStart ? currentPhase(deploymentAtStart) : ({ id: 0, name: 'setup' } as const);
  const allowed = accountAllowed(account, phaseAtStart);
  if (!allowed.ok) refuse(new AccountPolicyError('accounts', `refused to log on: ${allowed.reason}`));

  let tradesPnl = 0;
  let firstBarTime: number | null = null;
  let prepareFailed = false;
  bus.subscribe('observer', {
    onBar(bar) {
      if (firstBarTime === null) firstBarTime = bar.time;
      // After the bar's decision: the ledger's next day file is created an hour before the roll
      // (the 16:00-17:00 CT halt), not by the day's first order on its way to the wire. A failure
      // here stops nothing: that order's own append creates the file, or fails as a write does.
      if (persist) {
        try {
          store.journal.prepare(LEDGER_DAY_LEAD_MS);
        } catch (err) {
          if (!prepareFailed) logger.warn({ err }, 'could not create the next ledger day file ahead; the first order of that day will');
          prepareFailed = true;
        }
      }
    },
  });
  actor.on('journal.order', (e) => {
    track(
      store.journal.upsertOrder({
        request: e.request,
        status: journalStatus[e.status] ?? 'open',
        filledQty: e.filledQty ?? 0,
        ...(e.avgFillPrice !== undefined ? { avgFillPrice: e.avgFillPrice } : {}),
        ...(e.serverOrderId ? { serverOrderId: e.serverOrderId } : {}),
        ...(e.detail ? { detail: e.detail } : {}),
      }),
      'journal order',
    );
    if (e.status === 'risk-refused' || e.status === 'rejected') logger.warn({ clientOrderId: e.clientOrderId, status: e.status, detail: e.detail }, 'order not placed');
  });
  actor.on('journal.fill', (e) => {
    built.venueJournal.recounted(e.fill.executionId);
    track(store.journal.recordFill(e.fill), 'journal fill');
    logger.info({ fill: e.fill }, 'fill');
  });
  actor.on('journal.trade', (e) => {
    tradesPnl += e.trade.pnl;
    track(store.journal.recordTrade(e.trade), 'journal trade');
    logger.info({ trade: e.trade }, 'trade closed');
  });
  actor.on('audit', (e) => {
    track(store.audit.append({ who: e.who, action: e.action, args: { detail: e.detail, time: e.time }, result: 'ok' }), 'audit');
    logger.info({ who: e.who, action: e.action, detail: e.detail }, 'audit');
  });

  let finish!: (s: SessionSummary) => void;
  let fail!: (err: unknown) => void;
  const done = new Promise<SessionSummary>((res, rej) => {
    finish = res;
    fail = rej;
  });
  let finished = false;
  // ClientOrderIDs are `<sessionId>-<seq>` and must fit DTC's 31 characters: S + 8 + 1 + 8 + 1 + seq.
  const nonce = orderIdNonce ?? (persist ? randomNonce() : (saved?.savedAt ?? 0).toString(36));
  const sessionId = `S${start.toString(36)}-${nonce}`;

  const summarize = (): SessionSummary => {
    batcher?.flush();
    const snap = actor.getSnapshot();
    const risk = snap.children.risk?.getSnapshot() as RiskSnapshot | undefined;
    const deployment = snap.children.deployment?.getSnapshot() as DeploymentSnapshot | undefined;
    const c = snap.context.counters;
    return {
      sessionId: snap.context.sessionId,
      restored: Boolean(saved),
      bars: progress.bars,
      signals: { ...c.signals },
      orders: c.ordersSent,
      riskRefusals: c.riskRefusals,
      rejects: c.rejects,
      fills: c.fills,
      trades: c.trades,
      pnl: Math.round(tradesPnl * 100) / 100,
      openPosition: snap.context.book.qty,
      riskState: risk ? riskStatus(risk) : 'unknown',
      phase: deployment ? currentPhase(deployment) : { id: -1, name: 'unknown' },
      provenance: provenanceLabel(provenance),
      venue: venue.label,
      from: firstBarTime === null ? null : new Date(firstBarTime).toISOString(),
      to: progress.bars === 0 ? null : new Date(clock.now()).toISOString(),
      persistenceErrors,
      // A snapshot saved before these counters existed restores without them.
      entriesSkipped: { sessionClose: c.entriesSkipped?.sessionClose ?? 0, sizing: c.entriesSkipped?.sizing ?? 0 },
      sessionCloseExits: c.sessionCloseExits ?? 0,
      ml: { filtered: liveScorer?.mlFiltered ?? 0, modelVersion: ml.modelVersion ?? null, off: ml.off ?? null },
    };
  };

  /** Orders sent and not answered yet (a cancel or replace included), as their order machines say. */
  const ordersInFlight = (): string[] => {
    const snap = actor.getSnapshot();
    return Object.keys(snap.context.live).filter((c) => {
      const order = orderSnapshotOf(snap, c);
      // `unknown` waits for a reconnect's reconciliation, which this stop will not see.
      return order !== undefined && isInFlight(order) && !order.matches('unknown');
    });
  };

  /**
   * A stop asked from outside (SIGTERM/SIGINT): nothing new opens, and the orders in flight
   * get, for at most `venue.stopWaitMs`, their venue's answer and their fills journaled, so
   * that the summary's position is the venue's. Waiting on I/O, hence real time.
   */
  const drain = async (): Promise<void> => {
    if (actor.getSnapshot().status !== 'active') return;
    actor.send({ type: 'SESSION.STOPPING', time: clock.now() });
    const deadline = Date.now() + config.venue.stopWaitMs;
    // An exit under way (its bracket's cancels sent, its closing order still to go) is waited for too:
    // stopping between the cancels and the closing order would leave the position without its stop.
    const exitPending = () => actor.getSnapshot().matches({ running: { exit: 'pending' } });
    while ((ordersInFlight().length > 0 || exitPending()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const left = ordersInFlight();
    if (left.length > 0 || exitPending()) logger.warn({ orders: left, exitPending: exitPending(), waitedMs: config.venue.stopWaitMs }, 'stopping with orders still in flight');
    while (writes.size > 0) await Promise.all([...writes]);
  };

  const settle = async (why: string, drainFirst = false): Promise<SessionSummary> => {
    if (finished) return done;
    finished = true;
    if (drainFirst) await drain();
    persistNow();
    sealed = true;
    const summary = summarize();
    actor.stop();
    await venue.close().catch((err: unknown) => logger.warn({ err }, 'closing the venue failed'));
    while (writes.size > 0) await Promise.all([...writes]);
    await store.flush();
    logger.info({ why, summary, wallClock: new Date(operatorClock.now()).toISOString() }, 'session ended');
    finish(summary);
    return summary;
  };

  actor.on('session.ended', () => {
    // Let the journal records of the final transition be emitted first.
    setImmediate(() => void settle('session ended'));
  });
  actor.subscribe({
    error: (err) => {
      // The root never dies silently: log, persist what we can, and report.
      logger.fatal({ err }, 'orchestrator failed');
      if (!finished) {
        finished = true;
        fail(err);
      }
    },
  });

  actor.start();
  actor.send({ type: 'SESSION.START', sessionId, time: clock.now(), settings });
  // Built only when logged: a backtest streaming its file (silent logger) learns the file's hash at the end.
  if (logger.isLevelEnabled('info')) logger.info({ sessionId, restored: Boolean(saved), provenance: provenanceLabel(provenance), account, phase: phaseAtStart, wallClock: new Date(operatorClock.now()).toISOString() }, 'session started');
  logger.info({ ml: { model: ml.path, modelVersion: ml.modelVersion, off: ml.off } }, ml.off ? `ML filter off: ${ml.off}` : `ML filter on: model v${ml.modelVersion}`);

  const session: Session = {
    actor,
    done,
    clock,
    bus,
    send: (event) => actor.send(event),
    stop: (reason) => settle(reason, true),
    summary: () => summarize(),
    venueReady: (timeoutMs) =>
      new Promise((resolve) => {
        if (venueWatch.ready) return resolve({ ready: true });
        if (timeoutMs <= 0) return resolve({ ready: false, why: venue.problem() ?? venueWatch.why });
        const done = () => {
          clearTimeout(timer);
          venueWatch.onReady.delete(done);
          resolve({ ready: true });
        };
        const timer = setTimeout(() => {
          venueWatch.onReady.delete(done);
          resolve({ ready: false, why: venue.problem() ?? venueWatch.why });
        }, timeoutMs);
        timer.unref();
        venueWatch.onReady.add(done);
      }),
  };
  // The surfaces join the running session (an attach that fails is logged: trading goes on).
  const attachFailed = (err: unknown) => logger.error({ err }, 'an operator surface could not attach');
  for (const surface of surfaces) {
    try {
      void Promise.resolve(surface.attach(session)).catch(attachFailed);
    } catch (err) {
      attachFailed(err);
    }
  }
  return session;
}
