/**
 * Each fault switch of the paper DTC server, over real loopback sockets: what a client
 * under test will meet, and that the engine's truth is never harmed by a fault.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPaperDtcServer, type PaperDtcServer } from '../../../adapters/dtc/paperServer.ts';
import { BuySell, EncodingEnum, OrderStatus, OrderType, OrderUpdateReason } from '../../../adapters/dtc/enums.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { OrderUpdate } from '../../../adapters/dtc/messages.ts';
import { ManualClock } from '../../../core/clock.ts';
import { RawDtcClient } from './rawDtcClient.ts';

const T0 = Date.parse('2025-11-03T15:00:00Z');
const servers: PaperDtcServer[] = [];
const clients: RawDtcClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start() {
  const clock = new ManualClock(T0);
  const server = await startPaperDtcServer({ clock });
  servers.push(server);
  const quote = (bid: number) => {
    clock.advance(1_000);
    server.onQuote({ symbol: 'ESZ25', time: clock.now(), bid, ask: bid + 0.25, bidSize: 1, askSize: 1 });
  };
  return { server, quote };
}

async function logOn(server: PaperDtcServer, encoding: number = EncodingEnum.BINARY) {
  const c = await RawDtcClient.loggedOn(server.port, encoding);
  clients.push(c);
  return c;
}

const order = (id: string, extra: Record<string, number | string> = {}) => ({
  Symbol: 'ESZ25', Exchange: 'CME', ClientOrderID: id, OrderType: OrderType.MARKET, BuySell: BuySell.BUY, Quantity: 1, ...extra,
});
const forId = (id: string) => (m: OrderUpdate) => m.ClientOrderID === id;

describe('PaperFaults', () => {
  it('dropConnections destroys every client socket; the server accepts new ones and the engine keeps its orders', async () => {
    const { server } = await start();
    const a = await logOn(server);
    const b = await logOn(server, EncodingEnum.JSON);
    a.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('KEEP', { OrderType: OrderType.LIMIT, Price1: 5900 }));
    await a.take(MessageType.ORDER_UPDATE, forId('KEEP'));
    server.faults.dropConnections();
    await Promise.all([a.closed, b.closed]);
    expect(a.received.some((m) => m.Type === MessageType.LOGOFF)).toBe(false);
    const c = await logOn(server);
    c.sendNew(MessageType.OPEN_ORDERS_REQUEST, { RequestID: 1 });
    expect(await c.take(MessageType.ORDER_UPDATE, (m) => m.RequestID === 1)).toMatchObject({ ClientOrderID: 'KEEP', OrderStatus: OrderStatus.OPEN });
  });

  it('delayUpdatesMs holds every ORDER_UPDATE that long, in order', async () => {
    const { server, quote } = await start();
    const c = await logOn(server);
    server.faults.delayUpdatesMs = 300;
    const sent = performance.now();
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('D'));
    await RawDtcClient.pause(100);
    expect(c.pending(MessageType.ORDER_UPDATE)).toEqual([]);
    quote(6000); // the engine fills now; the client hears both updates later, accepted first
    const accepted = await c.take(MessageType.ORDER_UPDATE, forId('D'));
    expect(performance.now() - sent).toBeGreaterThanOrEqual(290);
    expect(accepted.OrderUpdateReason).toBe(OrderUpdateReason.NEW_ORDER_ACCEPTED);
    expect((await c.take(MessageType.ORDER_UPDATE, forId('D'))).OrderStatus).toBe(OrderStatus.FILLED);
    expect(server.venue.order('D')!.status).toBe('filled');
    server.faults.delayUpdatesMs = 0;
    const t = performance.now();
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('E'));
    await c.take(MessageType.ORDER_UPDATE, forId('E'));
    expect(performance.now() - t).toBeLessThan(250);
  });

  it('duplicateUpdates sends every ORDER_UPDATE twice; the engine still holds one order and one fill', async () => {
    const { server, quote } = await start();
    const c = await logOn(server, EncodingEnum.JSON_COMPACT);
    server.faults.duplicateUpdates = true;
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('X'));
    const [a, b] = await c.takeMany(MessageType.ORDER_UPDATE, 2, forId('X'));
    expect(b).toEqual(a);
    quote(6000);
    const [f1, f2] = await c.takeMany(MessageType.ORDER_UPDATE, 2, (m) => m.ClientOrderID === 'X' && m.OrderStatus === OrderStatus.FILLED);
    expect(f2!.LastFillExecutionID).toBe(f1!.LastFillExecutionID);
    expect(server.venue.fills()).toHaveLength(1);
  });

  it('rejectNext(n, reason) rejects the next n new orders with that text; a resubmitted known order is not new', async () => {
    const { server } = await start();
    const c = await logOn(server);
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('OK0', { OrderType: OrderType.LIMIT, Price1: 5900 }));
    await c.take(MessageType.ORDER_UPDATE, forId('OK0'));
    server.faults.rejectNext(2, 'risk desk says no');
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('OK0', { OrderType: OrderType.LIMIT, Price1: 5900 })); // resend: not new
    expect(await c.take(MessageType.ORDER_UPDATE, forId('OK0'))).toMatchObject({ OrderStatus: OrderStatus.OPEN, OrderUpdateReason: OrderUpdateReason.GENERAL_ORDER_UPDATE });
    for (const id of ['R1', 'R2']) {
      c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order(id));
      expect(await c.take(MessageType.ORDER_UPDATE, forId(id))).toMatchObject({
        OrderStatus: OrderStatus.REJECTED, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_REJECTED, InfoText: 'risk desk says no', ServerOrderID: '',
      });
    }
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('OK1'));
    expect(await c.take(MessageType.ORDER_UPDATE, forId('OK1'))).toMatchObject({ OrderStatus: OrderStatus.OPEN });
    // a rejected id stays rejected: resending it does not turn it into an order
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('R1'));
    expect(await c.take(MessageType.ORDER_UPDATE, forId('R1'))).toMatchObject({ OrderStatus: OrderStatus.REJECTED, InfoText: expect.stringMatching(/duplicate/) });
    expect(server.faults.pendingRejects).toBe(0);
  });

  it('forceEncoding answers the encoding request with another encoding, and the session speaks it', async () => {
    const { server } = await start();
    server.faults.forceEncoding = EncodingEnum.JSON_COMPACT;
    const c = await RawDtcClient.connect(server.port);
    clients.push(c);
    expect((await c.negotiate(EncodingEnum.BINARY)).Encoding).toBe(EncodingEnum.JSON_COMPACT);
    expect((await c.logon()).Result).toBe(1);
    expect(c.currentEncoding).toBe(EncodingEnum.JSON_COMPACT);
  });

  it('forceEncoding to an encoding nobody implements: the answer names it, then the server closes', async () => {
    const { server } = await start();
    server.faults.forceEncoding = EncodingEnum.PROTOCOL_BUFFERS;
    const c = await RawDtcClient.connect(server.port);
    clients.push(c);
    expect((await c.negotiate(EncodingEnum.JSON)).Encoding).toBe(EncodingEnum.PROTOCOL_BUFFERS);
    await c.closed;
  });

  it('silent: nothing is sent (answers, updates, heartbeats) while the socket stays open; off again, answers resume', async () => {
    const { server } = await start();
    const c = await RawDtcClient.loggedOn(server.port, EncodingEnum.BINARY, { HeartbeatIntervalInSeconds: 1 });
    clients.push(c);
    const beat = setInterval(() => c.sendNew(MessageType.HEARTBEAT, {}), 300);
    try {
      server.faults.silent = true;
      const before = c.received.length;
      c.sendNew(MessageType.TRADE_ACCOUNTS_REQUEST, { RequestID: 1 });
      c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, order('QUIET', { OrderType: OrderType.LIMIT, Price1: 5900 }));
      await RawDtcClient.pause(1_300); // longer than the heartbeat interval
      expect(c.received.length).toBe(before);
      expect(c.isOpen).toBe(true);
      expect(server.venue.order('QUIET')!.status).toBe('working'); // the engine kept working
      server.faults.silent = false;
      c.sendNew(MessageType.TRADE_ACCOUNTS_REQUEST, { RequestID: 2 });
      expect(await c.take(MessageType.TRADE_ACCOUNT_RESPONSE, (m) => m.RequestID === 2)).toMatchObject({ TradeAccount: 'PAPER1' });
    } finally {
      clearInterval(beat);
    }
  });

  it('logoffNext sends LOGOFF with the reason and the DoNotReconnect flag, then closes', async () => {
    const { server } = await start();
    const a = await logOn(server);
    const b = await logOn(server, EncodingEnum.JSON);
    server.faults.logoffNext(true, 'maintenance window');
    for (const c of [a, b]) {
      expect(await c.take(MessageType.LOGOFF)).toMatchObject({ Reason: 'maintenance window', DoNotReconnect: 1 });
      await c.closed;
    }
    const c = await logOn(server);
    server.faults.logoffNext(false, 'restart');
    expect(await c.take(MessageType.LOGOFF)).toMatchObject({ DoNotReconnect: 0 });
  });

  it('reset turns every switch off', async () => {
    const { server } = await start();
    Object.assign(server.faults, { delayUpdatesMs: 50, duplicateUpdates: true, forceEncoding: 2, silent: true });
    server.faults.rejectNext(3, 'x');
    server.faults.reset();
    expect(server.faults).toMatchObject({ delayUpdatesMs: 0, duplicateUpdates: false, forceEncoding: null, silent: false, pendingRejects: 0 });
    expect(() => server.faults.rejectNext(-1, 'x')).toThrow(RangeError);
  });
});
