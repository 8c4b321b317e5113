import { describe, it, expect } from 'vitest';
import { createActor, SimulatedClock, type AnyMachineSnapshot } from 'xstate';
import { backoffDelay, connectionMachine, type ConnectionEvent, type ConnectionInput } from '../../machines/connection.ts';
import { nextRandom } from '../../core/backoff.ts';
import { CoverageRecorder, allStateNodeIds, allTransitionKeys, edgeWalks } from './graphCoverage.ts';

const HB = 1_000;
const baseInput: ConnectionInput = { name: 'test', heartbeatMs: HB, maxAttempts: 2, backoffBaseMs: 100, backoffMaxMs: 1_000, seed: 7 };

const SIDE_EFFECTS = [
  'openTransport',
  'closeTransport',
  'sendNegotiation',
  'sendLogon',
  'sendHeartbeat',
  'sendLogoff',
  'onConnected',
  'onDisconnected',
] as const;
type SideEffect = (typeof SIDE_EFFECTS)[number];

interface Call {
  action: SideEffect;
  at: number;
  params: unknown;
}

/** A connection actor on a simulated clock, with every side effect recorded. */
function harness(overrides: Partial<ConnectionInput> = {}, recorder?: CoverageRecorder) {
  const clock = new SimulatedClock();
  const calls: Call[] = [];
  const record = (action: SideEffect) => (_: unknown, params: unknown) => {
    calls.push({ action, at: clock.now(), params });
  };
  const actions = Object.fromEntries(SIDE_EFFECTS.map((name) => [name, record(name)])) as Record<SideEffect, ReturnType<typeof record>>;
  const machine = connectionMachine.provide({ actions });
  const actor = createActor(machine, { clock, input: { ...baseInput, ...overrides }, inspect: recorder?.inspect }).start();
  const send = (event: ConnectionEvent) => actor.send(event);
  return {
    clock,
    calls,
    actor,
    send,
    snapshot: () => actor.getSnapshot(),
    count: (action: SideEffect) => calls.filter((c) => c.action === action).length,
    callsOf: (action: SideEffect) => calls.filter((c) => c.action === action),
    logon: () => {
      send({ type: 'CONNECT' });
      send({ type: 'TRANSPORT_OPEN' });
      send({ type: 'NEGOTIATED' });
      send({ type: 'LOGON_OK' });
    },
  };
}

/** Delay of an `xstate.after.<delay>.<state id>` event, as the live actor would schedule it. */
function delayOf(eventType: string, snapshot: AnyMachineSnapshot): number {
  const name = eventType.split('.')[2];
  switch (name) {
    case 'phaseTimeout':
    case 'staleTimeout':
      return 2 * snapshot.context.heartbeatMs;
    case 'heartbeatInterval':
      return snapshot.context.heartbeatMs;
    case 'backoff':
      return snapshot.context.lastDelayMs;
    default:
      throw new Error(`unknown delay in ${eventType}`);
  }
}

const modelEvents: ConnectionEvent[] = [
  { type: 'CONNECT' },
  { type: 'TRANSPORT_OPEN' },
  { type: 'NEGOTIATED' },
  { type: 'LOGON_OK' },
  { type: 'LOGON_FAILED', retry: true, reason: 'busy' },
  { type: 'LOGON_FAILED', retry: false, reason: 'bad password' },
  { type: 'MESSAGE' },
  { type: 'TRANSPORT_CLOSED', reason: 'eof' },
  { type: 'TRANSPORT_ERROR', reason: 'econnreset' },
  { type: 'LOGOFF', doNotReconnect: true, reason: 'bye' },
  { type: 'LOGOFF', doNotReconnect: false, reason: 'restart' },
  { type: 'DISCONNECT' },
];

// Context beyond the attempt counter (PRNG state, counters, errors) must not split states.
const abstractState = (s: AnyMachineSnapshot) => JSON.stringify({ value: s.value, status: s.status, attempt: s.context.attempt });

describe('connectionMachine: model-based coverage', () => {
  it('reaches every state node and takes every transition, landing where the model predicts', () => {
    const walks = edgeWalks<ConnectionEvent>(connectionMachine, { input: baseInput, events: () => modelEvents, serialize: abstractState });
    const recorder = new CoverageRecorder();
    for (const walk of walks) {
      const h = harness({}, recorder);
      for (const event of walk.events) {
        if (event.type.startsWith('xstate.after.')) h.clock.increment(delayOf(event.type, h.snapshot()));
        else h.send(event);
      }
      expect(abstractState(h.snapshot()), walk.events.map((e) => e.type).join(' > ')).toBe(walk.expected);
      h.actor.stop();
    }
    expect(allStateNodeIds(connectionMachine).filter((id) => !recorder.stateNodes.has(id))).toEqual([]);
    expect(allTransitionKeys(connectionMachine).filter((key) => !recorder.transitions.has(key))).toEqual([]);
  });
});

describe('connectionMachine: session set-up', () => {
  it('opens, negotiates and logs on, one side effect per phase', () => {
    const h = harness();
    expect(h.snapshot().value).toBe('disconnected');
    h.send({ type: 'CONNECT' });
    expect(h.snapshot().value).toBe('connecting');
    expect(h.count('openTransport')).toBe(1);
    h.send({ type: 'TRANSPORT_OPEN' });
    expect(h.snapshot().value).toBe('negotiating');
    expect(h.count('sendNegotiation')).toBe(1);
    h.send({ type: 'NEGOTIATED' });
    expect(h.snapshot().value).toBe('loggingOn');
    expect(h.count('sendLogon')).toBe(1);
    h.send({ type: 'LOGON_OK' });
    expect(h.snapshot().matches('connected')).toBe(true);
    expect(h.count('onConnected')).toBe(1);
    expect(h.snapshot().context.connectedCount).toBe(1);
  });

  it.each([
    ['connecting', []],
    ['negotiating', [{ type: 'TRANSPORT_OPEN' }]],
    ['logging on', [{ type: 'TRANSPORT_OPEN' }, { type: 'NEGOTIATED' }]],
  ] as const)('times out while %s after 2x the heartbeat, not before', (phase, steps) => {
    const h = harness();
    h.send({ type: 'CONNECT' });
    for (const step of steps) h.send(step);
    const before = h.snapshot().value;
    h.clock.increment(2 * HB - 1);
    expect(h.snapshot().value).toBe(before);
    h.clock.increment(1);
    expect(h.snapshot().value).toBe('reconnecting');
    expect(h.snapshot().context.lastError).toBe(`timeout while ${phase}`);
    expect(h.snapshot().context.lastFailure).toBe('TIMEOUT');
    expect(h.count('closeTransport')).toBe(1);
  });

  it('gives up on a logon refused for good, and retries one refused for now', () => {
    const refused = harness();
    refused.send({ type: 'CONNECT' });
    refused.send({ type: 'TRANSPORT_OPEN' });
    refused.send({ type: 'NEGOTIATED' });
    refused.send({ type: 'LOGON_FAILED', retry: false, reason: 'bad password' });
    expect(refused.snapshot().value).toBe('failed');
    expect(refused.snapshot().context.lastError).toBe('logon failed: bad password');
    expect(refused.snapshot().context.lastFailure).toBe('LOGON_REFUSED');
    refused.clock.increment(60_000);
    expect(refused.count('openTransport')).toBe(1);

    const busy = harness();
    busy.send({ type: 'CONNECT' });
    busy.send({ type: 'TRANSPORT_OPEN' });
    busy.send({ type: 'NEGOTIATED' });
    busy.send({ type: 'LOGON_FAILED', retry: true, reason: 'busy' });
    expect(busy.snapshot().value).toBe('reconnecting');
  });
});

describe('connectionMachine: heartbeats and dead peer', () => {
  it('sends a heartbeat every interval, not before', () => {
    const h = harness();
    h.logon();
    const start = h.clock.now();
    for (let k = 1; k <= 6; k++) {
      h.clock.increment(HB - 1);
      expect(h.count('sendHeartbeat')).toBe(k - 1);
      h.send({ type: 'MESSAGE' }); // keeps the peer alive
      h.clock.increment(1);
      expect(h.count('sendHeartbeat')).toBe(k);
    }
    expect(h.callsOf('sendHeartbeat').map((c) => c.at - start)).toEqual([1, 2, 3, 4, 5, 6].map((k) => k * HB));
    expect(h.snapshot().matches('connected')).toBe(true);
  });

  it('declares the peer dead after 2x the interval without a message, not before', () => {
    const h = harness();
    h.logon();
    h.clock.increment(HB);
    h.clock.increment(HB - 1);
    expect(h.snapshot().matches('connected')).toBe(true);
    h.clock.increment(1);
    expect(h.snapshot().value).toBe('reconnecting');
    expect(h.snapshot().context.lastError).toBe('stale');
    expect(h.snapshot().context.lastFailure).toBe('CONNECTION_LOST');
    expect(h.callsOf('onDisconnected').map((c) => c.params)).toEqual([{ reason: 'stale' }]);
    expect(h.count('closeTransport')).toBe(1);
  });

  it('restarts the dead-peer timer on every message', () => {
    const h = harness();
    h.logon();
    h.clock.increment(1_500);
    h.send({ type: 'MESSAGE' });
    h.clock.increment(2 * HB - 1); // would have been stale at 2000 without the message
    expect(h.snapshot().matches('connected')).toBe(true);
    h.clock.increment(1);
    expect(h.snapshot().value).toBe('reconnecting');
  });
});

describe('connectionMachine: reconnecting', () => {
  /** Fails attempts (transport error while connecting) and returns the backoff delays seen. */
  function failRepeatedly(h: ReturnType<typeof harness>, times: number): number[] {
    const delays: number[] = [];
    for (let i = 0; i < times; i++) {
      h.send({ type: 'TRANSPORT_ERROR', reason: 'refused' });
      if (!h.snapshot().matches('reconnecting')) break;
      const delay = h.snapshot().context.lastDelayMs as number;
      delays.push(delay);
      const opened = h.count('openTransport');
      h.clock.increment(delay - 1);
      expect(h.snapshot().value).toBe('reconnecting');
      h.clock.increment(1);
      expect(h.snapshot().value).toBe('connecting');
      expect(h.count('openTransport')).toBe(opened + 1);
    }
    return delays;
  }

  it('backs off exponentially within bounds, then fails after maxAttempts', () => {
    const input = { maxAttempts: 8, backoffBaseMs: 100, backoffMaxMs: 2_000 };
    const h = harness(input);
    h.send({ type: 'CONNECT' });
    const delays = failRepeatedly(h, 8);
    expect(delays).toHaveLength(8);
    delays.forEach((delay, i) => {
      const cap = Math.min(input.backoffMaxMs, input.backoffBaseMs * 2 ** i);
      expect(delay).toBeGreaterThanOrEqual(cap / 2);
      expect(delay).toBeLessThanOrEqual(cap);
      // Jitter cannot undo the doubling while the cap is not reached.
      if (i > 0 && cap < input.backoffMaxMs) expect(delay).toBeGreaterThanOrEqual(delays[i - 1] as number);
    });
    expect(delays.at(-1)).toBeGreaterThanOrEqual(input.backoffMaxMs / 2);

    // The 8th reconnect attempt fails too: give up, and stay down whatever the time.
    h.send({ type: 'TRANSPORT_ERROR', reason: 'refused' });
    expect(h.snapshot().value).toBe('failed');
    expect(h.count('openTransport')).toBe(1 + 8);
    h.clock.increment(60_000);
    expect(h.count('openTransport')).toBe(1 + 8);

    // Only CONNECT leaves failed, with a fresh attempt budget.
    h.send({ type: 'DISCONNECT' });
    expect(h.snapshot().value).toBe('failed');
    h.send({ type: 'CONNECT' });
    expect(h.snapshot().value).toBe('connecting');
    expect(h.snapshot().context.attempt).toBe(0);
  });

  it('draws its jitter from the seeded PRNG kept in context', () => {
    const input = { maxAttempts: 5, backoffBaseMs: 100, backoffMaxMs: 10_000, seed: 99 };
    const h = harness(input);
    h.send({ type: 'CONNECT' });
    const delays = failRepeatedly(h, 5);
    let state = input.seed;
    const expected = delays.map((_, i) => {
      const draw = nextRandom(state);
      state = draw.state;
      return backoffDelay(i + 1, input.backoffBaseMs, input.backoffMaxMs, draw.value);
    });
    expect(delays).toEqual(expected);
    expect(h.snapshot().context.prng).toBe(state);

    const again = harness(input);
    again.send({ type: 'CONNECT' });
    expect(failRepeatedly(again, 5)).toEqual(delays);
    const other = harness({ ...input, seed: 100 });
    other.send({ type: 'CONNECT' });
    expect(failRepeatedly(other, 5)).not.toEqual(delays);
  });

  it('continues the same backoff sequence after a JSON round trip of its snapshot', () => {
    const h = harness({ maxAttempts: 6 });
    h.send({ type: 'CONNECT' });
    failRepeatedly(h, 2);
    const persisted = JSON.parse(JSON.stringify(h.actor.getPersistedSnapshot()));
    const restored = createActor(connectionMachine, { snapshot: persisted, input: { ...baseInput, maxAttempts: 6 } }).start();
    expect(restored.getSnapshot().value).toBe('connecting');
    h.send({ type: 'TRANSPORT_ERROR', reason: 'refused' });
    restored.send({ type: 'TRANSPORT_ERROR', reason: 'refused' });
    expect(restored.getSnapshot().context).toEqual(h.snapshot().context);
    restored.stop();
  });

  it('resets the attempt counter on a successful logon', () => {
    const h = harness({ maxAttempts: 3 });
    h.send({ type: 'CONNECT' });
    failRepeatedly(h, 2);
    expect(h.snapshot().context.attempt).toBe(2);
    h.send({ type: 'TRANSPORT_OPEN' });
    h.send({ type: 'NEGOTIATED' });
    h.send({ type: 'LOGON_OK' });
    expect(h.snapshot().context.attempt).toBe(0);
    // A later outage gets the full budget again, starting from the base delay.
    h.send({ type: 'TRANSPORT_CLOSED', reason: 'eof' });
    expect(h.snapshot().context.attempt).toBe(1);
    expect(h.snapshot().context.lastDelayMs).toBeLessThanOrEqual(baseInput.backoffBaseMs);
    h.clock.increment(h.snapshot().context.lastDelayMs as number);
    expect(failRepeatedly(h, 10)).toHaveLength(2);
    expect(h.snapshot().value).toBe('failed');
    expect(h.snapshot().context.attempt).toBe(4);
  });

  it('reports each drop of the session to the supervisor hook with its reason', () => {
    const h = harness({ maxAttempts: 5 });
    const drops: Array<[ConnectionEvent, string, string]> = [
      [{ type: 'TRANSPORT_CLOSED', reason: 'eof' }, 'transport closed: eof', 'CONNECTION_LOST'],
      [{ type: 'TRANSPORT_ERROR', reason: 'econnreset' }, 'transport error: econnreset', 'CONNECTION_LOST'],
      [{ type: 'LOGOFF', doNotReconnect: false, reason: 'restart' }, 'logoff: restart', 'LOGGED_OFF'],
    ];
    h.send({ type: 'CONNECT' });
    for (const [event, reason, failure] of drops) {
      h.send({ type: 'TRANSPORT_OPEN' });
      h.send({ type: 'NEGOTIATED' });
      h.send({ type: 'LOGON_OK' });
      h.send(event);
      expect(h.snapshot().value).toBe('reconnecting');
      expect(h.snapshot().context.lastError).toBe(reason);
      expect(h.snapshot().context.lastFailure).toBe(failure);
      expect(h.callsOf('onDisconnected').at(-1)?.params).toEqual({ reason });
      h.clock.increment(h.snapshot().context.lastDelayMs as number);
    }
    expect(h.count('onConnected')).toBe(3);
    expect(h.count('onDisconnected')).toBe(3);
    expect(h.snapshot().context.connectedCount).toBe(3);
  });

  it('ignores a late transport close once it is already reconnecting', () => {
    const h = harness();
    h.logon();
    h.send({ type: 'TRANSPORT_ERROR', reason: 'econnreset' });
    const attempt = h.snapshot().context.attempt;
    h.send({ type: 'TRANSPORT_CLOSED', reason: 'eof' });
    expect(h.snapshot().value).toBe('reconnecting');
    expect(h.snapshot().context.attempt).toBe(attempt);
  });
});

describe('connectionMachine: ending sessions', () => {
  it('stops for good after a logoff with do-not-reconnect', () => {
    const h = harness();
    h.logon();
    h.send({ type: 'LOGOFF', doNotReconnect: true, reason: 'bye' });
    expect(h.snapshot().value).toBe('stopped');
    expect(h.snapshot().status).toBe('done');
    expect(h.callsOf('onDisconnected').map((c) => c.params)).toEqual([{ reason: 'logoff: bye' }]);
    expect(h.count('closeTransport')).toBe(1);
    h.clock.increment(60_000);
    expect(h.count('openTransport')).toBe(1);
  });

  it('disconnects on operator request: logs off, closes, and never retries', () => {
    const h = harness();
    h.logon();
    h.send({ type: 'DISCONNECT' });
    expect(h.snapshot().value).toBe('disconnected');
    expect(h.calls.map((c) => c.action).slice(-3)).toEqual(['onDisconnected', 'sendLogoff', 'closeTransport']);
    h.clock.increment(60_000);
    expect(h.count('openTransport')).toBe(1);
  });

  it('cancels a pending reconnect on operator disconnect', () => {
    const h = harness();
    h.send({ type: 'CONNECT' });
    h.send({ type: 'TRANSPORT_ERROR', reason: 'refused' });
    expect(h.snapshot().value).toBe('reconnecting');
    h.send({ type: 'DISCONNECT' });
    h.clock.increment(60_000);
    expect(h.snapshot().value).toBe('disconnected');
    expect(h.count('openTransport')).toBe(1);
  });

  it('refuses an input it cannot run with', () => {
    const actor = createActor(connectionMachine, { input: { ...baseInput, heartbeatMs: 0 } });
    const errors: unknown[] = [];
    actor.subscribe({ error: (err) => errors.push(err) });
    actor.start();
    expect(actor.getSnapshot().status).toBe('error');
    expect(errors[0]).toBeInstanceOf(RangeError);
  });
});
