/**
 * The lifecycle of one session with a remote peer (DTC server, Polygon socket), protocol
 * neutral: the adapter turns its wire messages into these events and replaces the no-op
 * side-effect actions with `connectionMachine.provide({ actions: { ... } })`.
 *
 * disconnected -CONNECT-> connecting -TRANSPORT_OPEN-> negotiating -NEGOTIATED-> loggingOn
 * -LOGON_OK-> connected. Any failure on the way, a dead peer or a dropped link goes to
 * reconnecting, which waits a jittered exponential backoff and tries again, up to
 * `maxAttempts` reconnect attempts per outage; then failed. LOGOFF with do-not-reconnect
 * ends in stopped (final).
 */
import { assign, setup, type SnapshotFrom } from 'xstate';
import { backoffDelay, nextRandom } from '../core/backoff.ts';

export { backoffDelay } from '../core/backoff.ts';

import type { FailureCode } from '../core/errors.ts';
import type { ConnectionEvent, ConnectionInput, ConnectionState, ConnectionStatus } from '../core/connection.ts';

export type { ConnectionEffect, ConnectionEvent, ConnectionInput, ConnectionState, ConnectionStatus } from '../core/connection.ts';

export interface ConnectionContext {
  name: string;
  heartbeatMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Jitter PRNG state (uint32), advanced once per scheduled reconnect. */
  prng: number;
  /** Reconnect attempts in the current outage; 0 once logged on (or after CONNECT). */
  attempt: number;
  /** Why the last session or attempt ended ('stale', 'timeout while connecting', ...). */
  lastError: string | null;
  /** The same as a code, for the supervisor: TIMEOUT, CONNECTION_LOST, LOGON_REFUSED, LOGGED_OFF. */
  lastFailure: FailureCode | null;
  /** Backoff chosen for the current (or last) reconnect wait. */
  lastDelayMs: number | null;
  /** Successful logons since the actor started. */
  connectedCount: number;
}

/** Reason recorded when an event ends a session or an attempt. */
function reasonOf(event: ConnectionEvent): string {
  switch (event.type) {
    case 'TRANSPORT_CLOSED':
      return `transport closed: ${event.reason}`;
    case 'TRANSPORT_ERROR':
      return `transport error: ${event.reason}`;
    case 'LOGON_FAILED':
      return `logon failed: ${event.reason}`;
    case 'LOGOFF':
      return `logoff: ${event.reason}`;
    case 'DISCONNECT':
      return 'operator disconnect';
    default:
      return event.type;
  }
}

/** The failure code of what ended a session or an attempt. */
function failureOf(event: ConnectionEvent): FailureCode {
  switch (event.type) {
    case 'LOGON_FAILED':
      return 'LOGON_REFUSED';
    case 'LOGOFF':
      return 'LOGGED_OFF';
    default:
      return 'CONNECTION_LOST';
  }
}

function validInput(input: ConnectionInput): ConnectionInput {
  const { heartbeatMs, maxAttempts, backoffBaseMs, backoffMaxMs, seed } = input;
  if (!(Number.isFinite(heartbeatMs) && heartbeatMs > 0)) throw new RangeError(`heartbeatMs must be > 0, got ${heartbeatMs}`);
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 0)) throw new RangeError(`maxAttempts must be an integer >= 0, got ${maxAttempts}`);
  // Validates base and max once, here, rather than failing in the middle of an outage.
  backoffDelay(1, backoffBaseMs, backoffMaxMs, 0);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
  return input;
}

const dropAndReconnect = {
  target: 'reconnecting',
  actions: ['closeTransport', { type: 'recordError', params: ({ event }: { event: ConnectionEvent }) => ({ reason: reasonOf(event), failure: failureOf(event) }) }],
} as const;

const timeoutWhile = (phase: string) =>
  ({
    target: 'reconnecting',
    actions: ['closeTransport', { type: 'recordError', params: { reason: `timeout while ${phase}`, failure: 'TIMEOUT' as const } }],
  }) as const;

const logoff = [
  {
    guard: 'doNotReconnect',
    target: 'stopped',
    actions: ['closeTransport', { type: 'recordError', params: ({ event }: { event: ConnectionEvent }) => ({ reason: reasonOf(event), failure: failureOf(event) }) }],
  },
  dropAndReconnect,
] as const;

const operatorDisconnect = { target: 'disconnected', actions: ['closeTransport'] } as const;

/**
 * Connection lifecycle statechart. Side effects are named no-op actions for adapters to
 * provide: `openTransport`, `closeTransport` (must tolerate an already-closed transport),
 * `sendNegotiation`, `sendLogon`, `sendHeartbeat`, `sendLogoff`, and the supervisor hooks
 * `onConnected` / `onDisconnected` (params `{ reason }`), the latter fired whenever
 * `connected` is left, whatever the cause.
 */
export const connectionMachine = setup({
  types: {} as {
    input: ConnectionInput;
    context: ConnectionContext;
    events: ConnectionEvent;
  },
  actions: {
    openTransport: () => {},
    closeTransport: () => {},
    sendNegotiation: () => {},
    sendLogon: () => {},
    sendHeartbeat: () => {},
    sendLogoff: () => {},
    onConnected: () => {},
    onDisconnected: (_, _params: { reason: string }) => {},
    recordError: assign((_, params: { reason: string; failure: FailureCode }) => ({ lastError: params.reason, lastFailure: params.failure })),
    resetAttempts: assign({ attempt: 0 }),
    markConnected: assign(({ context }) => ({ attempt: 0, connectedCount: context.connectedCount + 1 })),
    /** Counts the attempt and, unless attempts are exhausted, draws its jittered delay. */
    scheduleReconnect: assign(({ context }) => {
      const attempt = context.attempt + 1;
      if (attempt > context.maxAttempts) return { attempt };
      const draw = nextRandom(context.prng);
      return {
        attempt,
        prng: draw.state,
        lastDelayMs: backoffDelay(attempt, context.backoffBaseMs, context.backoffMaxMs, draw.value),
      };
    }),
  },
  guards: {
    attemptsExhausted: ({ context }) => context.attempt > context.maxAttempts,
    logonRetryable: ({ event }) => event.type === 'LOGON_FAILED' && event.retry,
    doNotReconnect: ({ event }) => event.type === 'LOGOFF' && event.doNotReconnect,
  },
  delays: {
    phaseTimeout: ({ context }) => 2 * context.heartbeatMs,
    heartbeatInterval: ({ context }) => context.heartbeatMs,
    staleTimeout: ({ context }) => 2 * context.heartbeatMs,
    backoff: ({ context }) => context.lastDelayMs ?? 0,
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => {
    const { name, heartbeatMs, maxAttempts, backoffBaseMs, backoffMaxMs, seed } = validInput(input);
    return {
      name,
      heartbeatMs,
      maxAttempts,
      backoffBaseMs,
      backoffMaxMs,
      prng: seed >>> 0,
      attempt: 0,
      lastError: null,
      lastFailure: null,
      lastDelayMs: null,
      connectedCount: 0,
    };
  },
  initial: 'disconnected',
  states: {
    disconnected: {
      on: { CONNECT: { target: 'connecting', actions: 'resetAttempts' } },
    },
    connecting: {
      entry: 'openTransport',
      after: { phaseTimeout: timeoutWhile('connecting') },
      on: {
        TRANSPORT_OPEN: 'negotiating',
        TRANSPORT_CLOSED: dropAndReconnect,
        TRANSPORT_ERROR: dropAndReconnect,
        DISCONNECT: operatorDisconnect,
      },
    },
    negotiating: {
      entry: 'sendNegotiation',
      after: { phaseTimeout: timeoutWhile('negotiating') },
      on: {
        NEGOTIATED: 'loggingOn',
        TRANSPORT_CLOSED: dropAndReconnect,
        TRANSPORT_ERROR: dropAndReconnect,
        LOGOFF: logoff,
        DISCONNECT: operatorDisconnect,
      },
    },
    loggingOn: {
      entry: 'sendLogon',
      after: { phaseTimeout: timeoutWhile('logging on') },
      on: {
        LOGON_OK: 'connected',
        LOGON_FAILED: [
          { guard: 'logonRetryable', ...dropAndReconnect },
          // The peer refused us for good (bad credentials, no-reconnect): an operator must act.
          { target: 'failed', actions: dropAndReconnect.actions },
        ],
        TRANSPORT_CLOSED: dropAndReconnect,
        TRANSPORT_ERROR: dropAndReconnect,
        LOGOFF: logoff,
        DISCONNECT: operatorDisconnect,
      },
    },
    connected: {
      type: 'parallel',
      entry: ['markConnected', 'onConnected'],
      exit: {
        type: 'onDisconnected',
        // Only the dead-peer timer (an xstate.after event) leaves without a payload event.
        params: ({ event }) => ({ reason: event.type.startsWith('xstate.after.') ? 'stale' : reasonOf(event) }),
      },
      on: {
        TRANSPORT_CLOSED: dropAndReconnect,
        TRANSPORT_ERROR: dropAndReconnect,
        LOGOFF: logoff,
        DISCONNECT: { target: 'disconnected', actions: ['sendLogoff', 'closeTransport'] },
      },
      states: {
        // Our heartbeat goes out every interval whatever the peer does.
        heartbeat: {
          initial: 'waiting',
          states: {
            waiting: {
              after: { heartbeatInterval: { target: 'waiting', reenter: true, actions: 'sendHeartbeat' } },
            },
          },
        },
        // Every message from the peer restarts the dead-peer timer.
        liveness: {
          initial: 'listening',
          states: {
            listening: {
              on: { MESSAGE: { target: 'listening', reenter: true } },
              after: {
                staleTimeout: {
                  target: '#connection.reconnecting',
                  actions: ['closeTransport', { type: 'recordError', params: { reason: 'stale', failure: 'CONNECTION_LOST' as const } }],
                },
              },
            },
          },
        },
      },
    },
    reconnecting: {
      entry: 'scheduleReconnect',
      always: { guard: 'attemptsExhausted', target: 'failed' },
      after: { backoff: 'connecting' },
      on: { DISCONNECT: 'disconnected' },
    },
    /** Gave up; only an explicit CONNECT (attempts reset) tries again. */
    failed: {
      on: { CONNECT: { target: 'connecting', actions: 'resetAttempts' } },
    },
    /** The peer said goodbye for good; the actor is done. */
    stopped: { type: 'final' },
  },
});

export type ConnectionSnapshot = SnapshotFrom<typeof connectionMachine>;

/** What an adapter may read of a connection snapshot (see core/connection.ts). */
export function connectionStatus(snapshot: ConnectionSnapshot): ConnectionStatus {
  const { value, context } = snapshot;
  return {
    state: (typeof value === 'string' ? value : Object.keys(value)[0] ?? 'connected') as ConnectionState,
    attempt: context.attempt,
    connectedCount: context.connectedCount,
    lastDelayMs: context.lastDelayMs,
    lastError: context.lastError,
    // Snapshots saved before failure codes existed lack it.
    lastFailure: context.lastFailure ?? null,
  };
}
