/**
 * MIA's paper-trading DTC server: a real DTC server on 127.0.0.1 speaking binary, JSON
 * and compact JSON, in front of the paper matching engine (SimulatedVenue) fed with
 * MIA's market data. Clients negotiate, log on, heartbeat, ask for accounts, balances,
 * open orders, positions, fills and market data snapshots, and trade: market, limit,
 * stop, stop-limit, OCO, brackets (parent + OCO), cancel, cancel/replace and flatten.
 *
 * The engine outlives the server: `close()` and a new server given the same `venue` is a
 * restart that keeps every order, position and fill; with `stateFile` the engine is also
 * saved to disk after every change and restored at start (survives `kill -9`).
 *
 * The server is a MarketListener: feed it bars, quotes and trades (plain calls, the hot
 * path) and it matches orders and answers market data requests from them.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { Bar, Quote, TradeTick } from '../../core/types.ts';
import type { MarketListener } from '../../core/marketBus.ts';
import { silentLogger } from '../log/silentLogger.ts';
import {
  DEFAULT_ACCOUNT,
  DEFAULT_MARGIN_PER_CONTRACT,
  DEFAULT_STARTING_BALANCE,
  SimulatedVenue,
  type SimulatedVenueParams,
  type VenueEvent,
} from '../simulated/simulatedVenue.ts';
import { PaperFaults } from './paperFaults.ts';
import { PaperMarketData } from './paperMarket.ts';
import { PaperSession } from './paperSession.ts';
import { loadPaperState, savePaperState } from './paperState.ts';

export interface PaperDtcServerOptions {
  /** 0 or absent = an ephemeral port; the host is always 127.0.0.1. */
  port?: number;
  /** Event time for orders, fills and the heartbeats' CurrentDateTime. */
  clock: Clock;
  /** Trade accounts of a new engine. Default ['PAPER1']. */
  accounts?: string[];
  /** Cash of each new account, dollars. Default 50,000. */
  startingBalance?: number;
  /** When set, LOGON_REQUEST must carry exactly these, or the logon is refused. */
  username?: string;
  password?: string;
  /** Market and stop orders fill this many ticks through the quote. Default 1. */
  slippageTicks?: number;
  /** Dollars per contract per side. Default 2.25. */
  commissionPerContract?: number;
  /** Margin held per open contract, dollars. Default 500. */
  marginPerContract?: number;
  /** The server's heartbeat interval when a client asks for none, seconds. Default 10. */
  heartbeatSeconds?: number;
  /** An existing engine, to keep its state across a restart (the engine options above are then unused). */
  venue?: SimulatedVenue;
  /**
   * JSON state file: restored at start when `venue` is not given, and written atomically
   * after every change (before the order updates that report it go out).
   */
  stateFile?: string;
  /** Accept clients that skip the ENCODING_REQUEST and speak JSON from their first byte. */
  detectEncoding?: boolean;
  /** Tick size of the traded instruments (ES, MES and NQ: 0.25). */
  tickSize?: number;
  /** Length of a bar (marks are stamped at bar close). Default one minute. */
  barMs?: number;
  /** Name sent in LOGON_RESPONSE. */
  serverName?: string;
  logger?: Logger;
  /**
   * Called for each message written to a client, except the session messages (HEARTBEAT,
   * ENCODING_RESPONSE, LOGON_RESPONSE, LOGOFF): a max-speed replay counts what its client still has to read.
   */
  onMessageSent?: (type: number) => void;
}

export interface PaperDtcServer extends MarketListener {
  readonly port: number;
  /** The engine: its state survives close(); pass it to a new server to restart. */
  readonly venue: SimulatedVenue;
  readonly faults: PaperFaults;
  /** What the server knows of the market (MARKET_DATA_SNAPSHOT's source). */
  readonly market: PaperMarketData;
  /** Logged-on clients right now. */
  readonly clientCount: number;
  onBar(bar: Bar): void;
  onQuote(quote: Quote): void;
  onTrade(trade: TradeTick): void;
  onEnd(): void;
  /** Closes the listener and every client socket; the engine is left as it is. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** The engine a server builds when it is not given one (restored from `stateFile` if it exists). */
function buildVenue(o: PaperDtcServerOptions): SimulatedVenue {
  const params: SimulatedVenueParams = {
    tickSize: o.tickSize ?? 0.25,
    slippageTicks: o.slippageTicks ?? 1,
    commissionPerContract: o.commissionPerContract ?? 2.25,
    barMs: o.barMs ?? 60_000,
    accounts: o.accounts && o.accounts.length > 0 ? o.accounts : [DEFAULT_ACCOUNT],
    startingBalance: o.startingBalance ?? DEFAULT_STARTING_BALANCE,
    marginPerContract: o.marginPerContract ?? DEFAULT_MARGIN_PER_CONTRACT,
  };
  const saved = o.stateFile !== undefined ? loadPaperState(o.stateFile) : null;
  return saved ? SimulatedVenue.restore(params, saved) : new SimulatedVenue(params);
}

/**
 * Starts the server and resolves once it listens.
 * @throws CorruptStateError when `stateFile` exists but cannot be trusted; the listen error (e.g. EADDRINUSE).
 */
export async function startPaperDtcServer(options: PaperDtcServerOptions): Promise<PaperDtcServer> {
  const logger = options.logger ?? silentLogger();
  const venue = options.venue ?? buildVenue(options);
  const market = new PaperMarketData();
  const sessions = new Set<PaperSession>();
  const sockets = new Set<Socket>();
  const faults = new PaperFaults({
    dropAll: () => {
      for (const s of [...sessions]) s.destroy('fault: connection dropped');
    },
    logoffAll: (doNotReconnect, reason) => {
      for (const s of [...sessions]) s.logoff(doNotReconnect, reason);
    },
  });
  const ctx = {
    venue,
    market,
    faults,
    clock: options.clock,
    logger,
    serverName: options.serverName ?? 'MIA paper DTC server',
    heartbeatSeconds: options.heartbeatSeconds ?? 10,
    detectEncoding: options.detectEncoding ?? false,
    tickSize: options.tickSize ?? 0.25,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.onMessageSent ? { onMessageSent: options.onMessageSent } : {}),
    onClose: (s: PaperSession) => sessions.delete(s),
  };

  let persistFailed = false;
  const persist = () => {
    if (options.stateFile === undefined) return;
    try {
      savePaperState(options.stateFile, venue.exportState());
      persistFailed = false;
    } catch (err) {
      // Keep trading in memory, loudly: the next change retries the write.
      if (!persistFailed) logger.error({ err, file: options.stateFile }, 'paper server state not saved');
      persistFailed = true;
    }
  };
  // Events that change nothing ('account' follows a 'filled' that was already saved).
  const unchanged = new Set<VenueEvent['type']>(['duplicate', 'cancelRejected', 'replaceRejected', 'account']);
  const onVenueEvent = (e: VenueEvent) => {
    if (!unchanged.has(e.type)) persist();
    for (const s of sessions) {
      try {
        s.onVenueEvent(e);
      } catch (err) {
        // One client's trouble must never interrupt the engine mid-fill.
        logger.error({ err, event: e.type }, 'paper server could not report an engine event');
        s.destroy('report failed');
      }
    }
  };

  /** Market data updates to every session; one client's trouble never stops the feed. */
  const stream = (send: (s: PaperSession) => void) => {
    for (const s of [...sessions]) {
      try {
        send(s);
      } catch (err) {
        logger.error({ err }, 'paper server could not stream market data');
        s.destroy('market data failed');
      }
    }
  };

  let nextId = 1;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    try {
      sessions.add(new PaperSession(socket, ctx, nextId++));
    } catch (err) {
      logger.error({ err }, 'paper server could not start a client session');
      socket.destroy();
    }
  });
  server.on('error', (err) => logger.error({ err }, 'paper DTC server error'));

  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    server.once('error', fail);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const unsubscribe = venue.subscribe(onVenueEvent);
  if (options.stateFile !== undefined) persist();
  logger.info({ port, accounts: venue.accounts() }, 'paper DTC server listening');

  let closing: Promise<void> | null = null;
  return {
    port,
    venue,
    faults,
    market,
    get clientCount() {
      return [...sessions].filter((s) => s.loggedOn).length;
    },
    onBar(bar) {
      market.onBar(bar);
      venue.onBar(bar);
      // The bar's close is the last trade subscribers see (stamped at the bar's close).
      stream((s) => s.onMarketTrade(bar.symbol, bar.close, bar.volume, bar.time + (options.barMs ?? 60_000)));
    },
    onQuote(quote) {
      market.onQuote(quote);
      venue.onQuote(quote);
      stream((s) => s.onMarketQuote(quote));
    },
    onTrade(trade) {
      market.onTrade(trade);
      venue.onTrade(trade);
      stream((s) => s.onMarketTrade(trade.symbol, trade.price, trade.size, trade.time));
    },
    onEnd() {
      venue.onEnd();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        server.close(() => resolve());
        for (const s of [...sessions]) s.destroy('server closing');
        for (const socket of sockets) socket.destroy();
        persist();
        logger.info({ port }, 'paper DTC server closed');
      });
      return closing;
    },
  };
}
