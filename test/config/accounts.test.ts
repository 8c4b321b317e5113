/**
 * Accounts by kind and the phase policy: which account a configuration trades, and which
 * phase allows it (phases 0-3 paper, 4 prop firm, 5-6 live). Every refusal names the
 * account and the phase.
 */
import { describe, expect, it } from 'vitest';
import { accountAllowed, phaseAccountKinds, tradedAccount } from '../../config/accounts.ts';
import { configSchema } from '../../config/schema.ts';
import { phases } from '../../config/gates.ts';

const venue = (host: string | null, account: string | null, kind: 'dtc' | 'simulated' = 'dtc') => ({ kind, dtc: { host, account } });
const declared = [
  { id: 'SIM7', kind: 'paper' as const },
  { id: 'APEX-50K', kind: 'propFirm' as const },
  { id: 'LIVE-AMP-123', kind: 'live' as const },
];

describe('accounts configuration', () => {
  it('declares accounts by kind and refuses a duplicate id or an unknown kind, naming the key', () => {
    expect(configSchema.parse({ accounts: declared }).accounts).toEqual(declared);
    expect(configSchema.parse({}).accounts).toEqual([]);
    const dup = configSchema.safeParse({ accounts: [declared[0], { id: 'SIM7', kind: 'live' }] });
    expect(dup.success).toBe(false);
    expect(dup.error?.issues[0]?.path).toEqual(['accounts', 1, 'id']);
    const kind = configSchema.safeParse({ accounts: [{ id: 'X', kind: 'demo' }] });
    expect(kind.error?.issues[0]?.path).toEqual(['accounts', 0, 'kind']);
  });
});

describe('tradedAccount', () => {
  it('the simulated venue and the embedded paper server are paper by construction', () => {
    expect(tradedAccount(venue(null, null, 'simulated'), [])).toMatchObject({ kind: 'paper', origin: 'simulated-venue' });
    expect(tradedAccount(venue(null, null), [])).toMatchObject({ id: 'PAPER1', kind: 'paper', origin: 'embedded-paper-server' });
    // A declaration cannot turn the embedded paper server into something else.
    expect(tradedAccount(venue(null, null), [{ id: 'PAPER1', kind: 'live' }])).toMatchObject({ kind: 'paper' });
  });

  it('a remote server is traded only on a named account, whose kind is its declaration', () => {
    expect(tradedAccount(venue('10.0.0.5', null), declared)).toMatchObject({ error: expect.stringMatching(/venue\.dtc\.account is not set/) });
    expect(tradedAccount(venue('10.0.0.5', 'LIVE-AMP-123'), declared)).toEqual({ id: 'LIVE-AMP-123', kind: 'live', origin: 'declared' });
    expect(tradedAccount(venue('10.0.0.5', 'OTHER'), declared)).toEqual({ id: 'OTHER', kind: null, origin: 'undeclared' });
  });
});

describe('accountAllowed: each phase trades only its kind', () => {
  const kinds = ['paper', 'propFirm', 'live'] as const;
  for (const phase of phases) {
    for (const kind of kinds) {
      const allowed = phaseAccountKinds[phase.name].includes(kind);
      it(`phase ${phase.id} ${phase.name} ${allowed ? 'allows' : 'refuses'} a ${kind} account`, () => {
        const verdict = accountAllowed({ id: `ACC-${kind}`, kind }, phase);
        expect(verdict.ok).toBe(allowed);
        if (!verdict.ok) expect(verdict.reason).toContain(`account 'ACC-${kind}' is ${kind}; phase ${phase.id} ${phase.name}`);
      });
    }
  }

  it('the plan: 0-3 paper, 4 prop firm, 5 and 6 live', () => {
    expect(phases.map((p) => phaseAccountKinds[p.name].join())).toEqual(['paper', 'paper', 'paper', 'paper', 'propFirm', 'live', 'live']);
  });

  it('an undeclared or unknown account is refused in every phase', () => {
    for (const phase of phases) {
      const undeclared = accountAllowed({ id: 'X', kind: null }, phase);
      expect(undeclared).toEqual({ ok: false, reason: expect.stringContaining(`account 'X' is not declared`) });
      expect(accountAllowed(null, phase).ok).toBe(false);
    }
  });
});
