/**
 * `mia data check`: ES and SPX access through Polygon (the fake server on loopback) or the
 * configured local files, recorded as `marketDataConnected` setup evidence only when both
 * were read, through the evidence store (provenance polygon, or each file with its sha256).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dataCheckAction, runDataCheck } from '../../cli/dataCheck.ts';
import { openEvidenceStore } from '../../adapters/store/evidenceStore.ts';
import { ManualClock } from '../../core/clock.ts';
import { FakePolygonServer } from '../fixtures/fakePolygonServer.ts';
import { hasSharedData, sharedData, sharedDataDir } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const T0 = Date.UTC(2025, 0, 6, 14, 30);
const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0));
const tempHome = useTempHomes('mia-data-check-');

describe.skipIf(!hasSharedData('polygon/openapi-examples'))('mia data check through Polygon (fake server; needs ../shared/data/polygon)', () => {
  let server: FakePolygonServer;
  beforeAll(async () => {
    server = await FakePolygonServer.start({ futures: { ESZ5: { start: T0, minutes: 30 } }, indices: { 'I:SPX': { start: T0, minutes: 30 } } });
  });
  afterAll(() => server.close());
  const env = (home?: string) => ({ POLYGON_API_KEY: server.apiKey, POLYGON_REST_URL: server.restUrl, ...(home ? { MIA_HOME: home } : {}) });

  it('reads ES and SPX minute bars and records marketDataConnected with provenance polygon', async () => {
    const home = tempHome();
    const r = await runDataCheck({ at: new Date(T0 + 3_600_000).toISOString() }, env(home), clock);
    expect(r).toMatchObject({ ok: true, via: 'polygon', es: { ok: true, source: 'polygon ESZ5', rows: 30 }, spx: { ok: true, source: 'polygon I:SPX', rows: 30 } });
    const [entry] = openEvidenceStore(home).list().entries;
    expect(entry).toMatchObject({ transition: 'setup->calibration', producedBy: 'mia data check', evidence: { checks: { marketDataConnected: true }, provenance: [{ kind: 'polygon' }], source: 'data-check', producedAt: '2026-01-05T12:00:00.000Z' } });
  });

  it('fails (exit 1) and records nothing when SPX has no data in the window', async () => {
    const home = tempHome();
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    try {
      // A week after the fake's series: nothing in the window.
      expect(await dataCheckAction({ at: new Date(T0 + 7 * 86_400_000).toISOString() }, env(home), clock)).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(out).toMatch(/^data check via polygon {2}FAILED/);
    expect(out).toMatch(/ES {3}FAILED polygon ESZ5: no minute bars between/);
    expect(openEvidenceStore(home).list().entries).toEqual([]);
  });
});

const ES_FILE = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';
const spxChain = () => readdirSync(join(sharedDataDir, 'options/cboe')).find((f) => /^spx_quotedata/i.test(f));

describe.skipIf(!hasSharedData(ES_FILE) || !hasSharedData('options/cboe'))('mia data check on local files (needs ../shared/data/es and options/cboe)', () => {
  it('without Polygon, reads the ES file and an SPX chain, and records both files with their sha256', async () => {
    const home = tempHome();
    const spx = sharedData(`options/cboe/${spxChain()}`);
    const r = await runDataCheck({ es: sharedData(ES_FILE), spx, home }, {}, clock);
    expect(r.ok).toBe(true);
    expect(r.via).toBe('local');
    expect(r.es.rows).toBeGreaterThan(1000);
    expect(r.spx.rows).toBeGreaterThan(100);
    const [entry] = openEvidenceStore(home).list().entries;
    expect(entry!.evidence.provenance.map((p) => p.kind)).toEqual(['replay', 'replay']);
    expect(entry!.evidence.provenance.map((p) => (p.kind === 'replay' ? p.file : ''))).toEqual([sharedData(ES_FILE), spx]);
  });

  it('names what is missing: no SPX file, or an ES file that does not exist', async () => {
    const noSpx = await runDataCheck({ es: sharedData(ES_FILE) }, {}, clock);
    expect(noSpx).toMatchObject({ ok: false, es: { ok: true }, spx: { ok: false, error: 'no SPX data configured: set POLYGON_API_KEY, or give --spx FILE' } });
    const noEs = await runDataCheck({ es: '/nonexistent/es.csv', spx: sharedData(`options/cboe/${spxChain()}`) }, {}, clock);
    expect(noEs.es).toMatchObject({ ok: false, error: '/nonexistent/es.csv does not exist' });
  });
});
