/**
 * `<home>/evidence/`: one file per piece, written atomically, validated on read; the
 * latest piece of a gate is chosen by producedAt, and a corrupt file is reported, never
 * used (latest refuses to choose while one is there).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptEvidenceError, openEvidenceStore, type StoredEvidence } from '../../../adapters/store/evidenceStore.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-evidence-store-');
const SHA = 'a'.repeat(64);

const piece = (producedAt: string, source: string, transition: StoredEvidence['transition'] = 'calibration->backtest', winRate = 0.6): StoredEvidence => ({
  transition,
  evidence: { metrics: { winRate }, provenance: [{ kind: 'replay', file: '/data/es.csv', sha256: SHA }], period: { from: '2023-03-01', to: '2023-03-31' }, producedAt, source },
  detail: { configHash: 'abc' },
});

describe('evidence store', () => {
  it('writes each piece as its own JSON file and reads it back as written', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    expect(store.list()).toEqual({ entries: [], corrupt: [] });
    expect(store.latest('calibration->backtest')).toBeUndefined();
    const a = piece('2025-01-02T10:00:00.000Z', 'backtest');
    const file = await store.record(a);
    expect(file.startsWith(join(home, 'evidence'))).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(a);
    // Nothing but the piece in the folder: no temporary left behind.
    expect(readdirSync(join(home, 'evidence'))).toEqual([file.slice(file.lastIndexOf('/') + 1)]);
    expect(store.latest('calibration->backtest')).toEqual({ ...a, file });
  });

  it('picks the latest by producedAt per gate, not by write order', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    const newer = piece('2025-03-01T00:00:00.000Z', 'backtest', 'calibration->backtest', 0.7);
    const older = piece('2025-02-01T00:00:00.000Z', 'backtest', 'calibration->backtest', 0.5);
    const other = piece('2025-04-01T00:00:00.000Z', 'walk-forward', 'backtest->simulation', 0.9);
    await store.record(newer);
    await store.record(older); // written last, produced earlier
    await store.record(other);
    expect(store.latest('calibration->backtest')?.evidence.metrics.winRate).toBe(0.7);
    expect(store.latest('backtest->simulation')?.evidence.source).toBe('walk-forward');
    expect(store.latest('simulation->propFirm')).toBeUndefined();
    expect(store.list().entries.map((e) => e.evidence.producedAt)).toEqual(['2025-02-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z']);
  });

  it('refuses to write a piece that does not validate (nothing written)', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    const bad = piece('yesterday', 'backtest');
    await expect(store.record(bad)).rejects.toThrow(/producedAt/);
    const nan = piece('2025-01-01T00:00:00.000Z', 'backtest', 'calibration->backtest', Number.NaN);
    await expect(store.record(nan)).rejects.toThrow(/metrics/);
    expect(store.list().entries).toEqual([]);
  });

  it('reports a corrupt or invalid file with its path and never uses it', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    await store.record(piece('2025-01-01T00:00:00.000Z', 'backtest'));
    const torn = join(home, 'evidence', '2025-06-01_torn.json');
    writeFileSync(torn, '{"transition": "calibration->backtest", "evid');
    // Valid JSON, but not a gate MIA has: the schema refuses it.
    const invalid = join(home, 'evidence', '2025-06-02_invalid.json');
    writeFileSync(invalid, JSON.stringify({ ...piece('2025-06-02T00:00:00.000Z', 'backtest'), transition: 'calibration->propFirm' }));
    const { entries, corrupt } = store.list();
    expect(entries).toHaveLength(1);
    expect(corrupt.map((c) => c.file)).toEqual([torn, invalid]);
    expect(corrupt[0]!.reason).toMatch(/invalid JSON/);
    expect(corrupt[1]!.reason).toMatch(/transition/);
    expect(() => store.latest('calibration->backtest')).toThrow(CorruptEvidenceError);
    expect(() => store.latest('calibration->backtest')).toThrow(torn);
  });
});
