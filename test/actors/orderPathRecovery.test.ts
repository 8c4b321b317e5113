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
}

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
