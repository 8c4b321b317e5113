/**
 * The paper DTC server streams MARKET_DATA_UPDATE_TRADE and MARKET_DATA_UPDATE_BID_ASK after
 * the snapshot of a subscription (it says MarketDataSupported), over loopback, in both
 * encodings; a one-off snapshot and an unsubscribed instrument get none; MIA's DTC client
 * decodes them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPaperDtcServer, type PaperDtcServer } from '../../../adapters/dtc/paperServer.ts';
import { DtcClient } from '../../../adapters/dtc/dtcClient.ts';
import { EncodingEnum, RequestAction } from '../../../adapters/dtc/enums.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import type { DtcMessage } from '../../../adapters/dtc/messages.ts';
import { standaloneConnection } from '../../../actors/connectionHost.ts';
import { ManualClock } from '../../../core/clock.ts';
import { RawDtcClient } from './rawDtcClient.ts';

const T0 = Date.parse('2025-11-03T15:00:00Z');
const servers: PaperDtcServer[] = [];
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function withData() {
  const clock = new ManualClock(T0);
  const server = await startPaperDtcServer({ clock });
  servers.push(server);
  server.onBar({ symbol: 'ESZ25', time: T0 - 60_000, open: 6000, high: 6002, low: 5999, close: 6001, volume: 50 });
  return { server, clock };
}

describe('paper DTC server: market data updates', () => {
  for (const encoding of [EncodingEnum.BINARY, EncodingEnum.JSON]) {
    it(`streams trades and bid/ask after a subscription's snapshot, under the client's SymbolID (encoding ${encoding})`, async () => {
      const { server } = await withData();
      const c = await RawDtcClient.loggedOn(server.port, encoding);
      closers.push(() => c.close());
      c.sendNew(MessageType.MARKET_DATA_REQUEST, { RequestAction: RequestAction.SUBSCRIBE, SymbolID: 9, Symbol: 'ESZ25', Exchange: 'CME' });
      await c.take(MessageType.MARKET_DATA_SNAPSHOT);
      server.onQuote({ symbol: 'ESZ25', time: T0 + 1_500, bid: 6001, ask: 6001.25, bidSize: 7, askSize: 9 });
      server.onTrade({ symbol: 'ESZ25', time: T0 + 2_250, price: 6001.25, size: 3 });
      server.onBar({ symbol: 'ES', time: T0, open: 6001, high: 6003, low: 6000, close: 6002.5, volume: 80 });
      expect(await c.take(MessageType.MARKET_DATA_UPDATE_BID_ASK)).toEqual({
        Type: MessageType.MARKET_DATA_UPDATE_BID_ASK, SymbolID: 9, BidPrice: 6001, BidQuantity: 7, AskPrice: 6001.25, AskQuantity: 9, DateTime: (T0 + 1_000) / 1000,
      });
      const trades = await c.takeMany(MessageType.MARKET_DATA_UPDATE_TRADE, 2);
      expect(trades.map((t) => [t.SymbolID, t.Price, t.Volume, t.DateTime])).toEqual([
        [9, 6001.25, 3, (T0 + 2_250) / 1000],
        [9, 6002.5, 80, (T0 + 60_000) / 1000], // a bar's close, stamped at the close
      ]);
      // Unsubscribed: no more updates.
      c.sendNew(MessageType.MARKET_DATA_REQUEST, { RequestAction: RequestAction.UNSUBSCRIBE, SymbolID: 9 });
      await new Promise((r) => setTimeout(r, 100)); // DTC does not acknowledge an unsubscribe
      server.onTrade({ symbol: 'ESZ25', time: T0 + 70_000, price: 6003, size: 1 });
      await expect(c.take(MessageType.MARKET_DATA_UPDATE_TRADE, () => true, 300)).rejects.toThrow();
    });
  }

  it('a one-off snapshot and another instrument stream nothing', async () => {
    const { server } = await withData();
    const c = await RawDtcClient.loggedOn(server.port, EncodingEnum.BINARY);
    closers.push(() => c.close());
    c.sendNew(MessageType.MARKET_DATA_REQUEST, { RequestAction: RequestAction.SNAPSHOT, SymbolID: 3, Symbol: 'ESZ25', Exchange: 'CME' });
    await c.take(MessageType.MARKET_DATA_SNAPSHOT);
    server.onTrade({ symbol: 'ESZ25', time: T0 + 1_000, price: 6001, size: 1 });
    server.onTrade({ symbol: 'NQZ25', time: T0 + 1_000, price: 21000, size: 1 });
    await expect(c.take(MessageType.MARKET_DATA_UPDATE_TRADE, () => true, 300)).rejects.toThrow();
  });

  it("MIA's DTC client receives them decoded", async () => {
    const { server } = await withData();
    const client = new DtcClient({
      host: '127.0.0.1', port: server.port, encoding: 'binary', heartbeatSeconds: 30, maxReconnectAttempts: 1, backoffBaseMs: 10, backoffMaxMs: 10, seed: 1,
      requestTimeoutMs: 2_000, clock: new ManualClock(T0), connection: standaloneConnection,
    });
    closers.push(() => client.stop());
    const seen: DtcMessage[] = [];
    client.on('message', (m) => seen.push(m));
    const up = new Promise<void>((r) => client.once('connected', () => r()));
    client.start();
    await up;
    await client.send(createDtcMessage(MessageType.MARKET_DATA_REQUEST, { RequestAction: RequestAction.SUBSCRIBE, SymbolID: 5, Symbol: 'ESZ25', Exchange: 'CME' }));
    const until = async (p: () => boolean) => {
      for (let i = 0; i < 200 && !p(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(() => seen.some((m) => m.Type === MessageType.MARKET_DATA_SNAPSHOT));
    server.onQuote({ symbol: 'ESZ25', time: T0 + 1_000, bid: 6001, ask: 6001.25, bidSize: 4, askSize: 6 });
    await until(() => seen.some((m) => m.Type === MessageType.MARKET_DATA_UPDATE_BID_ASK));
    expect(seen.find((m) => m.Type === MessageType.MARKET_DATA_UPDATE_BID_ASK)).toMatchObject({ SymbolID: 5, BidPrice: 6001, AskPrice: 6001.25, BidQuantity: 4, AskQuantity: 6 });
  });
});
