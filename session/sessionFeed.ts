/**
 * The market data a session trades on, from `config.feed` (and a replay the caller has
 * loaded, since loading a file is asynchronous and may fail before anything starts):
 * - simulated (the embedded default): the seeded simulated market, whose quotes, trades,
 *   books and SPX chains reach the bus before each bar;
 * - replay: a loaded series, bars relabelled to the traded symbol;
 * - polygon: the live Polygon stream (key from POLYGON_API_KEY).
 */
import type { Logger } from 'pino';
import type { AnyActorLogic } from 'xstate';
import type { MiaConfig } from '../config/schema.ts';
import { instrumentFor } from '../config/instruments.ts';
import type { ManualClock } from '../core/clock.ts';
import type { MarketBus } from '../core/marketBus.ts';
import type { Bar, Provenance } from '../core/types.ts';
import { SimulatedMarket, simulatedMarketBarSource } from '../adapters/simulated/simulatedMarket.ts';
import { simulatedOptionChainMaker } from '../adapters/simulated/simulatedOptionChain.ts';
import { polygonSettings } from '../adapters/polygon/polygonSettings.ts';
import { flattenLead, marketDataActor, type BarSource } from '../actors/marketDataActor.ts';
import { polygonMarketDataActor } from '../actors/polygonMarketDataActor.ts';

/** A replay loaded by the caller (see adapters/files/replaySource.ts). */
export interface ReplayFeed {
  source: BarSource;
  barMs: number;
  provenance: Provenance;
  /** Open time of the first bar: the session clock starts there. */
  firstTime: number | null;
}

export interface SessionFeedDeps {
  bus: MarketBus;
  clock: ManualClock;
  maxBars: number;
  progress: { bars: number; done: boolean };
  settle?: () => Promise<void> | null;
  logger: Logger;
  /** The environment, read once by session/fromConfig.ts. */
  env: NodeJS.ProcessEnv;
}

/** Minutes between two simulated SPX chain snapshots. */
const CHAIN_EVERY_MINUTES = 30;

/** Where the session clock starts, the bar length and the provenance, before anything runs. */
export function feedBasics(config: MiaConfig, replay?: ReplayFeed): { start: number; barMs: number; provenance: Provenance } {
  if (replay) return { start: replay.firstTime ?? Date.parse(config.feed.start), barMs: replay.barMs, provenance: replay.provenance };
  if (config.feed.kind === 'polygon') return { start: Date.parse(config.feed.start), barMs: 60_000, provenance: { kind: 'polygon' } };
  return { start: Date.parse(config.feed.start), barMs: 60_000, provenance: { kind: 'simulated', seed: config.feed.seed } };
}

export function sessionFeed(config: MiaConfig, deps: SessionFeedDeps, replay?: ReplayFeed): AnyActorLogic {
  const { start, barMs } = feedBasics(config, replay);
  const flattenLeadBars = flattenLead(deps.maxBars);
  if (config.feed.kind === 'polygon' && !replay) {
    const settings = polygonSettings(config, deps.env);
    return polygonMarketDataActor({
      settings,
      bus: deps.bus,
      clock: deps.clock,
      symbol: config.symbol,
      barMs,
      maxBars: deps.maxBars,
      flattenLeadBars,
      connection: {
        heartbeatMs: config.connection.heartbeatSeconds * 1000,
        maxAttempts: config.connection.maxReconnectAttempts,
        backoffBaseMs: config.connection.backoffBaseMs,
        backoffMaxMs: config.connection.backoffMaxMs,
        seed: config.feed.seed,
      },
      progress: deps.progress,
      logger: deps.logger,
    });
  }
  let source: BarSource;
  if (replay) {
    const symbol = config.symbol;
    const from = replay.source;
    source = {
      next: (): Bar | null => {
        const bar = from.next();
        // A bar already labelled (the backtest labels the fresh bars of its tables) is not copied.
        return bar && (bar.symbol === symbol ? bar : { ...bar, symbol });
      },
      ...(from.remainingWithin ? { remainingWithin: (max: number) => from.remainingWithin!(max) } : {}),
    };
  } else {
    const market = new SimulatedMarket({
      symbol: config.symbol,
      seed: config.feed.seed,
      start,
      tickSize: instrumentFor(config.symbol).tickSize,
      optionChain: { everyMinutes: CHAIN_EVERY_MINUTES, make: simulatedOptionChainMaker({ seed: config.feed.seed }) },
    });
    source = simulatedMarketBarSource(market, deps.bus);
  }
  return marketDataActor({
    bus: deps.bus,
    source,
    clock: deps.clock,
    barMs,
    maxBars: deps.maxBars,
    flattenLeadBars,
    speed: config.feed.speed,
    progress: deps.progress,
    ...(deps.settle ? { settle: deps.settle } : {}),
  });
}
