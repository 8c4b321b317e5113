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
import { createActor, type InspectionEvent } from 'xstate';
import { isLivenessOnly } from '../actors/connectionHost.ts';
import type { Logger } from 'pino';
import type { MiaConfig } from '../config/schema.ts';
import { instrumentFor } from '../config/instruments.ts';
import { ManualClock } from '../core/clock.ts';
import { MarketBus } from '../core/marketBus.ts';
import { provenanceLabel, type Provenance } from '../core/types.ts';
import type { StateStore } from '../adapters/store/stateStore.ts';
import type { OrderStatus } from '../adapters/store/journal.ts';
import { orchestratorMachine, type OrchestratorActor, type OrchestratorEvent, type OrchestratorSnapshot } from '../machines/orchestrator.ts';
import { currentPhase, type DeploymentSnapshot } from '../machines/deployment.ts';
import { riskStatus, type RiskSnapshot } from '../machines/risk.ts';
import { feedBasics, sessionFeed, type ReplayFeed } from './sessionFeed.ts';
import { scoringActor, type ScoringDeps } from '../actors/scoringActor.ts';
import type { Scorer, ScoredSignal } from '../strategy/scorer.ts';
import { sessionVenue } from './sessionVenue.ts';
import { dirname, isAbsolute } from 'node:path';
import { openMlFilter } from '../adapters/files/mlModelFile.ts';


export interface SessionOptions {
  config: MiaConfig;
  store: StateStore;
  logger: Logger;
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
  /** A loaded replay to trade on instead of `config.feed` (see session/sessionFeed.ts). */
  replay?: ReplayFeed;
  /** Bars before the session ends by itself (default `config.feed.maxBars`); Infinity runs until stopped. */
  maxBars?: number;
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
  readonly clock: ManualClock;
  /** The session's market bus: observers (the backtest's equity marks) subscribe here. */
  readonly bus: MarketBus;
}

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

export function startSession({ config, store, logger, inspect, replay, maxBars = config.feed.maxBars, persist = true, onSignal, onScored }: SessionOptions): Session {
  const instrument = instrumentFor(config.symbol);
  // The ML filter's model: `ml.model`, else the latest in the home of an on-disk store (a bad file throws before anything starts).
  const ml = openMlFilter(config.ml, isAbsolute(store.stateDir) ? dirname(store.stateDir) : null);
  const { start, barMs: BAR_MS, provenance } = feedBasics(config, replay);
  const clock = new ManualClock(start);
  const bus = new MarketBus();
  const progress = { bars: 0, done: false };
  const venue = sessionVenue(config, { bus, clock, journal: store.journal, logger, barMs: BAR_MS });

  let liveScorer: Scorer | null = null;
  const machine = orchestratorMachine.provide({
    actors: {
      marketData: sessionFeed(config, { bus, clock, maxBars, progress, logger, ...(venue.settle ? { settle: venue.settle } : {}) }, replay),
      scoring: scoringActor({
        bus,
        params: { threshold: config.strategy.threshold, atrBars: config.strategy.vwapAtrBars, barMs: BAR_MS, strategy: config.strategy, ml: ml.filter },
        maxBarsInTrade: config.strategy.maxBarsInTrade,
        onScored: (scorer, bar) => {
          // The live scorer (a restarted scoring actor brings a new one): its ML filter count feeds the summary.
          liveScorer = scorer;
          onScored?.(scorer, bar);
        },
        onSignal: (signal) => {
          onSignal?.(signal);
          // One line per signal (traded or not): what the backtest's parity with `mia run` is checked on.
          if (logger.isLevelEnabled('info')) {
            const { side, time, score, threshold, price } = signal;
            logger.info({ signal: { side, time: new Date(time).toISOString(), score, threshold, price } }, 'signal');
          }
        },
      }),
      execution: venue.execution,
    },
  });

  const saved = store.orchestrator.load();
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

  actor = createActor(machine, {
    input: {
      settings: {
        symbol: config.symbol,
        pointValue: instrument.pointValue,
        tickSize: instrument.tickSize,
        startingEquity: config.startingEquity,
        limits: config.risk,
        gates: config.gates,
        strategy: config.strategy,
        supervision: config.supervision,
      },
    },
    ...(saved ? { snapshot: saved.snapshot as unknown as OrchestratorSnapshot } : {}),
    ...(persist
      ? {
          inspect: (event: InspectionEvent) => {
            // A peer's sign of life changes nothing recovery needs: no write per socket chunk.
            if (event.type === '@xstate.snapshot' && !isLivenessOnly(event)) schedulePersist();
            inspect?.(event);
          },
        }
      : inspect
        ? { inspect }
        : {}),
  });

  // A restored snapshot must carry the risk and deployment machines: without them the
  // kill latch and the phase would be silently lost. Refuse, never guess.
  if (saved) {
    const children = actor.getSnapshot().children;
    const missing = ['risk', 'deployment'].filter((id) => !(id in children));
    if (missing.length > 0) {
      throw new Error(
        `${store.orchestrator.path} cannot be restored: it holds no ${missing.join(' or ')} state. ` +
          'Move the file away only after checking the risk state by hand.',
      );
    }
  }

  let tradesPnl = 0;
  let firstBarTime: number | null = null;
  bus.subscribe('observer', {
    onBar(bar) {
      if (firstBarTime === null) firstBarTime = bar.time;
    },
  });
  actor.on('journal.order', (e) => {
    track(
      store.journal.upsertOrder({
        request: e.request,
        status: journalStatus[e.status] ?? 'open',
        filledQty: 0,
        ...(e.detail ? { detail: e.detail } : {}),
      }),
      'journal order',
    );
    if (e.status === 'risk-refused' || e.status === 'rejected') logger.warn({ clientOrderId: e.clientOrderId, status: e.status, detail: e.detail }, 'order not placed');
  });
  actor.on('journal.fill', (e) => {
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
  const sessionId = `S${start.toString(36)}-${(saved?.savedAt ?? 0).toString(36)}`;

  const summarize = (): SessionSummary => {
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

  const settle = async (why: string): Promise<SessionSummary> => {
    if (finished) return done;
    finished = true;
    persistNow();
    sealed = true;
    const summary = summarize();
    actor.stop();
    await venue.close().catch((err: unknown) => logger.warn({ err }, 'closing the venue failed'));
    while (writes.size > 0) await Promise.all([...writes]);
    await store.flush();
    logger.info({ why, summary }, 'session ended');
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
  actor.send({ type: 'SESSION.START', sessionId, time: clock.now() });
  logger.info({ sessionId, restored: Boolean(saved), provenance: provenanceLabel(provenance) }, 'session started');
  logger.info({ ml: { model: ml.path, modelVersion: ml.modelVersion, off: ml.off } }, ml.off ? `ML filter off: ${ml.off}` : `ML filter on: model v${ml.modelVersion}`);

  return {
    actor,
    done,
    clock,
    bus,
    send: (event) => actor.send(event),
    stop: (reason) => settle(reason),
    summary: () => summarize(),
  };
}
