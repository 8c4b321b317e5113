/** The account-rule profiles (config/accountRules.ts): defaults from DOMAIN.md, bad values named by key. */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { rulesForPhase, scaledMaxContracts } from '../../config/accountRules.ts';

const issuesOf = (input: unknown) => {
  const r = configSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('config: account rules', () => {
  it("defaults are a typical $50K evaluation's terms and a cautious live scaling", () => {
    const c = configSchema.parse({});
    expect(c.risk.propFirm).toMatchObject({ profitTarget: 3_000, dailyLossLimit: 1_000, trailingDrawdown: 2_000, maxContracts: 5, consistencyMaxDayShare: 0.4 });
    expect(c.risk.propFirm.allowedHours).toEqual({ start: '08:30', end: '15:10', timeZone: 'America/Chicago' });
    expect(c.risk.live.scaling[0]).toEqual({ profitAbove: 0, maxContracts: 1 });
  });

  it('refuses malformed profiles, naming the key', () => {
    expect(issuesOf({ risk: { propFirm: { allowedHours: { start: '8:30' } } } })).toEqual(['risk.propFirm.allowedHours.start']);
    expect(issuesOf({ risk: { propFirm: { allowedHours: { timeZone: 'Mars/Olympus' } } } })).toEqual(['risk.propFirm.allowedHours.timeZone']);
    expect(issuesOf({ risk: { propFirm: { newsBlackouts: [{ from: '2026-01-09T14:00:00Z', to: '2026-01-09T13:00:00Z', label: 'CPI' }] } } })).toEqual(['risk.propFirm.newsBlackouts.0.to']);
    expect(issuesOf({ risk: { propFirm: { consistencyMaxDayShare: 1.5 } } })).toEqual(['risk.propFirm.consistencyMaxDayShare']);
    expect(issuesOf({ risk: { live: { scaling: [{ profitAbove: 100, maxContracts: 1 }] } } })).toEqual(['risk.live.scaling.0.profitAbove']);
    expect(issuesOf({ risk: { live: { scaling: [{ profitAbove: 0, maxContracts: 1 }, { profitAbove: 0, maxContracts: 2 }] } } })).toEqual(['risk.live.scaling.1.profitAbove']);
    expect(issuesOf({ risk: { propFirm: { surprise: 1 } } })).toEqual(['risk.propFirm']);
  });

  it('each phase applies its kind of rules; the scaling rule steps with profit', () => {
    const { propFirm, live } = configSchema.parse({}).risk;
    expect(rulesForPhase('simulation', { propFirm, live })).toBeNull();
    expect(rulesForPhase('propFirm', { propFirm, live })?.kind).toBe('propFirm');
    expect(rulesForPhase('ownAccount', { propFirm, live })?.kind).toBe('live');
    expect(rulesForPhase('signals', { propFirm, live })?.kind).toBe('live');
    const steps = [{ profitAbove: 0, maxContracts: 1 }, { profitAbove: 2_000, maxContracts: 2 }];
    expect([-500, 0, 1_999.99, 2_000, 9_000].map((p) => scaledMaxContracts(steps, p))).toEqual([1, 1, 1, 2, 2]);
  });
});
