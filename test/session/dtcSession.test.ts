/**
 * Sessions whose orders cross the DTC protocol over a loopback socket to MIA's paper DTC
 * server. The same seeded market through the in-process venue and through DTC (in each
 * encoding) must give the same orders, fills and trades: the socket changes nothing but
 * the transport.
 */
import { describe, expect, it } from 'vitest';
import { configSchema, type MiaConfigInput } from '../../config/schema.ts';
import { systemClock } from '../../core/clock.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import { startSession } from '../../session/session.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-dtc-session-');

async function runSession(input: MiaConfigInput) {
  const home = tempHome();
  const store = await openStateStore(home, { clock: systemClock });
  const session = startSession({ config: configSchema.parse(input), store, logger: silentLogger() });
  const summary = await session.done;
  // ClientOrderIDs are unique per run (issue 13): runs compare by the sequence number.
  const seq = (id: string) => id.slice(id.lastIndexOf('-') + 1);
  const fills = store.journal.fills().map((f) => ({ clientOrderId: seq(f.clientOrderId), side: f.side, qty: f.qty, price: f.price, time: f.time }));
  const trades = store.journal.trades().map((t) => ({ ...t }));
  const orders = store.journal.orders().map((o) => ({
    id: seq(o.request.clientOrderId),
    type: o.request.type,
    side: o.request.side,
    status: o.status,
    filledQty: o.filledQty,
    avgFillPrice: o.avgFillPrice,
  }));
  await store.close();
  return { summary, fills, trades, orders, ids: store.journal.orders().map((o) => o.request.clientOrderId) };
}

const market = { feed: { maxBars: 600, seed: 7 } };

describe('session over DTC', () => {
  it('trades exactly like the in-process venue, in every encoding', { timeout: 60_000 }, async () => {
    const inProcess = await runSession({ ...market, venue: { kind: 'simulated' } });
    expect(inProcess.trades.length).toBeGreaterThan(1);
    // Every filled order is journaled with its order actor's filled quantity and average price.
    const filled = inProcess.orders.filter((o) => o.status === 'filled');
    expect(filled.length).toBeGreaterThan(1);
    for (const o of filled) {
      const fills = inProcess.fills.filter((f) => f.clientOrderId === o.id);
      const qty = fills.reduce((n, f) => n + f.qty, 0);
      expect(o.filledQty).toBe(qty);
      expect(o.avgFillPrice).toBeCloseTo(fills.reduce((v, f) => v + f.qty * f.price, 0) / qty, 9);
    }
    for (const encoding of ['binary', 'json', 'compact'] as const) {
      const overDtc = await runSession({ ...market, venue: { kind: 'dtc', dtc: { encoding } } });
      expect(overDtc.summary.venue).toContain(`dtc ${encoding}`);
      expect(overDtc.summary.persistenceErrors).toBe(0);
      expect(overDtc.orders).toEqual(inProcess.orders);
      expect(overDtc.fills).toEqual(inProcess.fills);
      expect(overDtc.trades).toEqual(inProcess.trades);
      expect(overDtc.summary.openPosition).toBe(0);
    }
  });

  it('never reuses a ClientOrderID across fresh homes or runs with the same market', { timeout: 60_000 }, async () => {
    const a = await runSession({ ...market, venue: { kind: 'simulated' } });
    const b = await runSession({ ...market, venue: { kind: 'simulated' } });
    expect(a.ids.length).toBeGreaterThan(1);
    expect(a.ids.filter((id) => b.ids.includes(id))).toEqual([]);
    for (const id of [...a.ids, ...b.ids]) expect(id.length).toBeLessThanOrEqual(31);
  });

  it('a second session on the same home trades like the first, though the fresh embedded server numbers its fills from SIMX-1 again', { timeout: 60_000 }, async () => {
    // Limits out of reach: the second session must not be held back by the first one's losses.
    const input = { ...market, venue: { kind: 'dtc' as const }, risk: { maxConsecutiveLosses: 1000, dailyLossLimit: 1e6, trailingDrawdown: 1e6, maxTradesPerDay: 1000 } };
    const home = tempHome();
    const sessions = [];
    for (let run = 0; run < 2; run++) {
      const store = await openStateStore(home, { clock: systemClock });
      const summary = await startSession({ config: configSchema.parse(input), store, logger: silentLogger() }).done;
      sessions.push({ summary, fills: store.journal.fills().length });
      await store.close();
    }
    const [first, second] = sessions;
    expect(first!.summary.fills).toBeGreaterThan(2);
    // The second session's fills (SIMX-1, SIMX-2 ... again, for its own orders) are all counted and journaled.
    expect(second!.summary.fills).toBe(first!.summary.fills);
    expect(second!.summary.trades).toBe(first!.summary.trades);
    expect(second!.summary.openPosition).toBe(0);
    expect(second!.fills).toBe(2 * first!.fills);
  });
});
