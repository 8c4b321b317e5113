/** `mia run --log-level` and `--log-console`: the level governs file and console; the file is JSON lines always. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMia } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-run-log-');

const logLines = (home: string) => {
  const folder = readdirSync(join(home, 'logs'))[0]!;
  return readFileSync(join(home, 'logs', folder, 'mia.log'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { level: number; msg: string });
};

describe('mia run logging', () => {
  it('--log-level warn keeps info out of the file; --log-console pretty prints readable lines on stderr, stdout keeps the summary', async () => {
    const quiet = tempHome();
    const [warnOnly, pretty] = await Promise.all([
      runMia(['run', '--venue', 'simulated', '--max-bars', '30', '--log-level', 'warn'], { MIA_HOME: quiet }),
      runMia(['run', '--venue', 'simulated', '--max-bars', '30', '--log-console', 'pretty', '--log-level', 'debug'], { MIA_HOME: tempHome() }),
    ]);
    expect(warnOnly.code).toBe(0);
    expect(warnOnly.stderr).toBe(''); // not a terminal: no console log unless asked
    expect(logLines(quiet).every((l) => l.level >= 40)).toBe(true);
    expect(pretty.code).toBe(0);
    expect(pretty.stderr).toMatch(/INFO \(mia\): mia run starting/);
    expect(pretty.stderr).toMatch(/DEBUG|INFO \(mia\): session ended/);
    expect(pretty.stdout).toMatch(/^MIA session /);
    // The summary explains itself: data, venue, which features had data.
    expect(pretty.stdout).toMatch(/\n {2}data {8}simulated:seed=42 /);
    expect(pretty.stdout).toMatch(/\n {2}venue {7}simulated \(in-process paper venue\)/);
    expect(pretty.stdout).toMatch(/\n {2}features {4}\d+ of \d+ had data/);
  });

  it('a bad --log-level is a one-line usage error (exit 2)', async () => {
    const r = await runMia(['run', '--log-level', 'loud'], { MIA_HOME: tempHome() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--log-level');
  });
});
