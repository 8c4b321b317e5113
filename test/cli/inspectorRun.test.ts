/**
 * `mia run --inspect` as a command: with --json the URL goes to stderr and stdout stays
 * pure JSON, inspector.url is gone after a clean end, and a bad --inspect-port is a usage
 * error naming the flag.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMia } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-inspector-run-');

describe('mia run --inspect', () => {
  it('announces the URL on stderr with --json, keeps stdout pure JSON and removes inspector.url at the end', { timeout: 90_000 }, async () => {
    const home = tempHome();
    const r = await runMia(['run', '--feed', 'simulated', '--venue', 'simulated', '--max-bars', '200', '--inspect', '--json', '--home', home], {});
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { bars: number };
    expect(summary.bars).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^mia: inspector at http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/m);
    expect(existsSync(join(home, 'inspector.url'))).toBe(false);
  });

  it('refuses a bad --inspect-port with exit 2, naming the flag', { timeout: 60_000 }, async () => {
    const r = await runMia(['run', '--inspect', '--inspect-port', '70000', '--home', tempHome()], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--inspect-port');
  });
});
