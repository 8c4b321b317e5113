/**
 * The paper DTC server over real loopback sockets: negotiation in the three encodings,
 * logon, heartbeats, the request answers, every order path (market, limit, stop,
 * stop-limit, OCO, bracket, cancel, cancel/replace, flatten), ClientOrderID idempotency,
 * restarts that keep the engine, and clients sending garbage.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startPaperDtcServer, type PaperDtcServer, type PaperDtcServerOptions } from '../../../adapters/dtc/paperServer.ts';
import { BuySell, EncodingEnum, OrderStatus, OrderType, OrderUpdateReason } from '../../../adapters/dtc/enums.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { OrderUpdate, SubmitNewSingleOrder } from '../../../adapters/dtc/messages.ts';
import { ManualClock } from '../../../core/clock.ts';
import type { Bar } from '../../../core/types.ts';
import { RawDtcClient } from './rawDtcClient.ts';

const T0 = Date.parse('2025-11-03T15:00:00Z');
const POINT = 50;

const servers: PaperDtcServer[] = [];
const clients: RawDtcClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<PaperDtcServerOptions> = {}) {
  const clock = new ManualClock(T0);
  const server = await startPaperDtcServer({ clock, ...options });
  servers.push(server);
  /** One quote, one second after the last event. */
  const quote = (bid: number, ask: number, symbol = 'ESZ25') => {
    clock.advance(1_000);
    server.onQuote({ symbol, time: clock.now(), bid, ask, bidSize: 10, askSize: 12 });
  };
  /** The next one-minute bar, opening at the clock; the clock moves to its close. */
  const bar = (open: number, high: number, low: number, close: number, symbol = 'ESZ25') => {
    const b: Bar = { symbol, time: clock.now(), open, high, low, close, volume: 100 };
    clock.advance(60_000);
    server.onBar(b);
  };
  return { server, clock, quote, bar };
}

async function logOn(server: PaperDtcServer, encoding: number = EncodingEnum.BINARY, logon = {}) {
  const c = await RawDtcClient.loggedOn(server.port, encoding, logon);
  clients.push(c);
  return c;
}

const forId = (id: string) => (m: OrderUpdate) => m.ClientOrderID === id;

/** Sends a single order (market buy 1 ESZ25 on CME unless told) and returns the first update about it. */
async function submit(c: RawDtcClient, fields: Partial<Omit<SubmitNewSingleOrder, 'Type'>> & { ClientOrderID: string }) {
  c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, {
    Symbol: 'ESZ25', Exchange: 'CME', TradeAccount: 'PAPER1', OrderType: OrderType.MARKET, BuySell: BuySell.BUY, Quantity: 1, IsAutomatedOrder: 1, ...fields,
  });
  return c.take(MessageType.ORDER_UPDATE, forId(fields.ClientOrderID));
}

/** Raw bytes from a plain socket: what the server really wrote, independent of the codec. */
function rawExchange(port: number, send: Buffer[], until: (got: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`raw exchange timed out with ${got.toString('hex')}`));
    }, 3_000);
    s.on('connect', () => {
      for (const b of send) s.write(b);
    });
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (until(got)) {
        clearTimeout(timer);
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
  });
}

describe('paper DTC server: negotiation and logon', () => {
  it.each([
    ['BINARY', EncodingEnum.BINARY],
    ['JSON', EncodingEnum.JSON],
    ['JSON_COMPACT', EncodingEnum.JSON_COMPACT],
  ])('negotiates %s, logs on with the capability flags, and speaks it both ways', async (_name, encoding) => {
    const { server } = await start({ accounts: ['PAPER1', 'PAPER2'] });
    const c = await RawDtcClient.connect(server.port);
    clients.push(c);
    const answer = await c.negotiate(encoding);
    expect(answer).toMatchObject({ Encoding: encoding, ProtocolVersion: 8, ProtocolType: 'DTC' });
    const logon = await c.logon({ ProtocolVersion: 8, Username: 'u', TradeAccount: 'PAPER1', HeartbeatIntervalInSeconds: 30 });
    expect(logon).toMatchObject({
      Result: 1, ServerName: 'MIA paper DTC server', TradingIsSupported: 1, OCOOrdersSupported: 1, OrderCancelReplaceSupported: 1, BracketOrdersSupported: 1, MarketDataSupported: 1,
    });
    c.sendNew(MessageType.TRADE_ACCOUNTS_REQUEST, { RequestID: 7 });
    const accounts = await c.takeMany(MessageType.TRADE_ACCOUNT_RESPONSE, 2);
    expect(accounts.map((a) => [a.RequestID, a.TotalNumberMessages, a.MessageNumber, a.TradeAccount])).toEqual([[7, 2, 1, 'PAPER1'], [7, 2, 2, 'PAPER2']]);
    expect(c.errors).toEqual([]);
  });

  it('answers the golden binary JSON request with the golden binary response, then speaks NUL-terminated JSON', async () => {
    const { server } = await start();
    const request = Buffer.from('10000600080000000200000044544300', 'hex'); // DTC.md golden bytes
    const logon = Buffer.from('{"Type":1,"ProtocolVersion":8,"HeartbeatIntervalInSeconds":60}\0', 'utf8');
    const got = await rawExchange(server.port, [request, logon], (b) => b.length > 16 && b.indexOf(0, 16) > 16);
    expect(got.subarray(0, 16).toString('hex')).toBe('10000700080000000200000044544300');
    const text = got.toString('utf8', 16, got.indexOf(0, 16));
    expect(JSON.parse(text)).toMatchObject({ Type: 2, Result: 1, TradingIsSupported: 1 });
  });

  it('speaks compact JSON after a request for encoding 3', async () => {
    const { server } = await start();
    const request = Buffer.from('10000600080000000300000044544300', 'hex');
    const logon = Buffer.from('{"Type":1,"F":[8,"","","",0,0,60]}\0', 'utf8');
    const got = await rawExchange(server.port, [request, logon], (b) => b.length > 16 && b.indexOf(0, 16) > 16);
    expect(got.readUInt16LE(2)).toBe(MessageType.ENCODING_RESPONSE);
    expect(got.readInt32LE(8)).toBe(3);
    const reply = JSON.parse(got.toString('utf8', 16, got.indexOf(0, 16)));
    expect(reply.Type).toBe(2);
    expect(reply.F[1]).toBe(1); // Result, the second member after ProtocolVersion
  });

  it.each([1, 4, 99])('answers a request for unsupported encoding %i with BINARY and goes on in binary', async (encoding) => {
    const { server } = await start();
    const c = await RawDtcClient.connect(server.port);
    clients.push(c);
    expect((await c.negotiate(encoding)).Encoding).toBe(EncodingEnum.BINARY);
    expect((await c.logon()).Result).toBe(1);
  });

  it('without an ENCODING_REQUEST a client speaks binary; with detectEncoding a client may open in JSON', async () => {
    const { server } = await start();
    const c = await RawDtcClient.connect(server.port);
    clients.push(c);
    expect((await c.logon()).Result).toBe(1);

    const { server: any } = await start({ detectEncoding: true });
    const got = await rawExchange(any.port, [Buffer.from('{"Type":1,"F":[8,"","","",0,0,60]}\0')], (b) => b.indexOf(0) > 0);
    const reply = JSON.parse(got.toString('utf8', 0, got.indexOf(0)));
    expect([reply.Type, reply.F[0], reply.F[1]]).toEqual([2, 8, 1]); // LOGON_RESPONSE, version 8, SUCCESS
  });

  it('refuses a logon with the wrong credentials or an unknown account (no reconnect) and closes the connection', async () => {
    const { server } = await start({ username: 'trader', password: 's3cret' });
    for (const [fields, text] of [
      [{ Username: 'trader', Password: 'wrong' }, /invalid username or password/],
      [{ Username: '', Password: '' }, /invalid username or password/],
      [{ Username: 'trader', Password: 's3cret', TradeAccount: 'NOPE' }, /unknown trade account "NOPE"/],
    ] as const) {
      const c = await RawDtcClient.connect(server.port);
      clients.push(c);
      await c.negotiate(EncodingEnum.JSON);
      const r = await c.logon(fields);
      expect(r.Result).toBe(3); // LOGON_ERROR_NO_RECONNECT
      expect(r.ResultText).toMatch(text);
      await c.closed;
    }
    const ok = await logOn(server, EncodingEnum.BINARY, { Username: 'trader', Password: 's3cret' });
    expect(ok.isOpen).toBe(true);
  });

  it('ignores requests before logon', async () => {
    const { server } = await start();
    const c = await RawDtcClient.connect(server.port);
    clients.push(c);
    c.sendNew(MessageType.TRADE_ACCOUNTS_REQUEST, { RequestID: 1 });
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, { Symbol: 'ESZ25', ClientOrderID: 'early', OrderType: 1, BuySell: 1, Quantity: 1 });
    await c.logon();
    await RawDtcClient.pause(100);
    expect(c.received.map((m) => m.Type)).toEqual([MessageType.LOGON_RESPONSE]);
    expect(server.venue.order('early')).toBeUndefined();
  });

  it('heartbeats at the interval the client asked for, with the clock in CurrentDateTime, and drops a client silent for 2x the interval', async () => {
    const { server, clock } = await start();
    const silent = await logOn(server, EncodingEnum.BINARY, { HeartbeatIntervalInSeconds: 1 });
    const talker = await logOn(server, EncodingEnum.JSON, { HeartbeatIntervalInSeconds: 1 });
    const beat = setInterval(() => talker.sendNew(MessageType.HEARTBEAT, {}), 400);
    try {
      const started = performance.now();
      const hb = await silent.take(MessageType.HEARTBEAT, () => true, 2_000);
      expect(performance.now() - started).toBeGreaterThan(700);
      expect(hb.CurrentDateTime).toBe(Math.floor(clock.now() / 1000));
      await silent.closed;
      expect(performance.now() - started).toBeLessThan(2_600);
      expect(talker.isOpen).toBe(true);
      expect(talker.pending(MessageType.HEARTBEAT).length).toBeGreaterThanOrEqual(1);
    } finally {
      clearInterval(beat);
    }
  });
});

describe('paper DTC server: orders', () => {
  it('market order: OPEN (NEW_ORDER_ACCEPTED), then FILLED at the next ask + 1 tick, then position and balance updates', async () => {
    const { server, quote } = await start();
    const c = await logOn(server, EncodingEnum.JSON);
    const accepted = await submit(c, { ClientOrderID: 'M1', Quantity: 2, FreeFormText: 'entry' });
    expect(accepted).toMatchObject({
      RequestID: 0, TotalNumMessages: 1, MessageNumber: 1,
      ClientOrderID: 'M1', ServerOrderID: 'SIM-1', Symbol: 'ESZ25', Exchange: 'CME', TradeAccount: 'PAPER1',
      OrderStatus: OrderStatus.OPEN, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_ACCEPTED,
      BuySell: BuySell.BUY, OrderType: OrderType.MARKET, OrderQuantity: 2, FilledQuantity: 0, RemainingQuantity: 2, FreeFormText: 'entry',
    });
    expect(accepted.Price1).toBeUndefined();
    quote(6000, 6000.25);
    const filled = await c.take(MessageType.ORDER_UPDATE, forId('M1'));
    expect(filled).toMatchObject({
      ServerOrderID: 'SIM-1', OrderStatus: OrderStatus.FILLED, OrderUpdateReason: OrderUpdateReason.ORDER_FILLED,
      LastFillPrice: 6000.5, LastFillQuantity: 2, LastFillExecutionID: 'SIMX-1', AverageFillPrice: 6000.5, FilledQuantity: 2, RemainingQuantity: 0,
      LastFillDateTime: T0 + 1_000, OrderQuantity: 2,
    });
    const position = await c.take(MessageType.POSITION_UPDATE);
    expect(position).toMatchObject({ Unsolicited: 1, Symbol: 'ESZ25', Exchange: 'CME', TradeAccount: 'PAPER1', Quantity: 2, AveragePrice: 6000.5, MarginRequirement: 1_000 });
    const balance = await c.take(MessageType.ACCOUNT_BALANCE_UPDATE);
    const open = (6000.125 - 6000.5) * 2 * POINT; // marked at the quote's mid
    expect(balance).toMatchObject({ Unsolicited: 1, TradeAccount: 'PAPER1', CashBalance: 50_000 - 4.5, MarginRequirement: 1_000, AccountCurrency: 'USD' });
    expect(balance.OpenPositionsProfitLoss).toBeCloseTo(open, 9);
    expect(balance.BalanceAvailableForNewPositions).toBeCloseTo(50_000 - 4.5 + open - 1_000, 9);
  });

  it('limit: rests through a touch, fills at the limit when the market trades through; bars fill it when no quotes flow', async () => {
    const { server, quote, bar } = await start();
    const c = await logOn(server);
    expect(await submit(c, { ClientOrderID: 'L1', OrderType: OrderType.LIMIT, Price1: 5995 })).toMatchObject({ OrderStatus: OrderStatus.OPEN, Price1: 5995 });
    quote(5999, 5999.25);
    quote(5994.75, 5995);
    await RawDtcClient.pause(50);
    expect(c.pending(MessageType.ORDER_UPDATE)).toEqual([]);
    quote(5994.5, 5994.75);
    expect(await c.take(MessageType.ORDER_UPDATE, forId('L1'))).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillPrice: 5995 });
    // bars only (no quote inside them): a sell limit filled by the bar's high going through
    await submit(c, { ClientOrderID: 'L2', OrderType: OrderType.LIMIT, BuySell: BuySell.SELL, Price1: 6010 });
    bar(6000, 6010, 5999, 6005);
    bar(6005, 6010.25, 6004, 6009);
    expect(await c.take(MessageType.ORDER_UPDATE, forId('L2'))).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillPrice: 6010 });
  });

  it('stop and stop-limit: Price1 is the stop, Price2 the stop-limit\'s limit', async () => {
    const { server, quote } = await start();
    const c = await logOn(server, EncodingEnum.JSON_COMPACT);
    expect(await submit(c, { ClientOrderID: 'S1', OrderType: OrderType.STOP, BuySell: BuySell.SELL, Price1: 5990 })).toMatchObject({ Price1: 5990, OrderType: OrderType.STOP });
    expect(await submit(c, { ClientOrderID: 'SL1', OrderType: OrderType.STOP_LIMIT, Price1: 6005, Price2: 6005.5 })).toMatchObject({ Price1: 6005, Price2: 6005.5 });
    quote(6000, 6000.25);
    quote(6005, 6005.25);
    expect(await c.take(MessageType.ORDER_UPDATE, forId('SL1'))).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillPrice: 6005.25 });
    quote(5990, 5990.25);
    expect(await c.take(MessageType.ORDER_UPDATE, forId('S1'))).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillPrice: 5989.75 });
  });

  it.each<[string, Partial<SubmitNewSingleOrder>, RegExp]>([
    ['zero quantity', { Quantity: 0 }, /quantity must be a positive whole number/],
    ['fractional quantity', { Quantity: 1.5 }, /quantity must be a positive whole number/],
    ['limit without price', { OrderType: OrderType.LIMIT }, /limit order needs a positive finite price/],
    ['price off the tick grid', { OrderType: OrderType.LIMIT, Price1: 6000.1 }, /not on the 0.25 tick grid/],
    ['unsupported order type', { OrderType: OrderType.MARKET_IF_TOUCHED }, /unsupported OrderType 5/],
    ['unknown side', { BuySell: 0 }, /BuySell must be BUY/],
    ['unknown symbol', { Symbol: 'ZZZ' }, /unknown symbol "ZZZ"/],
    ['unknown account', { TradeAccount: 'NOPE' }, /unknown trade account "NOPE"/],
    ['unsupported time in force', { TimeInForce: 3 }, /unsupported TimeInForce 3/],
  ])('rejects an invalid order (%s): REJECTED, empty ServerOrderID, the reason in InfoText', async (_name, fields, why) => {
    const { server } = await start();
    const c = await logOn(server);
    const r = await submit(c, { ClientOrderID: 'BAD', ...fields });
    expect(r).toMatchObject({ OrderStatus: OrderStatus.REJECTED, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_REJECTED, ServerOrderID: '', ClientOrderID: 'BAD' });
    expect(r.InfoText).toMatch(why);
    expect(server.venue.listOrders({ open: true })).toEqual([]);
  });

  it('rejects an order without ClientOrderID to its sender only, recording nothing', async () => {
    const { server } = await start();
    const c = await logOn(server);
    const r = await submit(c, { ClientOrderID: '' });
    expect(r).toMatchObject({ OrderStatus: OrderStatus.REJECTED, InfoText: 'ClientOrderID is required', Symbol: 'ESZ25' });
    expect(server.venue.listOrders()).toEqual([]);
  });

  it('a known ClientOrderID never creates a second order: the resubmission gets the existing order\'s state', async () => {
    const { server, quote } = await start();
    const c = await logOn(server);
    await submit(c, { ClientOrderID: 'ID1', OrderType: OrderType.LIMIT, Price1: 5990, Quantity: 1 });
    const again = await submit(c, { ClientOrderID: 'ID1', OrderType: OrderType.MARKET, BuySell: BuySell.SELL, Quantity: 3 });
    expect(again).toMatchObject({ ServerOrderID: 'SIM-1', OrderStatus: OrderStatus.OPEN, OrderUpdateReason: OrderUpdateReason.GENERAL_ORDER_UPDATE, BuySell: BuySell.BUY, Price1: 5990, OrderQuantity: 1 });
    expect(again.InfoText).toMatch(/duplicate ClientOrderID/);
    expect(server.venue.listOrders()).toHaveLength(1);
    await submit(c, { ClientOrderID: 'MK' });
    quote(6000, 6000.25);
    await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'MK' && m.OrderStatus === OrderStatus.FILLED);
    const resent = await submit(c, { ClientOrderID: 'MK' });
    expect(resent).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillExecutionID: 'SIMX-1' });
    quote(6001, 6001.25);
    await RawDtcClient.pause(50);
    expect(server.venue.positions()).toMatchObject([{ qty: 1 }]);
    expect(server.venue.fills()).toHaveLength(1);
  });

  it('cancel: CANCELED by ServerOrderID (or ClientOrderID); a second cancel or an unknown order gets ORDER_CANCEL_REJECTED', async () => {
    const { server, quote } = await start();
    const c = await logOn(server);
    const open = await submit(c, { ClientOrderID: 'C1', OrderType: OrderType.LIMIT, Price1: 5900 });
    c.sendNew(MessageType.CANCEL_ORDER, { ServerOrderID: open.ServerOrderID, TradeAccount: 'PAPER1' });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('C1'))).toMatchObject({
      OrderStatus: OrderStatus.CANCELED, OrderUpdateReason: OrderUpdateReason.ORDER_CANCELED, ServerOrderID: open.ServerOrderID, RemainingQuantity: 0,
    });
    c.sendNew(MessageType.CANCEL_ORDER, { ClientOrderID: 'C1' });
    const again = await c.take(MessageType.ORDER_UPDATE, forId('C1'));
    expect(again).toMatchObject({ OrderStatus: OrderStatus.CANCELED, OrderUpdateReason: OrderUpdateReason.ORDER_CANCEL_REJECTED, InfoText: 'order is cancelled, not working' });
    c.sendNew(MessageType.CANCEL_ORDER, { ServerOrderID: 'SIM-999', ClientOrderID: 'ghost' });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('ghost'))).toMatchObject({ OrderUpdateReason: OrderUpdateReason.ORDER_CANCEL_REJECTED, ServerOrderID: 'SIM-999', OrderStatus: OrderStatus.UNSPECIFIED });
    quote(5800, 5800.25); // far through the cancelled limit
    await RawDtcClient.pause(50);
    expect(server.venue.fills()).toEqual([]);
  });

  it('cancel/replace: ORDER_CANCEL_REPLACE_COMPLETE with the new price and quantity, same ServerOrderID; fills on the new terms only', async () => {
    const { server, quote } = await start();
    const c = await logOn(server, EncodingEnum.JSON);
    const open = await submit(c, { ClientOrderID: 'R1', OrderType: OrderType.LIMIT, Price1: 5990 });
    c.sendNew(MessageType.CANCEL_REPLACE_ORDER, { ServerOrderID: open.ServerOrderID, ClientOrderID: 'R1', Price1: 5995, Quantity: 2, Price2IsSet: 0 });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('R1'))).toMatchObject({
      OrderUpdateReason: OrderUpdateReason.ORDER_CANCEL_REPLACE_COMPLETE, OrderStatus: OrderStatus.OPEN, ServerOrderID: open.ServerOrderID, Price1: 5995, OrderQuantity: 2,
    });
    c.sendNew(MessageType.CANCEL_REPLACE_ORDER, { ServerOrderID: open.ServerOrderID, Price1: 5995.1 });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('R1'))).toMatchObject({ OrderUpdateReason: OrderUpdateReason.ORDER_CANCEL_REPLACE_REJECTED, InfoText: expect.stringMatching(/tick grid/), Price1: 5995 });
    quote(5996, 5996.25);
    quote(5994.5, 5994.75);
    expect(await c.take(MessageType.ORDER_UPDATE, forId('R1'))).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillPrice: 5995, LastFillQuantity: 2 });
    c.sendNew(MessageType.CANCEL_REPLACE_ORDER, { ServerOrderID: open.ServerOrderID, Price1: 5980 });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('R1'))).toMatchObject({ OrderUpdateReason: OrderUpdateReason.ORDER_CANCEL_REPLACE_REJECTED, OrderStatus: OrderStatus.FILLED });
  });

  it('bracket: parent (IsParentOrder) + OCO legs held as PENDING_CHILD; parent fills, legs work; the target fills and the stop is cancelled', async () => {
    const { server, quote } = await start();
    const c = await logOn(server);
    const parent = await submit(c, { ClientOrderID: 'P', IsParentOrder: 1 });
    c.sendNew(MessageType.SUBMIT_NEW_OCO_ORDER, {
      Symbol: 'ESZ25', Exchange: 'CME', TradeAccount: 'PAPER1', ParentTriggerClientOrderID: 'P',
      ClientOrderID_1: 'TP', OrderType_1: OrderType.LIMIT, BuySell_1: BuySell.SELL, Price1_1: 6010, Quantity_1: 1,
      ClientOrderID_2: 'SL', OrderType_2: OrderType.STOP, BuySell_2: BuySell.SELL, Price1_2: 5990, Quantity_2: 1,
    });
    const tp = await c.take(MessageType.ORDER_UPDATE, forId('TP'));
    const sl = await c.take(MessageType.ORDER_UPDATE, forId('SL'));
    expect(tp).toMatchObject({ OrderStatus: OrderStatus.PENDING_CHILD, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_ACCEPTED, ParentServerOrderID: parent.ServerOrderID, Price1: 6010 });
    expect(sl).toMatchObject({ OrderStatus: OrderStatus.PENDING_CHILD, ParentServerOrderID: parent.ServerOrderID, OCOLinkedOrderServerOrderID: tp.ServerOrderID });
    quote(6000, 6000.25);
    expect(await c.take(MessageType.ORDER_UPDATE, forId('P'))).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillPrice: 6000.5 });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('TP'))).toMatchObject({ OrderStatus: OrderStatus.OPEN, OrderUpdateReason: OrderUpdateReason.GENERAL_ORDER_UPDATE });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('SL'))).toMatchObject({ OrderStatus: OrderStatus.OPEN });
    quote(6005, 6005.25);
    quote(6010.25, 6010.5);
    expect(await c.take(MessageType.ORDER_UPDATE, forId('TP'))).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillPrice: 6010, OCOLinkedOrderServerOrderID: sl.ServerOrderID });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('SL'))).toMatchObject({ OrderStatus: OrderStatus.CANCELED, InfoText: 'OCO sibling TP filled' });
    quote(5980, 5980.25);
    await RawDtcClient.pause(50);
    expect(server.venue.positions()).toEqual([]);
    expect(server.venue.fills().map((f) => f.clientOrderId)).toEqual(['P', 'TP']);
  });

  it('bracket with UseOffsets: the legs are priced from the parent\'s fill (target above, stop below a long entry)', async () => {
    const { server, quote } = await start();
    const c = await logOn(server, EncodingEnum.JSON);
    await submit(c, { ClientOrderID: 'P2', IsParentOrder: 1 });
    c.sendNew(MessageType.SUBMIT_NEW_OCO_ORDER, {
      Symbol: 'ESZ25', Exchange: 'CME', ParentTriggerClientOrderID: 'P2', UseOffsets: 1, OffsetFromParent1: 12, OffsetFromParent2: 8,
      ClientOrderID_1: 'TP2', OrderType_1: OrderType.LIMIT, BuySell_1: BuySell.SELL, Quantity_1: 1,
      ClientOrderID_2: 'SL2', OrderType_2: OrderType.STOP, BuySell_2: BuySell.SELL, Quantity_2: 1,
    });
    const pending = await c.take(MessageType.ORDER_UPDATE, forId('TP2'));
    expect(pending.OrderStatus).toBe(OrderStatus.PENDING_CHILD);
    expect(pending.Price1).toBeUndefined(); // not priced before the parent fills
    quote(6000, 6000.25); // parent buys at 6000.50
    expect(await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'TP2' && m.OrderStatus === OrderStatus.OPEN)).toMatchObject({ Price1: 6012.5 });
    expect(await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'SL2' && m.OrderStatus === OrderStatus.OPEN)).toMatchObject({ Price1: 5992.5 });
  });

  it('plain OCO (no parent): both legs work at once, the stop leg fills and cancels the limit', async () => {
    const { server, quote } = await start();
    const c = await logOn(server, EncodingEnum.JSON_COMPACT);
    c.sendNew(MessageType.SUBMIT_NEW_OCO_ORDER, {
      Symbol: 'ESZ25', Exchange: 'CME',
      ClientOrderID_1: 'A', OrderType_1: OrderType.LIMIT, BuySell_1: BuySell.BUY, Price1_1: 5980, Quantity_1: 1,
      ClientOrderID_2: 'B', OrderType_2: OrderType.STOP, BuySell_2: BuySell.BUY, Price1_2: 6010, Quantity_2: 1,
    });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('A'))).toMatchObject({ OrderStatus: OrderStatus.OPEN, TradeAccount: 'PAPER1' });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('B'))).toMatchObject({ OrderStatus: OrderStatus.OPEN });
    quote(6010, 6010.25);
    expect(await c.take(MessageType.ORDER_UPDATE, forId('B'))).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillPrice: 6010.5 });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('A'))).toMatchObject({ OrderStatus: OrderStatus.CANCELED });
  });

  it('flatten: SUBMIT_FLATTEN_POSITION_ORDER cancels the working orders and closes the position; a flat account gets a rejected flatten', async () => {
    const { server, quote } = await start();
    const c = await logOn(server);
    await submit(c, { ClientOrderID: 'E', Quantity: 2 });
    quote(6000, 6000.25);
    await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'E' && m.OrderStatus === OrderStatus.FILLED);
    await submit(c, { ClientOrderID: 'STOP', OrderType: OrderType.STOP, BuySell: BuySell.SELL, Price1: 5990, Quantity: 2 });
    c.sendNew(MessageType.SUBMIT_FLATTEN_POSITION_ORDER, { Symbol: 'ESZ25', Exchange: 'CME', TradeAccount: 'PAPER1', ClientOrderID: 'FL' });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('STOP'))).toMatchObject({ OrderStatus: OrderStatus.CANCELED, InfoText: 'flatten' });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('FL'))).toMatchObject({ OrderStatus: OrderStatus.OPEN, BuySell: BuySell.SELL, OrderQuantity: 2, OrderType: OrderType.MARKET });
    quote(6002, 6002.25);
    expect(await c.take(MessageType.ORDER_UPDATE, forId('FL'))).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillPrice: 6001.75 });
    expect(await c.take(MessageType.POSITION_UPDATE, (m) => m.Quantity === 0)).toMatchObject({ Symbol: 'ESZ25', TradeAccount: 'PAPER1', Unsolicited: 1 });
    c.sendNew(MessageType.FLATTEN_POSITIONS_FOR_TRADE_ACCOUNT, { TradeAccount: 'PAPER1', ClientOrderID: 'FL2' });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('FL2'))).toMatchObject({ OrderStatus: OrderStatus.REJECTED, InfoText: 'no open position in PAPER1: nothing to flatten' });
  });

  it('FLATTEN_POSITIONS_FOR_TRADE_ACCOUNT closes a short position with a market buy', async () => {
    const { server, quote } = await start();
    const c = await logOn(server, EncodingEnum.JSON);
    await submit(c, { ClientOrderID: 'S', BuySell: BuySell.SELL, Quantity: 3 });
    quote(6000, 6000.25);
    await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'S' && m.OrderStatus === OrderStatus.FILLED);
    c.sendNew(MessageType.FLATTEN_POSITIONS_FOR_TRADE_ACCOUNT, { TradeAccount: 'PAPER1', ClientOrderID: 'ALL' });
    expect(await c.take(MessageType.ORDER_UPDATE, forId('ALL'))).toMatchObject({ BuySell: BuySell.BUY, OrderQuantity: 3, OrderStatus: OrderStatus.OPEN });
    quote(5998, 5998.25);
    await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'ALL' && m.OrderStatus === OrderStatus.FILLED);
    expect(server.venue.positions()).toEqual([]);
  });
});

describe('paper DTC server: requests', () => {
  it('open orders, positions, fills history and balances: the empty answers, then the full ones', async () => {
    const { server, quote, clock } = await start({ accounts: ['PAPER1', 'PAPER2'] });
    const c = await logOn(server, EncodingEnum.JSON);
    c.sendNew(MessageType.OPEN_ORDERS_REQUEST, { RequestID: 1, TradeAccount: 'PAPER1' });
    expect(await c.take(MessageType.ORDER_UPDATE, (m) => m.RequestID === 1)).toMatchObject({ NoOrders: 1, TotalNumMessages: 1, MessageNumber: 1, OrderUpdateReason: OrderUpdateReason.OPEN_ORDERS_REQUEST_RESPONSE });
    c.sendNew(MessageType.CURRENT_POSITIONS_REQUEST, { RequestID: 2, TradeAccount: 'PAPER1' });
    expect(await c.take(MessageType.POSITION_UPDATE, (m) => m.RequestID === 2)).toMatchObject({ NoPositions: 1 });
    c.sendNew(MessageType.HISTORICAL_ORDER_FILLS_REQUEST, { RequestID: 3, TradeAccount: 'PAPER1', NumberOfDays: 5 });
    expect(await c.take(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, (m) => m.RequestID === 3)).toMatchObject({ NoOrderFills: 1 });

    const first = await submit(c, { ClientOrderID: 'F1', Quantity: 2 });
    quote(6000, 6000.25);
    await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'F1' && m.OrderStatus === OrderStatus.FILLED);
    clock.advance(3 * 86_400_000); // three days later
    await submit(c, { ClientOrderID: 'F2', BuySell: BuySell.SELL });
    quote(6010, 6010.25);
    await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'F2' && m.OrderStatus === OrderStatus.FILLED);
    await submit(c, { ClientOrderID: 'W1', OrderType: OrderType.LIMIT, Price1: 5900 });
    await submit(c, { ClientOrderID: 'W2', OrderType: OrderType.LIMIT, Price1: 5800, TradeAccount: 'PAPER2' });
    c.drain();

    c.sendNew(MessageType.OPEN_ORDERS_REQUEST, { RequestID: 4, TradeAccount: '' });
    const open = await c.takeMany(MessageType.ORDER_UPDATE, 2, (m) => m.RequestID === 4);
    expect(open.map((m) => [m.ClientOrderID, m.TotalNumMessages, m.MessageNumber, m.OrderUpdateReason, m.OrderStatus, m.TradeAccount])).toEqual([
      ['W1', 2, 1, 1, OrderStatus.OPEN, 'PAPER1'],
      ['W2', 2, 2, 1, OrderStatus.OPEN, 'PAPER2'],
    ]);
    c.sendNew(MessageType.OPEN_ORDERS_REQUEST, { RequestID: 5, RequestAllOrders: 0, ServerOrderID: first.ServerOrderID });
    expect(await c.take(MessageType.ORDER_UPDATE, (m) => m.RequestID === 5)).toMatchObject({ ClientOrderID: 'F1', OrderStatus: OrderStatus.FILLED });

    c.sendNew(MessageType.CURRENT_POSITIONS_REQUEST, { RequestID: 6, TradeAccount: 'PAPER1' });
    expect(await c.take(MessageType.POSITION_UPDATE, (m) => m.RequestID === 6)).toMatchObject({
      Quantity: 1, AveragePrice: 6000.5, TradeAccount: 'PAPER1', Symbol: 'ESZ25', Exchange: 'CME', TotalNumberMessages: 1, MessageNumber: 1, NoPositions: 0, Unsolicited: 0,
    });

    c.sendNew(MessageType.HISTORICAL_ORDER_FILLS_REQUEST, { RequestID: 7, TradeAccount: 'PAPER1', NumberOfDays: 10 });
    const all = await c.takeMany(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, 2, (m) => m.RequestID === 7);
    expect(all.map((f) => [f.UniqueExecutionID, f.Price, f.Quantity, f.BuySell, f.OpenClose, f.PositionQuantity, f.MessageNumber, f.TotalNumberMessages])).toEqual([
      ['SIMX-1', 6000.5, 2, BuySell.BUY, 1, 2, 1, 2],
      ['SIMX-2', 6009.75, 1, BuySell.SELL, 2, 1, 2, 2],
    ]);
    expect(all[0]!.DateTime).toBe(Math.floor((T0 + 1_000) / 1000));
    c.sendNew(MessageType.HISTORICAL_ORDER_FILLS_REQUEST, { RequestID: 8, TradeAccount: 'PAPER1', NumberOfDays: 1 });
    expect(await c.take(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, (m) => m.RequestID === 8)).toMatchObject({ UniqueExecutionID: 'SIMX-2', TotalNumberMessages: 1 });
    c.sendNew(MessageType.HISTORICAL_ORDER_FILLS_REQUEST, { RequestID: 9, ServerOrderID: first.ServerOrderID });
    expect(await c.take(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, (m) => m.RequestID === 9)).toMatchObject({ UniqueExecutionID: 'SIMX-1', TotalNumberMessages: 1 });

    c.sendNew(MessageType.ACCOUNT_BALANCE_REQUEST, { RequestID: 10, TradeAccount: 'PAPER1' });
    const b = await c.take(MessageType.ACCOUNT_BALANCE_UPDATE, (m) => m.RequestID === 10);
    const realised = (6009.75 - 6000.5) * POINT;
    const cash = 50_000 + realised - 3 * 2.25;
    const open1 = (6010.125 - 6000.5) * POINT;
    expect(b.CashBalance).toBeCloseTo(cash, 9);
    expect(b.OpenPositionsProfitLoss).toBeCloseTo(open1, 9);
    expect(b.SecuritiesValue).toBeCloseTo(cash + open1, 9);
    expect(b.MarginRequirement).toBe(500);
    expect(b.BalanceAvailableForNewPositions).toBeCloseTo(cash + open1 - 500, 9);
    expect(b).toMatchObject({ TotalNumberMessages: 1, MessageNumber: 1, Unsolicited: 0, TradeAccount: 'PAPER1' });
    c.sendNew(MessageType.ACCOUNT_BALANCE_REQUEST, { RequestID: 11 });
    expect((await c.takeMany(MessageType.ACCOUNT_BALANCE_UPDATE, 2, (m) => m.RequestID === 11)).map((m) => [m.TradeAccount, m.CashBalance])).toEqual([
      ['PAPER1', b.CashBalance], ['PAPER2', 50_000],
    ]);
  });

  it('rejects requests for an unknown account with the matching reject message', async () => {
    const { server } = await start();
    const c = await logOn(server);
    c.sendNew(MessageType.ACCOUNT_BALANCE_REQUEST, { RequestID: 1, TradeAccount: 'X' });
    c.sendNew(MessageType.OPEN_ORDERS_REQUEST, { RequestID: 2, TradeAccount: 'X' });
    c.sendNew(MessageType.CURRENT_POSITIONS_REQUEST, { RequestID: 3, TradeAccount: 'X' });
    c.sendNew(MessageType.HISTORICAL_ORDER_FILLS_REQUEST, { RequestID: 4, TradeAccount: 'X' });
    for (const [type, id] of [[MessageType.ACCOUNT_BALANCE_REJECT, 1], [MessageType.OPEN_ORDERS_REJECT, 2], [MessageType.CURRENT_POSITIONS_REJECT, 3], [MessageType.HISTORICAL_ORDER_FILLS_REJECT, 4]] as const) {
      expect(await c.take(type)).toMatchObject({ RequestID: id, RejectText: 'unknown trade account "X"' });
    }
  });

  it('MARKET_DATA_REQUEST: rejected before any data, then a snapshot with last, bid/ask and the session OHLC under the client\'s SymbolID', async () => {
    const { server, quote, bar } = await start();
    const c = await logOn(server, EncodingEnum.JSON);
    c.sendNew(MessageType.MARKET_DATA_REQUEST, { RequestAction: 1, SymbolID: 42, Symbol: 'ESZ25', Exchange: 'CME' });
    expect(await c.take(MessageType.MARKET_DATA_REJECT)).toMatchObject({ SymbolID: 42, RejectText: expect.stringMatching(/no market data for ESZ25/) });
    bar(6000, 6004, 5998, 6003, 'ES'); // a feed naming the root serves a request for the contract
    bar(6003, 6007, 6001, 6006, 'ES');
    quote(6005.75, 6006);
    c.sendNew(MessageType.MARKET_DATA_REQUEST, { RequestAction: 1, SymbolID: 43, Symbol: 'ESZ25', Exchange: 'CME' });
    const snap = await c.take(MessageType.MARKET_DATA_SNAPSHOT);
    expect(snap).toMatchObject({
      SymbolID: 43, LastTradePrice: 6006, SessionOpenPrice: 6000, SessionHighPrice: 6007, SessionLowPrice: 5998, SessionVolume: 200,
      BidPrice: 6005.75, AskPrice: 6006, BidQuantity: 10, AskQuantity: 12,
    });
    c.sendNew(MessageType.MARKET_DATA_REQUEST, { RequestAction: 1, SymbolID: 44, Symbol: 'NQZ25' });
    expect(await c.take(MessageType.MARKET_DATA_REJECT)).toMatchObject({ SymbolID: 44 });
  });
});

describe('paper DTC server: lifecycle and robustness', () => {
  it('a restart (close, then a new server on the same engine) keeps orders, positions and fills; the new client sees later fills', async () => {
    const { server, clock } = await start();
    const c = await logOn(server);
    await submit(c, { ClientOrderID: 'E' });
    server.onQuote({ symbol: 'ESZ25', time: clock.now() + 1, bid: 6000, ask: 6000.25, bidSize: 1, askSize: 1 });
    await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'E' && m.OrderStatus === OrderStatus.FILLED);
    await submit(c, { ClientOrderID: 'T', OrderType: OrderType.LIMIT, BuySell: BuySell.SELL, Price1: 6010 });
    await server.close();
    await c.closed;

    const again = await startPaperDtcServer({ clock, venue: server.venue });
    servers.push(again);
    const d = await logOn(again, EncodingEnum.JSON);
    d.sendNew(MessageType.OPEN_ORDERS_REQUEST, { RequestID: 1 });
    expect(await d.take(MessageType.ORDER_UPDATE, (m) => m.RequestID === 1)).toMatchObject({ ClientOrderID: 'T', OrderStatus: OrderStatus.OPEN, Price1: 6010 });
    d.sendNew(MessageType.CURRENT_POSITIONS_REQUEST, { RequestID: 2 });
    expect(await d.take(MessageType.POSITION_UPDATE, (m) => m.RequestID === 2)).toMatchObject({ Quantity: 1 });
    d.sendNew(MessageType.HISTORICAL_ORDER_FILLS_REQUEST, { RequestID: 3 });
    expect(await d.take(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, (m) => m.RequestID === 3)).toMatchObject({ UniqueExecutionID: 'SIMX-1' });
    clock.advance(2_000);
    again.onQuote({ symbol: 'ESZ25', time: clock.now(), bid: 6005, ask: 6005.25, bidSize: 1, askSize: 1 }); // T rests
    clock.advance(1_000);
    again.onQuote({ symbol: 'ESZ25', time: clock.now(), bid: 6010.25, ask: 6010.5, bidSize: 1, askSize: 1 });
    expect(await d.take(MessageType.ORDER_UPDATE, forId('T'))).toMatchObject({ OrderStatus: OrderStatus.FILLED, LastFillPrice: 6010 });
  });

  it.each([
    ['a binary Size below the header', Buffer.from([2, 0, 1, 0])],
    ['a binary Size beyond the maximum', Buffer.from([0xff, 0xff, 1, 0, 9, 9, 9, 9])],
    ['JSON garbage on a JSON session', Buffer.from('{"Type":1,oops}\0', 'utf8')],
    ['a JSON member of the wrong type', Buffer.from('{"Type":208,"Quantity":"lots"}\0', 'utf8')],
  ])('garbage from one client (%s) closes that client only; the server and the others carry on', async (name, bytes) => {
    const { server } = await start();
    const good = await logOn(server);
    const bad = await logOn(server, name.startsWith('JSON') || name.startsWith('a JSON') ? EncodingEnum.JSON : EncodingEnum.BINARY);
    bad.sendBytes(bytes);
    await bad.closed;
    good.sendNew(MessageType.TRADE_ACCOUNTS_REQUEST, { RequestID: 9 });
    expect(await good.take(MessageType.TRADE_ACCOUNT_RESPONSE)).toMatchObject({ RequestID: 9 });
    expect((await logOn(server)).isOpen).toBe(true);
  });

  it('an unknown message type is ignored without closing the client', async () => {
    const { server } = await start();
    const c = await logOn(server);
    const unknown = Buffer.alloc(8);
    unknown.writeUInt16LE(8, 0);
    unknown.writeUInt16LE(9_999, 2);
    c.sendBytes(unknown);
    c.sendNew(MessageType.TRADE_ACCOUNTS_REQUEST, { RequestID: 3 });
    expect(await c.take(MessageType.TRADE_ACCOUNT_RESPONSE)).toMatchObject({ RequestID: 3 });
  });

  it('property: any bytes, in any encoding, at any point of a session never crash the server', async () => {
    const { server } = await start();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 2, 3), fc.boolean(), fc.uint8Array({ minLength: 1, maxLength: 400 }), async (encoding, loggedOn, bytes) => {
        const c = loggedOn ? await RawDtcClient.loggedOn(server.port, encoding) : await RawDtcClient.connect(server.port);
        c.sendBytes(Buffer.from(bytes));
        await RawDtcClient.pause(5);
        c.close();
      }),
      { numRuns: 40 },
    );
    const c = await logOn(server, EncodingEnum.JSON);
    c.sendNew(MessageType.TRADE_ACCOUNTS_REQUEST, { RequestID: 1 });
    expect(await c.take(MessageType.TRADE_ACCOUNT_RESPONSE)).toMatchObject({ TradeAccount: 'PAPER1' });
  });
});
