/**
 * The order path across restarts, reconnects and outages, end to end: the real
 * orchestrator and DTC execution actor against the paper DTC server over loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { startPaperDtcServer, type PaperDtcServer } from '../../adapters/dtc/paperServer.ts';
import { signal, testSettings } from '../machines/orchestratorHarness.ts';
import { bar, emptyHome, MIN, startOrderPath, until, type OrderPath } from './orderPathHarness.ts';

const T0 = Date.UTC(2025, 10, 4, 15, 0);
const settings = testSettings();

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function track(p: OrderPath): OrderPath {
  cleanups.push(() => {
    if (p.actor.getSnapshot().status === 'active') p.actor.stop();
    expect(p.errors).toEqual([]);
  });
  return p;
}

const workingStops = (server: PaperDtcServer) =>
  server.venue.listOrders({ open: true }).filter((o) => o.type === 'stop' && o.side === 'sell');

/** MIA enters long 1 at the next bar and gets its bracket (stop + target) working at the venue. */
async function enterLong(server: PaperDtcServer, clock: ManualClock, p: OrderPath): Promise<void> {
  await until('risk normal', () => p.risk() === 'normal');
  p.actor.send(signal('buy', clock.now(), 6000));
  await until('entry at the venue', () => server.venue.listOrders({ open: true }).length === 1);
  clock.set(T0 + MIN);
  server.onBar(bar(T0, 6000));
  await until('bracket working', () => workingStops(server).length === 1 && p.position() === 1);
  // Both legs acknowledged: MIA knows their venue ids.
  await until('bracket acknowledged', () => p.emitted.filter((e) => e.type === 'journal.order' && e.status === 'working' && e.request.purpose.startsWith('bracket')).length === 2);
}

describe('a crash after orders left, before the next snapshot', () => {
  it('the orders the ledger holds are reconciled and adopted: their fills are MIA\'s, the working bracket is not doubled', async () => {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock });
    cleanups.push(() => server.close());
    const home = emptyHome();
    const first = track(startOrderPath(server, clock, settings, home));
    await until('risk normal', () => first.risk() === 'normal');
    first.save(); // the last snapshot: flat, nothing live
    await enterLong(server, clock, first);
    first.crash(); // entry, fill and bracket are journaled; the snapshot knows none of them
    clock.set(T0 + 3 * MIN);

    const second = track(startOrderPath(server, clock, settings, home));
    await until('reconciled', () => second.risk() === 'normal' && second.position() === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(second.emitted.filter((e) => e.type === 'audit' && e.action === 'foreign-order')).toEqual([]);
    expect(second.riskReasons()).toEqual([]);
    // The bracket still working at the venue is adopted, not doubled.
    expect(workingStops(server)).toHaveLength(1);
    const live = Object.values(second.actor.getSnapshot().context.live).map((o) => o.request.purpose).sort();
    expect(live).toEqual(['bracket-stop', 'bracket-target']);
    // The entry is journaled filled, as the venue has it (never left at 'sent').
    const entry = [...home.orders.values()].find((o) => o.request.purpose === 'entry');
    expect(entry).toMatchObject({ status: 'filled', filledQty: 1 });
  });
});

describe('a stop on every position', () => {
  it('a restart with an open position whose stop was lost gets its stop back as soon as the venue is ready', async () => {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock });
    cleanups.push(() => server.close());
    const home = emptyHome();
    const first = track(startOrderPath(server, clock, settings, home));
    await enterLong(server, clock, first);
    first.stop();

    // While MIA is down, the protective orders disappear at the venue (cancelled by hand).
    for (const o of server.venue.listOrders({ open: true })) server.venue.cancel(o.clientOrderId, clock.now());
    expect(workingStops(server)).toEqual([]);
    clock.set(T0 + 3 * MIN);

    const second = track(startOrderPath(server, clock, settings, home));
    const stop = await until('stop re-placed', () => workingStops(server)[0]);
    expect(stop).toMatchObject({ qty: 1, side: 'sell' });
    // Placed at the reconciliation's event time: unprotected for 0 ms of event time, within the limit.
    expect(stop.receivedAt - clock.now()).toBeLessThanOrEqual(settings.limits.unprotectedMaxMs);
    expect(second.position()).toBe(1);
    // Nothing was refused on the way ('not sent: the DTC venue is not connected').
    expect(second.emitted.filter((e) => e.type === 'journal.order' && e.status === 'rejected')).toEqual([]);
  });

  it('a reconnect after the server lost the stop re-places it once the venue is ready', async () => {
    const clock = new ManualClock(T0);
    let server = await startPaperDtcServer({ port: 0, clock });
    const { venue, port } = server;
    const p = track(startOrderPath(server, clock, settings, emptyHome()));
    await enterLong(server, clock, p);
    await server.close();
    for (const o of venue.listOrders({ open: true })) venue.cancel(o.clientOrderId, clock.now());
    server = await startPaperDtcServer({ port, clock, venue });
    cleanups.push(() => server.close());
    const stop = await until('stop re-placed after the reconnect', () => workingStops(server)[0]);
    expect(stop.qty).toBe(1);
    expect(workingStops(server)).toHaveLength(1);
    expect(p.position()).toBe(1);
  });
});

describe('complete reconciliation', () => {
  const DAY = 86_400_000;

  /** Long 1 with its bracket, MIA down, the stop fills three days later, MIA back. */
  async function outage(maxFillHistoryDays?: number) {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock });
    cleanups.push(() => server.close());
    const home = emptyHome();
    const first = track(startOrderPath(server, clock, settings, home));
    await enterLong(server, clock, first);
    const [stop] = workingStops(server);
    first.stop();
    const fillsBefore = home.fills.length;
    clock.set(T0 + 3 * DAY);
    server.onBar(bar(T0 + 3 * DAY - MIN, 5991));
    expect(server.venue.snapshot().position).toBe(0);
    const second = track(startOrderPath(server, clock, settings, home, maxFillHistoryDays !== undefined ? { maxFillHistoryDays } : {}));
    await until('reconciled', () => second.risk() !== 'reconciling');
    return { server, home, second, stop: stop!, fillsBefore };
  }

  it('a fill that happened during a 3-day outage is journaled once; every order ends in its venue-true state', async () => {
    const { server, home, second, stop, fillsBefore } = await outage();
    const stopFills = home.fills.filter((f) => f.clientOrderId === stop.clientOrderId);
    expect(stopFills).toHaveLength(1);
    expect(home.fills).toHaveLength(fillsBefore + 1);
    expect(home.orders.get(stop.clientOrderId)).toMatchObject({ status: 'filled', filledQty: 1, avgFillPrice: stopFills[0]!.price });
    // The target was cancelled by the venue when its OCO sibling filled: cancelled, not lost.
    const target = [...home.orders.values()].find((o) => o.request.purpose === 'bracket-target')!;
    expect(target).toMatchObject({ status: 'cancelled', filledQty: 0 });
    expect([...home.orders.values()].filter((o) => o.status === 'lost')).toEqual([]);
    expect(second.position()).toBe(server.venue.snapshot().position);
    expect(second.risk()).toBe('normal');
    // A later reconnect replays nothing.
    second.actor.send({ type: 'OPERATOR.RESUME', who: 't', reason: 'noop', time: T0 + 3 * DAY });
    expect(home.fills.filter((f) => f.clientOrderId === stop.clientOrderId)).toHaveLength(1);
  });

  it('an outage longer than the venue keeps fills: reconciled with what it gives, alerted, limited', async () => {
    const { second } = await outage(2);
    expect(second.risk()).toBe('limited');
    expect(second.riskReasons()).toContain('fills-history');
    expect(second.emitted.find((e) => e.type === 'audit' && e.action === 'fills-history')).toBeDefined();
  });
});

describe('foreign reports', () => {
  it('a fill for an order MIA never sent is journaled as foreign, alerted, limits risk, and the position is reduced to maxContracts', async () => {
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ port: 0, clock });
    cleanups.push(() => server.close());
    const home = emptyHome();
    const p = track(startOrderPath(server, clock, settings, home));
    await enterLong(server, clock, p);
    // Someone else's order on MIA's account: 2 more contracts, 3 in all with maxContracts 2.
    server.venue.submit({ clientOrderId: 'EVIL-1', symbol: 'ESZ25', side: 'buy', qty: 2, type: 'market', tif: 'day', purpose: 'other', createdAt: clock.now() }, clock.now());
    clock.set(T0 + 2 * MIN);
    server.onBar(bar(T0 + MIN, 6000));
    await until('foreign fill', () => home.fills.find((f) => f.clientOrderId === 'foreign:EVIL-1'));
    expect(home.fills.filter((f) => f.clientOrderId === 'EVIL-1')).toEqual([]);
    expect(p.risk()).toBe('limited');
    expect(p.riskReasons()).toContain('foreign-order');
    expect(p.emitted.find((e) => e.type === 'audit' && e.action === 'foreign-order')).toMatchObject({ who: 'risk' });
    expect(p.position()).toBe(3);
    // The reduce order goes out at once and fills on the next bar.
    const reduce = await until('reduce order', () => server.venue.listOrders({ open: true }).find((o) => o.type === 'market'));
    expect(reduce).toMatchObject({ side: 'sell', qty: 1 });
    clock.set(T0 + 3 * MIN);
    server.onBar(bar(T0 + 2 * MIN, 6000));
    await until('reduced to maxContracts', () => p.position() === settings.limits.maxContracts);
    expect(server.venue.snapshot().position).toBe(settings.limits.maxContracts);
    // What remains is under stops for its whole size: the first bracket plus one for the rest.
    await until('whole position under stops', () => workingStops(server).reduce((n, o) => n + o.qty - o.filledQty, 0) === 2);
  });
});
