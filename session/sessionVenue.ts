/**
 * The venue a session trades with, from `config.venue`:
 * - `dtc` with a host: any DTC server (Sierra Chart, a prop-firm gateway, a remote paper server);
 * - `dtc` without a host (the default): MIA's paper DTC server, started on 127.0.0.1 on a
 *   free port and fed by the session's own market data, so orders really cross the DTC
 *   protocol over a socket and fill on the bars the strategy saw;
 * - `simulated`: the same paper matching engine in process, no socket.
 */
import type { Logger } from 'pino';
import type { AnyActorLogic } from 'xstate';
import type { MiaConfig } from '../config/schema.ts';
import { commissionPerContract, instrumentFor } from '../config/instruments.ts';
import type { ManualClock } from '../core/clock.ts';
import type { MarketBus } from '../core/marketBus.ts';
import { ConfigError } from '../config/load.ts';
import type { ConnectionHost } from '../core/connection.ts';
import { DtcClient, dtcConnectionInput } from '../adapters/dtc/dtcClient.ts';
import type { PaperDtcServer } from '../adapters/dtc/paperServer.ts';
import { SimulatedVenue } from '../adapters/simulated/simulatedVenue.ts';
import type { VenueJournal } from './ledgerTail.ts';
import { dtcExecutionActor } from '../actors/dtcExecutionActor.ts';
import { simulatedExecutionActor } from '../actors/simulatedExecutionActor.ts';
import { VenueSettle } from '../core/venueSettle.ts';
import type { ReconcileHint } from '../core/venue.ts';
import type { OrderRequest } from '../core/types.ts';

export interface SessionVenue {
  /** The execution actor's logic, provided to the orchestrator as `execution`. */
  execution: AnyActorLogic;
  /** How the summary names the venue. */
  label: string;
  /** For market data at max speed: see VenueSettle. */
  settle?: () => Promise<void> | null;
  /** The embedded paper server's port, once it listens. */
  port(): number | null;
  /** The venue link's last error (refused, timed out, logon refused...), null when none. */
  problem(): string | null;
  /** Stops what the venue started (the embedded server). */
  close(): Promise<void>;
}

export interface SessionVenueDeps {
  bus: MarketBus;
  clock: ManualClock;
  /** What the execution actor asks the journal: which fills are counted, and since when. */
  journal: VenueJournal;
  logger: Logger;
  barMs: number;
  /** The environment, read once by session/fromConfig.ts. */
  env: NodeJS.ProcessEnv;
}

const PAPER_ACCOUNT = 'PAPER1';

/** The trade account orders go to, when the configuration says (null: the server's first). */
export function venueAccount(config: MiaConfig): string | null {
  if (config.venue.kind === 'simulated') return 'simulated';
  return config.venue.dtc.account ?? (config.venue.dtc.host === null ? PAPER_ACCOUNT : null);
}

export function sessionVenue(config: MiaConfig, deps: SessionVenueDeps): SessionVenue {
  const instrument = instrumentFor(config.symbol);
  const engine = () =>
    new SimulatedVenue({
      tickSize: instrument.tickSize,
      slippageTicks: config.venue.slippageTicks,
      commissionPerContract: commissionPerContract(config),
      barMs: deps.barMs,
    });

  if (config.venue.kind === 'simulated') {
    const venue = engine();
    deps.bus.subscribe('venue', venue);
    return {
      execution: simulatedExecutionActor({ venue, clock: deps.clock }),
      label: 'simulated (in-process paper venue)',
      port: () => null,
      problem: () => null,
      close: async () => {},
    };
  }

  const dtc = config.venue.dtc;
  const env = deps.env;
  let password: string | undefined;
  if (dtc.passwordEnv !== null) {
    password = env[dtc.passwordEnv];
    if (password === undefined) throw new ConfigError('venue.dtc.passwordEnv', `environment variable ${dtc.passwordEnv} is not set`);
  }
  const settle = new VenueSettle();
  let server: PaperDtcServer | null = null;
  let serverStart: Promise<PaperDtcServer> | null = null;

  if (dtc.host === null) {
    const venue = engine();
    // Until the server listens, bars still reach its engine (no order can be working yet).
    deps.bus.subscribe('venue', {
      onBar: (bar) => (server ? server.onBar(bar) : venue.onBar(bar)),
      onQuote: (quote) => server?.onQuote(quote),
      onEnd: () => (server ? server.onEnd() : venue.onEnd()),
    });
    // Loaded only here: the paper server brings its logger (pino) and ~25 DTC modules, which
    // a backtest or an in-process session would otherwise load before its first bar.
    serverStart = import('../adapters/dtc/paperServer.ts').then(({ startPaperDtcServer }) => startPaperDtcServer({
      port: 0,
      clock: deps.clock,
      venue,
      accounts: [PAPER_ACCOUNT],
      startingBalance: config.startingEquity,
      slippageTicks: config.venue.slippageTicks,
      commissionPerContract: commissionPerContract(config),
      marginPerContract: config.venue.marginPerContract,
      logger: deps.logger,
      onMessageSent: () => settle.sentByServer(),
    })).then((s) => (server = s));
  }

  const host = dtc.host ?? '127.0.0.1';
  let latest: DtcClient | null = null;
  const reconnect = {
    heartbeatSeconds: config.connection.heartbeatSeconds,
    maxReconnectAttempts: config.connection.maxReconnectAttempts,
    backoffBaseMs: config.connection.backoffBaseMs,
    backoffMaxMs: config.connection.backoffMaxMs,
    seed: config.feed.seed,
  };
  const createClient = async (connection: ConnectionHost) => {
    const port = serverStart ? (await serverStart).port : dtc.port;
    return (latest = new DtcClient({
      host,
      port,
      encoding: dtc.encoding,
      ...(dtc.username ? { username: dtc.username } : {}),
      ...(password !== undefined ? { password } : {}),
      clientName: 'MIA',
      ...reconnect,
      connection,
      // Pacing protects an external server (Sierra Chart refuses bursts); MIA's own embedded
      // paper server takes any rate, and pacing it only delays the session's start and its replay.
      maxMessagesPerSecond: serverStart ? Math.max(dtc.maxMessagesPerSecond, 10_000) : dtc.maxMessagesPerSecond,
      burstMessages: serverStart ? Math.max(dtc.burstMessages, 1_000) : dtc.burstMessages,
      requestTimeoutMs: dtc.requestTimeoutSeconds * 1000,
      clock: deps.clock,
      logger: deps.logger,
    }));
  };

  return {
    execution: dtcExecutionActor({
      createClient,
      connection: dtcConnectionInput(reconnect),
      clock: deps.clock,
      miaSymbol: config.symbol,
      route: { account: venueAccount(config), symbol: dtc.symbol ?? config.symbol, exchange: dtc.exchange },
      commissionPerContract: commissionPerContract(config),
      knownExecution: (fill) => deps.journal.hasFill(fill),
      lastFillTime: () => deps.journal.lastFillTime(),
      knownOrder: (id) => deps.journal.order(id) !== undefined,
      ledgerOrders: () => inFlightOrders(deps.journal),
      ledgerClientIdOf: (serverOrderId) => deps.journal.orders().find((o) => o.serverOrderId === serverOrderId)?.request.clientOrderId,
      maxFillHistoryDays: dtc.fillHistoryDays,
      bus: deps.bus,
      barMs: deps.barMs,
      settle,
      logger: deps.logger,
    }),
    label: dtc.host === null ? `dtc ${dtc.encoding} -> embedded paper server (127.0.0.1)` : `dtc ${dtc.encoding} -> ${host}:${dtc.port}`,
    settle: () => settle.wait(),
    port: () => server?.port ?? null,
    problem: () => latest?.lastError ?? null,
    close: async () => {
      const s = server ?? (serverStart ? await serverStart.catch(() => null) : null);
      await s?.close();
    },
  };
}

/** The journal's statuses of an order that has not finished (the venue may still act on it). */
const IN_FLIGHT = new Set(['created', 'sent', 'pendingOpen', 'pendingChild', 'open', 'pendingCancelReplace', 'pendingCancel', 'partiallyFilled']);

/** Orders the ledger holds in flight, as reconciliation hints. */
export function inFlightOrders(journal: Pick<VenueJournal, 'orders'>): ReconcileHint[] {
  return journal
    .orders()
    .filter((o) => IN_FLIGHT.has(o.status))
    .map((o) => ({ request: o.request as OrderRequest, filledQty: o.filledQty, ...(o.serverOrderId ? { serverOrderId: o.serverOrderId } : {}) }));
}
