/**
 * `mia phase status|advance|override|history` with no mia running: they work on the home's
 * persisted state under its lock, judge the verified evidence chain, and refuse every
 * forgery the issue names: a hand-written `{kind: "live"}` setup file, edited metrics,
 * a data file that changed, another configuration, an ML model trained on the evaluated
 * period, a 5-day plain backtest for the backtest gate, a replay counted as paper, too few
 * trades. A promotion records the evidence ids; the next `mia run` starts in the new phase.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { controlAction } from '../../cli/control.ts';
import { verifyEvidenceAction } from '../../cli/evidence.ts';
import type { ControlCommand } from '../../adapters/control/controlProtocol.ts';
import { openEvidenceStore, type StoredEvidence } from '../../adapters/store/evidenceStore.ts';
import { sha256OfFile } from '../../adapters/store/evidenceJudge.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { evidenceConfigHash } from '../../config/evidenceAdmission.ts';
import { defaultConfig } from '../../config/schema.ts';
import { ManualClock } from '../../core/clock.ts';
import { paperEvidence } from '../../backtest/evidencePaper.ts';
import { startSession, AccountPolicyError } from '../../session/session.ts';
import { createLogger } from '../../adapters/log/logger.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-phase-offline-');
const config = defaultConfig();
const HASH = evidenceConfigHash(config);
const AT = '2026-01-05T12:00:00.000Z';

async function quietly<T>(fn: () => Promise<T> | T): Promise<{ result: T; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    return { result: await fn(), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const phase = async (home: string, command: ControlCommand, opts: { reason?: string; json?: boolean } = {}) => {
  const r = await quietly(() => controlAction(command, { home, json: true, ...opts }));
  return { code: r.result, json: JSON.parse(r.stdout) as { ok: boolean; message: string; data?: any }, stderr: r.stderr };
};

const setupPiece = (source: string, checks: Record<string, boolean>): StoredEvidence => ({
  transition: 'setup->calibration',
  evidence: { metrics: {}, provenance: [{ kind: 'dtc-paper' }], period: { from: '2026-01-05', to: '2026-01-05' }, checks, producedAt: AT, source },
});

/** Calibration evidence that passes every number, over 2023-2024 on `file`. */
const calibration = (file: string, sha256: string, over: { detail?: Record<string, any>; producedAt?: string; trades?: number } = {}): StoredEvidence => ({
  transition: 'calibration->backtest',
  evidence: {
    metrics: { winRate: 0.6, profitFactor: 1.8, sharpe: 1.3, maxDrawdownPct: 0.07, recoveryFactor: 3, trades: over.trades ?? 240, years: 2 },
    provenance: [{ kind: 'replay', file, sha256 }],
    period: { from: '2023-01-02', to: '2024-12-31' },
    producedAt: over.producedAt ?? AT,
    source: 'backtest',
  },
  detail: { configHash: HASH, model: null, ...over.detail },
});

async function toCalibration(home: string): Promise<void> {
  const store = openEvidenceStore(home);
  await store.record(setupPiece('dtc-check', { dtcRoundTrip: true }), 'mia dtc check');
  await store.record(setupPiece('data-check', { marketDataConnected: true }), 'mia data check');
  await store.record(setupPiece('kill-drill', { killSwitchTested: true, logsWritten: true }), 'mia kill --drill');
  const r = await phase(home, 'phase.advance');
  expect(r.json.ok).toBe(true);
}

describe('mia phase without a running mia', () => {
  it('shows the next gate as a table, refuses an advance without evidence, and keeps the history', async () => {
    const home = tempHome();
    const status = await phase(home, 'phase.status');
    expect(status.code).toBe(0);
    expect(status.json.data.phase).toEqual({ id: 0, name: 'setup' });
    expect(status.json.data.gate.criteria.map((c: any) => [c.criterion, c.measured, c.progress, c.pass])).toEqual([
      ['marketDataConnected', null, 0, false],
      ['dtcRoundTrip', null, 0, false],
      ['logsWritten', null, 0, false],
      ['killSwitchTested', null, 0, false],
    ]);
    const human = await quietly(() => controlAction('phase.status', { home }));
    expect(human.stdout).toMatch(/criterion\s+threshold\s+measured\s+progress\s+pass/);
    expect(human.stdout).toMatch(/killSwitchTested\s+== true\s+missing\s+0%\s+NO/);

    const refused = await phase(home, 'phase.advance');
    expect(refused.code).toBe(1);
    expect(refused.json.data.evidence).toBeNull();
    const history = await phase(home, 'phase.history');
    expect(history.json.data.history).toMatchObject([{ command: 'ADVANCE', kind: 'refused', from: 'setup', to: 'calibration' }]);
  });

  it('refuses a hand-written {kind: "live"} setup file and names it; promotes on the producers\' records with their ids', async () => {
    const home = tempHome();
    const store = openEvidenceStore(home);
    await store.record(setupPiece('dtc-check', { dtcRoundTrip: true }), 'mia dtc check');
    const forged = join(home, 'evidence', 'setup-live.json');
    writeFileSync(forged, JSON.stringify({ transition: 'setup->calibration', evidence: { metrics: {}, provenance: [{ kind: 'live' }], period: { from: '2026-01-05', to: '2026-01-05' }, checks: { marketDataConnected: true, dtcRoundTrip: true, logsWritten: true, killSwitchTested: true }, producedAt: AT, source: 'dtc-check' } }));
    const r = await phase(home, 'phase.advance');
    expect(r.code).toBe(1);
    expect(r.json.message).toContain(forged);
    const verify = await quietly(() => verifyEvidenceAction({ home }));
    expect(verify.result).toBe(1);
    expect(verify.stderr).toContain(`${forged}: not a record of the evidence chain: added by hand`);

    // Moved away: the producers' own records pass the checklist, and the promotion names them.
    const { rmSync } = await import('node:fs');
    rmSync(forged);
    await store.record(setupPiece('data-check', { marketDataConnected: true }), 'mia data check');
    await store.record(setupPiece('kill-drill', { killSwitchTested: true, logsWritten: true }), 'mia kill --drill');
    const ok = await phase(home, 'phase.advance');
    expect(ok.json.ok).toBe(true);
    const ids = store.list().entries.map((e) => e.id);
    expect(ok.json.data.record.evidenceIds.sort()).toEqual([...ids].sort());
    const history = await phase(home, 'phase.history');
    expect(history.json.data.history.at(-1)).toMatchObject({ kind: 'promotion', from: 'setup', to: 'calibration', evidenceIds: expect.arrayContaining(ids) });
    expect((await quietly(() => verifyEvidenceAction({ home }))).result).toBe(0);
  });

  it('refuses edited metrics, a changed data file, another configuration, an overlapping ML model and too few trades', async () => {
    const home = tempHome();
    await toCalibration(home);
    const store = openEvidenceStore(home);
    const dataFile = join(home, 'ES_1min.csv');
    writeFileSync(dataFile, 'time,open,high,low,close,volume\n');
    const sha = sha256OfFile(dataFile);

    // Edited metrics: a losing result made to look good.
    const file = await store.record(calibration(dataFile, sha, { detail: {} }), 'mia backtest');
    const record = JSON.parse(readFileSync(file, 'utf8'));
    const original = JSON.stringify(record);
    record.piece.evidence.metrics.winRate = 0.77;
    writeFileSync(file, JSON.stringify(record));
    const edited = await phase(home, 'phase.advance');
    expect(edited.code).toBe(1);
    expect(edited.json.message).toContain(`${file}: edited`);
    writeFileSync(file, original);

    // The data file changed after the backtest.
    writeFileSync(dataFile, 'time,open,high,low,close,volume\n1,2,3,4,5,6\n');
    const changed = await phase(home, 'phase.advance');
    expect(changed.json.data.record.evaluation.refusals.join('\n')).toMatch(/data file .*ES_1min\.csv changed since the evidence was produced/);
    writeFileSync(dataFile, 'time,open,high,low,close,volume\n');

    // Another configuration.
    await store.record(calibration(dataFile, sha, { detail: { configHash: 'f'.repeat(64) }, producedAt: '2026-01-06T00:00:00.000Z' }), 'mia backtest');
    const otherConfig = await phase(home, 'phase.advance');
    expect(otherConfig.json.data.record.evaluation.refusals.join('\n')).toMatch(/produced with another configuration/);

    // An ML model trained on the evaluated period.
    const model = { version: 3, trainingWindow: { from: '2024-01-02T14:30:00.000Z', to: '2024-06-28T20:00:00.000Z' } };
    await store.record(calibration(dataFile, sha, { detail: { model }, producedAt: '2026-01-07T00:00:00.000Z' }), 'mia backtest');
    const overlap = await phase(home, 'phase.advance');
    expect(overlap.json.data.record.evaluation.refusals.join('\n')).toContain('ML model v3 was trained on 2024-01-02..2024-06-28, which overlaps the evaluated period 2023-01-02..2024-12-31');

    // Too few trades: every other number passes.
    await store.record(calibration(dataFile, sha, { trades: 38, producedAt: '2026-01-08T00:00:00.000Z' }), 'mia backtest');
    const few = await phase(home, 'phase.advance');
    expect(few.json.data.record.evaluation.refusals).toEqual([]);
    expect(few.json.data.record.evaluation.criteria.filter((c: any) => !c.pass)).toEqual([{ name: 'trades', actual: 38, op: '>=', threshold: 100, pass: false }]);

    // The same with the model trained before the period and enough trades: promoted, with its id.
    const early = { version: 2, trainingWindow: { from: '2021-01-04T14:30:00.000Z', to: '2022-12-30T20:00:00.000Z' } };
    const good = await store.record(calibration(dataFile, sha, { detail: { model: early }, producedAt: '2026-01-09T00:00:00.000Z' }), 'mia backtest');
    const promoted = await phase(home, 'phase.advance');
    expect(promoted.json.ok).toBe(true);
    expect(promoted.json.data.record.evidenceIds).toEqual([JSON.parse(readFileSync(good, 'utf8')).id]);
  });

  it('refuses a 5-day plain backtest for the backtest gate, and a replay counted as paper', async () => {
    const home = tempHome();
    await toCalibration(home);
    expect((await phase(home, 'phase.override', { reason: 'calibration reviewed by hand' })).json.ok).toBe(true);
    const store = openEvidenceStore(home);
    const fiveDays: StoredEvidence = {
      transition: 'backtest->simulation',
      evidence: { metrics: { annualReturn: 0.4, sharpe: 2, maxDrawdownPct: 0.05, monthlyStability: 0.1, robustness: 0.9, years: 5 / 365 }, provenance: [{ kind: 'polygon' }], period: { from: '2025-03-03', to: '2025-03-07' }, producedAt: AT, source: 'backtest' },
      detail: { configHash: HASH, model: null },
    };
    await store.record(fiveDays, 'mia backtest');
    const r = await phase(home, 'phase.advance');
    expect(r.code).toBe(1);
    const ev = r.json.data.record.evaluation;
    expect(ev.refusals.join('\n')).toMatch(/gate backtest->simulation is judged only on evidence from walk-forward; this came from 'backtest'/);
    expect(ev.criteria.find((c: any) => c.name === 'years')).toMatchObject({ pass: false, threshold: 2 });

    expect((await phase(home, 'phase.override', { reason: 'walk-forward reviewed by hand' })).json.ok).toBe(true);
    // Two 2-week replays and a 15-second replay: all data time, no wall-clock paper time at all.
    const sessions = [
      { sessionId: 'S1', provenance: 'replay:/data/es.csv#' + 'a'.repeat(64), from: null, to: null, startedAt: '2026-01-05T10:00:00.000Z', account: { id: 'PAPER1', kind: 'paper' } },
      { sessionId: 'S1', provenance: 'replay:/data/es.csv#' + 'a'.repeat(64), from: '2025-01-06T14:30:00.000Z', to: '2025-01-20T21:00:00.000Z', endedAt: '2026-01-05T10:00:15.000Z' },
    ];
    const trades = Array.from({ length: 120 }, (_, i) => ({ symbol: 'ESZ25', side: 'long' as const, qty: 1, entryTime: Date.parse('2025-01-06T15:00:00Z') + i * 3_600_000, exitTime: Date.parse('2025-01-06T15:30:00Z') + i * 3_600_000, entryPrice: 6000, exitPrice: 6004, commission: 4.5, pnl: 195.5 }));
    const paper = paperEvidence({ trades, sessions, startingEquity: 50_000, producedAt: AT });
    expect(paper.evidence.metrics.paperMonths).toBe(0);
    await store.record({ ...paper, detail: { ...paper.detail, configHash: HASH } }, 'mia evidence paper');
    const replay = await phase(home, 'phase.advance');
    expect(replay.code).toBe(1);
    expect(replay.json.data.record.evaluation.criteria.find((c: any) => c.name === 'paperMonths')).toEqual({ name: 'paperMonths', actual: 0, op: '>=', threshold: 3, pass: false });
  });

  it('mia signals start|stop: phase 6 only beside ownAccount and once the signals gate passes on the signal log', async () => {
    const home = tempHome();
    const early = await phase(home, 'signals.start');
    expect(early.code).toBe(1);
    expect(early.json.message).toContain('signals run only beside ownAccount');
    for (let i = 0; i < 5; i++) await phase(home, 'phase.override', { reason: `step ${i}` });
    const none = await phase(home, 'signals.start');
    expect(none.code).toBe(1);
    expect(none.json.data.evidence).toBeNull();
    await openEvidenceStore(home).record(
      { transition: 'signals', evidence: { metrics: { signalWinRate: 0.66, signals: 45 }, provenance: [{ kind: 'polygon' }], period: { from: '2026-03-02', to: '2026-03-31' }, producedAt: AT, source: 'signal-log' } },
      'mia evidence signals',
    );
    const on = await phase(home, 'signals.start');
    expect(on.json).toMatchObject({ ok: true, data: { signals: 'on', record: { kind: 'signals-on' } } });
    expect((await phase(home, 'phase.status')).json.data.signals).toBe('on');
    const off = await phase(home, 'signals.stop');
    expect(off.json).toMatchObject({ ok: true, data: { signals: 'off', record: { kind: 'signals-off' } } });
  });

  it('the next session starts in the phase changed without it, and refuses the paper account in phase 4', async () => {
    const home = tempHome();
    for (let i = 0; i < 4; i++) expect((await phase(home, 'phase.override', { reason: `step ${i}` })).json.data.to.id).toBe(i + 1);
    const store = await openStateStore(home, { clock: new ManualClock(0) });
    try {
      const logger = createLogger({ home, folder: 'test', level: 'silent', name: 'mia' });
      expect(() => startSession({ config: { ...config, venue: { ...config.venue, kind: 'simulated' } }, store, logger })).toThrow(AccountPolicyError);
      expect(() => startSession({ config: { ...config, venue: { ...config.venue, kind: 'simulated' } }, store, logger })).toThrow(/account 'SIMULATED' is paper; phase 4 propFirm trades only propFirm accounts/);
    } finally {
      await store.close();
    }
  });
});
