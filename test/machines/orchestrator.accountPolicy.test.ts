/**
 * The orchestrator checks the traded account against the deployment phase before every
 * order, and a phase change takes effect on the next order; a session start refreshes the
 * settings a restored snapshot kept (audited as a diff).
 */
import { describe, expect, it } from 'vitest';
import { T0, roundTrip, signal, startHarness, startTrading, testSettings, useHarnessTeardown, type Harness } from './orchestratorHarness.ts';
import type { RiskSnapshot } from '../../machines/risk.ts';
import type { DeploymentEvent } from '../../machines/deployment.ts';

const MIN = 60_000;
const track = useHarnessTeardown();
const open = (...args: Parameters<typeof startHarness>) => track(startHarness(...args));

const override = (n: number): DeploymentEvent => ({ type: 'OVERRIDE', who: 'op', at: `2026-01-0${n}T00:00:00.000Z`, reason: 'test walk' });

describe('orchestrator: the phase decides the account', () => {
  it('refuses every entry on a live account in phase 0, naming account and phase', () => {
    const h = open({ settings: { ...testSettings(), account: { id: 'LIVE-AMP-123', kind: 'live' } } });
    startTrading(h);
    h.send(signal('buy', T0 + MIN));
    expect(h.submits()).toEqual([]);
    const refused = h.ofType('journal.order').filter((e) => e.status === 'risk-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.detail).toMatch(/^account-phase: account 'LIVE-AMP-123' is live; phase 0 setup trades only paper accounts/);
  });

  it('a phase change takes effect on the next order: a prop-firm account trades in phase 4 only', () => {
    const h = open({ settings: { ...testSettings(), account: { id: 'APEX-50K', kind: 'propFirm' } } });
    startTrading(h);
    h.send(signal('buy', T0 + MIN));
    expect(h.submits()).toEqual([]);
    for (let i = 1; i <= 4; i++) h.send({ type: 'PHASE', event: override(i) });
    h.send(signal('buy', T0 + 2 * MIN));
    expect(h.submits()).toHaveLength(1);
    expect(h.submits()[0]).toMatchObject({ purpose: 'entry' });
  });

  it('SESSION.START with settings replaces the restored ones and audits what changed', () => {
    const h = open();
    const fresh = testSettings({ limits: { maxContracts: 5 } });
    h.send({ type: 'SESSION.START', sessionId: 'S1', time: T0, settings: { ...fresh, account: { id: 'SIM7', kind: 'paper' } } });
    expect(h.actor.getSnapshot().context.settings.limits.maxContracts).toBe(5);
    const audit = h.ofType('audit').find((e) => e.action === 'settings-refreshed');
    expect(audit?.detail).toContain('limits.maxContracts: 2 -> 5');
    expect(audit?.detail).toContain('account.id: "SIMULATED" -> "SIM7"');
    // The same settings again: nothing to audit.
    h.send({ type: 'SESSION.START', sessionId: 'S2', time: T0 + 1, settings: { ...fresh, account: { id: 'SIM7', kind: 'paper' } } });
    expect(h.ofType('audit').filter((e) => e.action === 'settings-refreshed')).toHaveLength(1);
  });

  it('a restored home judges with the current limits: SESSION.START configures the restored risk actor', () => {
    const first = open({ settings: testSettings({ limits: { dailyLossLimit: 2_000 } }) });
    startTrading(first);
    expect(riskCtx(first).limits.dailyLossLimit).toBe(2_000);
    const saved = roundTrip(first.actor.getPersistedSnapshot());
    first.actor.stop();
    const fresh = testSettings({ limits: { dailyLossLimit: 800 } });
    const h = open({ snapshot: saved, settings: fresh });
    // XState ignored the input: the restored risk actor still has 2,000 ...
    expect(riskCtx(h).limits.dailyLossLimit).toBe(2_000);
    h.send({ type: 'SESSION.START', sessionId: 'S2', time: T0 + MIN, settings: fresh });
    // ... until the session start brings the configuration's.
    expect(riskCtx(h).limits.dailyLossLimit).toBe(800);
    expect(riskCtx(h).log.some((e) => e.detail.includes('limits refreshed: dailyLossLimit: 2000 -> 800'))).toBe(true);
    expect(h.ofType('audit').find((e) => e.action === 'settings-refreshed')?.detail).toContain('limits.dailyLossLimit: 2000 -> 800');
  });

  it("a phase change brings its account rules to risk at once: the firm's in phase 4, none after a demotion", () => {
    const h = open({ settings: { ...testSettings(), account: { id: 'APEX-50K', kind: 'propFirm' } } });
    startTrading(h);
    expect(riskCtx(h).phase).toBe('setup');
    for (let i = 1; i <= 4; i++) h.send({ type: 'PHASE', event: override(i) });
    expect(riskCtx(h).phase).toBe('propFirm');
    expect(riskCtx(h).account).toMatchObject({ kind: 'propFirm', startEquity: 50_000 });
    // Outside the firm's hours (default 08:30-15:10 CT), no entry leaves.
    h.send(signal('buy', Date.UTC(2025, 10, 4, 22, 0)));
    expect(h.submits()).toEqual([]);
    expect(h.ofType('journal.order').at(-1)?.detail).toMatch(/^allowed-hours: /);
    h.send({ type: 'PHASE', event: { type: 'DEMOTE', who: 'op', at: '2026-01-05T00:00:00.000Z', reason: 'breach review' } });
    expect(riskCtx(h).phase).toBe('simulation');
    expect(riskCtx(h).account).toBeNull();
  });
});

function riskCtx(h: Harness) {
  return (h.actor.getSnapshot().children.risk!.getSnapshot() as RiskSnapshot).context;
}
