/**
 * The control channel refuses a wrong token (the command does not run) and audits the
 * attempt; the human status and a refused phase advance, as an operator reads them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendControlCommand } from '../../adapters/control/controlClient.ts';
import { readControlFile } from '../../adapters/control/controlFile.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { mia, startRun, stopRun } from '../adapters/control/miaRunSteps.ts';

const tempHome = useTempHomes('mia-control-auth-');

describe('mia control channel authentication', () => {
  it('refuses a wrong token and audits it; prints the status and a refused advance', { timeout: 30_000 }, async () => {
    const home = tempHome();
    const run = await startRun(home);
    try {
      const endpoint = await readControlFile(home);
      expect(endpoint).not.toBeNull();
      const wrong = { ...endpoint!, token: endpoint!.token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) };
      const refused = await sendControlCommand(home, { command: 'kill', who: 'cli:mallory', reason: 'x' }, { endpoint: wrong });
      expect(refused.status).toBe(401);
      expect(refused.response.ok).toBe(false);
      // The kill did not happen; the human status says so.
      const status = await mia(home, 'status');
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^risk +(normal|limited|reconciling|killed)/m);
      expect(status.stdout).toContain('runs until stopped');
      // No evidence yet: the deployment machine refuses and says which criteria fail.
      const advance = await mia(home, 'phase', 'advance');
      expect(advance.code).toBe(1);
      expect(advance.stderr).toContain('advance refused in phase 0 setup');
      // Each failing criterion once, on stdout; stderr carries only the refusal line.
      for (const check of ['marketDataConnected', 'dtcRoundTrip', 'logsWritten', 'killSwitchTested']) {
        expect(advance.stdout).toMatch(new RegExp(`FAIL ${check} `));
        expect(`${advance.stdout}${advance.stderr}`.split(`${check} `)).toHaveLength(2);
      }
      expect(advance.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      expect((await stopRun(run)).code).toBe(0);
    }
    const audit = readFileSync(join(home, 'state', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) as Array<{ who: string; action: string; result: any }>;
    expect(audit.some((e) => e.who === 'control:127.0.0.1' && e.result.ok === false && /token/.test(e.result.message))).toBe(true);
    expect(audit.some((e) => e.who === 'cli:mallory')).toBe(false);
  });
});
