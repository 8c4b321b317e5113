/**
 * The composition root's one reading of configuration and environment: from a validated
 * configuration (and `process.env`, or the environment a test passes) it builds the parts a
 * session runs on (clock, market bus, feed, venue, ML filter). `startSession` only wires
 * parts; `mia run` and the backtest both come through here, so nothing deeper reads
 * `process.env` or picks an adapter.
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
