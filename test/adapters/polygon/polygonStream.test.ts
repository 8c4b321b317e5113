import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.ts';
import type { Bar } from '../../../core/types.ts';
import { PolygonError } from '../../../adapters/polygon/polygonError.ts';
import { PolygonRest } from '../../../adapters/polygon/polygonRest.ts';
import { PolygonStream, restBackfill, type PolygonStreamListener } from '../../../adapters/polygon/polygonStream.ts';
import { FakePolygonServer } from '../../fixtures/fakePolygonServer.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { standaloneConnection } from '../../../actors/connectionHost.ts';

const T0 = Date.UTC(2025, 0, 6, 14, 30);
const MIN = 60_000;
const TICKER = 'ESH5';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Recorded {
  bars: { bar: Bar; origin: 'live' | 'backfill' }[];
  errors: Error[];
  stale: number[];
  fresh: number[];
  failed: string[];
  connected: boolean[];
  disconnected: string[];
}

describe.skipIf(!hasSharedData('polygon/openapi-examples'))('PolygonStream over the fake Polygon WebSocket (needs ../shared/data/polygon)', () => {
  let server: FakePolygonServer;
  let stream: PolygonStream | undefined;
  let clock: ManualClock;
  let seen: Recorded;

  const listener = (): PolygonStreamListener => ({
    onBar: (bar, origin) => void seen.bars.push({ bar, origin }),
    onError: (e) => void seen.errors.push(e),
    onStale: (t) => void seen.stale.push(t),
    onFresh: (t) => void seen.fresh.push(t),
    onFailed: (r) => void seen.failed.push(r),
    onConnected: (i) => void seen.connected.push(i.reconnect),
    onDisconnected: (r) => void seen.disconnected.push(r),
  });

  const open = (apiKey = server.apiKey) => {
    const rest = new PolygonRest({ restUrl: server.restUrl, apiKey, timeoutMs: 5_000, maxRetries: 0, maxRetryWaitMs: 1_000 });
    stream = new PolygonStream({
      url: `${server.wsUrl}/futures`,
      apiKey,
      subscriptions: [`AM.${TICKER}`],
      connection: { heartbeatMs: 1_000, maxAttempts: 50, backoffBaseMs: 20, backoffMaxMs: 80, seed: 3 },
      connectionHost: standaloneConnection,
      clock,
      staleAfterMs: 60_000,
      staleCheckMs: 0,
      backfill: restBackfill(rest),
      listener: listener(),
    });
    stream.start();
    return stream;
  };

  const push = (...indexes: number[]) => server.push('futures', indexes.map((i) => server.amMessage(TICKER, i)));
  const times = () => seen.bars.map((b) => (b.bar.time - T0) / MIN);

  beforeEach(async () => {
    server = await FakePolygonServer.start({ futures: { [TICKER]: { start: T0, minutes: 20 } } });
    clock = new ManualClock(T0 + MIN);
    seen = { bars: [], errors: [], stale: [], fresh: [], failed: [], connected: [], disconnected: [] };
  });
  afterEach(async () => {
    stream?.stop();
    stream = undefined;
    await server.close();
  });

  it('authenticates, subscribes and delivers minute bars from AM messages', async () => {
    open();
    await waitFor(() => server.subscribers('futures', `AM.${TICKER}`) === 1, 'subscription');
    expect(stream!.state()).toBe('connected');
    push(0, 1);
    await waitFor(() => seen.bars.length === 2, 'two bars');
    const row = server.futuresAggRows(TICKER)[1]!;
    expect(seen.bars[1]).toEqual({
      origin: 'live',
      bar: { symbol: TICKER, time: T0 + MIN, open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume },
    });
    expect(seen.connected).toEqual([false]);
  });

  it('after a drop, reconnects and backfills the missed bars over REST: no gap, no duplicate', async () => {
    open();
    await waitFor(() => server.subscribers('futures', `AM.${TICKER}`) === 1, 'subscription');
    push(0, 1, 2, 3);
    clock.set(T0 + 4 * MIN);
    await waitFor(() => seen.bars.length === 4, 'bars 0-3');

    // Outage: the feed is down while minutes 4..8 complete.
    server.wsDown = true;
    server.dropClients();
    await waitFor(() => seen.disconnected.length === 1, 'disconnect');
    clock.set(T0 + 9 * MIN + 30_000);
    // A slow REST answer, so that live bars arrive while the backfill is running.
    server.fail('/futures/vX/aggs', { status: 200, delayMs: 300, passThrough: true }, 1);
    server.wsDown = false;

    await waitFor(() => server.subscribers('futures', `AM.${TICKER}`) === 1, 're-subscription');
    // Live again: an old bar, the last backfilled minute (duplicate) and a new one.
    push(3, 8, 9);
    await waitFor(() => seen.bars.some((b) => b.bar.time === T0 + 9 * MIN), 'bar 9');

    expect(times()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen.bars.filter((b) => b.origin === 'backfill').map((b) => (b.bar.time - T0) / MIN)).toEqual([4, 5, 6, 7, 8]);
    expect(seen.connected).toEqual([false, true]);
    const backfill = server.requests.find((r) => r.path === `/futures/vX/aggs/${TICKER}`)!;
    expect(backfill.query.get('window_start.gte')).toBe(`${BigInt(T0 + 4 * MIN) * 1_000_000n}`);
    expect(backfill.query.get('window_start.lt')).toBe(`${BigInt(T0 + 9 * MIN) * 1_000_000n}`);
  });

  it('fills a minute REST did not have yet from the first live bar after the reconnect', async () => {
    open();
    await waitFor(() => server.subscribers('futures', `AM.${TICKER}`) === 1, 'subscription');
    push(0, 1);
    await waitFor(() => seen.bars.length === 2, 'bars 0-1');
    server.dropClients();
    // The clock says only minute 2 is complete: REST is asked for [2, 3) ...
    clock.set(T0 + 3 * MIN);
    server.fail('/futures/vX/aggs', { status: 200, delayMs: 300, passThrough: true }, 1);
    await waitFor(() => server.subscribers('futures', `AM.${TICKER}`) === 1, 're-subscription');
    // ... but the first live bar is minute 5: minutes 3 and 4 are fetched before it goes out.
    push(5);
    await waitFor(() => seen.bars.some((b) => b.bar.time === T0 + 5 * MIN), 'bar 5');
    expect(times()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a refused key ends in failed, reported as an auth error, without reconnecting', async () => {
    open('wrong-key-do-not-log');
    await waitFor(() => seen.failed.length === 1, 'failed');
    expect(stream!.state()).toBe('failed');
    const auth = seen.errors.find((e) => e instanceof PolygonError && e.kind === 'auth');
    expect(auth?.message).toMatch(/POLYGON_API_KEY/);
    expect(auth?.message).not.toContain('wrong-key-do-not-log');
    await new Promise((r) => setTimeout(r, 200));
    expect(server.authAttempts).toBe(1);
    expect(server.wsConnections).toBe(1);
  });

  it('tells stale once after staleAfterMs of clock time without data, and fresh at the next bar', async () => {
    open();
    await waitFor(() => server.subscribers('futures', `AM.${TICKER}`) === 1, 'subscription');
    push(0);
    await waitFor(() => seen.bars.length === 1, 'bar 0');
    clock.advance(59_999);
    stream!.checkStale();
    expect(seen.stale).toEqual([]);
    clock.advance(1);
    stream!.checkStale();
    stream!.checkStale();
    expect(seen.stale).toEqual([T0 + 2 * MIN]);
    push(1);
    await waitFor(() => seen.fresh.length === 1, 'fresh');
    expect(seen.fresh).toEqual([T0 + 2 * MIN]);
  });

  it('reports a malformed frame and keeps streaming', async () => {
    open();
    await waitFor(() => server.subscribers('futures', `AM.${TICKER}`) === 1, 'subscription');
    server.pushRaw('futures', '[{"ev":"AM","sym":"ESH5","o":"x"}');
    server.pushRaw('futures', JSON.stringify([{ ev: 'AM', sym: TICKER, o: 1, h: 0.5, l: 1, c: 1, s: T0, e: T0 + MIN }]));
    push(0);
    await waitFor(() => seen.bars.length === 1, 'bar 0');
    expect(seen.errors.map((e) => (e as PolygonError).kind)).toEqual(['bad-response', 'bad-response']);
    expect(seen.errors[1]!.message).toMatch(/OHLC/);
    expect(stream!.state()).toBe('connected');
  });
});
