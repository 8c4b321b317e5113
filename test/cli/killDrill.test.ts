/**
 * `mia kill --drill`: kill -> verified flat -> resume on the embedded paper DTC server
 * (a real loopback socket), its lines read back from the phase-0 log, and the result recorded
 * as setup evidence through the evidence store; the home's machine snapshots stay untouched.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKillDrill } from '../../cli/killDrill.ts';
import { openEvidenceStore } from '../../adapters/store/evidenceStore.ts';
import { runMia } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-kill-drill-');

describe('mia kill --drill', () => {
  it('opens a position, kills, verifies flat, resumes through the venue reconciliation, and records killSwitchTested + logsWritten', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const r = await runKillDrill({ drill: true, home, timeout: 20_000 }, {});
    expect(r.steps.map((s) => [s.step, s.ok])).toEqual([
      ['venue-ready', true],
      ['position-open', true],
      ['killed-flat', true],
      ['resumed-normal', true],
      ['logs-written', true],
    ]);
    expect(r.ok).toBe(true);
    expect(r.steps[1]!.detail).toMatch(/^position -?[12] \(mark /);
    const [entry] = openEvidenceStore(home).list().entries;
    expect(entry).toMatchObject({
      transition: 'setup->calibration',
      producedBy: 'mia kill --drill',
      evidence: { checks: { killSwitchTested: true, logsWritten: true }, provenance: [{ kind: 'dtc-paper' }], source: 'kill-drill' },
      detail: { account: 'PAPER1' },
    });
    // The kill and the resume are in the log, with who asked.
    const log = readFileSync(join(home, 'logs', 'phase_0_setup', 'mia.log'), 'utf8');
    expect(log).toContain('"drill":"killed-flat"');
    // The drill's session kept its state in memory: nothing for the next `mia run` to restore.
    expect(existsSync(join(home, 'state', 'orchestrator.json'))).toBe(false);
  });

  it('plain `mia kill` stays the control command; `mia kill --drill` exits 2 on a bad flag', { timeout: 60_000 }, async () => {
    const bad = await runMia(['kill', '--drill', '--timeout', 'soon'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--timeout');
  });
});
