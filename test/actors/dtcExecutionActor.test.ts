/**
 * The DTC execution actor against the real paper DTC server over loopback, with faults:
 * the server killed with an order in flight and restarted on the same engine, a refused
 * order, and orders asked for while the link is down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, setup, assign, type AnyActorRef } from 'xstate';
import { ManualClock } from '../../core/clock.ts';
import type { Bar, OrderRequest } from '../../core/types.ts';
import { DtcClient, dtcConnectionInput } from '../../adapters/dtc/dtcClient.ts';
import { startPaperDtcServer, type PaperDtcServer } from '../../adapters/dtc/paperServer.ts';
import { dtcExecutionActor, fillsWindow } from '../../actors/dtcExecutionActor.ts';
import type { ChildEvent, VenueCommand } from '../../machines/orchestratorEvents.ts';

const T0 = Date.UTC(2025, 10, 4, 15, 0);
const MIN = 60_000;

const bar = (time: number, price: number): Bar => ({ symbol: 'ESZ25', time, open: price, high: price + 1, low: price - 1, close: price, volume: 100 });
const order = (id: string, over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: id, symbol: 'ESZ25', side: 'buy', qty: 1, type: 'market', tif: 'day', purpose: 'entry', createdAt: T0, ...over,
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(what: string, probe: () => T | undefined, ms = 8_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const reconnect = { heartbeatSeconds: 5, maxReconnectAttempts: 50, backoffBaseMs: 20, backoffMaxMs: 100 };

async function harness(server: PaperDtcServer, clock: ManualClock, knownExecutions: Set<string> = new Set(), waitReconciled = true, snapshot?: unknown, extra: Partial<Parameters<typeof dtcExecutionActor>[0]> = {}) {
  const port = server.port;
  const logic = dtcExecutionActor({
    createClient: (connection) => new DtcClient({ host: '127.0.0.1', port, encoding: 'binary', ...reconnect, maxMessagesPerSecond: 1000, clock, connection }),
    connection: dtcConnectionInput(reconnect),
    clock,
    miaSymbol: 'ESZ25',
    route: { account: null, symbol: 'ESZ25', exchange: 'CME' },
    commissionPerContract: 2.25,
    knownExecution: (f) => knownExecutions.has(f.executionId),
    lastFillTime: () => undefined,
    barMs: MIN,
    ...extra,
  });
  const parent = setup({ actors: { execution: logic }, types: { context: {} as { events: ChildEvent[] }, events: {} as ChildEvent } }).createMachine({
    context: { events: [] },
    invoke: { id: 'execution', src: 'execution', input: { generation: 0 } },
    on: { '*': { actions: assign({ events: ({ context, event }) => [...context.events, event] }) } },
  });
  const actor = createActor(parent, snapshot ? { snapshot: snapshot as never } : {}).start();
  cleanups.push(() => void actor.stop());
  const events = () => actor.getSnapshot().context.events;
  const send = (c: VenueCommand) => (actor.getSnapshot().children.execution as AnyActorRef).send(c);
  const of = <K extends ChildEvent['type']>(type: K) => events().filter((e): e is Extract<ChildEvent, { type: K }> => e.type === type);
  if (waitReconciled) await until('first reconciliation', () => of('VENUE.RECONCILED').length > 0);
  const execution = () => actor.getSnapshot().children.execution as AnyActorRef;
  return { events, send, of, execution, actor };
}

describe('dtcExecutionActor over the paper DTC server', () => {
  it('logs on, reconciles, reports the account, and trades: accepted then filled', async () => {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock, startingBalance: 50_000, marginPerContract: 500 });
    cleanups.push(() => server.close());
    const h = await harness(server, clock);
    expect(h.of('VENUE.UP')).toHaveLength(1);
    expect(h.of('VENUE.RECONCILED')[0]).toMatchObject({ orders: {}, position: 0 });
    expect(h.of('VENUE.ACCOUNT')[0]?.availableFunds).toBeGreaterThan(0);

    h.send({ type: 'VENUE.SUBMIT', request: order('A-1') });
    await until('accepted', () => h.of('VENUE.ACCEPTED').length === 1);
    server.onBar(bar(T0, 6000));
    const fill = await until('fill', () => h.of('VENUE.FILL')[0]);
    expect(fill.fill).toMatchObject({ clientOrderId: 'A-1', side: 'buy', qty: 1, commission: 2.25 });
    // The same ClientOrderID never leaves twice.
    h.send({ type: 'VENUE.SUBMIT', request: order('A-1') });
    await new Promise((r) => setTimeout(r, 100));
    expect(Object.keys(server.venue.snapshot().orders)).toEqual(['A-1']);
  });

  it('kill the server with an order in flight, fill it meanwhile, restart: the order ends filled, its fill is reported once, nothing is sent twice', async () => {
    const clock = new ManualClock(T0);
    let server = await startPaperDtcServer({ port: 0, clock });
    const venue = server.venue;
    const port = server.port;
    const h = await harness(server, clock);

    // The acceptance is held back: the order is in flight when the server dies.
    server.faults.delayUpdatesMs = 5_000;
    h.send({ type: 'VENUE.SUBMIT', request: order('B-1') });
    await until('order at the venue', () => venue.snapshot().orders['B-1']);
    await server.close();
    await until('venue down', () => h.of('VENUE.DOWN').length > 0);
    expect(h.of('VENUE.ACCEPTED')).toEqual([]);

    // While MIA is cut off, the venue fills it.
    venue.onBar(bar(T0, 6000));
    expect(venue.snapshot()).toMatchObject({ position: 1 });
    // Orders asked for while the link is down are refused here, never queued.
    h.send({ type: 'VENUE.SUBMIT', request: order('B-2') });
    expect(h.of('VENUE.REJECTED').at(-1)).toMatchObject({ clientOrderId: 'B-2' });
    expect(h.of('VENUE.REJECTED').at(-1)!.reason).toMatch(/not sent/);

    server = await startPaperDtcServer({ port, clock, venue });
    cleanups.push(() => server.close());
    await until('second reconciliation', () => h.of('VENUE.RECONCILED').length === 2);
    const fills = h.of('VENUE.FILL');
    expect(fills).toHaveLength(1);
    expect(fills[0]!.fill).toMatchObject({ clientOrderId: 'B-1', qty: 1, side: 'buy' });
    expect(h.of('VENUE.RECONCILED')[1]).toMatchObject({ orders: { 'B-1': { status: 'filled', filledQty: 1 } }, position: 1 });
    // One order at the venue: B-1 was never resent and B-2 never left.
    expect(Object.keys(venue.snapshot().orders)).toEqual(['B-1']);
  });

  it('a fill the history gives again (ledgered after the restored snapshot) is its order\'s, found by the ledger\'s venue id, never foreign', async () => {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock });
    cleanups.push(() => server.close());
    server.onBar(bar(T0 - MIN, 6000));
    server.venue.submit(order('L-1'), T0);
    server.onBar(bar(T0, 6000));
    const serverOrderId = await until('filled at the venue', () => server.venue.snapshot().orders['L-1']?.status === 'filled' && server.venue.snapshot().orders['L-1']!.serverOrderId);
    // The ledger knows L-1 by its venue id; the fill is not counted (knownExecution false).
    const ledger = { knownOrder: (id: string) => id === 'L-1', ledgerClientIdOf: (s: string) => (s === serverOrderId ? 'L-1' : undefined) };
    const h = await harness(server, clock, new Set(), true, undefined, ledger);
    expect(h.of('VENUE.FOREIGN')).toEqual([]);
    expect(h.of('VENUE.FILL').map((e) => e.fill.clientOrderId)).toEqual(['L-1']);
    // Without the ledger's venue id the same fill reads as someone else's.
    const blind = await harness(server, clock, new Set(), true, undefined, { knownOrder: ledger.knownOrder });
    expect(blind.of('VENUE.FOREIGN')).toHaveLength(1);
  });

  it('a venue whose clock runs days ahead of MIA\'s still gives the fills since the last journaled one', async () => {
    const DAY = 86_400_000;
    const venueClock = new ManualClock(T0 + 2 * DAY);
    const server = await startPaperDtcServer({ port: 0, clock: venueClock });
    cleanups.push(() => server.close());
    server.onBar(bar(T0 + 2 * DAY - MIN, 6000));
    server.venue.submit(order('A-1'), T0 + 2 * DAY);
    server.onBar(bar(T0 + 2 * DAY, 6000));
    await until('filled at the venue', () => server.venue.snapshot().orders['A-1']?.status === 'filled' || undefined);
    venueClock.set(T0 + 5 * DAY);
    // MIA's clock is at T0, its last journaled fill a minute before: it wants 2 days back from T0.
    const h = await harness(server, new ManualClock(T0), new Set(), true, undefined, {
      lastFillTime: () => T0 - MIN,
      knownOrder: (id: string) => id === 'A-1',
      ledgerClientIdOf: (s: string) => (s === server.venue.snapshot().orders['A-1']?.serverOrderId ? 'A-1' : undefined),
    });
    expect(h.of('VENUE.FILL').map((e) => e.fill.clientOrderId)).toEqual(['A-1']);
  });

  it('after a restart of MIA (a new actor that never saw the order), the orchestrator hint ties the venue records to it', async () => {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock });
    cleanups.push(() => server.close());
    server.venue.submit(order('C-1', { type: 'limit', price: 5990 }), T0);
    const h = await harness(server, clock);
    expect(h.of('VENUE.RECONCILED')[0]?.orders).toEqual({});
    h.send({ type: 'VENUE.RECONCILE', live: { 'C-1': { request: order('C-1', { type: 'limit', price: 5990 }), filledQty: 0 } } });
    const second = await until('reconciled with the hint', () => h.of('VENUE.RECONCILED')[1]);
    expect(second.orders['C-1']).toMatchObject({ status: 'working', filledQty: 0 });
    // The actor can now cancel it by its venue id.
    h.send({ type: 'VENUE.CANCEL', clientOrderId: 'C-1' });
    await until('cancelled', () => h.of('VENUE.CANCELED').length === 1);
    expect(server.venue.snapshot().orders['C-1']?.status).toBe('cancelled');
  });

  it('a venue rejection comes back with its reason; bracket legs leave as one OCO order', async () => {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock });
    cleanups.push(() => server.close());
    const h = await harness(server, clock);
    server.faults.rejectNext(1, 'paper: rejected for the test');
    h.send({ type: 'VENUE.SUBMIT', request: order('D-1') });
    const rejected = await until('rejected', () => h.of('VENUE.REJECTED')[0]);
    expect(rejected).toMatchObject({ clientOrderId: 'D-1', reason: 'paper: rejected for the test' });

    const stop = order('D-2', { side: 'sell', type: 'stop', stopPrice: 5990, tif: 'gtc', ocoGroup: 'g', purpose: 'bracket-stop' });
    const target = order('D-3', { side: 'sell', type: 'limit', price: 6010, tif: 'gtc', ocoGroup: 'g', purpose: 'bracket-target' });
    h.send({ type: 'VENUE.SUBMIT_BRACKET', bracket: { stop, target } });
    await until('both legs accepted', () => h.of('VENUE.ACCEPTED').length === 2);
    server.onBar(bar(T0 + MIN, 5989));
    await until('stop filled, target cancelled', () => h.of('VENUE.FILL').length === 1 && h.of('VENUE.CANCELED').length === 1);
    expect(h.of('VENUE.FILL')[0]!.fill.clientOrderId).toBe('D-2');
    expect(h.of('VENUE.CANCELED')[0]!.clientOrderId).toBe('D-3');
    // A bracket whose ids already left is not sent again, not even in part.
    h.send({ type: 'VENUE.SUBMIT_BRACKET', bracket: { stop, target: order('D-4', { side: 'sell', type: 'limit', price: 6010, tif: 'gtc' }) } });
    await new Promise((r) => setTimeout(r, 100));
    expect(Object.keys(server.venue.snapshot().orders).sort()).toEqual(['D-1', 'D-2', 'D-3']);
  });

  it('a bracket with its entry is one command: the legs wait at the venue for the entry fill, then one cancels the other', async () => {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock });
    cleanups.push(() => server.close());
    const h = await harness(server, clock);
    const entry = order('E-1', { type: 'limit', price: 6000, tif: 'gtc' });
    const stop = order('E-2', { side: 'sell', type: 'stop', stopPrice: 5990, tif: 'gtc', purpose: 'bracket-stop' });
    const target = order('E-3', { side: 'sell', type: 'limit', price: 6010, tif: 'gtc', purpose: 'bracket-target' });
    h.send({ type: 'VENUE.SUBMIT_BRACKET', bracket: { entry, stop, target } });
    await until('the three orders at the venue', () => Object.keys(server.venue.snapshot().orders).length === 3 || undefined);
    // Nothing fills above the entry's limit: the legs are held, not working.
    server.onBar(bar(T0 + MIN, 6005));
    await new Promise((r) => setTimeout(r, 100));
    expect(h.of('VENUE.FILL')).toEqual([]);
    server.onBar(bar(T0 + 2 * MIN, 6000));
    await until('entry filled', () => h.of('VENUE.FILL').length === 1);
    expect(h.of('VENUE.FILL')[0]!.fill).toMatchObject({ clientOrderId: 'E-1', side: 'buy' });
    server.onBar(bar(T0 + 3 * MIN, 6011));
    await until('target filled, stop cancelled', () => h.of('VENUE.FILL').length === 2 && h.of('VENUE.CANCELED').length === 1);
    expect(h.of('VENUE.FILL')[1]!.fill.clientOrderId).toBe('E-3');
    expect(h.of('VENUE.CANCELED')[0]!.clientOrderId).toBe('E-2');
    expect(server.venue.snapshot().position).toBe(0);
  });

  it('runs its connection machine as a child: execution > connection is connected, and a refused logon fails typed', async () => {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock });
    cleanups.push(() => server.close());
    const h = await harness(server, clock);
    const connection = h.execution().getSnapshot().children.connection as AnyActorRef;
    expect(connection.getSnapshot().value).toMatchObject({ connected: expect.anything() });
    expect(connection.getSnapshot().context).toMatchObject({ name: 'dtc', connectedCount: 1 });

    // A server that wants credentials we do not have refuses the logon for good.
    const strict = await startPaperDtcServer({ port: 0, clock, username: 'alice', password: 'secret' });
    cleanups.push(() => strict.close());
    const refused = await harness(strict, clock, new Set(), false);
    const failed = await until('CHILD.FAILED', () => refused.of('CHILD.FAILED')[0]);
    expect(failed).toMatchObject({ child: 'execution', code: 'LOGON_REFUSED' });
    expect(failed.error).toMatch(/logon failed/);
    const strictConnection = refused.execution().getSnapshot().children.connection as AnyActorRef;
    expect(strictConnection.getSnapshot()).toMatchObject({ value: 'failed', context: { lastFailure: 'LOGON_REFUSED' } });
  });

  it('persists its connection machine with the rest and, restored after a crash, reconnects and reconciles', async () => {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock });
    cleanups.push(() => server.close());
    const first = await harness(server, clock);
    const saved = JSON.parse(JSON.stringify(first.actor.getPersistedSnapshot())) as {
      children: { execution: { snapshot: { children: { connection: { snapshot: { value: unknown; context: Record<string, unknown> } } } } } };
    };
    const connection = saved.children.execution.snapshot.children.connection.snapshot;
    expect(connection.value).toMatchObject({ connected: expect.anything() });
    expect(connection.context).toMatchObject({ name: 'dtc', connectedCount: 1, attempt: 0 });
    first.actor.stop();

    // A new process restores the snapshot: the machine says connected, but no socket is
    // behind it any more; the restored actor drops that belief, logs on again and reconciles.
    const second = await harness(server, clock, new Set(), false, saved);
    // The parent's record of events was restored too: count what comes after it.
    const before = { reconciled: second.of('VENUE.RECONCILED').length, accepted: second.of('VENUE.ACCEPTED').length };
    await until('reconciled after the restore', () => second.of('VENUE.RECONCILED').length > before.reconciled);
    const restored = second.execution().getSnapshot().children.connection as AnyActorRef;
    expect(restored.getSnapshot().value).toMatchObject({ connected: expect.anything() });
    // Its count carried on from the snapshot: this is the second logon of the same machine.
    expect(restored.getSnapshot().context.connectedCount).toBe(2);
    second.send({ type: 'VENUE.SUBMIT', request: order('F-1') });
    await until('accepted after the restore', () => second.of('VENUE.ACCEPTED').length === before.accepted + 1);
  });
});

describe('fillsWindow: how far back reconciliation asks for fills', () => {
  const DAY = 86_400_000;
  it('from the oldest of the last journaled fill and the oldest live order, whole days inclusive; only today when nothing is known', () => {
    expect(fillsWindow(undefined, undefined, T0, 30)).toEqual({ days: 1, startSeconds: 0, incomplete: null });
    expect(fillsWindow(T0 - 3 * DAY - 5, T0 - DAY, T0, 30)).toEqual({ days: 5, startSeconds: Math.floor((T0 - 3 * DAY - 5) / 1000) - 1, incomplete: null });
    expect(fillsWindow(T0 - 10 * MIN, T0 - 2 * DAY, T0, 30).days).toBe(3);
  });
  it('beyond what the venue keeps: the most it keeps, and why the history is incomplete', () => {
    const w = fillsWindow(T0 - 40 * DAY, undefined, T0, 30);
    expect(w.days).toBe(30);
    expect(w.incomplete).toMatch(/41 days.*30 days/);
  });
});
