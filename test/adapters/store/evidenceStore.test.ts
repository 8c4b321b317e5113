/**
 * `<home>/evidence/`: a content-addressed, hash-chained, authenticated log. Records read
 * back as written; the latest piece of a gate is chosen by producedAt; and every kind of
 * forgery is named: an edited record, a hand-written one (loose, or in records/ with a
 * correct content hash, or with a whole chain rebuilt without the home's key), a removed
 * one, an edited head. A crash between a record and its head loses nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptEvidenceError, evidenceKeyPath, openEvidenceStore, verifyEvidence, type StoredEvidence } from '../../../adapters/store/evidenceStore.ts';
import { canonicalJson } from '../../../adapters/signals/signalLog.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-evidence-store-');
const SHA = 'a'.repeat(64);

const piece = (producedAt: string, source: string, transition: StoredEvidence['transition'] = 'calibration->backtest', winRate = 0.6): StoredEvidence => ({
  transition,
  evidence: { metrics: { winRate }, provenance: [{ kind: 'replay', file: '/data/es.csv', sha256: SHA }], period: { from: '2023-03-01', to: '2023-03-31' }, producedAt, source },
  detail: { configHash: 'abc' },
});

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;

describe('evidence store', () => {
  it('chains each piece as a content-addressed record and reads it back as written', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    expect(store.list()).toEqual({ entries: [], corrupt: [] });
    expect(store.latest('calibration->backtest')).toBeUndefined();
    const a = piece('2025-01-02T10:00:00.000Z', 'backtest');
    const b = piece('2025-01-03T10:00:00.000Z', 'backtest', 'calibration->backtest', 0.7);
    const fa = await store.record(a, 'mia backtest');
    const fb = await store.record(b, 'mia backtest');
    const ra = readJson(fa);
    const rb = readJson(fb);
    expect(ra.piece).toEqual(a);
    expect(fa).toBe(join(home, 'evidence', 'records', `${ra.id}.json`));
    expect(ra).toMatchObject({ seq: 1, prev: null, producedBy: 'mia backtest' });
    expect(rb).toMatchObject({ seq: 2, prev: ra.id });
    // The id is the hash of the content: anyone can check it.
    const { id: _id, mac: _mac, ...body } = ra;
    expect(createHash('sha256').update(canonicalJson(body)).digest('hex')).toBe(ra.id);
    // No temporary or lock left behind.
    expect(readdirSync(join(home, 'evidence')).sort()).toEqual(['chain.json', 'records']);
    expect(store.latest('calibration->backtest')).toMatchObject({ ...b, id: rb.id, seq: 2, file: fb });
    // The key is the home's secret: owner-only.
    expect(statSync(evidenceKeyPath(home)).mode & 0o777).toBe(0o600);
  });

  it('picks the latest by producedAt per gate, not by write order', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    await store.record(piece('2025-03-01T00:00:00.000Z', 'backtest', 'calibration->backtest', 0.7));
    await store.record(piece('2025-02-01T00:00:00.000Z', 'backtest', 'calibration->backtest', 0.5));
    await store.record(piece('2025-04-01T00:00:00.000Z', 'walk-forward', 'backtest->simulation', 0.9));
    expect(store.latest('calibration->backtest')?.evidence.metrics.winRate).toBe(0.7);
    expect(store.latest('backtest->simulation')?.evidence.source).toBe('walk-forward');
    expect(store.latest('simulation->propFirm')).toBeUndefined();
    expect(store.list().entries.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('refuses to write a piece that does not validate (nothing written)', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    await expect(store.record(piece('yesterday', 'backtest'))).rejects.toThrow(/producedAt/);
    await expect(store.record(piece('2025-01-01T00:00:00.000Z', 'backtest', 'calibration->backtest', Number.NaN))).rejects.toThrow(/metrics/);
    expect(store.list().entries).toEqual([]);
  });

  it('names an edited record (metrics changed) and never uses it; nothing is appended while it is there', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    const file = await store.record(piece('2025-01-01T00:00:00.000Z', 'backtest', 'calibration->backtest', 0.18));
    const edited = readJson(file);
    edited.piece.evidence.metrics.winRate = 0.77;
    writeFileSync(file, JSON.stringify(edited));
    const { entries, corrupt } = store.list();
    expect(entries).toEqual([]);
    expect(corrupt).toContainEqual({ file, reason: expect.stringMatching(/^edited: its content hashes to/) });
    expect(() => store.latest('calibration->backtest')).toThrow(CorruptEvidenceError);
    await expect(store.record(piece('2025-01-02T00:00:00.000Z', 'backtest'))).rejects.toThrow(CorruptEvidenceError);
  });

  it('names a hand-written file: loose, in records/ with a correct content hash, or a chain rebuilt without the key', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    const genuine = await store.record(piece('2025-01-01T00:00:00.000Z', 'backtest'));

    // A loose file, the old way: `{kind: "live"}` setup evidence written by hand.
    const loose = join(home, 'evidence', 'setup.json');
    writeFileSync(loose, JSON.stringify({ transition: 'setup->calibration', evidence: { provenance: [{ kind: 'live' }] } }));
    expect(store.list().corrupt).toEqual([{ file: loose, reason: expect.stringMatching(/added by hand/) }]);
    rmSync(loose);

    // Someone with MIA's code rebuilds the record with a correct id: without the key, its MAC fails.
    const g = readJson(genuine);
    const forgedBody = { format: g.format, seq: 2, prev: g.id, producedBy: 'mia backtest', piece: { ...piece('2025-02-01T00:00:00.000Z', 'backtest', 'calibration->backtest', 0.9), evidence: { ...piece('2025-02-01T00:00:00.000Z', 'backtest').evidence, provenance: [{ kind: 'replay', file: '/nonexistent/fake.csv', sha256: SHA }] } } };
    const id = createHash('sha256').update(canonicalJson(forgedBody)).digest('hex');
    const forged = join(home, 'evidence', 'records', `${id}.json`);
    writeFileSync(forged, JSON.stringify({ ...forgedBody, id, mac: 'f'.repeat(64) }));
    writeFileSync(join(home, 'evidence', 'chain.json'), JSON.stringify({ head: id, seq: 2, mac: 'f'.repeat(64) }));
    const { entries, corrupt } = verifyEvidence(home);
    expect(corrupt).toContainEqual({ file: forged, reason: expect.stringMatching(/not written by MIA/) });
    expect(corrupt).toContainEqual({ file: join(home, 'evidence', 'chain.json'), reason: expect.stringMatching(/not authenticated/) });
    expect(entries.map((e) => e.evidence.provenance)).not.toContainEqual([{ kind: 'replay', file: '/nonexistent/fake.csv', sha256: SHA }]);
  });

  it('names a removed record and a record copied from another home', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    const first = await store.record(piece('2025-01-01T00:00:00.000Z', 'backtest'));
    await store.record(piece('2025-01-02T00:00:00.000Z', 'backtest'));
    unlinkSync(first);
    expect(store.list().corrupt).toEqual([{ file: first, reason: expect.stringMatching(/missing: record 1 of the chain was removed/) }]);

    const other = tempHome();
    const copied = await openEvidenceStore(other).record(piece('2025-05-01T00:00:00.000Z', 'backtest', 'calibration->backtest', 0.99));
    const home2 = tempHome();
    await openEvidenceStore(home2).record(piece('2025-01-01T00:00:00.000Z', 'backtest'));
    const target = join(home2, 'evidence', 'records', copied.slice(copied.lastIndexOf('/') + 1));
    writeFileSync(target, readFileSync(copied));
    expect(openEvidenceStore(home2).list().corrupt).toEqual([{ file: target, reason: expect.stringMatching(/not written by MIA/) }]);
  });

  it('a crash between a record and its head loses nothing: the authenticated record is the tail', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    await store.record(piece('2025-01-01T00:00:00.000Z', 'backtest'));
    const headFile = join(home, 'evidence', 'chain.json');
    const headBefore = readFileSync(headFile);
    const second = await store.record(piece('2025-01-02T00:00:00.000Z', 'backtest'));
    writeFileSync(headFile, headBefore); // as if the process died before the head's rename
    expect(store.list().corrupt).toEqual([]);
    expect(store.list().entries.map((e) => e.file)).toContain(second);
    await store.record(piece('2025-01-03T00:00:00.000Z', 'backtest'));
    expect(store.list().entries.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('without the key nothing authenticates', async () => {
    const home = tempHome();
    await openEvidenceStore(home).record(piece('2025-01-01T00:00:00.000Z', 'backtest'));
    rmSync(evidenceKeyPath(home));
    expect(existsSync(evidenceKeyPath(home))).toBe(false);
    expect(openEvidenceStore(home).list().corrupt[0]?.reason).toMatch(/evidence key .* is missing/);
  });
});
