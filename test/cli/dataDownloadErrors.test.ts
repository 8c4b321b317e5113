import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePolygonServer } from '../fixtures/fakePolygonServer.ts';
import { runMia } from '../fixtures/runMia.ts';
import { hasSharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const T0 = Date.UTC(2025, 0, 6, 14, 30);
// Spawning the CLI costs seconds on a loaded machine: generous per-test timeouts.
const SLOW = { timeout: 60_000 };

describe.skipIf(!hasSharedData('polygon/openapi-examples'))('mia data download: refusals and errors (fake Polygon server)', () => {
  let server: FakePolygonServer;
  const tempDir = useTempHomes('mia-download-err-');
  beforeAll(async () => {
    server = await FakePolygonServer.start({ futures: { ESH5: { start: T0, minutes: 30 } } });
  });
  afterAll(() => server.close());

  const args = (out: string, ...extra: string[]) => ['data', 'download', '--symbol', 'ESH5', '--from', '2025-01-06', '--to', '2025-01-06', '--out', out, ...extra];
  const env = (key: string) => ({ POLYGON_API_KEY: key, POLYGON_REST_URL: server.restUrl });

  it('without POLYGON_API_KEY: exit 2 naming the variable, nothing written', SLOW, async () => {
    const out = join(tempDir(), 'es.csv');
    const r = await runMia(args(out), env(''));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/POLYGON_API_KEY/);
    expect(existsSync(out)).toBe(false);
  });

  it('with a key Polygon refuses: exit 2 naming POLYGON_API_KEY, the key itself never printed', SLOW, async () => {
    const key = 'refused-key-7f3a9c';
    const r = await runMia(args(join(tempDir(), 'es.csv')), env(key));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/POLYGON_API_KEY/);
    expect(r.stderr).toMatch(/Unknown API Key/);
    expect(r.stdout + r.stderr).not.toContain(key);
  });

  it('a malformed --from is bad usage naming the flag', SLOW, async () => {
    const r = await runMia(['data', 'download', '--symbol', 'ES', '--from', '06/01/2025', '--to', '2025-01-06', '--out', join(tempDir(), 'x.csv')], env(server.apiKey));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from/);
  });

  it('an existing finished file is not overwritten without --force', SLOW, async () => {
    const out = join(tempDir(), 'es.csv');
    writeFileSync(out, 'keep me\n');
    const r = await runMia(args(out), env(server.apiKey));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--force/);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
  });

  it('a plan without quotes still gets its bars: quotes skipped with a clear warning, exit 0', SLOW, async () => {
    const plain = await FakePolygonServer.start({ futures: { ESH5: { start: T0, minutes: 30 } } });
    try {
      plain.notEntitled('/futures/vX/quotes');
      const dir = tempDir();
      const r = await runMia([...args(join(dir, 'es.csv')), '--quotes'], { POLYGON_API_KEY: plain.apiKey, POLYGON_REST_URL: plain.restUrl });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/quotes not downloaded: your Polygon plan does not include this dataset/);
      expect(readFileSync(join(dir, 'es.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(31);
      expect(existsSync(join(dir, 'es.quotes.csv'))).toBe(false);
      expect(existsSync(join(dir, 'es.quotes.csv.progress.json'))).toBe(false);
    } finally {
      await plain.close();
    }
  });
});

describe('data download: the human summary says what it kept and why rows were rejected', () => {
  it('lists every cause with its count (and says a quote file keeps two-sided quotes only)', async () => {
    const { describeDownload } = await import('../../cli/dataDownload.ts');
    const text = describeDownload({
      file: 'es.quotes.csv',
      kind: 'quotes',
      rows: 570,
      rejected: 575,
      rejectedBy: { 'one-sided quote: no ask price (ask side of the book empty)': 570, 'timestamp: Invalid input': 3 },
      resumed: false,
      first: Date.parse('2025-01-06T14:30:00Z'),
      last: Date.parse('2025-01-06T23:59:00Z'),
      segments: [{ ticker: 'ESH5', from: 0, to: 1 }],
    });
    expect(text).toContain('downloaded 570 quotes (ESH5) 2025-01-06T14:30:00.000Z .. 2025-01-06T23:59:00.000Z into es.quotes.csv');
    expect(text).toContain('rejected 575 quote rows Polygon sent, not written:');
    expect(text).toContain('  570 one-sided quote: no ask price (ask side of the book empty)');
    expect(text).toContain('  3 timestamp: Invalid input');
    expect(text).toContain('  2 (cause not recorded');
    expect(text).toContain('two-sided quotes only');
  });
});
