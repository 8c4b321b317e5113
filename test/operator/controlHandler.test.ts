/**
 * The control handler over a real in-process session (operator/controlHandler.ts): each
 * command becomes the orchestrator's event, the machines decide, and the handler reports
 * their decision and audits it. (Lives under test/cli: the control commands' own tests.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { ManualClock, systemClock } from '../../core/clock.ts';
import { openStateStore, type StateStore } from '../../adapters/store/stateStore.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import type { AuditRecord } from '../../adapters/store/auditTrail.ts';
import type { ControlStatus } from '../../adapters/control/controlProtocol.ts';
import { startSession, type Session } from '../../session/session.ts';
import { createSessionControl, noEvidence } from '../../operator/controlHandler.ts';
import { evaluateGate } from '../../config/gates.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-control-handler-');
const config = configSchema.parse({ venue: { kind: 'simulated' }, feed: { maxBars: 300 } });
const open: Array<{ session: Session; store: StateStore }> = [];

afterEach(async () => {
  for (const { session, store } of open.splice(0)) {
    await session.stop('test over');
    await store.close();
  }
});

async function setup(options: { evidence?: Parameters<typeof createSessionControl>[0]['evidence']; failAudit?: boolean } = {}) {
  const home = tempHome();
  const store = await openStateStore(home, { clock: systemClock });
  const session = startSession({ config, store, logger: silentLogger() });
  open.push({ session, store });
  const audited: AuditRecord[] = [];
  const auditErrors: unknown[] = [];
  const operatorClock = new ManualClock(Date.parse('2026-01-05T15:00:00Z'));
  const control = createSessionControl({
    session,
    config,
    home,
    audit: {
      append: async (r) => {
        if (options.failAudit) throw new Error('disk full');
        audited.push(r);
      },
    },
    operatorClock,
    maxBars: 300,
    onAuditError: (e) => auditErrors.push(e),
    ...(options.evidence ? { evidence: options.evidence } : {}),
  });
  const status = async () => (await control.handle({ command: 'status', who: 'cli:test' })).data as unknown as ControlStatus;
  return { home, session, control, audited, auditErrors, status };
}

describe('session control handler', () => {
  it('status reports phase, risk, position, P&L, orders, feed and venue', async () => {
    const { control, home } = await setup();
    const r = await control.handle({ command: 'status', who: 'cli:alice' });
    expect(r.ok).toBe(true);
    const s = r.data as unknown as ControlStatus;
    expect(s).toMatchObject({
      pid: process.pid,
      home,
      phase: { id: 0, name: 'setup', signals: 'off' },
      position: { symbol: 'ESZ25', qty: 0 },
      feed: { kind: 'simulated', maxBars: 300 },
      orders: [],
    });
    expect(['reconciling', 'normal']).toContain(s.risk.state);
    expect(s.venue.kind).toContain('simulated');
    expect(s.pnl.equity).toBe(config.startingEquity);
  });

  it('pause limits risk; kill latches even without a reason; resume from killed needs one', async () => {
    const { control, audited, status } = await setup();
    const pause = await control.handle({ command: 'pause', who: 'cli:alice', reason: 'lunch' });
    expect(pause.ok).toBe(true);
    expect((await status()).risk.reasons).toContain('operator-pause');

    // A kill never waits for an explanation.
    const kill = await control.handle({ command: 'kill', who: 'discord:42' });
    expect(kill.ok).toBe(true);
    expect((await status()).risk).toMatchObject({ state: 'killed', killedBy: 'discord:42', killReason: '(no reason given)' });

    const bare = await control.handle({ command: 'resume', who: 'cli:alice', reason: '   ' });
    expect(bare.ok).toBe(false);
    expect(bare.message).toContain('resume refused');
    expect(bare.message).toContain('needs a non-empty who and reason');
    expect((await status()).risk.state).toBe('killed');

    const resume = await control.handle({ command: 'resume', who: 'cli:alice', reason: 'checked the venue' });
    expect(resume.ok).toBe(true);
    const after = await status();
    expect(after.risk.state).not.toBe('killed');
    // The operator's go-ahead also lifted the pause.
    expect(after.risk.reasons).not.toContain('operator-pause');

    expect(audited.filter((a) => a.action !== 'control.status').map((a) => [a.who, a.action, (a.result as { ok: boolean }).ok])).toEqual([
      ['cli:alice', 'control.pause', true],
      ['discord:42', 'control.kill', true],
      ['cli:alice', 'control.resume', false],
      ['cli:alice', 'control.resume', true],
    ]);
    expect(audited.find((a) => a.action === 'control.pause')?.args).toMatchObject({ detail: 'lunch' });
  });

  it('phase advance without evidence is refused by the deployment machine, naming every failing criterion', async () => {
    const { control, status } = await setup();
    const r = await control.handle({ command: 'phase.advance', who: 'cli:alice' });
    expect(r.ok).toBe(false);
    // Compare with the gate itself, judged independently on empty evidence.
    const expected = evaluateGate('setup->calibration', noEvidence('setup->calibration', Date.parse('2026-01-05T15:00:00Z')), config.gates);
    expect(expected.pass).toBe(false);
    for (const c of expected.criteria) expect(r.message).toContain(`criterion failed: ${c.name}`);
    for (const refusal of expected.refusals) expect(r.message).toContain(refusal);
    expect(r.data).toMatchObject({ from: { name: 'setup' }, to: { name: 'setup' }, record: { kind: 'refused', who: 'cli:alice', at: '2026-01-05T15:00:00.000Z' } });
    expect((await status()).phase.name).toBe('setup');

    const ps = await control.handle({ command: 'phase.status', who: 'cli:alice' });
    expect(ps.data).toMatchObject({ phase: { id: 0, name: 'setup' }, nextGate: 'setup->calibration', lastEvaluation: { pass: false } });
  });

  it('phase override needs a reason (the machine says so) and then promotes, recorded with who', async () => {
    const { control, status } = await setup();
    const bare = await control.handle({ command: 'phase.override', who: 'cli:alice' });
    expect(bare.ok).toBe(false);
    expect(bare.message).toContain('an override needs an operator id and a non-empty reason');
    const ok = await control.handle({ command: 'phase.override', who: 'cli:alice', reason: 'checklist done by hand' });
    expect(ok.ok).toBe(true);
    expect(ok.message).toBe('phase 0 setup -> 1 calibration (override)');
    expect((await status()).phase).toMatchObject({ id: 1, name: 'calibration' });
  });

  it('uses the evidence hook when one is given: passing evidence promotes', async () => {
    const { control, status } = await setup({
      evidence: (transition) => ({
        metrics: {},
        provenance: [{ kind: 'dtc-paper' }],
        period: { from: '2026-01-05', to: '2026-01-05' },
        checks: { marketDataConnected: true, dtcRoundTrip: true, logsWritten: true, killSwitchTested: true },
        producedAt: '2026-01-05T15:00:00Z',
        source: `test ${transition}`,
      }),
    });
    const r = await control.handle({ command: 'phase.advance', who: 'cli:alice' });
    expect(r.ok).toBe(true);
    expect((await status()).phase.name).toBe('calibration');
  });

  it('flatten is accepted; a failing audit trail never fails the command', async () => {
    const { control, auditErrors } = await setup({ failAudit: true });
    const r = await control.handle({ command: 'flatten', who: 'cli:alice' });
    expect(r.ok).toBe(true);
    expect(r.message).toMatch(/^flatten requested: position -?\d+/);
    expect(auditErrors).toHaveLength(1);
  });

  it('flatten pauses entries until resume: no order opens a position after it; --keep-trading leaves entries on', async () => {
    const { session, control, status } = await setup();
    const r = await control.handle({ command: 'flatten', who: 'cli:alice', reason: 'lunch' });
    expect(r.ok).toBe(true);
    expect(r.message).toContain('entries paused until resume');
    const s = await status();
    expect(s.risk.state).toBe('limited');
    expect(s.risk.reasons).toContain('operator-pause');
    const final = await session.done;
    expect(final.signals.long + final.signals.short).toBeGreaterThan(0); // the strategy wanted in
    expect(final.orders).toBe(0); // and was kept out
    expect(final.riskState).toBe('limited');

    const other = await setup();
    const kept = await other.control.handle({ command: 'flatten', who: 'cli:alice', keepTrading: true });
    expect(kept.message).toContain('entries continue');
    const keptFinal = await other.session.done;
    expect(keptFinal.orders).toBeGreaterThan(0);
  });

  it('still answers status after the session ended by itself', async () => {
    const { session, status } = await setup();
    const final = await session.done;
    const s = await status();
    // The session ends once flat after its ending lead (5 bars before the 300th): no bar after that.
    expect(final.bars).toBeGreaterThanOrEqual(295);
    expect(final.bars).toBeLessThanOrEqual(300);
    expect(s.session.bars).toBe(final.bars);
    expect(['ended', 'stopped']).toContain(s.session.state);
  });
});
