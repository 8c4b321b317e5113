/**
 * `mia run` refuses to log on with an account the phase does not allow: exit 2, naming the
 * account and the phase (phase 0 here: a fresh home). Refused before any connection, so no
 * server is needed: nothing listens on the port these runs name.
 */
import { describe, expect, it } from 'vitest';
import { runMia } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-run-account-');
const accounts = JSON.stringify([
  { id: 'LIVE-AMP-123', kind: 'live' },
  { id: 'APEX-50K', kind: 'propFirm' },
]);
const remote = (account?: string) => ['run', '--dtc-host', '127.0.0.1', '--dtc-port', '9', ...(account ? ['--dtc-account', account] : []), '--max-bars', '10'];

describe('mia run: the phase decides the account at logon', () => {
  it('refuses a live account, a prop-firm account, an undeclared one and an unnamed one in phase 0', { timeout: 60_000 }, async () => {
    const [live, prop, undeclared, unnamed] = await Promise.all([
      runMia(remote('LIVE-AMP-123'), { MIA_HOME: tempHome(), MIA__accounts: accounts }),
      runMia(remote('APEX-50K'), { MIA_HOME: tempHome(), MIA__accounts: accounts }),
      runMia(remote('SOMEONE-ELSE'), { MIA_HOME: tempHome(), MIA__accounts: accounts }),
      runMia(remote(), { MIA_HOME: tempHome(), MIA__accounts: accounts }),
    ]);
    expect(live.code).toBe(2);
    expect(live.stderr).toContain("account 'LIVE-AMP-123' is live; phase 0 setup trades only paper accounts");
    expect(prop.code).toBe(2);
    expect(prop.stderr).toContain("account 'APEX-50K' is propFirm; phase 0 setup");
    expect(undeclared.code).toBe(2);
    expect(undeclared.stderr).toContain("account 'SOMEONE-ELSE' is not declared in accounts; phase 0 setup");
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('venue.dtc.account is not set');
    for (const r of [live, prop, undeclared, unnamed]) expect(r.stdout).toBe('');
  });
});
