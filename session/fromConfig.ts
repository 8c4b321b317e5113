/**
 * The composition root's one reading of configuration and environment: from a validated
 * configuration (and `process.env`, or the environment a test passes) it builds the parts a
 * session runs on (clock, market bus, feed, venue, ML filter) and, for `mia run`, the
 * operator surfaces joined to it (control channel and Discord, inspector). `startSession`
 * only wires parts; `mia run` and the backtest both come through here, so nothing deeper
 * reads `process.env` or picks an adapter.
 */
import type { AnyActorLogic } from 'xstate';
import type { Logger } from 'pino';
import { dirname, isAbsolute } from 'node:path';
import type { MiaConfig } from '../config/schema.ts';
import { instrumentFor, type Instrument } from '../config/instruments.ts';
import { ManualClock } from '../core/clock.ts';
import { MarketBus } from '../core/marketBus.ts';
import type { Provenance } from '../core/types.ts';
import type { StateStore } from '../adapters/store/stateStore.ts';
import type { SavedSnapshot } from '../adapters/store/snapshotSlot.ts';
import { openMlFilter, type LoadedMlFilter } from '../adapters/files/mlModelFile.ts';
import { feedBasics, sessionFeed, type ReplayFeed } from './sessionFeed.ts';
import { sessionVenue, type SessionVenue } from './sessionVenue.ts';
import { venueJournalView, type VenueJournal } from './ledgerTail.ts';
import type { Clock } from '../core/clock.ts';
import type { ControlSurfaces } from '../operator/controlSurfaces.ts';
import type { InspectorSurfaceOptions } from '../operator/inspectorSurface.ts';
import type { SessionSurface } from './session.ts';

/** What a session runs on, built before it starts. */
export interface SessionParts {
  /** The session clock: event time, advanced by the feed. */
  clock: ManualClock;
  bus: MarketBus;
  instrument: Instrument;
  feed: {
    /** The market-data actor's logic, provided to the orchestrator as `marketData`. */
    logic: AnyActorLogic;
    provenance: Provenance;
    barMs: number;
    /** Bars published so far, and whether the feed is done (shared with the summary). */
    progress: { bars: number; done: boolean };
  };
  venue: SessionVenue;
  /** The journal as the venue sees it (session/ledgerTail.ts). */
  venueJournal: VenueJournal;
  /** The home's saved orchestrator snapshot, read once (the session restores it). */
  saved: SavedSnapshot | null;
  ml: LoadedMlFilter;
}

export interface SessionPartsOptions {
  store: StateStore;
  logger: Logger;
  /** The environment secrets and endpoints come from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** A loaded replay to trade on instead of `config.feed` (see session/sessionFeed.ts). */
  replay?: ReplayFeed;
  /** Bars before the session ends by itself (default `config.feed.maxBars`); Infinity runs until stopped. */
  maxBars?: number;
}

export function sessionParts(config: MiaConfig, { store, logger, env = process.env, replay, maxBars = config.feed.maxBars }: SessionPartsOptions): SessionParts {
  const instrument = instrumentFor(config.symbol);
  // The ML filter's model: `ml.model`, else the latest in the home of an on-disk store (a bad file throws before anything starts).
  const ml = openMlFilter(config.ml, isAbsolute(store.stateDir) ? dirname(store.stateDir) : null);
  const { start, barMs, provenance } = feedBasics(config, replay);
  const clock = new ManualClock(start);
  const bus = new MarketBus();
  const progress = { bars: 0, done: false };
  // The venue asks the journal what it already holds, through the ledger's tail over the saved snapshot.
  const saved = store.orchestrator.load() ?? null;
  const journal = venueJournalView(store.journal, saved, logger);
  const venue = sessionVenue(config, { bus, clock, journal, logger, barMs, env });
  const logic = sessionFeed(config, { bus, clock, maxBars, progress, logger, env, ...(venue.settle ? { settle: venue.settle } : {}) }, replay);
  return { clock, bus, instrument, feed: { logic, provenance, barMs, progress }, venue, venueJournal: journal, saved, ml };
}

export interface SurfacesOptions {
  home: string;
  store: StateStore;
  logger: Logger;
  /** The operator's clock (the real one in `mia run`). */
  clock: Clock;
  /** Where DISCORD_TOKEN and DISCORD_API_URL come from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The control channel: a TCP port on 127.0.0.1 (default ephemeral) or a unix socket. */
  control?: { port?: number | undefined; socket?: string | undefined };
  /** What the control channel's status reports as the session's bars: null when it runs until stopped. */
  maxBars: number | null;
  /** The inspector page and/or Stately forwarding; absent or both off: no inspection hook at all. */
  inspector?: Omit<InspectorSurfaceOptions, 'home' | 'logger'>;
}

/** The operator surfaces of a run, built before its session; see `sessionSurfaces`. */
export interface SessionSurfaces {
  /** What `startSession({ surfaces })` takes. */
  readonly list: readonly SessionSurface[];
  readonly control: ControlSurfaces;
  /** Resolves once every surface attached to the session (Discord connected, or given up). */
  attached(): Promise<void>;
  /** Closes the inspector, then Discord and the control channel. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the operator surfaces: the control channel first (it is part of the safety net: if
 * it cannot listen, nothing trades), then the inspector when asked. Each joins the session
 * when `startSession` attaches it.
 */
export async function sessionSurfaces(config: MiaConfig, o: SurfacesOptions): Promise<SessionSurfaces> {
  const { home, store, logger, clock } = o;
  // Loaded here, not at the top: the backtest comes through this module and needs none of them.
  const { startControlSurfaces } = await import('../operator/controlSurfaces.ts');
  const control = await startControlSurfaces({
    config,
    home,
    audit: store.audit,
    logger,
    clock,
    ...(o.env ? { env: o.env } : {}),
    controlPort: o.control?.port,
    controlSocket: o.control?.socket,
  });
  const wantsInspector = o.inspector && (o.inspector.page || o.inspector.stately);
  const inspector = wantsInspector
    ? // The inspector's modules (server, page, Stately forwarding) load only when asked for: a run without them starts faster.
      await import('../operator/inspectorSurface.ts')
        .then(({ startInspectorSurface }) => startInspectorSurface({ ...o.inspector!, home, logger }))
        .catch(async (err: unknown) => {
          await control.close();
          throw err;
        })
    : undefined;
  const attaching: Promise<void>[] = [];
  const list: SessionSurface[] = [
    ...(inspector ? [{ inspect: inspector.inspect, attach: (session) => inspector.attach(session) } satisfies SessionSurface] : []),
    {
      attach: (session) => {
        const attached = control.attach(session, o.maxBars);
        attaching.push(attached);
        return attached;
      },
    },
  ];
  let closing: Promise<void> | undefined;
  return {
    list,
    control,
    attached: async () => {
      await Promise.all(attaching);
    },
    close: () =>
      (closing ??= (async () => {
        await inspector?.close();
        await control.close();
      })()),
  };
}
