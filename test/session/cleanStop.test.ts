/**
 * A clean stop (what SIGTERM/SIGINT call): a session trading through an external paper DTC
 * server whose order updates are held back stops with orders in flight; it waits, bounded,
 * for their answers and fills to be journaled, and its summary's position is the venue's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import { startPaperDtcServer, type PaperDtcServer } from '../../adapters/dtc/paperServer.ts';
import { startSession, type Session } from '../../session/session.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-clean-stop-');
let server: PaperDtcServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function until<T>(what: string, probe: () => T | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('clean stop', () => {
  it('waits for the orders in flight to be answered and their fills journaled; the position is the venue\'s', { timeout: 60_000 }, async () => {
    // The server runs on the session's clock (set once the session exists).
    let session: Session | null = null;
    const clock: Clock = { now: () => session?.clock.now() ?? Date.UTC(2025, 10, 3, 14, 30) };
    server = await startPaperDtcServer({ port: 0, clock });
    const home = tempHome();
    const store = await openStateStore(home, { clock: systemClock });
    const config = configSchema.parse({
      accounts: [{ id: 'PAPER1', kind: 'paper' }],
      feed: { speed: 600, seed: 7 },
      venue: { kind: 'dtc', dtc: { host: '127.0.0.1', port: server.port, account: 'PAPER1' }, stopWaitMs: 10_000 },
    });
    session = startSession({ config, store, logger: silentLogger(), maxBars: Infinity });
    session.bus.subscribe('venue', server);
    await until('risk out of reconciling', () => session!.summary().riskState === 'normal');
    // From now on every order update is held back 600 ms: an order sent is in flight that long.
    server.faults.delayUpdatesMs = 600;
    const sent = await until('an order in flight', () => store.journal.orders().find((o) => o.status === 'sent'));
    const summary = await session.stop('SIGTERM');

    const order = store.journal.order(sent.request.clientOrderId)!;
    expect(order.status).not.toBe('sent');
    const venueOrder = server.venue.listOrders().find((o) => o.clientOrderId === sent.request.clientOrderId)!;
    expect(order.filledQty).toBe(venueOrder.filledQty);
    expect(summary.openPosition).toBe(server.venue.snapshot().position);
    // Every fill the venue made for MIA is journaled.
    const venueFills = server.venue.fills().map((f) => f.executionId ?? '').sort();
    expect(store.journal.fills().map((f) => f.executionId).sort()).toEqual(venueFills);
    await store.close();
  });
});
