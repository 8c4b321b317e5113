/**
 * Live Polygon data over one WebSocket cluster (futures or indices), run by the connection
 * machine (machines/connection.ts) through the connection seam (core/connection.ts): this
 * file performs the machine's side effects and turns Polygon's frames into its events.
 * The machine runs where `connectionHost` puts it (a child of the market-data actor in a
 * session, a root actor of its own for tools: actors/connectionHost.ts). The machine owns every timing decision
 * (phase timeouts, heartbeat, dead peer, reconnect backoff); nothing here retries by itself.
 *
 * Polygon's session, mapped onto the machine's phases:
 *   socket open                         -> TRANSPORT_OPEN  (negotiating: wait for the greeting)
 *   status 'connected'                  -> NEGOTIATED      (loggingOn: send {action:'auth'})
 *   status 'auth_success'               -> LOGON_OK        (connected: subscribe; backfill after a reconnect)
 *   status 'auth_failed'                -> LOGON_FAILED, not retryable (a bad key stays bad)
 *   any frame, any pong to our ping     -> MESSAGE         (the peer is alive)
 *
 * After every reconnect, the minute bars missed while down are fetched over REST and
 * delivered before the live bars that arrived meanwhile (those are held back), and a
 * per-symbol sequencer drops any bar already delivered: no gap, no duplicate.
 *
 * Data staleness is separate from liveness: a quiet but alive socket (pongs only) is
 * fine for the machine but stale for trading. `onStale` fires once `staleAfterMs` of clock
 * time passes without a data message; `onFresh` at the next one.
 */
import type { Clock } from '../../core/clock.ts';
import type { ConnectionEffect, ConnectionEvent, ConnectionHost, ConnectionInput, ConnectionLink } from '../../core/connection.ts';
import type { FailureCode } from '../../core/errors.ts';
import type { Bar, Quote, TradeTick } from '../../core/types.ts';
import { BarSequencer } from './barSequencer.ts';
import { PolygonError } from './polygonError.ts';
import type { PolygonRest, TimeWindow } from './polygonRest.ts';
import { PolygonSocket, type PolygonSocketHandlers } from './polygonSocket.ts';
import { StaleWatch } from './staleWatch.ts';
import { LivenessGate } from '../../core/livenessGate.ts';
import { parseWsFrame, type PolygonWsEvent } from './wsMessages.ts';

/** Fetches the minute bars of `symbol` over [from, to) (REST). */
export type BarBackfill = (symbol: string, window: TimeWindow) => Promise<Bar[]>;

export interface IndexValueTick {
  symbol: string;
  time: number;
  value: number;
}

/** What a stream reports. Every callback is optional; none may throw (errors are caught and reported to onError). */
export interface PolygonStreamListener {
  /** A minute bar, in time order per symbol, each once. */
  onBar?(bar: Bar, origin: 'live' | 'backfill'): void;
  onTrade?(trade: TradeTick): void;
  onQuote?(quote: Quote): void;
  onIndexValue?(value: IndexValueTick): void;
  onConnected?(info: { reconnect: boolean; sessions: number }): void;
  onDisconnected?(reason: string): void;
  /** A gap was filled over REST: `bars` new bars over [from, to). */
  onBackfill?(info: { symbol: string; from: number; to: number; bars: number }): void;
  /** No data for staleAfterMs: tell risk (orchestrator event MD.STALE). */
  onStale?(time: number): void;
  onFresh?(time: number): void;
  /** The machine gave up (attempts exhausted or logon refused); only start() again retries. */
  onFailed?(reason: string, code: FailureCode): void;
  /** Something to log: auth refusal, a malformed frame, a failed backfill. The stream carries on. */
  onError?(error: Error): void;
}

export interface PolygonStreamOptions {
  /** Full socket URL including the cluster path, e.g. `wss://socket.polygon.io/futures`. */
  url: string;
  apiKey: string;
  /** Polygon channels: `AM.ESZ5`, `T.ESZ5`, `Q.ESZ5`, `AM.I:SPX`, `V.I:SPX`. */
  subscriptions: readonly string[];
  /** Connection machine settings (heartbeat, reconnect attempts, backoff, jitter seed). */
  connection: Omit<ConnectionInput, 'name'> & { name?: string };
  /** Where the connection machine runs (actors/connectionHost.ts). */
  connectionHost: ConnectionHost;
  clock: Clock;
  staleAfterMs: number;
  /** How often the stale check runs (ms); 0 = never by itself (tests call checkStale()). */
  staleCheckMs?: number;
  /** Bar length of the AM channel (60,000). */
  barMs?: number;
  /** REST gap filler; without it reconnects leave gaps (reported by no one: pass it). */
  backfill?: BarBackfill;
  listener: PolygonStreamListener;
}

/** A BarBackfill over REST: futures aggregates for contracts, v2 aggregates for `I:` indices. */
export function restBackfill(rest: PolygonRest): BarBackfill {
  return async (symbol, window) => {
    const { items } = symbol.startsWith('I:') ? await rest.indexBars(symbol, window) : await rest.futuresBars(symbol, window);
    return items;
  };
}

export class PolygonStream {
  private link: ConnectionLink | null = null;
  private wasFailed = false;
  private socket: PolygonSocket | null = null;
  private readonly sequencer = new BarSequencer();
  private readonly stale: StaleWatch;
  private readonly barMs: number;
  private readonly barSymbols: readonly string[];
  private readonly wildcardBars: boolean;
  private staleTimer: NodeJS.Timeout | undefined;
  private sessions = 0;
  /** Live bars held back while a backfill runs; the generation tells an outdated backfill to stand down. */
  private held: Bar[] = [];
  private backfillGeneration = 0;
  private backfilling = false;
  private stopped = false;
  /** Frames prove the peer alive: coalesced before they reach the connection machine. */
  private readonly liveness: LivenessGate;

  constructor(private readonly options: PolygonStreamOptions) {
    this.barMs = options.barMs ?? 60_000;
    this.stale = new StaleWatch(options.staleAfterMs, options.clock.now());
    this.liveness = new LivenessGate(options.connection.heartbeatMs);
    const barChannels = options.subscriptions.filter((s) => s.startsWith('AM.')).map((s) => s.slice(3));
    this.wildcardBars = barChannels.includes('*');
    this.barSymbols = barChannels.filter((s) => s !== '*');
  }

  private perform(effect: ConnectionEffect): void {
    switch (effect.type) {
      case 'openTransport':
        return this.open();
      case 'closeTransport':
        return this.closeSocket();
      case 'sendNegotiation':
        return; // Polygon greets first ('connected'); nothing to send.
      case 'sendLogon':
        return void this.socket?.send({ action: 'auth', params: this.options.apiKey });
      case 'sendHeartbeat':
        return this.socket?.ping();
      case 'sendLogoff':
        return; // Polygon has no logoff message; closing is the goodbye.
      case 'onConnected':
        return this.connected();
      case 'onDisconnected':
        return this.safely(() => this.options.listener.onDisconnected?.(effect.reason));
    }
  }

  private bind(): ConnectionLink {
    const { name = 'polygon', ...connection } = this.options.connection;
    const link = this.options.connectionHost(
      {
        perform: (effect) => this.perform(effect),
        settled: (status) => {
          const failed = status.state === 'failed';
          if (failed && !this.wasFailed) this.safely(() => this.options.listener.onFailed?.(status.lastError ?? 'failed', status.lastFailure ?? 'CONNECTION_LOST'));
          this.wasFailed = failed;
        },
      },
      { name, ...connection },
    );
    this.wasFailed = link.status().state === 'failed';
    return link;
  }

  /** Connects (and keeps reconnecting as the machine decides); after onFailed, connects again. */
  start(): void {
    if (this.stopped) return;
    this.link ??= this.bind();
    if (!this.link.active()) return;
    const every = this.options.staleCheckMs ?? Math.min(1_000, this.options.staleAfterMs / 4);
    if (!this.staleTimer && every > 0) {
      this.staleTimer = setInterval(() => this.checkStale(), every);
      this.staleTimer.unref();
    }
    const { state } = this.link.status();
    if (state !== 'disconnected' && state !== 'failed' && this.socket === null) {
      // A machine restored mid-session (after a restart) has no socket behind it.
      this.send({ type: 'DISCONNECT' });
    }
    this.send({ type: 'CONNECT' });
  }

  /** Disconnects for good: no reconnect, timers cleared, socket closed. */
  stop(): void {
    this.stopped = true;
    this.backfillGeneration++;
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.staleTimer = undefined;
    if (this.link) {
      this.send({ type: 'DISCONNECT' });
      this.link.release();
    }
    this.closeSocket();
  }

  /** The machine's state: 'connecting', 'connected', 'reconnecting', 'failed', ... */
  state(): string {
    return this.link?.status().state ?? 'disconnected';
  }

  /** Runs the stale check now (the timer calls it; tests call it after moving a ManualClock). */
  checkStale(): void {
    const now = this.options.clock.now();
    if (this.stale.check(now) === 'stale') this.safely(() => this.options.listener.onStale?.(now));
  }

  /** Open time of the last bar delivered for `symbol`. */
  lastBarTime(symbol: string): number | undefined {
    return this.sequencer.lastTime(symbol);
  }

  private send(event: ConnectionEvent): void {
    this.link?.send(event);
  }

  private open(): void {
    this.closeSocket();
    this.liveness.reset();
    const handlers: PolygonSocketHandlers = {
      onOpen: () => this.send({ type: 'TRANSPORT_OPEN' }),
      onFrame: (text) => this.frame(text),
      onPong: () => this.send({ type: 'MESSAGE' }),
      onClose: (reason) => this.send({ type: 'TRANSPORT_CLOSED', reason }),
      onError: (reason) => this.send({ type: 'TRANSPORT_ERROR', reason }),
    };
    this.socket = new PolygonSocket(this.options.url, handlers);
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  private frame(text: string): void {
    // Told at most once per 1/16 heartbeat: a full machine step on the bar's path otherwise.
    if (this.liveness.due()) this.send({ type: 'MESSAGE' });
    for (const event of parseWsFrame(text)) this.handle(event);
  }

  private handle(event: PolygonWsEvent): void {
    const listener = this.options.listener;
    switch (event.kind) {
      case 'status':
        return this.status(event.status, event.message);
      case 'bar':
        this.touch();
        if (event.timespan !== 'minute') return;
        if (this.backfilling) this.held.push(event.bar);
        else this.deliver(event.bar, 'live');
        return;
      case 'trade':
        this.touch();
        return this.safely(() => listener.onTrade?.(event.trade));
      case 'quote':
        this.touch();
        return this.safely(() => listener.onQuote?.(event.quote));
      case 'indexValue':
        this.touch();
        return this.safely(() => listener.onIndexValue?.({ symbol: event.symbol, time: event.time, value: event.value }));
      case 'invalid':
        return this.safely(() => listener.onError?.(new PolygonError('bad-response', `Polygon stream sent ${event.reason}`)));
      case 'unknown':
        return;
    }
  }

  private status(status: string, message: string): void {
    switch (status) {
      case 'connected':
        return this.send({ type: 'NEGOTIATED' });
      case 'auth_success':
        return this.send({ type: 'LOGON_OK' });
      case 'auth_failed':
        this.safely(() =>
          this.options.listener.onError?.(new PolygonError('auth', `Polygon refused the API key on the stream (check POLYGON_API_KEY): ${message}`)),
        );
        return this.send({ type: 'LOGON_FAILED', retry: false, reason: `auth_failed: ${message}` });
      case 'auth_timeout':
        return this.send({ type: 'LOGON_FAILED', retry: true, reason: `auth_timeout: ${message}` });
      case 'success':
      case 'auth_pending':
        return;
      default:
        // 'error', 'max_connections', ...: Polygon usually closes next; the machine reconnects.
        return this.safely(() => this.options.listener.onError?.(new PolygonError('bad-request', `Polygon stream status ${status}: ${message}`)));
    }
  }

  private connected(): void {
    this.sessions++;
    // The machine listens for signs of life from now on: the next frame is told at once.
    this.liveness.reset();
    const reconnect = this.sessions > 1;
    this.socket?.send({ action: 'subscribe', params: this.options.subscriptions.join(',') });
    this.safely(() => this.options.listener.onConnected?.({ reconnect, sessions: this.sessions }));
    if (reconnect && this.options.backfill) void this.backfillAfterReconnect();
  }

  private touch(): void {
    const now = this.options.clock.now();
    if (this.stale.touch(now) === 'fresh') this.safely(() => this.options.listener.onFresh?.(now));
  }

  private deliver(bar: Bar, origin: 'live' | 'backfill'): void {
    if (this.sequencer.accept(bar)) this.safely(() => this.options.listener.onBar?.(bar, origin));
  }

  /** Fills [last bar + 1, last complete minute) per symbol, then releases the held live bars. */
  private async backfillAfterReconnect(): Promise<void> {
    const generation = ++this.backfillGeneration;
    this.backfilling = true;
    const current = () => generation === this.backfillGeneration && !this.stopped;
    try {
      const symbols = this.wildcardBars ? this.sequencer.symbols() : this.barSymbols;
      const completeUntil = Math.floor(this.options.clock.now() / this.barMs) * this.barMs;
      for (const symbol of symbols) {
        const last = this.sequencer.lastTime(symbol);
        if (last !== undefined) await this.fillGap(symbol, last + this.barMs, completeUntil);
        if (!current()) return;
      }
      // Live bars that arrived meanwhile: a minute REST did not have yet may still sit
      // between the last delivered bar and the first held one; fetch it once more.
      const refilled = new Set<string>();
      while (this.held.length > 0) {
        const held = this.held.sort((a, b) => a.time - b.time);
        this.held = [];
        for (const symbol of new Set(held.map((b) => b.symbol))) {
          const last = this.sequencer.lastTime(symbol);
          const first = held.find((b) => b.symbol === symbol)!.time;
          if (last !== undefined && first > last + this.barMs && !refilled.has(symbol)) {
            refilled.add(symbol);
            await this.fillGap(symbol, last + this.barMs, first);
            if (!current()) return void this.held.unshift(...held);
          }
        }
        for (const bar of held) this.deliver(bar, 'live');
      }
    } catch (err) {
      this.safely(() => this.options.listener.onError?.(err instanceof Error ? err : new Error(String(err))));
    } finally {
      if (current()) {
        this.backfilling = false;
        const held = this.held.sort((a, b) => a.time - b.time);
        this.held = [];
        for (const bar of held) this.deliver(bar, 'live');
      }
    }
  }

  private async fillGap(symbol: string, from: number, to: number): Promise<void> {
    if (from >= to || !this.options.backfill) return;
    const bars = (await this.options.backfill(symbol, { from, to })).filter((b) => b.symbol === symbol && b.time >= from && b.time < to);
    bars.sort((a, b) => a.time - b.time);
    let delivered = 0;
    for (const bar of bars) {
      if (this.sequencer.accept(bar)) {
        delivered++;
        this.safely(() => this.options.listener.onBar?.(bar, 'backfill'));
      }
    }
    if (delivered > 0) this.touch();
    this.safely(() => this.options.listener.onBackfill?.({ symbol, from, to, bars: delivered }));
  }

  /** Listener code must not break the stream (nor leave its socket and timers behind). */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      try {
        this.options.listener.onError?.(err instanceof Error ? err : new Error(String(err)));
      } catch {
        // A listener whose error handler throws has nothing left to tell.
      }
    }
  }
}
