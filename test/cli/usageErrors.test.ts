/**
 * Exit codes as README documents them, and usage errors in one line: a bad flag value, a
 * quotes-only data file given to the backtest or a replay (data errors are exit 2), and
 * `--feed polygon` without POLYGON_API_KEY (exit 2 at once, before anything starts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMia } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const tempHome = useTempHomes('mia-usage-');
const quotes = 'es/lean/minute/es/20131006_quote.zip';

describe('usage errors and exit codes', () => {
  it('a bad --speed is one line on stderr naming the flag, exit 2', async () => {
    const r = await runMia(['run', '--speed', 'fast'], { MIA_HOME: tempHome() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^mia: .*--speed must be "max" or a positive number, got "fast"/);
  });

  it('--feed polygon without POLYGON_API_KEY exits 2 at once, naming the variable, before locking the home', async () => {
    const home = tempHome();
    const started = Date.now();
    const r = await runMia(['run', '--feed', 'polygon'], { MIA_HOME: home, POLYGON_API_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('POLYGON_API_KEY');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(existsSync(join(home, 'state', 'lock'))).toBe(false);
  });

  it.skipIf(!hasSharedData(quotes))(`a quotes-only file is a data error: exit 2 for backtest and run --feed replay (${quotes})`, async () => {
    const home = tempHome();
    const [backtest, replay] = await Promise.all([
      runMia(['backtest', '--data', sharedData(quotes), '--quiet', '--no-evidence'], { MIA_HOME: home }),
      runMia(['run', '--feed', 'replay', '--replay', sharedData(quotes)], { MIA_HOME: tempHome() }),
    ]);
    for (const r of [backtest, replay]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/holds quotes .*needs bars or trades/);
    }
  });
});
