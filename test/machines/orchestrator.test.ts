import { describe, it, expect } from 'vitest';
import type { Fill, OrderRequest, Trade } from '../../core/types.ts';
import type { OrchestratorEmitted } from '../../machines/orchestrator.ts';
import { upgradeSnapshot } from '../../machines/orchestrator.ts';
import type { RiskSnapshot } from '../../machines/risk.ts';
import { COMMISSION, T0, fillOf, roundTrip, signal, startHarness, startTrading, testSettings, useHarnessTeardown, type Harness } from './orchestratorHarness.ts';

const MIN = 60_000;
const onTick = (price: number) => Number.isInteger(price / 0.25);

// Whatever happens in a test, the root never goes to error (checked after each test).
const track = useHarnessTeardown();
const open = (...args: Parameters<typeof startHarness>) => track(startHarness(...args));

const last = <T>(xs: T[]): T => {
  const x = xs[xs.length - 1];
  if (x === undefined) throw new Error('empty');
  return x;
};

/** Trading, one long entry filled at `entryPrice`, its bracket submitted and accepted. */
function longWithBracket(h: Harness, entryPrice: number) {
  startTrading(h);
  h.send(signal('buy', T0 + MIN));
  const entry = h.submits()[0]!;
  h.from('execution', { type: 'VENUE.FILL', fill: fillOf(entry, entryPrice, 'x-entry', T0 + MIN + 100) });
  const [stop, target] = h.submits().slice(1);
  if (!stop || !target) throw new Error('no bracket');
  h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: stop.clientOrderId, serverOrderId: 'srv-stop', time: T0 + MIN + 200 });
  h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: target.clientOrderId, serverOrderId: 'srv-target', time: T0 + MIN + 200 });
  return { entry, stop, target };
}

describe('orchestrator: start and entry', () => {
  it('sends no order while risk reconciles, then exactly one market entry with a stop distance', () => {
    const h = open();
    h.from('execution', { type: 'VENUE.UP', time: T0 });
    h.send({ type: 'SESSION.START', sessionId: 'S1', time: T0 });
    expect(h.children.execution.received).toContainEqual({ type: 'VENUE.RECONCILE', live: {} });
    expect(h.risk()).toBe('reconciling');

    h.send(signal('buy', T0 + 1000));
    expect(h.submits()).toEqual([]);
    const refused = h.ofType('journal.order').filter((e) => e.status === 'risk-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.detail).toMatch(/^reconciling:/);

    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 0, time: T0 + 2000 });
    expect(h.risk()).toBe('normal');
    expect(h.actor.getSnapshot().context.riskState).toBe('normal');

    h.send(signal('buy', T0 + MIN, 6000.25));
    expect(h.submits()).toHaveLength(1);
    const entry = h.submits()[0]!;
    expect(entry).toMatchObject({ symbol: 'ESZ25', side: 'buy', qty: 1, type: 'market', tif: 'ioc', purpose: 'entry', stopDistance: 8, createdAt: T0 + MIN });
    expect(entry.clientOrderId).not.toBe(refused[0]!.clientOrderId);
    expect(h.order(entry.clientOrderId)?.value).toBe('submitted');
    expect(h.ofType('journal.order').filter((e) => e.status === 'submitted').map((e) => e.clientOrderId)).toEqual([entry.clientOrderId]);

    // A same-side signal while the entry is in flight adds nothing.
    h.send(signal('buy', T0 + MIN + 500));
    expect(h.submits()).toHaveLength(1);
  });

  it("refuses an entry the venue account's available funds cannot carry, from its balance report", () => {
    const h = open();
    h.from('execution', { type: 'VENUE.UP', time: T0 });
    h.send({ type: 'SESSION.START', sessionId: 'S1', time: T0 });
    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 0, time: T0 + 1 });
    h.from('execution', { type: 'VENUE.ACCOUNT', availableFunds: 300, marginPerContract: 400, time: T0 + 2 });
    h.send(signal('buy', T0 + MIN));
    expect(h.submits()).toEqual([]);
    expect(h.ofType('journal.order').at(-1)).toMatchObject({ status: 'risk-refused' });
    expect(h.ofType('journal.order').at(-1)!.detail).toMatch(/^margin:/);

    h.from('execution', { type: 'VENUE.ACCOUNT', availableFunds: 5_000, time: T0 + MIN + 1 });
    h.send(signal('sell', T0 + 2 * MIN));
    expect(h.submits()).toHaveLength(1);
  });

  it('a short signal enters short', () => {
    const h = open();
    startTrading(h);
    h.send(signal('sell', T0 + MIN));
    expect(h.submits()).toHaveLength(1);
    expect(h.submits()[0]).toMatchObject({ side: 'sell', type: 'market', purpose: 'entry' });
  });
});

describe('orchestrator: fills, bracket and trade', () => {
  it('journals the entry fill, brackets it on the tick grid, books the stop-out and cancels the target', () => {
    const h = open();
    const fills: Fill[] = [];
    const orders: Extract<OrchestratorEmitted, { type: 'journal.order' }>[] = [];
    const trades: Trade[] = [];
    h.actor.on('journal.fill', (e) => fills.push(e.fill));
    h.actor.on('journal.order', (e) => orders.push(e));
    h.actor.on('journal.trade', (e) => trades.push(e.trade));

    startTrading(h);
    h.send(signal('buy', T0 + MIN));
    const entry = h.submits()[0]!;
    const entryFill = fillOf(entry, 6001.75, 'x-1', T0 + MIN + 100);
    h.from('execution', { type: 'VENUE.FILL', fill: entryFill });

    expect(fills).toEqual([entryFill]);
    expect(orders.filter((o) => o.clientOrderId === entry.clientOrderId).map((o) => o.status)).toEqual(['submitted', 'filled']);
    expect(h.actor.getSnapshot().context.book).toMatchObject({ qty: 1, avgPrice: 6001.75 });
    expect(h.children.scoring.received).toContainEqual({ type: 'POSITION', qty: 1, since: T0 + MIN + 100 });

    const legs = h.submits().slice(1);
    expect(legs).toHaveLength(2);
    const stop = legs.find((o) => o.purpose === 'bracket-stop')!;
    const target = legs.find((o) => o.purpose === 'bracket-target')!;
    // Long from 6001.75: stop 8 points below, target 12 points above.
    expect(stop).toMatchObject({ side: 'sell', qty: 1, type: 'stop', stopPrice: 5993.75, tif: 'gtc' });
    expect(target).toMatchObject({ side: 'sell', qty: 1, type: 'limit', price: 6013.75, tif: 'gtc' });
    expect(stop.ocoGroup).toBeDefined();
    expect(stop.ocoGroup).toBe(target.ocoGroup);
    // The bracket leaves as one command, never as two orders for the venue to re-join.
    expect(h.children.execution.received.filter((e) => e.type === 'VENUE.SUBMIT_BRACKET')).toEqual([
      { type: 'VENUE.SUBMIT_BRACKET', bracket: { stop, target } },
    ]);
    expect(onTick(stop.stopPrice!) && onTick(target.price!)).toBe(true);
    expect(orders.filter((o) => o.status === 'submitted').map((o) => o.clientOrderId)).toEqual([
      entry.clientOrderId,
      stop.clientOrderId,
      target.clientOrderId,
    ]);

    h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: stop.clientOrderId, serverOrderId: 'srv-stop', time: T0 + MIN + 200 });
    h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: target.clientOrderId, serverOrderId: 'srv-target', time: T0 + MIN + 200 });
    expect(h.order(target.clientOrderId)?.value).toEqual({ working: 'open' });

    // The stop fills one tick through its trigger.
    const stopFill = fillOf(stop, 5993.5, 'x-2', T0 + 5 * MIN);
    h.from('execution', { type: 'VENUE.FILL', fill: stopFill });
    expect(trades).toHaveLength(1);
    // (5993.50 - 6001.75) * 1 * 50 = -412.50, minus 2 * 2.25 commissions = -417.00.
    expect(trades[0]).toMatchObject({
      side: 'long',
      qty: 1,
      entryPrice: 6001.75,
      exitPrice: 5993.5,
      entryTime: T0 + MIN + 100,
      exitTime: T0 + 5 * MIN,
      commission: 2 * COMMISSION,
    });
    expect(trades[0]!.pnl).toBeCloseTo(-417, 9);
    expect(h.cancels()).toEqual([target.clientOrderId]);
    expect(h.order(target.clientOrderId)?.value).toBe('pendingCancel');
    expect(h.actor.getSnapshot().context.book.qty).toBe(0);

    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: T0 + 5 * MIN + 50 });
    expect(h.actor.getSnapshot().context.live).toEqual({});
    expect(h.order(target.clientOrderId)).toBeUndefined(); // retired: the children stay bounded

    // Duplicates (a replay after a reconnect) are ignored, even after the order retired.
    h.from('execution', { type: 'VENUE.FILL', fill: stopFill });
    h.from('execution', { type: 'VENUE.FILL', fill: entryFill });
    const ctx = h.actor.getSnapshot().context;
    expect(ctx.book.qty).toBe(0);
    expect(ctx.book.realizedPnl).toBeCloseTo(-417, 9);
    expect(ctx.counters).toMatchObject({ fills: 2, trades: 1 });
    expect(trades).toHaveLength(1);
    expect(fills).toHaveLength(2);
    expect(h.submits()).toHaveLength(3);
  });

  it('snaps a short bracket to the nearest tick', () => {
    const h = open({ settings: testSettings({ strategy: { stopPoints: 7.9, targetPoints: 12.1 } }) });
    startTrading(h);
    h.send(signal('sell', T0 + MIN));
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(h.submits()[0]!, 6000, 'x-1', T0 + MIN) });
    const [stop, target] = h.submits().slice(1);
    // 6000 + 7.9 = 6007.90 -> 6008.00; 6000 - 12.1 = 5987.90 -> 5988.00.
    expect(stop).toMatchObject({ side: 'buy', type: 'stop', stopPrice: 6008, purpose: 'bracket-stop' });
    expect(target).toMatchObject({ side: 'buy', type: 'limit', price: 5988, purpose: 'bracket-target' });
  });

  it('ignores a duplicate partial fill of a live order', () => {
    const h = open({ settings: testSettings({ strategy: { quantity: 2, stopPoints: 4 } }) });
    startTrading(h);
    h.send(signal('buy', T0 + MIN));
    const entry = h.submits()[0]!;
    expect(entry.qty).toBe(2);
    const first = fillOf(entry, 6000, 'p-1', T0 + MIN, 1);
    h.from('execution', { type: 'VENUE.FILL', fill: first });
    h.from('execution', { type: 'VENUE.FILL', fill: first });
    expect(h.actor.getSnapshot().context.book.qty).toBe(1);
    expect(h.order(entry.clientOrderId)?.value).toEqual({ working: 'partiallyFilled' });
    expect(h.submits()).toHaveLength(1); // no bracket before the entry is complete

    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(entry, 6000.5, 'p-2', T0 + MIN + 10, 1) });
    expect(h.actor.getSnapshot().context.book).toMatchObject({ qty: 2, avgPrice: 6000.25 });
    const legs = h.submits().slice(1);
    expect(legs.map((o) => [o.purpose, o.qty])).toEqual([
      ['bracket-stop', 2],
      ['bracket-target', 2],
    ]);
    expect(legs[0]!.stopPrice).toBe(5996.25);
  });
});

describe('orchestrator: exit on an opposite signal', () => {
  it('cancels the bracket first and sends the exit only once both cancels are confirmed', () => {
    const h = open();
    const { stop, target } = longWithBracket(h, 6000);
    const submitsBefore = h.submits().length;

    h.send(signal('sell', T0 + 3 * MIN));
    expect(h.cancels().sort()).toEqual([stop.clientOrderId, target.clientOrderId].sort());
    expect(h.submits()).toHaveLength(submitsBefore);
    expect(h.order(stop.clientOrderId)?.value).toBe('pendingCancel');

    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: stop.clientOrderId, time: T0 + 3 * MIN + 10 });
    expect(h.submits()).toHaveLength(submitsBefore);
    // A repeated opposite signal while waiting does not send the exit either.
    h.send(signal('sell', T0 + 3 * MIN + 20));
    expect(h.submits()).toHaveLength(submitsBefore);
    expect(h.cancels().every((id) => id === stop.clientOrderId || id === target.clientOrderId)).toBe(true);

    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: T0 + 3 * MIN + 30 });
    expect(h.submits()).toHaveLength(submitsBefore + 1);
    const exit = last(h.submits());
    expect(exit).toMatchObject({ side: 'sell', qty: 1, type: 'market', purpose: 'exit' });

    // Order of the commands the venue saw: both cancels strictly before the exit.
    const seen = h.children.execution.received;
    const exitAt = seen.findIndex((e) => e.type === 'VENUE.SUBMIT' && (e as unknown as { request: OrderRequest }).request.purpose === 'exit');
    const cancelAt = seen.flatMap((e, i) => (e.type === 'VENUE.CANCEL' ? [i] : []));
    expect(exitAt).toBeGreaterThan(0);
    expect(cancelAt.length).toBeGreaterThanOrEqual(2);
    expect(cancelAt.every((i) => i < exitAt)).toBe(true);

    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(exit, 6002, 'x-exit', T0 + 3 * MIN + 40) });
    expect(h.actor.getSnapshot().context.book.qty).toBe(0);
    expect(h.ofType('journal.trade')).toHaveLength(1);
    expect(h.ofType('journal.trade')[0]!.trade.pnl).toBeCloseTo(2 * 50 - 2 * COMMISSION, 9);
  });

  it('sends no exit when the stop wins the race with its cancel (the position never flips)', () => {
    const h = open();
    const { stop, target } = longWithBracket(h, 6000);
    const submitsBefore = h.submits().length;
    h.send(signal('sell', T0 + 3 * MIN));
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(stop, 5992, 'x-stop', T0 + 3 * MIN + 5) });
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: T0 + 3 * MIN + 10 });
    expect(h.submits()).toHaveLength(submitsBefore);
    const ctx = h.actor.getSnapshot().context;
    expect(ctx.book.qty).toBe(0);
    expect(h.actor.getSnapshot().matches({ running: { exit: 'idle' } })).toBe(true);
    expect(ctx.live).toEqual({});
  });
});

describe('orchestrator: kill switch', () => {
  it('cancels everything, flattens after the cancels, refuses new orders, and resumes only through reconciliation', () => {
    const h = open();
    const { stop, target } = longWithBracket(h, 6000);
    const submitsBefore = h.submits().length;

    h.send({ type: 'OPERATOR.KILL', who: 'alice', reason: 'manual test', time: T0 + 4 * MIN });
    expect(h.risk()).toBe('killed');
    expect(h.actor.getSnapshot().context.riskState).toBe('killed');
    expect(h.cancels().sort()).toEqual([stop.clientOrderId, target.clientOrderId].sort());
    expect(h.submits()).toHaveLength(submitsBefore);
    expect(h.ofType('audit')).toContainEqual({ type: 'audit', who: 'alice', action: 'kill', detail: 'manual test', time: T0 + 4 * MIN });
    expect(h.ofType('audit').some((a) => a.action === 'risk-state' && /^normal -> killed: \S+: .+/.test(a.detail))).toBe(true);

    // Signals while killed send nothing, not even a second closing order.
    h.send(signal('sell', T0 + 4 * MIN + 1));
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: stop.clientOrderId, time: T0 + 4 * MIN + 2 });
    expect(h.submits()).toHaveLength(submitsBefore);
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: T0 + 4 * MIN + 3 });
    expect(h.submits()).toHaveLength(submitsBefore + 1);
    const flatten = last(h.submits());
    expect(flatten).toMatchObject({ side: 'sell', qty: 1, type: 'market', purpose: 'flatten' });

    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(flatten, 5999, 'x-flat', T0 + 4 * MIN + 4) });
    expect(h.actor.getSnapshot().context.book.qty).toBe(0);
    expect(h.submits()).toHaveLength(submitsBefore + 1);

    h.send(signal('buy', T0 + 5 * MIN));
    expect(h.submits()).toHaveLength(submitsBefore + 1);
    expect(last(h.ofType('journal.order'))).toMatchObject({ status: 'risk-refused', detail: expect.stringMatching(/^killed:/) });

    // A resume without a reason is refused by risk.
    const reconcilesBefore = h.children.execution.received.filter((e) => e.type === 'VENUE.RECONCILE').length;
    h.send({ type: 'OPERATOR.RESUME', who: 'bob', reason: '', time: T0 + 6 * MIN });
    expect(h.risk()).toBe('killed');

    h.send({ type: 'OPERATOR.RESUME', who: 'bob', reason: 'account checked', time: T0 + 7 * MIN });
    expect(h.children.execution.received.filter((e) => e.type === 'VENUE.RECONCILE').length).toBeGreaterThan(reconcilesBefore);
    expect(h.ofType('audit')).toContainEqual({ type: 'audit', who: 'bob', action: 'resume', detail: 'account checked', time: T0 + 7 * MIN });
    // Out of killed, but not tradeable until the venue has answered.
    expect(h.risk()).toBe('reconciling');
    h.send(signal('buy', T0 + 7 * MIN + 1));
    expect(h.submits()).toHaveLength(submitsBefore + 1);

    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 0, time: T0 + 7 * MIN + 2 });
    expect(h.risk()).toBe('normal');
    h.send(signal('buy', T0 + 8 * MIN));
    expect(h.submits()).toHaveLength(submitsBefore + 2);
    expect(last(h.submits())).toMatchObject({ side: 'buy', purpose: 'entry' });
  });

  it('a kill while flat sends nothing to the venue', () => {
    const h = open();
    startTrading(h);
    h.send({ type: 'OPERATOR.KILL', who: 'alice', reason: 'flat kill', time: T0 + MIN });
    expect(h.risk()).toBe('killed');
    expect(h.submits()).toEqual([]);
    expect(h.cancels()).toEqual([]);
  });
});

describe('orchestrator: persist and restore', () => {
  it('restores killed without handling the kill again, keeps refusing, and never reuses a ClientOrderID', () => {
    const h = open();
    const { stop, target } = longWithBracket(h, 6000);
    h.send({ type: 'OPERATOR.KILL', who: 'alice', reason: 'before restart', time: T0 + 4 * MIN });
    expect(h.cancels()).toHaveLength(2);
    const idsBefore = new Set(h.ofType('journal.order').map((e) => e.clientOrderId));
    const killedAt = (h.actor.getSnapshot().children.risk!.getSnapshot() as RiskSnapshot).context.killedAt;

    const saved = roundTrip(h.actor.getPersistedSnapshot());
    h.actor.stop();

    const r = open({ snapshot: saved });
    expect(r.risk()).toBe('killed');
    expect(r.actor.getSnapshot().context).toMatchObject({ riskState: 'killed' });
    expect(killedAt).not.toBeNull();
    // The kill was acted upon and the flatten waits for the cancels: both are states, restored as such.
    expect(r.actor.getSnapshot().value).toMatchObject({ running: { session: 'trading', exit: { pending: 'flatten' }, kill: 'handled' } });
    // Order actors came back by name with their state; the I/O children started again.
    expect(r.order(stop.clientOrderId)?.value).toBe('pendingCancel');
    expect(r.order(target.clientOrderId)?.value).toBe('pendingCancel');
    expect(r.children.execution.starts).toHaveLength(1);
    // The kill was handled before the restart: no second round of cancels, no flatten yet.
    expect(r.cancels()).toEqual([]);
    expect(r.submits()).toEqual([]);

    r.from('execution', { type: 'VENUE.CANCELED', clientOrderId: stop.clientOrderId, time: T0 + 4 * MIN + 10 });
    r.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: T0 + 4 * MIN + 11 });
    expect(r.submits()).toHaveLength(1);
    const flatten = r.submits()[0]!;
    expect(flatten.purpose).toBe('flatten');
    r.from('execution', { type: 'VENUE.FILL', fill: fillOf(flatten, 5998, 'x-flat', T0 + 4 * MIN + 12) });
    expect(r.actor.getSnapshot().context.book.qty).toBe(0);
    expect(r.submits()).toHaveLength(1);

    // A new session with the same id while killed: still killed, orders refused.
    r.send({ type: 'SESSION.START', sessionId: 'S1', time: T0 + 10 * MIN });
    r.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 0, time: T0 + 10 * MIN + 1 });
    expect(r.risk()).toBe('killed');
    r.send(signal('buy', T0 + 11 * MIN));
    expect(r.submits()).toHaveLength(1);

    r.send({ type: 'OPERATOR.RESUME', who: 'bob', reason: 'restart checked', time: T0 + 12 * MIN });
    r.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 0, time: T0 + 12 * MIN + 1 });
    expect(r.risk()).toBe('normal');
    r.send(signal('buy', T0 + 13 * MIN));
    expect(r.submits()).toHaveLength(2);

    const idsAfter = r.ofType('journal.order').map((e) => e.clientOrderId);
    const newIds = [...new Set(idsAfter)].filter((id) => id !== stop.clientOrderId && id !== target.clientOrderId);
    expect(newIds.length).toBeGreaterThanOrEqual(3); // flatten, refused entry, entry
    for (const id of newIds) expect(idsBefore.has(id)).toBe(false);
  });
  it('a snapshot saved when pending exit and kill handling were context flags restores into the same states and carries on alike', () => {
    const h = open();
    const { stop, target } = longWithBracket(h, 6000);
    h.send({ type: 'OPERATOR.KILL', who: 'alice', reason: 'before restart', time: T0 + 4 * MIN });
    const killedAt = (h.actor.getSnapshot().children.risk!.getSnapshot() as RiskSnapshot).context.killedAt;
    const saved = roundTrip(h.actor.getPersistedSnapshot()) as { value: { running: { session: string } }; context: Record<string, unknown> };
    h.actor.stop();
    // The old shape: the session's state directly under running, the protocol in the context.
    const old = { ...saved, value: { running: saved.value.running.session }, context: { ...saved.context, pendingExit: 'flatten', killHandledAt: killedAt } };

    const r = open({ snapshot: upgradeSnapshot(old) });
    expect(r.actor.getSnapshot().value).toEqual({ running: { session: 'trading', exit: { pending: 'flatten' }, kill: 'handled' } });
    expect(r.actor.getSnapshot().context).not.toHaveProperty('pendingExit');
    expect(r.cancels()).toEqual([]);
    r.from('execution', { type: 'VENUE.CANCELED', clientOrderId: stop.clientOrderId, time: T0 + 4 * MIN + 10 });
    r.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: T0 + 4 * MIN + 11 });
    expect(r.submits().map((o) => o.purpose)).toEqual(['flatten']);
    expect(r.actor.getSnapshot().matches({ running: { exit: 'idle', kill: 'handled' } })).toBe(true);

    // A kill that was not acted upon (another killedAt) is acted upon after the restore, once.
    const unhandled = upgradeSnapshot({ ...old, context: { ...old.context, pendingExit: null, killHandledAt: (killedAt ?? 0) - 1 } });
    expect((unhandled as { value: unknown }).value).toEqual({ running: { session: 'trading', exit: 'idle', kill: 'idle' } });
    // Today's shape is left as it is.
    expect(upgradeSnapshot(saved)).toBe(saved);
  });
});

describe('orchestrator: reconciliation with the venue', () => {
  it('an entry in flight goes unknown on VENUE.DOWN and takes the venue fill on reconciliation', () => {
    const h = open();
    startTrading(h);
    h.send({ type: 'VENUE.MARK', price: 6000, time: T0 + MIN - 1 });
    h.send(signal('buy', T0 + MIN));
    const entry = h.submits()[0]!;
    h.from('execution', { type: 'VENUE.DOWN', reason: 'socket closed', time: T0 + MIN + 1 });
    expect(h.order(entry.clientOrderId)?.value).toBe('unknown');
    expect(h.risk()).toBe('reconciling');
    expect(h.ofType('audit')).toContainEqual({ type: 'audit', who: 'execution', action: 'venue-down', detail: 'socket closed', time: T0 + MIN + 1 });

    h.from('execution', { type: 'VENUE.UP', time: T0 + MIN + 2 });
    h.from('execution', {
      type: 'VENUE.RECONCILED',
      orders: { [entry.clientOrderId]: { status: 'filled', filledQty: 1, avgFillPrice: 6000.25, serverOrderId: 'srv-1' } },
      position: 1,
      time: T0 + MIN + 3,
    });
    expect(last(h.ofType('journal.order').filter((e) => e.clientOrderId === entry.clientOrderId)).status).toBe('filled');
    // The entry filled during the outage: its position is taken over and protected.
    expect(Object.values(h.actor.getSnapshot().context.live).map((o) => o.request.purpose).sort()).toEqual(['bracket-stop', 'bracket-target']);
    expect(h.actor.getSnapshot().context.book.qty).toBe(1);
    expect(h.ofType('audit').filter((a) => a.action === 'reconcile-discrepancy')).toHaveLength(1);
    expect(h.risk()).toBe('normal');
    expect(h.submits().filter((o) => o.clientOrderId === entry.clientOrderId)).toHaveLength(1);
  });

  it('resolves in-flight orders the venue still works and declares lost (never resubmits) those it does not know', () => {
    const h = open();
    startTrading(h);
    h.send(signal('buy', T0 + MIN));
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(h.submits()[0]!, 6000, 'x-1', T0 + MIN) });
    const [stop, target] = h.submits().slice(1);
    if (!stop || !target) throw new Error('no bracket');

    h.from('execution', { type: 'VENUE.DOWN', reason: 'heartbeat timeout', time: T0 + MIN + 5 });
    expect(h.order(stop.clientOrderId)?.value).toBe('unknown');
    expect(h.order(target.clientOrderId)?.value).toBe('unknown');
    h.from('execution', { type: 'VENUE.UP', time: T0 + MIN + 7 });
    h.from('execution', {
      type: 'VENUE.RECONCILED',
      orders: { [stop.clientOrderId]: { status: 'working', filledQty: 0, serverOrderId: 'srv-stop' } },
      position: 1,
      time: T0 + MIN + 8,
    });

    expect(h.order(stop.clientOrderId)?.value).toEqual({ working: 'open' });
    expect(Object.keys(h.actor.getSnapshot().context.live)).toContain(stop.clientOrderId);
    const targetJournal = h.ofType('journal.order').filter((e) => e.clientOrderId === target.clientOrderId);
    expect(last(targetJournal).status).toBe('lost');
    expect(h.order(target.clientOrderId)).toBeUndefined();
    expect(h.submits().filter((o) => o.clientOrderId === target.clientOrderId)).toHaveLength(1);
    expect(h.ofType('audit').some((a) => a.action === 'reconcile-discrepancy')).toBe(false);
  });

  it('re-sends the cancels of a pending exit that the venue still works after a reconnect', () => {
    const h = open();
    const { stop, target } = longWithBracket(h, 6000);
    h.from('execution', { type: 'VENUE.DOWN', reason: 'link lost', time: T0 + 3 * MIN });
    // The kill's cancels go out while the link is down and are lost.
    h.send({ type: 'OPERATOR.KILL', who: 'alice', reason: 'link trouble', time: T0 + 3 * MIN + 1 });
    expect(h.cancels()).toHaveLength(2);
    h.from('execution', { type: 'VENUE.UP', time: T0 + 3 * MIN + 2 });
    const working = { status: 'working', filledQty: 0 } as const;
    h.from('execution', {
      type: 'VENUE.RECONCILED',
      orders: { [stop.clientOrderId]: working, [target.clientOrderId]: working },
      position: 1,
      time: T0 + 3 * MIN + 3,
    });
    expect(h.cancels()).toHaveLength(4);
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: stop.clientOrderId, time: T0 + 3 * MIN + 4 });
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: T0 + 3 * MIN + 5 });
    expect(last(h.submits())).toMatchObject({ purpose: 'flatten', side: 'sell', qty: 1 });
  });

  it('killed: a flatten order lost with the link is sent again after reconciliation', () => {
    const h = open();
    const { stop, target } = longWithBracket(h, 6000);
    h.send({ type: 'OPERATOR.KILL', who: 'alice', reason: 'drill', time: T0 + 3 * MIN });
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: stop.clientOrderId, time: T0 + 3 * MIN + 1 });
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: T0 + 3 * MIN + 2 });
    const flatten = last(h.submits());
    expect(flatten.purpose).toBe('flatten');
    h.from('execution', { type: 'VENUE.DOWN', reason: 'link lost', time: T0 + 3 * MIN + 3 });
    expect(h.order(flatten.clientOrderId)?.value).toBe('unknown');
    h.from('execution', { type: 'VENUE.UP', time: T0 + 3 * MIN + 4 });
    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 1, time: T0 + 3 * MIN + 5 });
    expect(last(h.ofType('journal.order').filter((e) => e.clientOrderId === flatten.clientOrderId)).status).toBe('lost');
    const again = last(h.submits());
    expect(again).toMatchObject({ purpose: 'flatten', side: 'sell', qty: 1 });
    expect(again.clientOrderId).not.toBe(flatten.clientOrderId);
    expect(h.submits().filter((o) => o.clientOrderId === flatten.clientOrderId)).toHaveLength(1);
    expect(h.risk()).toBe('killed');
  });

  it('an entry the venue never saw is journaled lost; the next signal gets a fresh id', () => {
    const h = open();
    startTrading(h);
    h.send(signal('buy', T0 + MIN));
    const entry = h.submits()[0]!;
    h.from('execution', { type: 'VENUE.DOWN', reason: 'reset', time: T0 + MIN + 1 });
    h.from('execution', { type: 'VENUE.UP', time: T0 + MIN + 2 });
    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 0, time: T0 + MIN + 3 });
    expect(last(h.ofType('journal.order')).status).toBe('lost');
    expect(h.submits()).toHaveLength(1);
    h.send(signal('buy', T0 + 2 * MIN));
    expect(h.submits()).toHaveLength(2);
    expect(h.submits()[1]!.clientOrderId).not.toBe(entry.clientOrderId);
  });

  it("corrects a position mismatch to the venue's and audits it", () => {
    const h = open();
    startTrading(h);
    expect(h.ofType('audit').some((a) => a.action === 'reconcile-discrepancy')).toBe(false);
    h.send({ type: 'VENUE.MARK', price: 6010, time: T0 + MIN });
    h.send({ type: 'SESSION.START', sessionId: 'S2', time: T0 + 2 * MIN });
    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: -1, time: T0 + 2 * MIN + 1 });
    const ctx = h.actor.getSnapshot().context;
    expect(ctx.book).toMatchObject({ qty: -1, avgPrice: 6010, openedAt: T0 + 2 * MIN + 1 });
    const audit = h.ofType('audit').filter((a) => a.action === 'reconcile-discrepancy');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ who: 'execution', time: T0 + 2 * MIN + 1 });
    expect(audit[0]!.detail).toContain('journal position 0, venue position -1');
    // The position taken over is protected by a bracket as soon as risk has reconciled...
    const bracket = h.submits().filter((r) => r.purpose.startsWith('bracket'));
    expect(bracket.map((r) => [r.purpose, r.side, r.stopPrice ?? r.price])).toEqual([
      ['bracket-stop', 'buy', 6018],
      ['bracket-target', 'buy', 5998],
    ]);
    // ...and it is what the next decisions use: a buy signal exits, bracket cancelled first.
    h.send(signal('buy', T0 + 3 * MIN));
    expect(h.cancels()).toEqual(bracket.map((r) => r.clientOrderId));
    for (const r of bracket) h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: r.clientOrderId, time: T0 + 3 * MIN });
    expect(last(h.submits())).toMatchObject({ side: 'buy', qty: 1, purpose: 'exit' });
  });

  it("values a position taken over from the venue at the venue's average price, never at 0", () => {
    const h = open();
    startTrading(h);
    // No mark has been seen yet: only the venue knows what the position cost.
    h.send({ type: 'SESSION.START', sessionId: 'S2', time: T0 + MIN });
    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 2, avgPrice: 5990.5, time: T0 + MIN + 1 });
    expect(h.actor.getSnapshot().context.book).toMatchObject({ qty: 2, avgPrice: 5990.5 });
    // Equity stays sane: the risk machine sees the open P&L of 2 contracts, not of 2 x 5990 points.
    h.send({ type: 'VENUE.MARK', price: 5985.5, time: T0 + 2 * MIN });
    const risk = h.actor.getSnapshot().children.risk!.getSnapshot() as { context: { openPnl: number } };
    expect(risk.context.openPnl).toBeCloseTo(-500, 6);
    expect(h.risk()).not.toBe('killed');
  });
});

describe('orchestrator: session end', () => {
  it('MD.ENDING flattens (cancels first), ends once flat, emits session.ended and stops market data', () => {
    const h = open();
    const { stop, target } = longWithBracket(h, 6000);
    h.from('marketData', { type: 'MD.ENDING', time: T0 + 10 * MIN });
    expect(h.actor.getSnapshot().matches({ running: { session: 'flattening' } })).toBe(true);
    expect(h.cancels().sort()).toEqual([stop.clientOrderId, target.clientOrderId].sort());
    const submitsBefore = h.submits().length;

    // Signals no longer trade while flattening.
    h.send(signal('buy', T0 + 10 * MIN + 1));
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: stop.clientOrderId, time: T0 + 10 * MIN + 2 });
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: T0 + 10 * MIN + 3 });
    expect(h.submits()).toHaveLength(submitsBefore + 1);
    const flatten = last(h.submits());
    expect(flatten).toMatchObject({ side: 'sell', qty: 1, type: 'market', purpose: 'flatten' });
    expect(h.ofType('session.ended')).toEqual([]);
    expect(h.children.marketData.received).toEqual([]);

    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(flatten, 6001, 'x-flat', T0 + 10 * MIN + 4) });
    expect(h.actor.getSnapshot().matches({ running: { session: 'ended' } })).toBe(true);
    expect(h.ofType('session.ended')).toEqual([{ type: 'session.ended', openPosition: 0, time: T0 + 10 * MIN + 4 }]);
    expect(h.children.marketData.received).toEqual([{ type: 'MD.STOP' }]);
    expect(h.actor.getSnapshot().context.openAtEnd).toBe(0);

    h.send(signal('buy', T0 + 11 * MIN));
    expect(h.submits()).toHaveLength(submitsBefore + 1);
  });

  it('ends at once when flat, and reports an open position when the data runs out first', () => {
    const flat = open();
    startTrading(flat);
    flat.from('marketData', { type: 'MD.ENDING', time: T0 + MIN });
    expect(flat.actor.getSnapshot().matches({ running: { session: 'ended' } })).toBe(true);
    expect(flat.ofType('session.ended')).toHaveLength(1);

    const h = open();
    longWithBracket(h, 6000);
    h.from('marketData', { type: 'MD.ENDING', time: T0 + 10 * MIN });
    h.from('marketData', { type: 'MD.DONE', bars: 100, time: T0 + 10 * MIN + 1 });
    expect(h.actor.getSnapshot().matches({ running: { session: 'ended' } })).toBe(true);
    expect(h.ofType('session.ended')).toEqual([{ type: 'session.ended', openPosition: 1, time: expect.any(Number) }]);
    expect(h.actor.getSnapshot().context.openAtEnd).toBe(1);
  });
});
