/**
 * The phase-0 round trip (`mia dtc check`'s engine) against a scripted server: far limit
 * accepted then cancelled, market fill then offset, rejects, unknown account, no price,
 * refused logon, refused connection, and a server that never confirms.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../core/clock.ts';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { runDtcCheck, type DtcCheckOptions } from '../../../adapters/dtc/dtcClientRoundTrip.ts';
import { BuySell, LogonStatus, OrderType } from '../../../adapters/dtc/enums.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { SubmitNewSingleOrder } from '../../../adapters/dtc/messages.ts';
import { startFakeDtcServer, venueAnswers, type FakeServerScript, type Venue } from './dtcClientFakeServer.ts';
import { useDtcClients } from './dtcClientHarness.ts';
import { standaloneConnection } from '../../../actors/connectionHost.ts';

const { onCleanup } = useDtcClients();

async function check(venue: Venue, overrides: Partial<DtcCheckOptions> = {}, script: FakeServerScript = {}) {
  const server = await startFakeDtcServer({ onMessage: venueAnswers(venue), ...script });
  onCleanup(() => server.close());
  const result = await runDtcCheck({
    host: '127.0.0.1',
    port: server.port,
    encoding: 'json',
    symbol: 'ESZ25',
    account: 'PAPER1',
    market: false,
    side: 'buy',
    timeoutMs: 1_500,
    heartbeatSeconds: 5,
    clock: systemClock,
    connection: standaloneConnection,
    ...overrides,
  });
  return { result, server };
}

describe('runDtcCheck', () => {
  it('places a far limit from the market snapshot, sees it accepted, cancels it, and logs off', async () => {
    const { result, server } = await check({});
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.encoding).toEqual({ requested: 'json', negotiated: 'json' });
    expect(result.logon).toMatchObject({ serverName: 'fake-dtc', result: LogonStatus.SUCCESS, tradingSupported: true });
    expect(result.accounts).toEqual(['PAPER1']);
    expect(result.balance).toEqual({ account: 'PAPER1', cashBalance: 50_000, availableForNewPositions: 45_000, currency: 'USD' });
    expect(result.positions).toEqual([{ account: 'PAPER1', symbol: 'ESZ25', quantity: 2, averagePrice: 4990.5 }]);
    expect(result.marketData).toEqual({ bid: 5000, ask: 5000.5, last: 5000.25 });
    // 10% under the last trade, on the ES quarter-point grid.
    const order = result.order!;
    expect(order.price).toBe(4500.0);
    expect(order.price! % 0.25).toBe(0);
    expect(order).toMatchObject({ type: 'limit', side: 'buy', quantity: 1, serverOrderId: 'S1', finalStatus: 'CANCELED', cancelled: true });
    expect(order.updates.map((u) => [u.status, u.reason])).toEqual([
      ['OPEN', 'NEW_ORDER_ACCEPTED'],
      ['CANCELED', 'ORDER_CANCELED'],
    ]);
    expect(result.roundTripMs).toBeGreaterThanOrEqual(0);
    expect(result.roundTripMs).toBeLessThan(1_500);
    const c = server.connections[0]!;
    const sent = c.received.find((m) => m.Type === MessageType.SUBMIT_NEW_SINGLE_ORDER) as SubmitNewSingleOrder;
    expect(sent).toMatchObject({ OrderType: OrderType.LIMIT, BuySell: BuySell.BUY, Price1: 4500, Quantity: 1, IsAutomatedOrder: 1, TradeAccount: 'PAPER1', Symbol: 'ESZ25' });
    expect(c.received.find((m) => m.Type === MessageType.CANCEL_ORDER)).toMatchObject({ ServerOrderID: 'S1', ClientOrderID: order.clientOrderId });
    await c.closed;
    expect(c.count(MessageType.LOGOFF)).toBe(1);
  });

  it('puts a sell limit 10% above, rounded up to the tick', async () => {
    const { result } = await check({ last: 5001.1 }, { side: 'sell' });
    expect(result.order?.price).toBe(5501.25);
  });

  it('uses --limit-price without asking for market data', async () => {
    const { result, server } = await check({ last: null }, { limitPrice: 4000 });
    expect(result.ok).toBe(true);
    expect(result.order?.price).toBe(4000);
    expect(server.connections[0]!.count(MessageType.MARKET_DATA_REQUEST)).toBe(0);
  });

  it('fails clearly when no price is known and neither --limit-price nor --market is given', async () => {
    const { result, server } = await check({ last: null });
    expect(result.ok).toBe(false);
    expect(result.errors[0]).toMatch(/no market price for ESZ25 .*no data for symbol.*--limit-price P or --market/);
    expect(result.order).toBeNull();
    expect(server.connections[0]!.count(MessageType.SUBMIT_NEW_SINGLE_ORDER)).toBe(0);
  });

  it('sends a market order with --market, sees it filled, and offsets the fill', async () => {
    const { result, server } = await check({}, { market: true });
    expect(result.ok).toBe(true);
    expect(result.order).toMatchObject({ type: 'market', price: null, finalStatus: 'FILLED', cancelled: false });
    expect(result.order!.updates.at(-1)).toMatchObject({ status: 'FILLED', filledQuantity: 1, averageFillPrice: 5000.25 });
    expect(result.offset).toMatchObject({ type: 'market', side: 'sell', finalStatus: 'FILLED' });
    const orders = server.connections[0]!.received.filter((m) => m.Type === MessageType.SUBMIT_NEW_SINGLE_ORDER) as SubmitNewSingleOrder[];
    expect(orders.map((o) => [o.OrderType, o.BuySell])).toEqual([
      [OrderType.MARKET, BuySell.BUY],
      [OrderType.MARKET, BuySell.SELL],
    ]);
    expect(new Set(orders.map((o) => o.ClientOrderID)).size).toBe(2);
  });

  it('keeps the fill with keepPosition', async () => {
    const { result } = await check({}, { market: true, keepPosition: true });
    expect(result.ok).toBe(true);
    expect(result.offset).toBeNull();
  });

  it('reports a rejected order with its reason', async () => {
    const { result } = await check({ reject: 'insufficient margin' }, { limitPrice: 4000 });
    expect(result.ok).toBe(false);
    expect(result.order?.finalStatus).toBe('REJECTED');
    expect(result.errors[0]).toContain('rejected: insufficient margin');
  });

  it('refuses an account the server does not list, before any order', async () => {
    const { result, server } = await check({}, { account: 'NOPE' });
    expect(result.ok).toBe(false);
    expect(result.errors[0]).toContain("account NOPE is not one of the server's accounts (PAPER1)");
    expect(server.connections[0]!.count(MessageType.SUBMIT_NEW_SINGLE_ORDER)).toBe(0);
  });

  it('reports a cancel that is never confirmed', async () => {
    const { result } = await check({ ignoreCancel: true }, { limitPrice: 4000, timeoutMs: 400 });
    expect(result.ok).toBe(false);
    expect(result.errors[0]).toMatch(/cancel not confirmed within 400 ms/);
    expect(result.order?.cancelled).toBe(false);
  });

  it('reports a refused logon with the server text, and a refused connection', async () => {
    const { result } = await check({}, {}, { logon: () => ({ Result: LogonStatus.ERROR, ResultText: 'bad password' }) });
    expect(result.ok).toBe(false);
    expect(result.errors[0]).toContain('bad password');
    expect(result.logon).toBeNull();

    const closed = await startFakeDtcServer();
    const port = closed.port;
    await closed.close();
    const refused = await runDtcCheck({ host: '127.0.0.1', port, encoding: 'binary', symbol: 'ESZ25', account: 'A', market: false, side: 'buy', timeoutMs: 1_000, clock: systemClock, connection: standaloneConnection });
    expect(refused.ok).toBe(false);
    expect(refused.errors[0]).toContain('ECONNREFUSED');
  });

  it('reports the encoding the server imposed', async () => {
    const { result } = await check({}, { encoding: 'binary' }, { answerEncoding: () => 3 });
    expect(result.ok).toBe(true);
    expect(result.encoding).toEqual({ requested: 'binary', negotiated: 'compact' });
  });
});
