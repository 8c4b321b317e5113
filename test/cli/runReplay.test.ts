/**
 * `mia run --feed replay --replay FILE`: a session on real ES minute bars (a slice of the
 * FirstRate sample, cut in the test), with the file's provenance in the summary, and
 * clear usage errors for a missing or unreadable file.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { runMia } from '../fixtures/runMia.ts';

const tempHome = useTempHomes('mia-run-replay-');
const SAMPLE = 'es/firstrate/edisoniver_2023-03/ES_1min_sample.csv';

describe('mia run --feed replay', () => {
  it.skipIf(!hasSharedData(SAMPLE))('replays real ES bars through the session, labelled with the file and its sha256', { timeout: 60_000 }, async () => {
    const home = tempHome();
    // 2023-03-08 from 09:30 ET: 400 regular-hours minutes.
    const lines = readFileSync(sharedData(SAMPLE), 'utf8').split('\n').filter((l) => l >= '2023-03-08 09:30' && l < '2023-03-08 16:10');
    expect(lines.length).toBe(400);
    const file = join(home, 'es.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    const r = await runMia(['run', '--feed', 'replay', '--replay', file, '--venue', 'simulated', '--json'], { MIA_HOME: home, MIA__strategy__minAvailableWeight: '0' }); // price-only bars: guard off
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, any>;
    expect(s.provenance).toBe(`replay:${file}#${sha}`);
    // 09:30 EST = 14:30 UTC; the session ends at the last bar or once flat just before it.
    expect(s.from).toBe('2023-03-08T14:30:00.000Z');
    expect(s.bars).toBeGreaterThanOrEqual(395);
    expect(s.bars).toBeLessThanOrEqual(400);
    expect(s.signals.long + s.signals.short).toBeGreaterThan(0);
    expect(s.openPosition).toBe(0);
  });

  it('refuses a replay without a file, or a file that does not exist, with exit 2', { timeout: 60_000 }, async () => {
    const none = await runMia(['run', '--feed', 'replay'], { MIA_HOME: tempHome() });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--replay');
    const missing = await runMia(['run', '--feed', 'replay', '--replay', '/nonexistent/es.csv'], { MIA_HOME: tempHome() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/nonexistent/es.csv');
  });
});
