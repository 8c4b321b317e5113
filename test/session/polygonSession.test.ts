/**
 * A session on the live Polygon feed, against the fake Polygon server on loopback: bars
 * pushed over the WebSocket reach the session, its provenance is `polygon`, and the
 * session ends after its bar budget.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { systemClock } from '../../core/clock.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import { startSession } from '../../session/session.ts';
import { FakePolygonServer } from '../fixtures/fakePolygonServer.ts';
import { hasSharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-polygon-session-');
const T0 = Date.UTC(2025, 0, 6, 14, 30);
const TICKER = 'ESH5';
let server: FakePolygonServer | undefined;
const saved = { ...process.env };
afterEach(async () => {
  process.env = { ...saved };
  await server?.close();
  server = undefined;
});

describe.skipIf(!hasSharedData('polygon/openapi-examples'))('session on the Polygon feed (needs ../shared/data/polygon)', () => {
  it('trades on bars streamed by Polygon and ends after its bar budget', { timeout: 30_000 }, async () => {
    server = await FakePolygonServer.start({ futures: { [TICKER]: { start: T0, minutes: 20 } } });
    process.env.POLYGON_API_KEY = server.apiKey;
    process.env.POLYGON_REST_URL = server.restUrl;
    process.env.POLYGON_WS_URL = server.wsUrl;
    const config = configSchema.parse({ feed: { kind: 'polygon', maxBars: 8, start: new Date(T0).toISOString() }, venue: { kind: 'simulated' }, polygon: { futuresTicker: TICKER } });
    const store = await openStateStore(tempHome(), { clock: systemClock });
    const session = startSession({ config, store, logger: silentLogger() });
    const deadline = Date.now() + 10_000;
    let pushed = 0;
    while (pushed < 8 && Date.now() < deadline) {
      if (server.push('futures', [server.amMessage(TICKER, pushed)]) > 0) pushed++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const summary = await session.done;
    await store.close();
    expect(pushed).toBe(8);
    expect(summary.provenance).toBe('polygon');
    expect(summary.bars).toBeGreaterThanOrEqual(7);
    expect(summary.from).toBe(new Date(T0).toISOString());
  });

  it('refuses to start without POLYGON_API_KEY, naming it', async () => {
    delete process.env.POLYGON_API_KEY;
    const config = configSchema.parse({ feed: { kind: 'polygon' }, venue: { kind: 'simulated' } });
    const store = await openStateStore(tempHome(), { clock: systemClock });
    expect(() => startSession({ config, store, logger: silentLogger() })).toThrow(/POLYGON_API_KEY/);
    await store.close();
  });
});
