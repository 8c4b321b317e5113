/**
 * `mia phase advance` on a running `mia run` judges the latest evidence of
 * `<home>/evidence` and prints every criterion (actual, threshold, pass/fail), human and
 * --json: no evidence -> refused with every criterion missing; simulated evidence with
 * passing numbers -> refused, saying why; a file added by hand -> refused, naming it;
 * replay evidence with passing numbers -> promoted, naming the record it rests on.
 * Everything through the real `mia` command in separate processes.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { controlAction } from '../../cli/control.ts';
import { listEvidenceAction } from '../../cli/evidence.ts';
import type { ControlCommand } from '../../adapters/control/controlProtocol.ts';
import { openEvidenceStore, type StoredEvidence } from '../../adapters/store/evidenceStore.ts';
import { configSchema, defaultConfig } from '../../config/schema.ts';
import { evidenceConfigHash } from '../../config/evidenceAdmission.ts';
import { startMia } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { mia, stopRun, waitFor } from '../adapters/control/miaRunSteps.ts';

const tempHome = useTempHomes('mia-phase-evidence-');
const SHA = 'c'.repeat(64);
const calibration = defaultConfig().gates.calibration;
/** The running mia's configuration (the env overrides below): evidence must name it. */
const RUN_ENV = { MIA__risk__dailyLossLimit: '1000000', MIA__risk__trailingDrawdown: '1000000' };
const runConfigHash = evidenceConfigHash(configSchema.parse({ risk: { dailyLossLimit: 1_000_000, trailingDrawdown: 1_000_000 } }));

/** Calibration evidence (as `mia backtest` records it) whose every metric beats its threshold by a margin. */
const passing = (producedAt: string, provenance: StoredEvidence['evidence']['provenance']): StoredEvidence => ({
  transition: 'calibration->backtest',
  evidence: {
    metrics: { winRate: 0.62, profitFactor: 1.9, sharpe: 1.4, maxDrawdownPct: 0.06, recoveryFactor: 3.1, trades: 140 },
    provenance,
    period: { from: '2023-01-03', to: '2023-06-30' },
    producedAt,
    source: 'backtest',
  },
  detail: { configHash: runConfigHash, model: null },
});

/**
 * The operator commands in this process (same code, same socket to the running mia):
 * the machine is shared and slow to spawn, so only the --json answers the issue names
 * go through a spawned `mia`.
 */
async function inProcess<T>(fn: () => Promise<T> | T): Promise<{ result: T; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { result: await fn(), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const control = async (home: string, command: ControlCommand, opts: { json?: boolean; reason?: string } = {}) => {
  const r = await inProcess(() => controlAction(command, { home, ...opts }));
  return { code: r.result, stdout: r.stdout, stderr: r.stderr, json: opts.json ? (JSON.parse(r.stdout) as { ok: boolean; message: string; data?: any }) : undefined };
};

interface Criterion {
  name: string;
  actual: number | null;
  op: string;
  threshold: number;
  pass: boolean;
}

describe('mia phase advance on evidence', () => {
  it('judges the latest evidence file and prints every criterion; simulated is refused, replay is promoted', { timeout: 180_000 }, async () => {
    const home = tempHome();
    // The default control port is ephemeral (--control-port 0 is refused by its parser today).
    const run = startMia(['run', '--feed', 'simulated', '--speed', '20', '--home', home], RUN_ENV);
    let exited = false;
    void run.done.then(() => (exited = true));
    try {
      await waitFor('control.json', () => exited || existsSync(join(home, 'control.json')), 60_000);
      expect(exited).toBe(false);
      // Setup's checklist is not what this test is about: the operator overrides it (recorded).
      const override = await control(home, 'phase.override', { reason: 'setup verified by hand', json: true });
      expect(override.json?.ok).toBe(true);
      expect(override.json?.data.to).toMatchObject({ name: 'calibration' });

      // No evidence on file: refused, every configured criterion missing.
      const none = await control(home, 'phase.advance', { json: true });
      expect(none.code).toBe(1);
      expect(none.json?.ok).toBe(false);
      expect(none.json?.data.evidence).toBeNull();
      const noneCriteria = none.json?.data.record.evaluation.criteria as Criterion[];
      expect(noneCriteria.map((c) => c.name).sort()).toEqual(Object.keys(calibration).sort());
      expect(noneCriteria.every((c) => c.actual === null && !c.pass)).toBe(true);

      // Passing numbers on simulated data: refused, and the answer says why.
      const store = openEvidenceStore(home);
      await store.record(passing('2025-01-01T00:00:00.000Z', [{ kind: 'simulated', seed: 42 }]), 'mia backtest');
      const simulated = await mia(home, 'phase', 'advance', '--json');
      expect(simulated.code).toBe(1);
      expect(simulated.json?.data.evidence).toMatchObject({ source: 'backtest', provenance: [{ kind: 'simulated', seed: 42 }] });
      const simEvaluation = simulated.json?.data.record.evaluation as { pass: boolean; criteria: Criterion[]; refusals: string[] };
      expect(simEvaluation.pass).toBe(false);
      expect(simEvaluation.criteria.every((c) => c.pass)).toBe(true);
      expect(simEvaluation.refusals.join('\n')).toMatch(/simulated evidence never passes a gate/);
      for (const c of simEvaluation.criteria) expect(c.threshold).toBe(calibration[c.name]);

      // The same, as an operator reads it: every criterion on stdout, the refusal on stderr.
      const human = await control(home, 'phase.advance');
      expect(human.code).toBe(1);
      expect(human.stdout).toContain('evidence  backtest produced 2025-01-01T00:00:00.000Z, period 2023-01-03..2023-06-30, on simulated:seed=42');
      expect(human.stdout).toContain('gate      calibration->backtest: NOT MET');
      expect(human.stdout).toContain(`ok   winRate = 0.62 (needs > ${calibration.winRate})`);
      expect(human.stdout).toContain(`ok   maxDrawdownPct = 0.06 (needs < ${calibration.maxDrawdownPct})`);
      expect(human.stdout).toMatch(/refused: evidence uses simulated data/);
      expect(human.stderr).toContain('advance refused in phase 1 calibration');
      // The verdict once: the criteria on stdout, only the refusal line on stderr.
      expect(`${human.stdout}${human.stderr}`.split('winRate = 0.62')).toHaveLength(2);
      expect(human.stderr.trim().split('\n')).toHaveLength(1);

      // A corrupt file in the folder: the advance fails and names it, nothing is judged.
      const torn = join(home, 'evidence', 'torn.json');
      writeFileSync(torn, '{"transition":');
      const corrupt = await control(home, 'phase.advance', { json: true });
      expect(corrupt.code).toBe(1);
      expect(corrupt.json?.message).toContain(torn);
      expect((await control(home, 'phase.status', { json: true })).json?.data.phase).toMatchObject({ name: 'calibration' });
      const listed = await inProcess(() => listEvidenceAction({ home, json: true }));
      expect(listed.result).toBe(1);
      expect(listed.stderr).toContain(`corrupt evidence file ${torn}`);
      rmSync(torn);

      // Newer evidence on real (replay) data with the same numbers: promoted.
      await store.record(passing('2025-02-01T00:00:00.000Z', [{ kind: 'replay', file: '/data/ES_1min.csv', sha256: SHA }]), 'mia backtest');
      const promoted = await mia(home, 'phase', 'advance', '--json');
      expect(promoted.code).toBe(0);
      expect(promoted.json?.ok).toBe(true);
      expect(promoted.json?.data.to).toMatchObject({ id: 2, name: 'backtest' });
      expect(promoted.json?.data.record).toMatchObject({ kind: 'promotion', evaluation: { pass: true, refusals: [] } });
      expect(promoted.json?.data.record.evidenceIds).toEqual([store.latest('calibration->backtest')?.id]);
      expect(promoted.json?.data.evidence).toMatchObject({ producedAt: '2025-02-01T00:00:00.000Z', provenance: [{ kind: 'replay', sha256: SHA }] });

      // The next gate has no evidence yet: the human answer lists its criteria, all missing.
      const next = await control(home, 'phase.advance');
      expect(next.code).toBe(1);
      expect(next.stdout).toContain('evidence  none on file for this gate');
      expect(next.stdout).toContain('gate      backtest->simulation: NOT MET');
      expect(next.stdout).toContain('FAIL annualReturn = missing');
    } finally {
      const r = await stopRun(run);
      expect(r.code).toBe(0);
    }
  });
});
