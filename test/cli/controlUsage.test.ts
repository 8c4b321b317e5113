/** Exit codes of the control commands without a running mia: 2 for bad usage, 1 for nobody home. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { mia } from '../adapters/control/miaRunSteps.ts';

const tempHome = useTempHomes('mia-control-usage-');

describe('mia control commands, usage', () => {
  it('exit codes: 2 for a missing required flag, 1 when no mia runs at the home', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const [kill, override, status, phase] = await Promise.all([
      mia(home, 'kill'),
      mia(home, 'phase', 'override'),
      mia(home, 'status', '--json'),
      mia(home, 'phase', 'advance'),
    ]);
    expect(kill.code).toBe(2);
    expect(kill.stderr).toContain('--reason');
    expect(override.code).toBe(2);
    expect(override.stderr).toContain('--reason');
    expect(status.code).toBe(1);
    expect(status.json).toMatchObject({ ok: false, message: `no running mia at ${home}` });
    // Phase commands do not need a running mia: judged on the home's state, refused without evidence.
    expect(phase.code).toBe(1);
    expect(phase.stderr).toContain('advance refused in phase 0 setup');
  });

  it('a control.json that does not parse is named with zod\'s English message', { timeout: 60_000 }, async () => {
    const home = tempHome();
    // A live pid (ours), a port out of range: the one branch of the endpoint union that fits names the key.
    writeFileSync(join(home, 'control.json'), JSON.stringify({ port: 0, token: 'a'.repeat(64), pid: process.pid }));
    const status = await mia(home, 'status');
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`${join(home, 'control.json')}: unexpected content (Too small: expected number to be >=1)`);
  });
});
