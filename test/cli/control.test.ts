/**
 * The control channel end to end, through the real `mia` command in separate processes:
 * `mia run --speed N` runs until stopped; `mia status|pause|kill|resume` reach it, and a
 * kill survives a restart of the process. Every command is audited with who and result.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliOperator } from '../../cli/control.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { mia, startRun, stopRun } from '../adapters/control/miaRunSteps.ts';

const tempHome = useTempHomes('mia-control-');

describe('mia control channel', () => {
  it('drives status, pause, kill and resume of a running mia; the kill survives a restart', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const operator = cliOperator();
    let run = await startRun(home);
    try {
      // control.json: only the owner can read the token.
      expect(statSync(join(home, 'control.json')).mode & 0o777).toBe(0o600);

      const status = await mia(home, 'status', '--json');
      expect(status.code).toBe(0);
      expect(status.json?.data.session.state).toBe('trading');
      expect(status.json?.data.feed.maxBars).toBeNull(); // runs until stopped
      expect(status.json?.data.phase).toMatchObject({ id: 0, name: 'setup' });

      const pause = await mia(home, 'pause', '--reason', 'lunch', '--json');
      expect(pause.code).toBe(0);
      expect(pause.json?.ok).toBe(true);

      const kill = await mia(home, 'kill', '--reason', 'e2e kill');
      expect(kill.code).toBe(0);
      expect(kill.stdout).toContain(`killed by ${operator}: e2e kill`);

      // Leaving killed needs a reason: the risk machine refuses, the command exits 1.
      const bare = await mia(home, 'resume');
      expect(bare.code).toBe(1);
      expect(bare.stderr).toContain('resume refused');
    } finally {
      const r = await stopRun(run);
      expect(r.code).toBe(0);
    }
    // Clean exit: the channel's file is gone.
    expect(existsSync(join(home, 'control.json'))).toBe(false);

    // A new process on the same home: still killed until an operator resumes with a reason.
    run = await startRun(home);
    try {
      const after = await mia(home, 'status', '--json');
      expect(after.json?.data.risk).toMatchObject({ state: 'killed', killedBy: operator, killReason: 'e2e kill' });
      const resume = await mia(home, 'resume', '--reason', 'post-mortem done', '--json');
      expect(resume.code).toBe(0);
      expect(resume.json?.ok).toBe(true);
      expect(resume.json?.message).toContain('resumed from killed');
    } finally {
      expect((await stopRun(run)).code).toBe(0);
    }

    // Every command is in the audit trail with who and the result.
    const audit = readFileSync(join(home, 'state', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) as Array<{ who: string; action: string; result: any; at: number }>;
    const mine = audit.filter((e) => e.who === operator && e.action.startsWith('control.'));
    expect(mine.map((e) => [e.action, e.result.ok])).toEqual([
      ['control.status', true],
      ['control.pause', true],
      ['control.kill', true],
      ['control.resume', false],
      ['control.status', true],
      ['control.resume', true],
    ]);
    for (const e of mine) expect(Number.isFinite(e.at)).toBe(true);
  });
});
