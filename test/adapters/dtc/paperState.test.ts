/**
 * The paper server's state file: written atomically after every change and before the
 * client hears of it, restored by a fresh server, refused (and left untouched) when corrupt.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPaperDtcServer, type PaperDtcServer } from '../../../adapters/dtc/paperServer.ts';
import { loadPaperState, savePaperState } from '../../../adapters/dtc/paperState.ts';
import { BuySell, OrderStatus, OrderType } from '../../../adapters/dtc/enums.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import { CorruptStateError } from '../../../adapters/store/jsonDocument.ts';
import { SimulatedVenue } from '../../../adapters/simulated/simulatedVenue.ts';
import { ManualClock } from '../../../core/clock.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';
import { RawDtcClient } from './rawDtcClient.ts';

const T0 = Date.parse('2025-11-03T15:00:00Z');
const tempDir = useTempHomes('mia-paper-state-');
const servers: PaperDtcServer[] = [];
const clients: RawDtcClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('paper server state file', () => {
  it('is on disk before the client hears of a change, and a new server (no engine given) carries on from it', async () => {
    const stateFile = join(tempDir(), 'paper', 'state.json');
    const clock = new ManualClock(T0);
    const server = await startPaperDtcServer({ clock, stateFile, startingBalance: 25_000 });
    servers.push(server);
    const c = await RawDtcClient.loggedOn(server.port);
    clients.push(c);
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, { Symbol: 'ESZ25', Exchange: 'CME', ClientOrderID: 'E', OrderType: OrderType.MARKET, BuySell: BuySell.BUY, Quantity: 2 });
    await c.take(MessageType.ORDER_UPDATE);
    // The update arrived: the order it reports is already in the file.
    expect(loadPaperState(stateFile)!.orders.map((o) => [o.clientOrderId, o.status])).toEqual([['E', 'working']]);
    clock.advance(1_000);
    server.onQuote({ symbol: 'ESZ25', time: clock.now(), bid: 6000, ask: 6000.25, bidSize: 1, askSize: 1 });
    await c.take(MessageType.ORDER_UPDATE, (m) => m.OrderStatus === OrderStatus.FILLED);
    c.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, { Symbol: 'ESZ25', Exchange: 'CME', ClientOrderID: 'T', OrderType: OrderType.LIMIT, BuySell: BuySell.SELL, Price1: 6010, Quantity: 2 });
    await c.take(MessageType.ORDER_UPDATE, (m) => m.ClientOrderID === 'T');
    expect(readdirSync(join(stateFile, '..'))).toEqual(['state.json']); // no temporary file left behind

    // As after kill -9: nothing closed, a new server reads the file.
    const again = await startPaperDtcServer({ clock, stateFile });
    servers.push(again);
    expect(again.venue.order('T')).toMatchObject({ status: 'working', price: 6010, serverOrderId: 'SIM-2' });
    expect(again.venue.positions()).toMatchObject([{ symbol: 'ESZ25', qty: 2, avgPrice: 6000.5, exchange: 'CME' }]);
    expect(again.venue.balance('PAPER1')).toMatchObject({ cash: 25_000 - 4.5, startingBalance: 25_000 }); // not the default 50,000
    expect(again.venue.fills().map((f) => f.executionId)).toEqual(['SIMX-1']);
    const d = await RawDtcClient.loggedOn(again.port);
    clients.push(d);
    d.sendNew(MessageType.SUBMIT_NEW_SINGLE_ORDER, { Symbol: 'ESZ25', ClientOrderID: 'E', OrderType: OrderType.MARKET, BuySell: BuySell.BUY, Quantity: 2 });
    expect(await d.take(MessageType.ORDER_UPDATE)).toMatchObject({ ClientOrderID: 'E', OrderStatus: OrderStatus.FILLED }); // still idempotent
  });

  it('refuses a corrupt or invalid file with CorruptStateError and leaves it untouched', async () => {
    const dir = tempDir();
    for (const [name, text] of [
      ['bad.json', '{"version":1,'],
      ['wrong.json', JSON.stringify({ version: 1, seq: -1, executions: 0, ocoGroups: 0, orders: [], accounts: [], fills: [], marks: [] })],
      ['other.json', JSON.stringify({ version: 2 })],
    ]) {
      const file = join(dir, name!);
      writeFileSync(file, text!);
      await expect(startPaperDtcServer({ clock: new ManualClock(T0), stateFile: file })).rejects.toBeInstanceOf(CorruptStateError);
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('a missing file starts fresh; a rejected order with NaN terms survives the JSON round trip', () => {
    const file = join(tempDir(), 'none.json');
    expect(loadPaperState(file)).toBeNull();
    const venue = new SimulatedVenue({ tickSize: 0.25, slippageTicks: 1, commissionPerContract: 2.25, barMs: 60_000 });
    venue.submit({ clientOrderId: 'nan', symbol: 'ESZ25', side: 'buy', qty: Number.NaN, type: 'limit', price: Number.POSITIVE_INFINITY, tif: 'day', purpose: 'dtc', createdAt: T0 }, T0);
    savePaperState(file, venue.exportState());
    expect(existsSync(file)).toBe(true);
    const back = loadPaperState(file)!;
    expect(back.orders[0]).toMatchObject({ clientOrderId: 'nan', status: 'rejected' });
    expect(Number.isNaN(back.orders[0]!.qty)).toBe(true);
    const restored = SimulatedVenue.restore({ tickSize: 0.25, slippageTicks: 1, commissionPerContract: 2.25, barMs: 60_000 }, back);
    expect(restored.order('nan')!.status).toBe('rejected');
  });
});
