import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolygonError } from '../../../adapters/polygon/polygonError.ts';
import { PolygonRest, type PolygonRestOptions } from '../../../adapters/polygon/polygonRest.ts';
import { FakePolygonServer, FIXTURES, rateLimited, serverError } from '../../fixtures/fakePolygonServer.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';

const T0 = Date.UTC(2025, 0, 6, 14, 30);
const MIN = 60_000;
const needsData = !hasSharedData('polygon/rest-mocks');
const skipMessage = 'needs ../shared/data/polygon (the real Polygon fixtures)';

/** Exact ms of a nanosecond integer literal, straight from the fixture text (no JSON.parse rounding). */
function nsLiteralsToMs(rel: string, field: string): number[] {
  const text = readFileSync(sharedData(rel), 'utf8');
  return [...text.matchAll(new RegExp(`"${field}":\\s*(\\d+)`, 'g'))].map((m) => Number(BigInt(m[1]!) / 1_000_000n));
}

describe.skipIf(needsData)(`PolygonRest against the fake Polygon server (${skipMessage})`, () => {
  let server: FakePolygonServer;
  const waits: number[] = [];
  const client = (overrides: Partial<PolygonRestOptions> = {}) =>
    new PolygonRest({
      restUrl: server.restUrl,
      apiKey: server.apiKey,
      timeoutMs: 5_000,
      maxRetries: 3,
      maxRetryWaitMs: 60_000,
      sleep: async (ms) => void waits.push(ms),
      ...overrides,
    });

  beforeAll(async () => {
    server = await FakePolygonServer.start({ futures: { ESH5: { start: T0, minutes: 25 } }, indices: { 'I:SPX': { start: T0, minutes: 10 } } });
  });
  afterAll(() => server.close());
  const reset = () => {
    waits.length = 0;
    server.clearFailures();
    server.requests.length = 0;
  };

  it('reads the real futures aggregates example as bars, nanosecond window starts exact to the ms', async () => {
    reset();
    const fixture = JSON.parse(readFileSync(sharedData(FIXTURES.futuresAggs), 'utf8')) as { results: Record<string, number>[] };
    const starts = nsLiteralsToMs(FIXTURES.futuresAggs, 'window_start');
    const { items, rejected } = await client().futuresBars('GCJ5', { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 2, 1) }, '1day');
    expect(rejected).toEqual([]);
    expect(items).toHaveLength(2);
    expect(items.map((b) => b.time)).toEqual(starts);
    expect(items[0]).toEqual({
      symbol: 'GCJ5',
      time: Date.UTC(2025, 1, 4),
      open: fixture.results[0]!.open,
      high: fixture.results[0]!.high,
      low: fixture.results[0]!.low,
      close: fixture.results[0]!.close,
      volume: fixture.results[0]!.volume,
    });
    // The key travels in the Authorization header, never in the URL.
    expect(server.requests.every((r) => r.auth === 'header' && !r.query.has('apiKey'))).toBe(true);
  });

  it('follows next_url (on Polygon\'s public host) through every page, rebased onto the configured URL', async () => {
    reset();
    const rest = client({ pageLimit: 7 });
    const pages = [];
    for await (const page of rest.futuresBarPages('ESH5', { from: T0, to: T0 + 25 * MIN })) pages.push(page);
    expect(pages.map((p) => p.items.length)).toEqual([7, 7, 7, 4]);
    const times = pages.flatMap((p) => p.items.map((b) => b.time));
    expect(times).toEqual(Array.from({ length: 25 }, (_, i) => T0 + i * MIN));
    expect(server.requests.map((r) => r.path)).toEqual(Array(4).fill('/futures/vX/aggs/ESH5'));
    expect(server.requests.slice(1).every((r) => r.query.has('cursor'))).toBe(true);
    expect(pages.every((p) => p.url.startsWith(server.restUrl))).toBe(true);
  });

  it('asks for exactly the window [from, to): window_start.gte and .lt in nanoseconds', async () => {
    reset();
    const { items } = await client().futuresBars('ESH5', { from: T0 + 3 * MIN, to: T0 + 6 * MIN });
    expect(items.map((b) => b.time)).toEqual([T0 + 3 * MIN, T0 + 4 * MIN, T0 + 5 * MIN]);
    const q = server.requests[0]!.query;
    expect(q.get('window_start.gte')).toBe(`${BigInt(T0 + 3 * MIN) * 1_000_000n}`);
    expect(q.get('window_start.lt')).toBe(`${BigInt(T0 + 6 * MIN) * 1_000_000n}`);
    expect(q.get('resolution')).toBe('1min');
    expect(q.get('sort')).toBe('window_start.asc');
  });

  it('follows the real quotes mock pagination (client-python fixtures, two pages of 10)', async () => {
    reset();
    const pages = [];
    for await (const page of client().http.pages('/v3/quotes/AAPL')) pages.push(page);
    expect(pages).toHaveLength(2);
    expect(pages.map((p) => (p.body as { results: unknown[] }).results.length)).toEqual([10, 10]);
    expect(server.requests[1]!.query.get('cursor')).toMatch(/^YXA9/);
  });

  it('reads the real futures trades example: decimal prices, exact ms from ns', async () => {
    reset();
    const times = nsLiteralsToMs(FIXTURES.futuresTrades, 'timestamp');
    const { items } = await client().futuresTrades('ESZ4', { from: Date.UTC(2024, 11, 17), to: Date.UTC(2024, 11, 18) });
    expect(items.map((t) => t.price)).toEqual([6052, 6051.75, 6052]);
    expect(items.map((t) => t.time)).toEqual([...times].sort((a, b) => a - b));
    expect(items.every((t) => t.symbol === 'ESZ4')).toBe(true);
  });

  it('keeps a one-sided quote out and says why, keeps the rest', async () => {
    reset();
    const { items, rejected } = await client().futuresQuotes('GCJ5', { from: Date.UTC(2024, 11, 17), to: Date.UTC(2024, 11, 18) });
    // The fixture's newest quote has no ask_price (ask_size 0): one side of the book is empty.
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBe('one-sided quote: no ask price (ask side of the book empty)');
    expect(items).toEqual([{ symbol: 'GCJ5', time: 1734472770000, bid: 2684.7, ask: 2686, bidSize: 1, askSize: 1 }]);
  });

  it('reads index minute bars (v2 aggregates, ms timestamps, no volume)', async () => {
    reset();
    const { items } = await client().indexBars('I:SPX', { from: T0 + 2 * MIN, to: T0 + 5 * MIN });
    expect(items.map((b) => b.time)).toEqual([T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN]);
    expect(items.every((b) => b.symbol === 'I:SPX' && b.open > 0)).toBe(true);
    expect(server.requests[0]!.path).toBe(`/v2/aggs/ticker/I:SPX/range/1/minute/${T0 + 2 * MIN}/${T0 + 5 * MIN - 1}`);
  });

  it('reads the real indices snapshot: SPX value, unknown and not-entitled tickers kept apart', async () => {
    reset();
    const snap = await client().indicesSnapshot(['SPX', 'APx', 'APy']);
    expect(snap.values).toEqual([{ ticker: 'SPX', value: 3822.39, name: 'S&P 500', marketStatus: 'closed' }]);
    expect(snap.errors).toEqual([
      { ticker: 'APx', kind: 'not-found', message: 'Ticker not found.' },
      { ticker: 'APy', kind: 'not-entitled', message: 'Not entitled to this ticker.' },
    ]);
  });

  it('collects every page of the option chain snapshot', async () => {
    reset();
    const body = await client().optionChainBody('AAPL');
    const tickers = body.results.map((r) => (r as { details: { ticker: string } }).details.ticker);
    expect(tickers).toEqual(['O:AAPL230616C00150000', 'O:AAPL211022C000150000']);
    expect(server.requests.map((r) => r.query.get('cursor'))).toEqual([null, 'chain-page-2']);
  });

  it('returns the chain as an OptionChainSnapshot (provenance polygon) through the chain parser', async () => {
    reset();
    const time = Date.UTC(2023, 2, 13, 15);
    const { chain } = await client().optionChain('AAPL', { time });
    expect(chain.provenance).toEqual({ kind: 'polygon' });
    expect(chain.time).toBe(time);
    expect(chain.spot).toBe(159.9606); // the first contract's underlying_asset.price in the client-python mock
    expect(chain.contracts.map((c) => [c.expiry, c.strike, c.right, c.openInterest])).toEqual([
      ['2023-06-16', 150, 'call', 8133],
      ['2022-01-21', 150, 'call', 1543],
    ]);
  });

  it('honours Retry-After on 429, then succeeds', async () => {
    reset();
    server.fail('/futures', rateLimited(2), 2);
    const { items } = await client().futuresBars('ESH5', { from: T0, to: T0 + 2 * MIN });
    expect(items).toHaveLength(2);
    expect(waits).toEqual([2_000, 2_000]);
    expect(server.requests).toHaveLength(3);
  });

  it('backs off (growing, jittered) on 429 without Retry-After and on 5xx', async () => {
    reset();
    server.fail('/futures', rateLimited(), 1);
    server.fail('/futures', serverError(503), 1);
    await client({ backoffBaseMs: 100, backoffMaxMs: 10_000 }).futuresBars('ESH5', { from: T0, to: T0 + MIN });
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it('gives up with a rate-limited error past maxRetries', async () => {
    reset();
    server.fail('/futures', rateLimited(1), 10);
    const error = await client({ maxRetries: 2 }).futuresBars('ESH5', { from: T0, to: T0 + MIN }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolygonError);
    expect((error as PolygonError).kind).toBe('rate-limited');
    expect(server.requests).toHaveLength(3);
  });

  it('refuses to sleep for a Retry-After longer than maxRetryWaitMs', async () => {
    reset();
    server.fail('/futures', rateLimited(3600), 1);
    const error = (await client({ maxRetryWaitMs: 60_000 }).futuresBars('ESH5', { from: T0, to: T0 + MIN }).catch((e: unknown) => e)) as PolygonError;
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBe(3_600_000);
    expect(waits).toEqual([]);
  });

  it('says the key is bad on 401, without ever printing the key', async () => {
    reset();
    const wrongKey = 'my-secret-wrong-key-42';
    const error = (await client({ apiKey: wrongKey }).futuresBars('ESH5', { from: T0, to: T0 + MIN }).catch((e: unknown) => e)) as PolygonError;
    expect(error).toBeInstanceOf(PolygonError);
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/POLYGON_API_KEY/);
    expect(error.message).toMatch(/Unknown API Key/);
    expect(JSON.stringify({ m: error.message, d: error.details, s: error.stack })).not.toContain(wrongKey);
    expect(waits).toEqual([]); // auth failures are not retried
  });

  it('names the dataset when the plan lacks it (403)', async () => {
    reset();
    server.notEntitled('/futures/vX/quotes');
    const error = (await client().futuresQuotes('ESH5', { from: T0, to: T0 + MIN }).catch((e: unknown) => e)) as PolygonError;
    expect(error.kind).toBe('not-entitled');
    expect(error.message).toMatch(/plan does not include/);
    expect(error.details.path).toBe('/futures/vX/quotes/ESH5');
  });

  it('reports an unknown ticker as not-found', async () => {
    reset();
    const error = (await client().futuresBars('ZZZ9', { from: T0, to: T0 + MIN }).catch((e: unknown) => e)) as PolygonError;
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('/futures/vX/aggs/ZZZ9');
  });

  it('reports a 200 whose body is not JSON as bad-response, and a network failure as network', async () => {
    reset();
    server.fail('/futures', { status: 200, body: '<html>maintenance</html>' }, 1);
    const bad = (await client().futuresBars('ESH5', { from: T0, to: T0 + MIN }).catch((e: unknown) => e)) as PolygonError;
    expect(bad.kind).toBe('bad-response');
    const down = new PolygonRest({ restUrl: 'http://127.0.0.1:9', apiKey: 'k', timeoutMs: 2_000, maxRetries: 1, maxRetryWaitMs: 1_000, sleep: async () => {} });
    const net = (await down.futuresBars('ESH5', { from: T0, to: T0 + MIN }).catch((e: unknown) => e)) as PolygonError;
    expect(net.kind).toBe('network');
  });
});
