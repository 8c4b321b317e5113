import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePolygonServer, FIXTURES, readFixture } from '../fixtures/fakePolygonServer.ts';
import { startMia } from '../fixtures/runMia.ts';
import { hasSharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const T0 = Date.UTC(2025, 0, 6, 14, 30);
const MIN = 60_000;

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!hasSharedData('polygon/openapi-examples'))('mia data record (fake Polygon server; needs ../shared/data/polygon)', () => {
  let server: FakePolygonServer;
  const tempDir = useTempHomes('mia-record-');
  beforeAll(async () => {
    server = await FakePolygonServer.start({ futures: { ESH5: { start: T0, minutes: 10 } }, indices: { 'I:SPX': { start: T0, minutes: 5 } } });
  });
  afterAll(() => server.close());

  it('records live bars, trades, quotes, index values and the day\'s option chain into daily files', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ connection: { heartbeatSeconds: 2 }, polygon: { chainUnderlying: 'AAPL', indexTickers: ['I:SPX'] } }));
    const out = join(dir, 'history');
    const mia = startMia(['data', 'record', '--out', out, '--symbol', 'ESH5', '--max-bars', '3', '--config', config, '--json'], {
      POLYGON_API_KEY: server.apiKey,
      POLYGON_REST_URL: server.restUrl,
      POLYGON_WS_URL: server.wsUrl,
    });
    try {
      await waitFor(() => server.subscribers('futures', 'AM.ESH5') === 1 && server.subscribers('indices', 'V.I:SPX') === 1, 'both subscriptions');
      expect(server.subscribers('futures', 'T.ESH5')).toBe(1);
      expect(server.subscribers('futures', 'Q.ESH5')).toBe(1);

      // Index and tick messages in Polygon's documented WebSocket format, values from the fixtures.
      const spx = server.indexRows('I:SPX')[0]!;
      server.push('indices', [
        { ev: 'V', T: 'I:SPX', val: 5975.38, t: T0 + 1_000 },
        { ev: 'AM', sym: 'I:SPX', op: spx.o, o: spx.o, c: spx.c, h: spx.h, l: spx.l, s: T0, e: T0 + MIN },
      ]);
      const trade = (readFixture(FIXTURES.futuresTrades).results as Record<string, unknown>[])[0]!;
      server.push('futures', [
        { ev: 'T', sym: 'ESH5', p: trade.price, s: trade.size, t: T0 + 2_000, q: 1 },
        { ev: 'Q', sym: 'ESH5', bp: 6051.75, bs: 4, bt: T0 + 2_500, ap: 6052, as: 7, at: T0 + 2_500, t: T0 + 2_500 },
      ]);
      await new Promise((r) => setTimeout(r, 300));
      server.push('futures', [0, 1, 2].map((i) => server.amMessage('ESH5', i)));
      const result = await mia.done;
      expect(result.code, result.stderr).toBe(0);

      const day = join(out, '2025-01-06');
      const bars = readFileSync(join(day, 'ESH5.bars.csv'), 'utf8').trimEnd().split('\n');
      expect(bars[0]).toBe('time,open,high,low,close,volume');
      expect(bars.slice(1).map((l) => l.split(',')[0])).toEqual([0, 1, 2].map((i) => new Date(T0 + i * MIN).toISOString()));
      expect(readFileSync(join(day, 'ESH5.trades.csv'), 'utf8')).toBe(`time,price,size\n${new Date(T0 + 2_000).toISOString()},${String(trade.price)},${String(trade.size)}\n`);
      expect(readFileSync(join(day, 'ESH5.quotes.csv'), 'utf8')).toBe(`time,bid,ask,bidSize,askSize\n${new Date(T0 + 2_500).toISOString()},6051.75,6052,4,7\n`);
      expect(readFileSync(join(day, 'I_SPX.values.csv'), 'utf8')).toBe(`time,value\n${new Date(T0 + 1_000).toISOString()},5975.38\n`);
      expect(readFileSync(join(day, 'I_SPX.bars.csv'), 'utf8').split('\n')[1]).toBe(`${new Date(T0).toISOString()},${String(spx.o)},${String(spx.h)},${String(spx.l)},${String(spx.c)},0`);

      // The chain snapshot is dated by the recorder's clock (today): every page of it, Polygon-shaped.
      const summary = JSON.parse(result.stdout) as { chains: number; bars: number };
      expect(summary).toMatchObject({ chains: 1, bars: 4 });
      const today = new Date().toISOString().slice(0, 10);
      const chainFile = [today, new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)].map((d) => join(out, d, 'chain-AAPL.json')).find(existsSync)!;
      const chain = JSON.parse(readFileSync(chainFile, 'utf8')) as { results: { details: { ticker: string } }[] };
      expect(chain.results.map((r) => r.details.ticker)).toEqual(['O:AAPL230616C00150000', 'O:AAPL211022C000150000']);
    } finally {
      if (mia.child.exitCode === null) mia.child.kill('SIGKILL');
    }
  });
});
