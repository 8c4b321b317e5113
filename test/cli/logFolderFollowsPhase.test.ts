/**
 * The log folder follows the deployment phase while `mia run` runs: after `mia phase
 * override` the next lines go to the new phase's folder (logs/phase_1_calibration), not
 * only after a restart; and a restart on that home logs there from its first line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { mia, startRun, stopRun } from '../adapters/control/miaRunSteps.ts';

const tempHome = useTempHomes('mia-log-folder-');
const lines = (home: string, folder: string): Array<{ msg: string }> =>
  existsSync(join(home, 'logs', folder, 'mia.log'))
    ? readFileSync(join(home, 'logs', folder, 'mia.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string })
    : [];

describe('log folder', () => {
  it('moves with a phase change during the run, and a restart starts there', { timeout: 60_000 }, async () => {
    const home = tempHome();
    let run = await startRun(home);
    try {
      expect(lines(home, 'phase_0_setup').some((l) => l.msg === 'mia run starting')).toBe(true);
      const override = await mia(home, 'phase', 'override', '--reason', 'log folder test', '--json');
      expect(override.code).toBe(0);
      const deadline = Date.now() + 10_000;
      while (lines(home, 'phase_1_calibration').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(lines(home, 'phase_0_setup').some((l) => l.msg === 'phase changed: the log moves to its folder')).toBe(true);
      expect(lines(home, 'phase_1_calibration')[0]?.msg).toBe('log continues here after a phase change');
    } finally {
      expect((await stopRun(run)).code).toBe(0);
    }
    expect(lines(home, 'phase_1_calibration').some((l) => l.msg === 'session ended')).toBe(true);
    run = await startRun(home);
    expect((await stopRun(run)).code).toBe(0);
    expect(lines(home, 'phase_1_calibration').filter((l) => l.msg === 'mia run starting')).toHaveLength(1);
  });
});
