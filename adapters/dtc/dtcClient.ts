/**
 * A DTC client over TCP, driven by the connection statechart (machines/connection.ts)
 * through the connection seam (core/connection.ts): the machine owns every timer (phase
 * timeouts, our heartbeats, the dead-peer timeout, reconnect backoff) and names the side
 * effects; this adapter performs them with a socket and the codec, and turns what the
 * socket and the server do into machine events. Where the machine runs is the caller's
 * `connection` host: a child of the execution actor in a session, a root actor of its
 * own for tools and tests (actors/connectionHost.ts).
 *
 * Session: binary ENCODING_REQUEST -> ENCODING_RESPONSE (adopting the server's encoding
 * when it is one we implement) -> LOGON_REQUEST -> LOGON_RESPONSE -> heartbeats both ways.
 * After every logon (first or reconnect) the caller gets `connected` and can fetch trade
 * accounts, balances, open orders, positions and the fills since the last one seen.
 * Orders and requests leave through a pacer.
 *
 * Nothing thrown by the socket, the peer's bytes or a listener escapes the client: socket
 * failures become machine events, bad frames are reported, and user-visible events are
 * emitted once the machine has settled.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../core/clock.ts';
import { escapeControl } from '../../core/escapeControl.ts';
import { rateLimitedReport } from '../../core/rateLimitedReport.ts';
import type { ConnectionEffect, ConnectionEvent, ConnectionHost, ConnectionInput, ConnectionLink, ConnectionStatus } from '../../core/connection.ts';
import { createDtcMessage } from './createMessage.ts';
import { DtcClientError } from './dtcClientError.ts';
import { HandshakeFrameSplitter, logonResultPresent } from './dtcClientHandshake.ts';
import { DtcPacer } from './dtcPacer.ts';
import { DtcRequestTracker, requestKinds, type DtcRequestKind } from './dtcRequests.ts';
import { encodeMessage, SUPPORTED_ENCODINGS } from './encodeMessage.ts';
import { EncodingEnum, LogonStatus, RequestAction } from './enums.ts';
import { DtcFrameDecoder, type DtcFrameResult } from './frameDecoder.ts';
import type { DtcFrameError } from './frameError.ts';
import { MessageType } from './messageType.ts';
import { LivenessGate } from '../../core/livenessGate.ts';
import type {
  AccountBalanceUpdate,
  DtcMessage,
  HistoricalOrderFillResponse,
  LogonResponse,
  MarketDataSnapshot,
  OrderUpdate,
  PositionUpdate,
} from './messages.ts';

export { DtcClientError, type DtcClientErrorCode } from './dtcClientError.ts';

/** Encodings the client can ask for, by their command-line names. */
export type DtcEncodingName = 'binary' | 'json' | 'compact';

export const DTC_ENCODINGS: Readonly<Record<DtcEncodingName, number>> = {
  binary: EncodingEnum.BINARY,
  json: EncodingEnum.JSON,
  compact: EncodingEnum.JSON_COMPACT,
};

/** 'binary', 'json', 'compact', or `encoding <n>` for the others. */
export function encodingName(encoding: number): string {
  const entry = Object.entries(DTC_ENCODINGS).find(([, value]) => value === encoding);
  return entry === undefined ? `encoding ${encoding}` : entry[0];
}

export interface DtcClientOptions {
  host: string;
  port: number;
  /** Encoding asked for; the server may answer with another one (see `encodingAdopted`). */
  encoding: DtcEncodingName;
  username?: string;
  /** Sent in the LOGON_REQUEST only; never logged. */
  password?: string;
  /** LOGON_REQUEST.ClientName (default 'MIA'). */
  clientName?: string;
  /** LOGON_REQUEST.TradeAccount, for servers that want one at logon. */
  tradeAccount?: string;
  /** Heartbeat interval asked of the server and used for ours (integer seconds, 1-3600). */
  heartbeatSeconds: number;
  /** Reconnect attempts per outage before giving up (0 = never reconnect). */
  maxReconnectAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Seed of the backoff jitter (deterministic reconnect delays). Default 1. */
  seed?: number;
  /** Sustained outgoing rate of orders and requests (default 50 per second). */
  maxMessagesPerSecond?: number;
  /** Orders/requests that may leave back to back before the rate applies (default 5). */
  burstMessages?: number;
  /** How long a request waits for its complete answer (default 10 s). */
  requestTimeoutMs?: number;
  /** Time for heartbeats' CurrentDateTime and fill bookkeeping only: timers are the machine's. */
  clock: Clock;
  /** Where the connection machine runs (actors/connectionHost.ts). */
  connection: ConnectionHost;
  logger?: Logger;
}

/** Events of a DtcClient (a typed EventEmitter; the client never emits 'error'). */
export interface DtcClientEvents {
  /** Logged on (after every connect or reconnect): fetch accounts, orders, positions, fills now. */
  connected: [logon: LogonResponse];
  /** A logged-on session ended (stale peer, transport closed, logoff, stop). */
  disconnected: [reason: string];
  /** The client gave up: logon refused for good, unsupported encoding, reconnects exhausted. */
  failed: [error: DtcClientError];
  /** The server logged us off with do-not-reconnect: the client is done. */
  stopped: [reason: string];
  /** Every message from the server except the session ones (heartbeat, encoding, logon, logoff). */
  message: [message: DtcMessage];
  /** The server answered the encoding request with another encoding, which the client adopted. */
  encodingAdopted: [change: { requested: number; negotiated: number }];
  /** A frame the client could not decode; fatal ones also drop the connection. */
  protocolError: [error: DtcFrameError];
}

/** The last fill the client has seen, from order updates or fills history. */
export interface FillMark {
  executionId: string;
  /** Milliseconds since the epoch. */
  time: number;
}

interface Session {
  readonly id: number;
  readonly socket: Socket;
}

type Emission = { [K in keyof DtcClientEvents]: [K, ...DtcClientEvents[K]] }[keyof DtcClientEvents];

const DEFAULT_RATE = 50;
const DEFAULT_BURST = 5;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** How long a closing socket may take to flush our LOGOFF before it is destroyed. */
const CLOSE_GRACE_MS = 1_000;
/** Execution ids remembered to drop fills already seen (a few sessions' worth). */
const SEEN_FILLS_LIMIT = 10_000;

/** The connection machine's settings for a DTC client with these options. */
export function dtcConnectionInput(options: Pick<DtcClientOptions, 'heartbeatSeconds' | 'maxReconnectAttempts' | 'backoffBaseMs' | 'backoffMaxMs' | 'seed'>): ConnectionInput {
  return {
    name: 'dtc',
    heartbeatMs: options.heartbeatSeconds * 1000,
    maxAttempts: options.maxReconnectAttempts,
    backoffBaseMs: options.backoffBaseMs,
    backoffMaxMs: options.backoffMaxMs,
    seed: options.seed ?? 1,
  };
}

function validOptions(options: DtcClientOptions): DtcClientOptions {
  const { host, port, encoding, heartbeatSeconds } = options;
  if (typeof host !== 'string' || host === '') throw new RangeError('host must be a non-empty string');
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) throw new RangeError(`port must be an integer in [1, 65535], got ${port}`);
  if (!Object.hasOwn(DTC_ENCODINGS, encoding)) throw new RangeError(`encoding must be binary, json or compact, got ${String(encoding)}`);
  if (!(Number.isInteger(heartbeatSeconds) && heartbeatSeconds >= 1 && heartbeatSeconds <= 3600)) {
    throw new RangeError(`heartbeatSeconds must be an integer in [1, 3600], got ${heartbeatSeconds}`);
  }
  const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(Number.isFinite(timeout) && timeout > 0)) throw new RangeError(`requestTimeoutMs must be > 0, got ${timeout}`);
  return options;
}

/**
 * DTC client: `start()` connects and keeps the session up (reconnecting with backoff)
 * until `stop()`, a logoff with do-not-reconnect, or giving up.
 */
export class DtcClient extends EventEmitter<DtcClientEvents> {
  readonly #options: DtcClientOptions;
  readonly #log: Logger | undefined;
  readonly #requestedEncoding: number;
  readonly #requestTimeoutMs: number;
  readonly #decoder = new DtcFrameDecoder();
  readonly #splitter = new HandshakeFrameSplitter();
  readonly #requests = new DtcRequestTracker();
  readonly #pacer: DtcPacer<Buffer>;
  #link: ConnectionLink | undefined;
  #state = 'disconnected';
  /** A LOGOFF already written on the current socket (stop() may write its own). */
  #loggedOff = false;
  #sessionSeq = 0;
  #session: Session | undefined;
  /** Sockets closing, each resolved on its 'close' (stop() waits for them). */
  readonly #closing = new Set<Promise<void>>();
  #encoding: number = EncodingEnum.BINARY;
  #handshaking = false;
  /** Raw bytes of the handshake frame being decoded (see dtcClientHandshake.ts). */
  #rawFrame: Buffer | undefined;
  #logon: LogonResponse | undefined;
  #loggedOn = false;
  /** Why the client gave up, when it does so for a reason the machine cannot name. */
  #failure: DtcClientError | undefined;
  /** User-visible events raised inside machine actions, emitted once the machine settles. */
  #outbox: Emission[] = [];
  #lastFill: FillMark | undefined;
  readonly #seenFills = new Set<string>();
  /** The peer's signs of life, coalesced before they reach the connection machine. */
  readonly #liveness: LivenessGate;

  constructor(options: DtcClientOptions) {
    super();
    this.#options = validOptions(options);
    this.#log = options.logger?.child({ component: 'dtc-client' });
    this.#requestedEncoding = DTC_ENCODINGS[options.encoding];
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#liveness = new LivenessGate(options.heartbeatSeconds * 1000);
    this.#pacer = new DtcPacer<Buffer>({
      ratePerSecond: options.maxMessagesPerSecond ?? DEFAULT_RATE,
      burst: options.burstMessages ?? DEFAULT_BURST,
      write: (frame) => this.#writeNow(frame),
    });
  }

  /** The connection machine's state: disconnected, connecting, negotiating, loggingOn, connected, reconnecting, failed or stopped. */
  get state(): string {
    return this.#state;
  }

  /** True while a logged-on session is up (`send` and the requests work). */
  get connected(): boolean {
    return this.#loggedOn;
  }

  /** The encoding asked for. */
  get requestedEncoding(): number {
    return this.#requestedEncoding;
  }

  /** The encoding in use (negotiated; BINARY before the ENCODING_RESPONSE). */
  get encoding(): number {
    return this.#encoding;
  }

  /** The last LOGON_RESPONSE received, successful or not. */
  get logon(): LogonResponse | undefined {
    return this.#logon;
  }

  /** Why the last session or attempt ended, or why the client gave up. */
  get lastError(): string | null {
    return this.#failure?.message ?? this.#link?.status().lastError ?? null;
  }

  /** Reconnect attempts in the current outage and successful logons so far. */
  get stats(): { attempt: number; connectedCount: number; lastBackoffMs: number | null } {
    const status = this.#link?.status();
    return { attempt: status?.attempt ?? 0, connectedCount: status?.connectedCount ?? 0, lastBackoffMs: status?.lastDelayMs ?? null };
  }

  /** The latest fill seen (order updates and fills history), to restore from a journal across restarts. */
  get lastFillSeen(): FillMark | undefined {
    return this.#lastFill;
  }

  set lastFillSeen(mark: FillMark | undefined) {
    this.#lastFill = mark;
    if (mark !== undefined) this.#rememberFill(mark.executionId);
  }

  /** Connects (or reconnects after `failed`, `stop()` or a final logoff). Idempotent while running. */
  start(): void {
    if (this.#link === undefined || !this.#link.active()) {
      this.#failure = undefined;
      this.#link?.release();
      this.#link = this.#bind();
    }
    const state = this.#link.status().state;
    if (state === 'disconnected' || state === 'failed') {
      this.#failure = undefined;
      this.#dispatch({ type: 'CONNECT' });
    } else if (this.#session === undefined && state !== 'stopped') {
      // A machine restored mid-session (after a restart) has no socket behind it: drop
      // what it believes and connect afresh.
      this.#dispatch({ type: 'DISCONNECT' });
      this.#dispatch({ type: 'CONNECT' });
    }
  }

  /**
   * Logs off (when logged on), closes the socket and never reconnects; pending requests and
   * queued messages are rejected with STOPPED. Resolves once the socket is closed and no
   * timer of the client remains.
   */
  async stop(): Promise<void> {
    const stopped = new DtcClientError('STOPPED', 'the DTC client was stopped');
    this.#pacer.dispose(stopped);
    this.#requests.failAll(stopped);
    const link = this.#link;
    // Said goodbye even when the machine cannot (already stopped with its parent actor).
    if (this.#loggedOn) this.#guard('sendLogoff', () => this.#sendLogoff());
    if (link !== undefined && link.active()) this.#dispatch({ type: 'DISCONNECT' });
    const ended = link !== undefined && link.status().state === 'stopped';
    link?.release();
    this.#link = undefined;
    // DISCONNECT from `failed` is not an event of the machine: close whatever is left.
    this.#closeTransport();
    this.#loggedOn = false;
    this.#state = ended ? 'stopped' : 'disconnected';
    await Promise.all([...this.#closing]);
  }

  /**
   * Sends one message through the pacer, in the negotiated encoding.
   * @returns resolves once written to the socket; rejects with DtcClientError NOT_CONNECTED
   *   (no session: nothing written), ENCODE_FAILED (bad member: nothing written),
   *   DISCONNECTED / STOPPED (the session ended while it was queued: nothing written).
   */
  send(message: DtcMessage): Promise<void> {
    if (!this.#loggedOn) {
      return Promise.reject(new DtcClientError('NOT_CONNECTED', `cannot send message type ${message.Type}: not logged on (${this.#state})`));
    }
    let frame: Buffer;
    try {
      frame = encodeMessage(message, this.#encoding);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      return Promise.reject(new DtcClientError('ENCODE_FAILED', `cannot encode message type ${message.Type}: ${text}`, { cause: error }));
    }
    return this.#pacer.enqueue(frame);
  }

  /** TRADE_ACCOUNTS_REQUEST: the accounts this logon may trade. */
  tradeAccounts(): Promise<string[]> {
    return this.#request(requestKinds.tradeAccounts, (RequestID) => createDtcMessage(MessageType.TRADE_ACCOUNTS_REQUEST, { RequestID }));
  }

  /** ACCOUNT_BALANCE_REQUEST for one account; null when the server has no balance for it. */
  accountBalance(account: string): Promise<AccountBalanceUpdate | null> {
    return this.#request(requestKinds.accountBalance, (RequestID) =>
      createDtcMessage(MessageType.ACCOUNT_BALANCE_REQUEST, { RequestID, TradeAccount: account }),
    );
  }

  /** OPEN_ORDERS_REQUEST (all orders) for one account. */
  openOrders(account: string): Promise<OrderUpdate[]> {
    return this.#request(requestKinds.openOrders, (RequestID) =>
      createDtcMessage(MessageType.OPEN_ORDERS_REQUEST, { RequestID, RequestAllOrders: 1, TradeAccount: account }),
    );
  }

  /**
   * OPEN_ORDERS_REQUEST for one order by its ServerOrderID (RequestAllOrders=0): what the
   * venue says of an order that is no longer open (filled, cancelled, rejected).
   */
  orderById(account: string, serverOrderId: string): Promise<OrderUpdate[]> {
    return this.#request(requestKinds.openOrders, (RequestID) =>
      createDtcMessage(MessageType.OPEN_ORDERS_REQUEST, { RequestID, RequestAllOrders: 0, ServerOrderID: serverOrderId, TradeAccount: account }),
    );
  }

  /** CURRENT_POSITIONS_REQUEST for one account. */
  positions(account: string): Promise<PositionUpdate[]> {
    return this.#request(requestKinds.positions, (RequestID) =>
      createDtcMessage(MessageType.CURRENT_POSITIONS_REQUEST, { RequestID, TradeAccount: account }),
    );
  }

  /**
   * HISTORICAL_ORDER_FILLS_REQUEST for the last `numberOfDays` days (and from
   * `startDateTime`, seconds since the epoch, when given).
   */
  fills(account: string, numberOfDays: number, startDateTime = 0): Promise<HistoricalOrderFillResponse[]> {
    return this.#request(requestKinds.fills, (RequestID) =>
      createDtcMessage(MessageType.HISTORICAL_ORDER_FILLS_REQUEST, {
        RequestID,
        TradeAccount: account,
        NumberOfDays: numberOfDays,
        StartDateTime: startDateTime,
      }),
    );
  }

  /**
   * The fills not seen yet: asks from the last fill seen (or `fallbackDays` back when none
   * was) and drops every execution id already seen, so a reconnect replays nothing twice.
   */
  async fillsSinceLastSeen(account: string, fallbackDays = 1): Promise<HistoricalOrderFillResponse[]> {
    const since = this.#lastFill === undefined ? 0 : Math.floor(this.#lastFill.time / 1000);
    const seen = new Set(this.#seenFills);
    const answers = await this.fills(account, fallbackDays, since);
    return answers.filter((fill) => fill.UniqueExecutionID === '' || !seen.has(fill.UniqueExecutionID));
  }

  /** What to reconcile after a logon: open orders, positions and new fills of one account. */
  async accountState(
    account: string,
    fallbackDays = 1,
  ): Promise<{ openOrders: OrderUpdate[]; positions: PositionUpdate[]; fills: HistoricalOrderFillResponse[] }> {
    const [openOrders, positions, fills] = await Promise.all([
      this.openOrders(account),
      this.positions(account),
      this.fillsSinceLastSeen(account, fallbackDays),
    ]);
    return { openOrders, positions, fills };
  }

  /**
   * MARKET_DATA_REQUEST (subscribe) answered by its MARKET_DATA_SNAPSHOT; unsubscribes
   * once the snapshot is in, since only the snapshot is wanted.
   */
  async marketDataSnapshot(symbol: string, exchange = ''): Promise<MarketDataSnapshot> {
    let symbolId = 0;
    const snapshot = await this.#request(requestKinds.marketDataSnapshot, (SymbolID) => {
      symbolId = SymbolID;
      return createDtcMessage(MessageType.MARKET_DATA_REQUEST, {
        RequestAction: RequestAction.SUBSCRIBE,
        SymbolID,
        Symbol: symbol,
        Exchange: exchange,
      });
    });
    const unsubscribe = createDtcMessage(MessageType.MARKET_DATA_REQUEST, {
      RequestAction: RequestAction.UNSUBSCRIBE,
      SymbolID: symbolId,
      Symbol: symbol,
      Exchange: exchange,
    });
    this.send(unsubscribe).catch(() => {}); // best effort: the session may be gone already
    return snapshot;
  }

  // ---- requests ----

  #request<R extends DtcMessage, T>(kind: DtcRequestKind<R, T>, build: (id: number) => DtcMessage): Promise<T> {
    if (!this.#loggedOn) {
      return Promise.reject(new DtcClientError('NOT_CONNECTED', `cannot request ${kind.name}: not logged on (${this.#state})`));
    }
    const id = this.#requests.nextId();
    const answer = this.#requests.track(id, kind, this.#requestTimeoutMs);
    this.send(build(id)).catch((error: unknown) => {
      this.#requests.fail(id, error instanceof DtcClientError ? error : new DtcClientError('DISCONNECTED', String(error)));
    });
    return answer;
  }

  // ---- the machine ----

  /** This client's connection settings, as the machine takes them. */
  get connectionInput(): ConnectionInput {
    return dtcConnectionInput(this.#options);
  }

  #bind(): ConnectionLink {
    const link = this.#options.connection(
      {
        perform: (effect) => this.#perform(effect),
        settled: (status) => this.#settled(status),
      },
      this.connectionInput,
    );
    this.#state = link.status().state;
    return link;
  }

  #perform(effect: ConnectionEffect): void {
    switch (effect.type) {
      case 'openTransport':
        return this.#guard(effect.type, () => this.#openTransport());
      case 'closeTransport':
        return this.#guard(effect.type, () => this.#closeTransport());
      case 'sendNegotiation':
        return this.#guard(effect.type, () => this.#sendNegotiation());
      case 'sendLogon':
        return this.#guard(effect.type, () => this.#sendLogon());
      case 'sendHeartbeat':
        return this.#guard(effect.type, () => this.#sendHeartbeat());
      case 'sendLogoff':
        return this.#guard(effect.type, () => this.#sendLogoff());
      case 'onConnected':
        return this.#guard(effect.type, () => this.#onConnected());
      case 'onDisconnected':
        return this.#guard(effect.type, () => this.#onDisconnected(effect.reason));
    }
  }

  /** Runs a side effect; an action that threw would put the machine in error. */
  #guard(action: string, effect: () => void): void {
    try {
      effect();
    } catch (error) {
      this.#log?.error({ err: error, action }, 'DTC client action failed');
    }
  }

  #dispatch(event: ConnectionEvent): void {
    this.#link?.send(event);
  }

  /** Called after every machine step: publishes the state and the events its actions raised. */
  #settled(status: ConnectionStatus): void {
    const { state } = status;
    const previous = this.#state;
    this.#state = state;
    if (state !== previous) {
      this.#log?.debug({ from: previous, to: state }, 'DTC connection state');
      if (state === 'failed') this.#outbox.push(['failed', this.#failure ?? this.#gaveUp()]);
      if (state === 'stopped') this.#outbox.push(['stopped', this.lastError ?? 'logoff']);
    }
    const outbox = this.#outbox;
    this.#outbox = [];
    for (const emission of outbox) this.#emitSafely(emission);
  }

  #gaveUp(): DtcClientError {
    const status = this.#link?.status();
    const reason = status?.lastError ?? 'unknown';
    if (status?.lastFailure === 'LOGON_REFUSED') return new DtcClientError('LOGON_REFUSED', reason);
    // What exhausted the attempts tells the supervisor why: timeouts, or a link that kept dropping.
    return new DtcClientError('RECONNECT_EXHAUSTED', `gave up reconnecting: ${reason}`, {
      failure: status?.lastFailure === 'TIMEOUT' ? 'TIMEOUT' : 'CONNECTION_LOST',
    });
  }

  /** Calls every listener of the event; one that throws is logged and does not stop the others. */
  #emitSafely(emission: Emission): void {
    const [event, ...args] = emission;
    // rawListeners: `once` wrappers remove themselves when called.
    for (const listener of this.rawListeners(event) as Array<(...a: unknown[]) => void>) {
      try {
        listener.apply(this, args);
      } catch (error) {
        this.#log?.error({ err: error, event }, 'a DTC client listener threw');
      }
    }
  }

  // ---- side effects named by the machine ----

  #openTransport(): void {
    this.#closeTransport();
    const id = ++this.#sessionSeq;
    this.#decoder.reset(EncodingEnum.BINARY);
    this.#splitter.reset();
    this.#handshaking = true;
    this.#loggedOff = false;
    this.#encoding = EncodingEnum.BINARY;
    const socket = connect({ host: this.#options.host, port: this.#options.port });
    socket.setNoDelay(true);
    const session: Session = { id, socket };
    this.#session = session;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.#closing.add(closed);
    void closed.then(() => this.#closing.delete(closed));
    const current = () => this.#session?.id === id;
    socket.on('connect', () => {
      if (current()) this.#dispatch({ type: 'TRANSPORT_OPEN' });
    });
    socket.on('data', (chunk: Buffer) => {
      if (current()) this.#onData(session, chunk);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!current()) return;
      this.#log?.warn({ code: error.code, message: error.message }, 'DTC socket error');
      this.#dispatch({ type: 'TRANSPORT_ERROR', reason: error.code ?? error.message });
    });
    socket.on('close', () => {
      if (!current()) return;
      const truncated = this.#decoder.end();
      this.#dispatch({ type: 'TRANSPORT_CLOSED', reason: truncated === undefined ? 'closed by peer' : `closed by peer (${truncated.code})` });
    });
    this.#log?.info({ host: this.#options.host, port: this.#options.port }, 'DTC connecting');
  }

  /** Closes the current socket, if any: flushes what was written (our LOGOFF), then destroys it. */
  #closeTransport(): void {
    const session = this.#session;
    if (session === undefined) return;
    this.#session = undefined;
    this.#handshaking = false;
    const { socket } = session;
    if (socket.destroyed) return;
    if (socket.connecting || !socket.writable) {
      socket.destroy();
      return;
    }
    const grace = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    socket.once('close', () => clearTimeout(grace));
    socket.end(() => socket.destroy());
  }

  #sendNegotiation(): void {
    // Always binary, whatever we ask for: the switch happens after the response.
    const request = createDtcMessage(MessageType.ENCODING_REQUEST, { Encoding: this.#requestedEncoding });
    this.#writeNow(encodeMessage(request, EncodingEnum.BINARY));
  }

  #sendLogon(): void {
    const o = this.#options;
    const logon = createDtcMessage(MessageType.LOGON_REQUEST, {
      Username: o.username ?? '',
      Password: o.password ?? '',
      HeartbeatIntervalInSeconds: o.heartbeatSeconds,
      ClientName: o.clientName ?? 'MIA',
      TradeAccount: o.tradeAccount ?? '',
      Integer_1: 0,
    });
    this.#writeNow(encodeMessage(logon, this.#encoding));
    this.#log?.info({ username: o.username ?? '', encoding: encodingName(this.#encoding) }, 'DTC logon sent');
  }

  #sendHeartbeat(): void {
    const heartbeat = createDtcMessage(MessageType.HEARTBEAT, { CurrentDateTime: Math.floor(this.#options.clock.now() / 1000) });
    this.#writeNow(encodeMessage(heartbeat, this.#encoding));
  }

  #sendLogoff(): void {
    if (this.#loggedOff) return;
    this.#loggedOff = true;
    const logoff = createDtcMessage(MessageType.LOGOFF, { Reason: 'client logoff', DoNotReconnect: 0 });
    this.#writeNow(encodeMessage(logoff, this.#encoding));
  }

  #onConnected(): void {
    this.#loggedOn = true;
    this.#liveness.reset();
    this.#log?.info({ server: this.#logon?.ServerName, encoding: encodingName(this.#encoding) }, 'DTC logged on');
    if (this.#logon !== undefined) this.#outbox.push(['connected', this.#logon]);
  }

  #onDisconnected(reason: string): void {
    this.#loggedOn = false;
    const lost = new DtcClientError('DISCONNECTED', `DTC session ended: ${reason}`);
    this.#pacer.clear(lost);
    this.#requests.failAll(lost);
    this.#log?.warn({ reason }, 'DTC session ended');
    this.#outbox.push(['disconnected', reason]);
  }

  /** Writes a frame on the current socket; quietly drops it when there is none. */
  #writeNow(frame: Buffer): void {
    const socket = this.#session?.socket;
    if (socket === undefined || socket.destroyed || !socket.writable) {
      throw new DtcClientError('DISCONNECTED', 'no open DTC socket');
    }
    socket.write(frame);
  }

  // ---- incoming bytes ----

  #onData(session: Session, chunk: Buffer): void {
    try {
      if (this.#handshaking) {
        this.#splitter.push(chunk);
        let frame: Buffer | undefined;
        while (this.#handshaking && this.#session === session && (frame = this.#splitter.next(this.#decoder.encoding)) !== undefined) {
          this.#rawFrame = frame;
          this.#decoder.push(frame, this.#onFrame);
          this.#rawFrame = undefined;
        }
        // Logged on within this chunk: the rest goes to the decoder as a stream again.
        if (!this.#handshaking && this.#session === session) {
          const rest = this.#splitter.takeRest();
          if (rest.length > 0) this.#decoder.push(rest, this.#onFrame);
        }
      } else {
        this.#decoder.push(chunk, this.#onFrame);
      }
    } catch (error) {
      // The decoder already reported its fatal error (and the transport is closing).
      this.#rawFrame = undefined;
      if (this.#decoder.failure === undefined) this.#log?.error({ err: error }, 'DTC client failed on incoming data');
    }
    // Any bytes prove the peer alive: told to the machine once per chunk at most, coalesced (core/livenessGate.ts).
    if (this.#session === session && this.#state === 'connected' && this.#liveness.due()) this.#dispatch({ type: 'MESSAGE' });
  }

  readonly #onFrame = (result: DtcFrameResult): void => {
    if (!result.ok) {
      this.#onFrameError(result.error);
      return;
    }
    const message = result.message;
    switch (message.Type) {
      case MessageType.HEARTBEAT:
        return;
      case MessageType.ENCODING_RESPONSE:
        this.#onEncodingResponse(message.Encoding);
        return;
      case MessageType.LOGON_RESPONSE:
        this.#onLogonResponse(message);
        return;
      case MessageType.LOGOFF:
        this.#log?.warn({ reason: escapeControl(message.Reason), doNotReconnect: message.DoNotReconnect }, 'DTC logoff from server');
        this.#dispatch({ type: 'LOGOFF', doNotReconnect: message.DoNotReconnect !== 0, reason: escapeControl(message.Reason) || 'server logoff' });
        return;
      default:
        this.#noteFill(message);
        this.#requests.handle(message);
        this.#emitSafely(['message', message]);
    }
  };

  /** A server can send junk at will: its warnings are rate-limited (see core/rateLimitedReport). */
  readonly #warnPeer = rateLimitedReport<[object, string]>(
    ([obj, msg], suppressedBefore) => this.#log?.warn(suppressedBefore > 0 ? { ...obj, suppressedBefore } : obj, msg),
    { clock: systemClock, burst: 20, windowMs: 10_000 },
  );

  #onFrameError(error: DtcFrameError): void {
    this.#warnPeer([{ code: error.code, message: escapeControl(error.message), fatal: error.fatal }, 'bad DTC frame']);
    this.#emitSafely(['protocolError', error]);
    if (error.fatal) this.#dispatch({ type: 'TRANSPORT_ERROR', reason: `protocol error ${error.code}: ${error.message}` });
  }

  #onEncodingResponse(encoding: number): void {
    if (this.#state !== 'negotiating') {
      this.#warnPeer([{ encoding }, 'ENCODING_RESPONSE outside negotiation ignored']);
      return;
    }
    if (!SUPPORTED_ENCODINGS.has(encoding)) {
      // Retrying would get the same answer: give up and say why.
      this.#failure = new DtcClientError(
        'UNSUPPORTED_ENCODING',
        `the server answered the ${encodingName(this.#requestedEncoding)} encoding request with ${encodingName(encoding)}, which this client does not implement`,
      );
      this.#log?.error({ requested: this.#requestedEncoding, announced: encoding }, 'unsupported DTC encoding announced');
      this.#handshaking = false;
      this.#dispatch({ type: 'DISCONNECT' });
      this.#emitSafely(['failed', this.#failure]);
      return;
    }
    // From the very next byte on, both ways.
    this.#decoder.setEncoding(encoding);
    this.#encoding = encoding;
    if (encoding !== this.#requestedEncoding) {
      this.#log?.warn({ requested: encodingName(this.#requestedEncoding), negotiated: encodingName(encoding) }, 'DTC server chose another encoding; adopted');
      this.#outbox.push(['encodingAdopted', { requested: this.#requestedEncoding, negotiated: encoding }]);
    }
    this.#dispatch({ type: 'NEGOTIATED' });
  }

  #onLogonResponse(message: LogonResponse): void {
    if (this.#state !== 'loggingOn') {
      this.#warnPeer([{ result: message.Result }, 'LOGON_RESPONSE outside logon ignored']);
      return;
    }
    this.#handshaking = false;
    const raw = this.#rawFrame;
    const hasResult = raw === undefined || logonResultPresent(raw, this.#encoding);
    this.#logon = message;
    if (hasResult && message.Result === LogonStatus.SUCCESS) {
      this.#dispatch({ type: 'LOGON_OK' });
      return;
    }
    // Server text reaches logs and the operator's terminal: control characters escaped.
    const text = message.ResultText === '' ? '' : `: ${escapeControl(message.ResultText)}`;
    let reason: string;
    let retry = false;
    if (!hasResult) reason = 'LOGON_RESPONSE without a Result (truncated)';
    else if (message.Result === LogonStatus.ERROR) {
      reason = `refused (ERROR)${text}`;
      retry = true;
    } else if (message.Result === LogonStatus.ERROR_NO_RECONNECT) reason = `refused (ERROR_NO_RECONNECT)${text}`;
    else if (message.Result === LogonStatus.RECONNECT_NEW_ADDRESS) reason = `redirected to ${message.ReconnectAddress || '(no address)'}${text}`;
    else reason = `unknown Result ${message.Result}${text}`;
    this.#log?.error({ reason, retry }, 'DTC logon refused');
    // A retryable refusal goes on reconnecting: only a final one is the client's failure.
    if (!retry) this.#failure = new DtcClientError('LOGON_REFUSED', `logon failed: ${reason}`);
    this.#dispatch({ type: 'LOGON_FAILED', retry, reason });
  }

  /** Remembers the latest fill seen, so a reconnect asks only for newer ones. */
  #noteFill(message: DtcMessage): void {
    let mark: FillMark | undefined;
    if (message.Type === MessageType.ORDER_UPDATE && message.LastFillExecutionID !== '') {
      mark = { executionId: message.LastFillExecutionID, time: message.LastFillDateTime };
    } else if (message.Type === MessageType.HISTORICAL_ORDER_FILL_RESPONSE && message.UniqueExecutionID !== '' && message.NoOrderFills === 0) {
      mark = { executionId: message.UniqueExecutionID, time: message.DateTime * 1000 };
    }
    if (mark === undefined) return;
    this.#rememberFill(mark.executionId);
    if (this.#lastFill === undefined || mark.time >= this.#lastFill.time) this.#lastFill = mark;
  }

  #rememberFill(executionId: string): void {
    this.#seenFills.add(executionId);
    if (this.#seenFills.size > SEEN_FILLS_LIMIT) {
      const oldest = this.#seenFills.values().next().value;
      if (oldest !== undefined) this.#seenFills.delete(oldest);
    }
  }
}
