/**
 * A session over real files: the kill switch latches across a restart of the whole
 * session (new store, new actors, restored snapshot), and only an operator resume with a
 * reason releases it. Everything is audited.
 */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { systemClock } from '../../core/clock.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import { startSession } from '../../session/session.ts';
import { riskStatus, type RiskSnapshot } from '../../machines/risk.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-session-');
const config = configSchema.parse({ feed: { maxBars: 400 } });

const riskOf = (session: ReturnType<typeof startSession>) =>
  riskStatus(session.actor.getSnapshot().children.risk!.getSnapshot() as RiskSnapshot);

describe('session', () => {
  it('keeps a kill latched across a restart until an operator resumes with a reason', async () => {
    const home = tempHome();

    // Session 1: killed by the operator at once; it trades nothing after that.
    let store = await openStateStore(home, { clock: systemClock });
    let session = startSession({ config, store, logger: silentLogger() });
    session.send({ type: 'OPERATOR.KILL', who: 'alice', reason: 'test kill', time: session.clock.now() });
    expect(riskOf(session)).toBe('killed');
    let summary = await session.done;
    expect(summary.riskState).toBe('killed');
    expect(summary.orders).toBe(0);
    expect(summary.signals.long + summary.signals.short).toBeGreaterThan(0);
    await store.close();

    // Session 2: a new process would see exactly this: the kill is still there.
    store = await openStateStore(home, { clock: systemClock });
    session = startSession({ config, store, logger: silentLogger() });
    expect(riskOf(session)).toBe('killed');
    // A resume without a reason is refused.
    session.send({ type: 'OPERATOR.RESUME', who: 'alice', reason: '', time: session.clock.now() });
    expect(riskOf(session)).toBe('killed');
    summary = await session.done;
    expect(summary.restored).toBe(true);
    expect(summary.riskState).toBe('killed');
    expect(summary.orders).toBe(0);
    await store.close();

    // Session 3: the operator resumes with a reason; risk reconciles and trading resumes.
    store = await openStateStore(home, { clock: systemClock });
    session = startSession({ config, store, logger: silentLogger() });
    session.send({ type: 'OPERATOR.RESUME', who: 'alice', reason: 'post-mortem done', time: session.clock.now() });
    expect(riskOf(session)).not.toBe('killed');
    summary = await session.done;
    expect(summary.orders).toBeGreaterThan(0);
    const audit = store.audit.entries().map((e) => `${e.who}:${e.action}`);
    expect(audit).toContain('alice:kill');
    expect(audit).toContain('alice:resume');
    await store.close();
  });

  it('never reuses a ClientOrderID across sessions of one home', async () => {
    const home = tempHome();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const store = await openStateStore(home, { clock: systemClock });
      const session = startSession({ config, store, logger: silentLogger() });
      await session.done;
      await store.close();
    }
    const store = await openStateStore(home, { clock: systemClock });
    for (const o of store.journal.orders()) ids.push(o.request.clientOrderId);
    await store.close();
    expect(ids.length).toBeGreaterThan(2);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
