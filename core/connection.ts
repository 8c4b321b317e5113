/**
 * The connection seam: how an I/O adapter (the DTC client, the Polygon stream) and the
 * connection statechart (machines/connection.ts) talk, without the adapter importing a
 * statechart. The machine owns every decision and timer and names side effects
 * (`ConnectionEffect`); the adapter performs them on its socket and reports what the
 * socket and the peer do as `ConnectionEvent`s.
 *
 * Where the machine runs is the caller's choice (a `ConnectionHost`): as a child of the
 * execution or market-data actor inside the session's actor tree (inspected, supervised,
 * persisted), or as a root actor of its own for tools and tests outside a session.
 */
import type { FailureCode } from './errors.ts';

/** Static settings of one connection actor. */
export interface ConnectionInput {
  /** Who this connection is for (logs, supervisor): 'dtc', 'polygon', ... */
  name: string;
  /** Heartbeat interval; phase timeouts and the dead-peer timeout are 2x this. */
  heartbeatMs: number;
  /** Reconnect attempts per outage before giving up (failed). 0 = never reconnect. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Seed of the jitter PRNG (deterministic backoff sequences). */
  seed: number;
}

/** Everything a connection actor understands. */
export type ConnectionEvent =
  | { type: 'CONNECT' }
  | { type: 'TRANSPORT_OPEN' }
  | { type: 'NEGOTIATED' }
  | { type: 'LOGON_OK' }
  | { type: 'LOGON_FAILED'; retry: boolean; reason: string }
  /** Anything received from the peer: proves it is alive. */
  | { type: 'MESSAGE' }
  | { type: 'TRANSPORT_CLOSED'; reason: string }
  | { type: 'TRANSPORT_ERROR'; reason: string }
  | { type: 'LOGOFF'; doNotReconnect: boolean; reason: string }
  /** Operator: drop the session and stay down. */
  | { type: 'DISCONNECT' };

/** A side effect the machine asks of its adapter. */
export type ConnectionEffect =
  | { type: 'openTransport' }
  /** Must tolerate an already-closed transport. */
  | { type: 'closeTransport' }
  | { type: 'sendNegotiation' }
  | { type: 'sendLogon' }
  | { type: 'sendHeartbeat' }
  | { type: 'sendLogoff' }
  | { type: 'onConnected' }
  /** Fired whenever `connected` is left, whatever the cause. */
  | { type: 'onDisconnected'; reason: string };

export const CONNECTION_EFFECTS = [
  'openTransport',
  'closeTransport',
  'sendNegotiation',
  'sendLogon',
  'sendHeartbeat',
  'sendLogoff',
  'onConnected',
  'onDisconnected',
] as const satisfies readonly ConnectionEffect['type'][];

export type ConnectionState = 'disconnected' | 'connecting' | 'negotiating' | 'loggingOn' | 'connected' | 'reconnecting' | 'failed' | 'stopped';

/** What an adapter may read of its connection machine. */
export interface ConnectionStatus {
  state: ConnectionState;
  /** Reconnect attempts in the current outage. */
  attempt: number;
  /** Successful logons since the machine started. */
  connectedCount: number;
  lastDelayMs: number | null;
  /** Why the last session or attempt ended, in words. */
  lastError: string | null;
  /** The same as a code: TIMEOUT, CONNECTION_LOST, LOGON_REFUSED, LOGGED_OFF. */
  lastFailure: FailureCode | null;
}

/** The adapter's side: performs the machine's effects. */
export interface ConnectionDriver {
  perform(effect: ConnectionEffect): void;
  /** Called after every step of the machine (effects first, then this), with its status. */
  settled(status: ConnectionStatus): void;
}

/** The machine as its adapter sees it. */
export interface ConnectionLink {
  send(event: ConnectionEvent): void;
  status(): ConnectionStatus;
  /** False once the machine has ended (stopped for good, or its actor was stopped). */
  active(): boolean;
  /** The adapter is done with the machine (a standalone host stops its actor; a tree host leaves it to its parent). */
  release(): void;
}

/**
 * Binds an adapter to a connection machine. `input` is the adapter's settings: a host
 * that starts a machine uses them; one whose machine already runs (a child in the actor
 * tree, configured from the same settings) keeps its own. Called again after `release()`.
 */
export type ConnectionHost = (driver: ConnectionDriver, input: ConnectionInput) => ConnectionLink;
