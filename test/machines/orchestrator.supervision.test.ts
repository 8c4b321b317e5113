import { describe, it, expect } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { SupervisedChild } from '../../machines/orchestratorEvents.ts';
import type { FailureCode } from '../../core/errors.ts';
import { T0, fillOf, signal, startHarness, startTrading, testSettings, useHarnessTeardown, type Harness, type HarnessOptions } from './orchestratorHarness.ts';

// Embedded defaults: maxRestarts 3 in a 60 s window, backoff 200 ms doubling (no jitter at
// the orchestrator: the full capped delay), so restarts come 200, 400, 800 ms after failures.
const settings = testSettings();
const { maxRestarts, windowMs, backoffBaseMs } = settings.supervision;

// The root never goes to error, whatever its children do (checked after each test).
const track = useHarnessTeardown();
function open(options: Omit<HarnessOptions, 'clock'> = {}) {
  const clock = new SimulatedClock();
  const h = track(startHarness({ settings, ...options, clock }));
  return { h, clock };
}

const generations = (h: Harness, child: SupervisedChild) => h.children[child].starts.map((s) => s.generation);
const alive = (h: Harness, child: SupervisedChild) => h.actor.getSnapshot().children[child] !== undefined;
const record = (h: Harness, child: SupervisedChild) => h.actor.getSnapshot().context.supervision[child];
const fail = (h: Harness, child: SupervisedChild, error = 'socket reset', code: FailureCode = 'CONNECTION_LOST') =>
  h.from(child, { type: 'CHILD.FAILED', child, code, error, time: T0 });

describe('orchestrator supervision: restart after a failure', () => {
  it('a child that throws at start is stopped and restarted with the same id and the next generation after the backoff', () => {
    const { h, clock } = open({ throwAtStart: { marketData: (g) => g === 0 } });
    expect(alive(h, 'marketData')).toBe(false);
    expect(record(h, 'marketData')).toMatchObject({ recentFailures: 1, totalFailures: 1, generation: 0, lastError: 'marketData failed to start (generation 0)' });
    expect(h.ofType('audit')).toContainEqual(expect.objectContaining({ who: 'supervisor', action: 'restart', detail: 'marketData: marketData failed to start (generation 0) (INTERNAL)' }));

    clock.increment(backoffBaseMs - 1);
    expect(generations(h, 'marketData')).toEqual([0]);
    clock.increment(1);
    expect(generations(h, 'marketData')).toEqual([0, 1]);
    expect(alive(h, 'marketData')).toBe(true);
    expect(h.actor.system.get('marketData')).toBe(h.actor.getSnapshot().children.marketData);
    expect(record(h, 'marketData').generation).toBe(1);
    // The other children were left alone.
    expect(generations(h, 'scoring')).toEqual([0]);
    expect(generations(h, 'execution')).toEqual([0]);
  });

  it('a child that reports CHILD.FAILED is stopped, restarted after the backoff, and its new incarnation is heard', () => {
    const { h, clock } = open();
    startTrading(h);
    fail(h, 'scoring', 'model file unreadable');
    expect(alive(h, 'scoring')).toBe(false);
    expect(record(h, 'scoring')).toMatchObject({ recentFailures: 1, lastError: 'model file unreadable' });

    clock.increment(backoffBaseMs);
    expect(generations(h, 'scoring')).toEqual([0, 1]);
    expect(alive(h, 'scoring')).toBe(true);
    h.from('scoring', signal('buy', T0 + 60_000));
    expect(h.submits()).toHaveLength(1);
  });

  it('a failed execution actor: no order while it is down, and none until its successor has reconciled', () => {
    const { h, clock } = open();
    startTrading(h);
    fail(h, 'execution');
    expect(alive(h, 'execution')).toBe(false);

    // During the backoff nothing can reach the venue: refused, not sent to a missing actor.
    h.send(signal('buy', T0 + 1000));
    expect(h.submits()).toEqual([]);
    expect(h.ofType('journal.order').at(-1)).toMatchObject({ status: 'risk-refused' });
    // Commands for the missing actor are dropped and audited, never thrown.
    h.send({ type: 'SESSION.START', sessionId: 'S2', time: T0 + 1500 });
    expect(h.ofType('audit')).toContainEqual(expect.objectContaining({ action: 'send-dropped', detail: 'VENUE.RECONCILE for execution: no such child' }));

    clock.increment(backoffBaseMs);
    expect(generations(h, 'execution')).toEqual([0, 1]);
    expect(h.risk()).toBe('reconciling');
    h.send(signal('buy', T0 + 2000));
    expect(h.submits()).toEqual([]);

    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 0, time: T0 + 3000 });
    expect(h.risk()).toBe('normal');
    h.send(signal('buy', T0 + 4000));
    expect(h.submits()).toHaveLength(1);
  });

  it('backs off longer on each failure inside the window', () => {
    const { h, clock } = open();
    fail(h, 'scoring');
    clock.increment(backoffBaseMs);
    expect(generations(h, 'scoring')).toEqual([0, 1]);
    fail(h, 'scoring');
    clock.increment(2 * backoffBaseMs - 1);
    expect(generations(h, 'scoring')).toEqual([0, 1]);
    clock.increment(1);
    expect(generations(h, 'scoring')).toEqual([0, 1, 2]);
  });
});

describe('orchestrator supervision: escalation', () => {
  /** Lets the always-throwing child fail until it escalates; returns its starts. */
  function failUntilEscalated(h: Harness, clock: SimulatedClock, child: SupervisedChild) {
    let delay = backoffBaseMs;
    for (let restart = 1; restart <= maxRestarts; restart++) {
      expect(record(h, child).escalated).toBe(false);
      clock.increment(delay);
      delay *= 2;
    }
  }

  it('market data failing more than maxRestarts inside the window limits risk and is not restarted again', () => {
    const { h, clock } = open({ throwAtStart: { marketData: () => true } });
    startTrading(h);
    expect(h.risk()).toBe('normal');
    failUntilEscalated(h, clock, 'marketData');

    expect(generations(h, 'marketData')).toEqual([0, 1, 2, 3]);
    expect(record(h, 'marketData')).toMatchObject({ recentFailures: maxRestarts + 1, escalated: true });
    expect(h.risk()).toBe('limited');
    expect(h.ofType('audit').filter((a) => a.who === 'supervisor').map((a) => a.action)).toEqual(['restart', 'restart', 'restart', 'escalate']);

    clock.increment(10 * windowMs);
    expect(generations(h, 'marketData')).toEqual([0, 1, 2, 3]);
    expect(alive(h, 'marketData')).toBe(false);
    // Reduce-only: a new entry is refused.
    h.send(signal('buy', T0 + 60_000));
    expect(h.submits()).toEqual([]);
    // The session still ends cleanly without its market-data actor.
    h.send({ type: 'MD.ENDING', time: T0 + 120_000 });
    expect(h.actor.getSnapshot().matches({ running: { session: 'ended' } })).toBe(true);
    expect(h.ofType('session.ended')).toHaveLength(1);
  });

  it('scoring escalates to limited as well', () => {
    const { h, clock } = open({ throwAtStart: { scoring: () => true } });
    startTrading(h);
    failUntilEscalated(h, clock, 'scoring');
    expect(h.risk()).toBe('limited');
    expect(generations(h, 'scoring')).toHaveLength(maxRestarts + 1);
  });

  it('execution failing past maxRestarts kills trading, with a position open, without taking the root down', () => {
    const { h, clock } = open();
    startTrading(h);
    h.send(signal('buy', T0 + 60_000));
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(h.submits()[0]!, 6000, 'x-1', T0 + 60_000) });
    expect(h.actor.getSnapshot().context.book.qty).toBe(1);

    let delay = backoffBaseMs;
    for (let n = 1; n <= maxRestarts; n++) {
      fail(h, 'execution', `reset ${n}`);
      clock.increment(delay);
      delay *= 2;
      expect(generations(h, 'execution')).toHaveLength(n + 1);
    }
    fail(h, 'execution', 'reset for good');
    expect(record(h, 'execution')).toMatchObject({ escalated: true, lastError: 'reset for good' });
    expect(h.risk()).toBe('killed');
    // The kill's cancels have nowhere to go: dropped and audited.
    expect(h.ofType('audit').some((a) => a.action === 'send-dropped' && a.detail.startsWith('VENUE.CANCEL for execution'))).toBe(true);

    clock.increment(10 * windowMs);
    expect(generations(h, 'execution')).toHaveLength(maxRestarts + 1);
    expect(alive(h, 'execution')).toBe(false);
  });

  it('tells a refused logon from a lost link by its code: the lost link restarts, the refusal escalates at once', () => {
    const { h, clock } = open();
    startTrading(h);
    fail(h, 'execution', 'gave up reconnecting: transport closed: ECONNRESET', 'CONNECTION_LOST');
    expect(record(h, 'execution')).toMatchObject({ escalated: false, lastCode: 'CONNECTION_LOST' });
    clock.increment(backoffBaseMs);
    expect(generations(h, 'execution')).toEqual([0, 1]);
    expect(h.risk()).not.toBe('killed');

    fail(h, 'execution', 'logon failed: refused (ERROR_NO_RECONNECT): bad password', 'LOGON_REFUSED');
    expect(record(h, 'execution')).toMatchObject({ escalated: true, lastCode: 'LOGON_REFUSED', recentFailures: 2 });
    expect(h.risk()).toBe('killed');
    expect(h.ofType('audit')).toContainEqual(
      expect.objectContaining({ who: 'supervisor', action: 'escalate', detail: 'execution: logon failed: refused (ERROR_NO_RECONNECT): bad password (LOGON_REFUSED)' }),
    );
    clock.increment(10 * windowMs);
    expect(generations(h, 'execution')).toEqual([0, 1]);
  });
});

describe('orchestrator supervision: failures decay', () => {
  it('each failure leaves the window after windowMs', () => {
    const { h, clock } = open();
    fail(h, 'scoring');
    clock.increment(backoffBaseMs);
    fail(h, 'scoring');
    expect(record(h, 'scoring').recentFailures).toBe(2);
    clock.increment(windowMs - backoffBaseMs);
    expect(record(h, 'scoring').recentFailures).toBe(1);
    clock.increment(backoffBaseMs);
    expect(record(h, 'scoring')).toMatchObject({ recentFailures: 0, totalFailures: 2 });

    // With the window clear, the next failure backs off as the first one did.
    const before = generations(h, 'scoring').length;
    fail(h, 'scoring');
    clock.increment(backoffBaseMs);
    expect(generations(h, 'scoring')).toHaveLength(before + 1);
  });

  it('failures spread wider than the window never escalate', () => {
    const { h, clock } = open();
    startTrading(h);
    for (let n = 0; n < 2 * (maxRestarts + 1); n++) {
      fail(h, 'marketData');
      clock.increment(windowMs + 1);
    }
    expect(record(h, 'marketData')).toMatchObject({ escalated: false, recentFailures: 0, totalFailures: 2 * (maxRestarts + 1) });
    expect(generations(h, 'marketData')).toHaveLength(2 * (maxRestarts + 1) + 1);
    expect(h.risk()).toBe('normal');
  });
});
