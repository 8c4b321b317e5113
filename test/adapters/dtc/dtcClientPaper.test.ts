/**
 * The DTC client against MIA's paper DTC server over loopback, in each encoding: logon,
 * order -> accepted -> filled, reject, cancel, cancel/replace, bracket, flatten; and the
 * server's fault switches: silence (dead peer), a forced encoding, logoff with
 * do-not-reconnect, dropped connections.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.ts';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import type { DtcClient } from '../../../adapters/dtc/dtcClient.ts';
import { BuySell, EncodingEnum, OrderStatus, OrderType, OrderUpdateReason, TimeInForce } from '../../../adapters/dtc/enums.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { DtcMessage, OrderUpdate } from '../../../adapters/dtc/messages.ts';
import { startPaperDtcServer, type PaperDtcServer } from '../../../adapters/dtc/paperServer.ts';
import { nextEvent, useDtcClients } from './dtcClientHarness.ts';

const { client: makeClient, onCleanup } = useDtcClients();
const SYMBOL = 'ESZ25';
const ACCOUNT = 'PAPER1';
const T0 = Date.UTC(2025, 8, 15, 14, 30, 0);

async function paper(options: { username?: string; password?: string } = {}) {
  const clock = new ManualClock(T0);
  const server = await startPaperDtcServer({ clock, slippageTicks: 0, commissionPerContract: 0, ...options });
  onCleanup(() => server.close());
  let time = T0;
  /** A quote at the next second: what makes the paper engine fill. */
  const quote = (bid: number, ask: number) => {
    time += 1_000;
    clock.set(time);
    server.onQuote({ symbol: SYMBOL, time, bid, ask, bidSize: 10, askSize: 10 });
  };
  return { server, quote };
}

/** Every unsolicited ORDER_UPDATE by ClientOrderID, and waits on them. */
class Orders {
  readonly updates = new Map<string, OrderUpdate[]>();
  readonly #waiters = new Set<() => void>();

  constructor(client: DtcClient) {
    client.on('message', (m: DtcMessage) => {
      if (m.Type !== MessageType.ORDER_UPDATE || m.RequestID !== 0) return;
      const list = this.updates.get(m.ClientOrderID) ?? [];
      list.push(m);
      this.updates.set(m.ClientOrderID, list);
      for (const wake of [...this.#waiters]) wake();
    });
  }

  /** The first update of `id` matching `test`, past or future. */
  until(id: string, test: (u: OrderUpdate) => boolean, what = 'update'): Promise<OrderUpdate> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        const seen = (this.updates.get(id) ?? []).map((u) => `${u.OrderStatus}/${u.OrderUpdateReason}`);
        reject(new Error(`${id}: no ${what} (saw ${seen.join(', ') || 'nothing'})`));
      }, 3_000);
      const check = () => {
        const found = this.updates.get(id)?.find(test);
        if (found === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(found);
      };
      this.#waiters.add(check);
      check();
    });
  }

  status(id: string, status: number): Promise<OrderUpdate> {
    return this.until(id, (u) => u.OrderStatus === status, `status ${status}`);
  }
}

const order = (ClientOrderID: string, side: number, type: number, Price1 = 0, extra: Record<string, unknown> = {}) =>
  createDtcMessage(MessageType.SUBMIT_NEW_SINGLE_ORDER, {
    Symbol: SYMBOL,
    TradeAccount: ACCOUNT,
    ClientOrderID,
    OrderType: type,
    BuySell: side,
    Price1,
    Quantity: 1,
    TimeInForce: TimeInForce.DAY,
    IsAutomatedOrder: 1,
    ...extra,
  });

async function connect(server: PaperDtcServer, encoding: 'binary' | 'json' | 'compact', overrides = {}) {
  const client = makeClient(server.port, { encoding, ...overrides });
  const orders = new Orders(client);
  const connected = nextEvent(client, 'connected');
  client.start();
  const [logon] = await connected;
  return { client, orders, logon };
}

describe('DtcClient against the paper DTC server', () => {
  for (const encoding of ['binary', 'json', 'compact'] as const) {
    it(`logs on and trades every order kind in ${encoding}`, async () => {
      const { server, quote } = await paper();
      const { client, orders, logon } = await connect(server, encoding);
      expect(client.encoding).toBe({ binary: EncodingEnum.BINARY, json: EncodingEnum.JSON, compact: EncodingEnum.JSON_COMPACT }[encoding]);
      expect(logon).toMatchObject({ TradingIsSupported: 1, OrderCancelReplaceSupported: 1, OCOOrdersSupported: 1, BracketOrdersSupported: 1 });
      expect(await client.tradeAccounts()).toEqual([ACCOUNT]);
      expect((await client.accountBalance(ACCOUNT))?.CashBalance).toBe(50_000);
      expect(await client.positions(ACCOUNT)).toEqual([]);
      expect(await client.openOrders(ACCOUNT)).toEqual([]);
      quote(5000, 5000.25);

      // Market order: accepted, then filled at the next quote's ask (no slippage configured).
      await client.send(order('mkt-1', BuySell.BUY, OrderType.MARKET));
      const accepted = await orders.until('mkt-1', (u) => u.OrderUpdateReason === OrderUpdateReason.NEW_ORDER_ACCEPTED);
      expect(accepted.ServerOrderID).not.toBe('');
      quote(5001, 5001.25);
      const filled = await orders.status('mkt-1', OrderStatus.FILLED);
      expect(filled).toMatchObject({ OrderUpdateReason: OrderUpdateReason.ORDER_FILLED, FilledQuantity: 1, AverageFillPrice: 5001.25 });
      expect(filled.LastFillExecutionID).not.toBe('');
      expect(client.lastFillSeen?.executionId).toBe(filled.LastFillExecutionID);
      expect(await client.positions(ACCOUNT)).toEqual([expect.objectContaining({ Symbol: SYMBOL, Quantity: 1, AveragePrice: 5001.25 })]);

      // Reject path (fault switch), with its reason.
      server.faults.rejectNext(1, 'test reject');
      await client.send(order('rej-1', BuySell.BUY, OrderType.LIMIT, 4000));
      const rejected = await orders.status('rej-1', OrderStatus.REJECTED);
      expect(rejected).toMatchObject({ OrderUpdateReason: OrderUpdateReason.NEW_ORDER_REJECTED, InfoText: 'test reject' });

      // Cancel, by ServerOrderID.
      await client.send(order('lmt-1', BuySell.BUY, OrderType.LIMIT, 4000));
      const open = await orders.status('lmt-1', OrderStatus.OPEN);
      expect((await client.openOrders(ACCOUNT)).map((o) => o.ClientOrderID)).toEqual(['lmt-1']);
      await client.send(createDtcMessage(MessageType.CANCEL_ORDER, { ServerOrderID: open.ServerOrderID, ClientOrderID: 'lmt-1', TradeAccount: ACCOUNT }));
      expect((await orders.status('lmt-1', OrderStatus.CANCELED)).OrderUpdateReason).toBe(OrderUpdateReason.ORDER_CANCELED);

      // Cancel/replace: a new price on the working order.
      await client.send(order('lmt-2', BuySell.BUY, OrderType.LIMIT, 4000));
      const working = await orders.status('lmt-2', OrderStatus.OPEN);
      await client.send(createDtcMessage(MessageType.CANCEL_REPLACE_ORDER, { ServerOrderID: working.ServerOrderID, ClientOrderID: 'lmt-2', Price1: 4100, TradeAccount: ACCOUNT }));
      const replaced = await orders.until('lmt-2', (u) => u.OrderUpdateReason === OrderUpdateReason.ORDER_CANCEL_REPLACE_COMPLETE);
      expect(replaced.Price1).toBe(4100);
      await client.send(createDtcMessage(MessageType.CANCEL_ORDER, { ServerOrderID: replaced.ServerOrderID, ClientOrderID: 'lmt-2', TradeAccount: ACCOUNT }));
      await orders.status('lmt-2', OrderStatus.CANCELED);

      // Bracket: parent market buy + OCO target/stop triggered by it; the target fills, the stop is cancelled.
      await client.send(order('br-parent', BuySell.BUY, OrderType.MARKET, 0, { IsParentOrder: 1 }));
      await client.send(
        createDtcMessage(MessageType.SUBMIT_NEW_OCO_ORDER, {
          Symbol: SYMBOL,
          TradeAccount: ACCOUNT,
          ClientOrderID_1: 'br-target',
          OrderType_1: OrderType.LIMIT,
          BuySell_1: BuySell.SELL,
          Price1_1: 5010,
          Quantity_1: 1,
          ClientOrderID_2: 'br-stop',
          OrderType_2: OrderType.STOP,
          BuySell_2: BuySell.SELL,
          Price1_2: 4990,
          Quantity_2: 1,
          TimeInForce: TimeInForce.DAY,
          IsAutomatedOrder: 1,
          ParentTriggerClientOrderID: 'br-parent',
        }),
      );
      await orders.until('br-target', () => true, 'any update');
      quote(5002, 5002.25);
      expect((await orders.status('br-parent', OrderStatus.FILLED)).AverageFillPrice).toBe(5002.25);
      quote(5010, 5010.25);
      expect((await orders.status('br-target', OrderStatus.FILLED)).AverageFillPrice).toBe(5010);
      await orders.status('br-stop', OrderStatus.CANCELED);

      // Flatten the remaining long (from the first market order).
      await client.send(createDtcMessage(MessageType.SUBMIT_FLATTEN_POSITION_ORDER, { Symbol: SYMBOL, TradeAccount: ACCOUNT, ClientOrderID: 'flat-1', IsAutomatedOrder: 1 }));
      await orders.until('flat-1', () => true, 'any update');
      quote(5003, 5003.25);
      const flat = await orders.status('flat-1', OrderStatus.FILLED);
      expect(flat.BuySell).toBe(BuySell.SELL);
      const positions = await client.positions(ACCOUNT);
      expect(positions.every((p) => p.Quantity === 0)).toBe(true);

      // Every fill is in the history, once.
      const fills = await client.fills(ACCOUNT, 1);
      expect(new Set(fills.map((f) => f.UniqueExecutionID)).size).toBe(4);
      await expect(client.fillsSinceLastSeen(ACCOUNT)).resolves.toEqual([]);
    });
  }

  it('adopts the encoding the server forces, and trades in it', async () => {
    const { server, quote } = await paper();
    server.faults.forceEncoding = EncodingEnum.JSON_COMPACT;
    const client = makeClient(server.port, { encoding: 'binary' });
    const adopted = nextEvent(client, 'encodingAdopted');
    const connected = nextEvent(client, 'connected');
    client.start();
    expect(await adopted).toEqual([{ requested: EncodingEnum.BINARY, negotiated: EncodingEnum.JSON_COMPACT }]);
    await connected;
    const orders = new Orders(client);
    quote(5000, 5000.25);
    await client.send(order('c-1', BuySell.SELL, OrderType.MARKET));
    await orders.status('c-1', OrderStatus.OPEN);
    quote(5000, 5000.25);
    expect((await orders.status('c-1', OrderStatus.FILLED)).AverageFillPrice).toBe(5000);
  });

  it('fails clearly when the server forces an encoding the client does not implement', async () => {
    const { server } = await paper();
    server.faults.forceEncoding = EncodingEnum.PROTOCOL_BUFFERS;
    const client = makeClient(server.port, { encoding: 'json' });
    const failed = nextEvent(client, 'failed');
    client.start();
    expect((await failed)[0].code).toBe('UNSUPPORTED_ENCODING');
    expect(client.connected).toBe(false);
  });

  it('declares the silent server dead after 2x the heartbeat, and logs on again once it speaks', async () => {
    const { server } = await paper();
    const { client } = await connect(server, 'json');
    const since = performance.now();
    server.faults.silent = true;
    const [reason] = await nextEvent(client, 'disconnected', 5_000);
    expect(reason).toBe('stale');
    expect(performance.now() - since).toBeGreaterThanOrEqual(1_900);
    server.faults.silent = false;
    await nextEvent(client, 'connected', 8_000);
    expect(client.stats.connectedCount).toBe(2);
    expect(await client.tradeAccounts()).toEqual([ACCOUNT]);
  });

  it('stops, and does not reconnect, after a logoff with do-not-reconnect', async () => {
    const { server } = await paper();
    const { client } = await connect(server, 'binary');
    const stopped = nextEvent(client, 'stopped');
    server.faults.logoffNext(true, 'end of session');
    expect(await stopped).toEqual(['logoff: end of session']);
    expect(client.state).toBe('stopped');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(server.clientCount).toBe(0);
    expect(client.stats.connectedCount).toBe(1);
  });

  it('reconnects with backoff when the server drops the link, logs on again, and finds its working order', async () => {
    const { server } = await paper();
    const { client, orders } = await connect(server, 'compact');
    await client.send(order('keep-1', BuySell.BUY, OrderType.LIMIT, 4000));
    await orders.status('keep-1', OrderStatus.OPEN);
    const disconnected = nextEvent(client, 'disconnected');
    const reconnected = nextEvent(client, 'connected');
    server.faults.dropConnections();
    expect((await disconnected)[0]).toMatch(/^transport/);
    expect(client.stats.lastBackoffMs).toBeGreaterThan(0);
    await reconnected;
    expect(client.stats.connectedCount).toBe(2);
    const state = await client.accountState(ACCOUNT);
    expect(state.openOrders.map((o) => o.ClientOrderID)).toEqual(['keep-1']);
    expect(state.positions).toEqual([]);
  });

  it('is refused with the server text when the password is wrong, and does not retry', async () => {
    const { server } = await paper({ username: 'trader', password: 'right' });
    const client = makeClient(server.port, { username: 'trader', password: 'wrong' });
    const failed = nextEvent(client, 'failed');
    client.start();
    const [error] = await failed;
    expect(error.code).toBe('LOGON_REFUSED');
    expect(error.message).toContain('invalid username or password');
    expect(client.state).toBe('failed');
  });
});
