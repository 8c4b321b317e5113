import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePolygonServer, serverError } from '../fixtures/fakePolygonServer.ts';
import { runMia } from '../fixtures/runMia.ts';
import { hasSharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

// 2025-01-06 is a Monday; ES's front contract then is ESH5 (rolls 2025-03-12 17:00 CT).
const T0 = Date.UTC(2025, 0, 6, 14, 30);
const MINUTES = 120;
const MIN = 60_000;

describe.skipIf(!hasSharedData('polygon/openapi-examples'))('mia data download (fake Polygon server; needs ../shared/data/polygon)', () => {
  let server: FakePolygonServer;
  const tempDir = useTempHomes('mia-download-');

  beforeAll(async () => {
    server = await FakePolygonServer.start({ futures: { ESH5: { start: T0, minutes: MINUTES } } });
  });
  afterAll(() => server.close());

  const setup = () => {
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ polygon: { pageLimit: 25, maxRetries: 0 } }));
    const env = { POLYGON_API_KEY: server.apiKey, POLYGON_REST_URL: server.restUrl, POLYGON_WS_URL: server.wsUrl };
    const download = (out: string, ...extra: string[]) =>
      runMia(['data', 'download', '--symbol', 'ES', '--from', '2025-01-06', '--to', '2025-01-06', '--out', out, '--config', config, ...extra], env);
    return { dir, download };
  };

  /** The bars the fake serves, as CSV lines computed here from its rows (ns -> ISO by BigInt). */
  const expectedBarLines = () =>
    server.futuresAggRows('ESH5').map((r) => {
      const iso = new Date(Number((r.window_start as bigint) / 1_000_000n)).toISOString();
      return `${iso},${String(r.open)},${String(r.high)},${String(r.low)},${String(r.close)},${String(r.volume)}`;
    });

  it('downloads every minute bar of the front contract, paginated, into a header CSV with ISO UTC times (and quotes)', { timeout: 60_000 }, async () => {
    const { dir, download } = setup();
    const out = join(dir, 'es.csv');
    const result = await download(out, '--quotes', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('time,open,high,low,close,volume');
    expect(lines.slice(1)).toEqual(expectedBarLines());
    expect(lines[1]!.startsWith('2025-01-06T14:30:00.000Z,')).toBe(true);
    expect(lines.at(-1)!.startsWith(new Date(T0 + (MINUTES - 1) * MIN).toISOString())).toBe(true);
    expect(existsSync(`${out}.progress.json`)).toBe(false);

    const summary = JSON.parse(result.stdout) as { bars: { rows: number; segments: { ticker: string }[] }; quotes: { rows: number; rejected: number; rejectedBy: Record<string, number> } };
    expect(summary.bars.rows).toBe(MINUTES);
    expect(summary.bars.segments.map((s) => s.ticker)).toEqual(['ESH5']);
    // 5 pages of 25 bars, each request on the configured URL with the key in a header.
    const aggs = server.requests.filter((r) => r.path === '/futures/vX/aggs/ESH5');
    expect(aggs.length).toBe(Math.ceil(MINUTES / 25));
    expect(aggs.every((r) => r.auth === 'header')).toBe(true);

    // Each synthesised minute carries the fixture's two quotes; the one without an ask is refused.
    const quotes = readFileSync(join(dir, 'es.quotes.csv'), 'utf8').trimEnd().split('\n');
    expect(quotes[0]).toBe('time,bid,ask,bidSize,askSize');
    expect(quotes).toHaveLength(MINUTES + 1);
    // The cause, as Polygon sends it: one-sided quotes (ask side empty, ask_size 0, no ask_price).
    expect(summary.quotes).toMatchObject({ rows: MINUTES, rejected: MINUTES, rejectedBy: { 'one-sided quote: no ask price (ask side of the book empty)': MINUTES } });
  });

  // The uninterrupted download of the same request is the test above: both files must hold
  // exactly the server's bars (spawning the CLI a third time only costs time).
  it('resumes after an interruption, dropping a half-written page: the same file as an uninterrupted download', { timeout: 60_000 }, async () => {
    const { dir, download } = setup();
    const cut = join(dir, 'cut.csv');

    // The server fails from the third page on: two pages (50 bars) are committed.
    let pages = 0;
    server.fail((r) => r.path === '/futures/vX/aggs/ESH5' && ++pages > 2, serverError(503), Number.POSITIVE_INFINITY);
    const interrupted = await download(cut);
    server.clearFailures();
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toMatch(/rerun the same command to resume/);
    expect(readFileSync(cut, 'utf8').trimEnd().split('\n')).toHaveLength(1 + 50);
    const progress = JSON.parse(readFileSync(`${cut}.progress.json`, 'utf8')) as { lastTime: number; rows: number };
    expect(progress).toMatchObject({ rows: 50, lastTime: T0 + 49 * MIN });

    // As if killed while writing the next page: rows past the committed length.
    appendFileSync(cut, `${new Date(T0 + 50 * MIN).toISOString()},1,1,1,1,1\n2025-01-06T15:21:00.0`);

    const resumed = await download(cut);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/resumed and finished 120 bars/);
    expect(readFileSync(cut, 'utf8')).toBe(`${['time,open,high,low,close,volume', ...expectedBarLines()].join('\n')}\n`);
    expect(existsSync(`${cut}.progress.json`)).toBe(false);
    // The resumed request started at the last committed bar, not from scratch.
    const resumedFirst = server.requests.filter((r) => r.path === '/futures/vX/aggs/ESH5' && r.query.has('window_start.gte')).at(-1)!;
    expect(resumedFirst.query.get('window_start.gte')).toBe(`${BigInt(T0 + 49 * MIN) * 1_000_000n}`);
  });
});
