/**
 * Live market data from Polygon: the stream's bars, trades and quotes go onto the
 * MarketBus as plain calls (the session clock follows each bar's close), and the
 * orchestrator hears only what changes state: data stale or fresh again (risk goes
 * limited on stale data), the session's bar budget reached, the feed given up.
 *
 * In the actor tree this is `marketData` with two children (actors/connectionHost.ts):
 * `connection`, the statechart the Polygon stream is driven by, and `io`, the callback
 * below that owns the stream.
 */
import { fromCallback } from 'xstate';
import type { FailureCode } from '../core/errors.ts';
import type { Logger } from 'pino';
import type { ManualClock } from '../core/clock.ts';
import type { MarketBus } from '../core/marketBus.ts';
import { PolygonRest } from '../adapters/polygon/polygonRest.ts';
import { PolygonStream, restBackfill } from '../adapters/polygon/polygonStream.ts';
import type { PolygonSettings } from '../adapters/polygon/polygonSettings.ts';
import { childFailed, type ChildEvent, type MarketDataCommand } from '../machines/orchestratorEvents.ts';
import { treeConnection, withConnection, type ConnectionEffectEvent } from './connectionHost.ts';
import type { ChildInput } from '../machines/orchestrator.ts';

export interface PolygonMarketDataDeps {
  settings: PolygonSettings;
  bus: MarketBus;
  clock: ManualClock;
  /** MIA's symbol for the futures contract's bars. */
  symbol: string;
  barMs: number;
  maxBars: number;
  flattenLeadBars: number;
  connection: { heartbeatMs: number; maxAttempts: number; backoffBaseMs: number; backoffMaxMs: number; seed: number };
  progress: { bars: number; done: boolean };
  logger?: Logger;
}

const REPORTS = ['MD.ENDING', 'MD.DONE', 'MD.STALE', 'MD.OK', 'CHILD.FAILED'] as const satisfies readonly ChildEvent['type'][];

export function polygonMarketDataActor(deps: PolygonMarketDataDeps) {
  return withConnection({
    id: 'marketData',
    connection: { name: 'polygon', ...deps.connection },
    io: polygonIo(deps),
    commands: ['MD.STOP'] satisfies MarketDataCommand['type'][],
    reports: REPORTS,
  });
}

/** The I/O child: the Polygon stream, its bars onto the bus. */
function polygonIo(deps: PolygonMarketDataDeps) {
  return fromCallback<MarketDataCommand | ConnectionEffectEvent, ChildInput>(({ sendBack, receive, system }) => {
    const connection = treeConnection(system, 'marketData');
    const { settings, bus, clock, progress } = deps;
    const log = deps.logger?.child({ component: 'polygon-feed' });
    const ticker = settings.futuresTicker;
    const endingAt = Math.max(0, deps.maxBars - deps.flattenLeadBars);
    const report = (e: ChildEvent) => sendBack(e);
    const rest = PolygonRest.fromSettings(settings);
    const stream = new PolygonStream({
      url: `${settings.wsUrl}/futures`,
      apiKey: settings.apiKey,
      subscriptions: [`AM.${ticker}`, `T.${ticker}`, `Q.${ticker}`],
      connection: { name: 'polygon', ...deps.connection },
      connectionHost: connection.host,
      clock,
      staleAfterMs: settings.staleAfterMs,
      barMs: deps.barMs,
      backfill: restBackfill(rest),
      listener: {
        onBar(bar) {
          if (progress.done) return;
          const mine = { ...bar, symbol: deps.symbol };
          clock.set(Math.max(clock.now(), bar.time + deps.barMs));
          bus.publishBar(mine);
          progress.bars++;
          if (progress.bars === endingAt) report({ type: 'MD.ENDING', time: clock.now() });
          if (progress.bars >= deps.maxBars) {
            progress.done = true;
            bus.publishEnd();
            report({ type: 'MD.DONE', bars: progress.bars, time: clock.now() });
          }
        },
        onTrade: (trade) => bus.publishTrade({ ...trade, symbol: deps.symbol }),
        onQuote: (quote) => bus.publishQuote({ ...quote, symbol: deps.symbol }),
        onStale: (time) => report({ type: 'MD.STALE', time }),
        onFresh: (time) => report({ type: 'MD.OK', time }),
        onBackfill: (info) => log?.info(info, 'gap filled over REST'),
        onDisconnected: (reason) => log?.warn({ reason }, 'polygon stream down'),
        onFailed: (reason: string, code: FailureCode) => report(childFailed('marketData', `polygon stream gave up: ${reason}`, clock.now(), code)),
        onError: (error) => log?.warn({ err: error.message }, 'polygon stream'),
      },
    });
    receive((event) => {
      if (connection.deliver(event)) return;
      if (event.type === 'MD.STOP') stream.stop();
    });
    try {
      stream.start();
    } catch (error) {
      // Report, never throw: a throwing callback actor would leak the stream's timers.
      report(childFailed('marketData', error, clock.now()));
    }
    return () => stream.stop();
  });
}
