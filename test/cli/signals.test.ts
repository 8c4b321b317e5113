/**
 * `mia signals verify|performance` through the real command: an intact log verifies, a
 * tampered one is detected with its first broken seq (exit 1), and performance is
 * computed only from a log that verifies.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { openSignalLog, signalLogPath } from '../../adapters/signals/signalLog.ts';
import { runMia } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-signals-cli-');

async function writeLog(home: string): Promise<string> {
  const path = signalLogPath(home);
  const clock = new ManualClock(Date.parse('2026-01-05T15:00:00Z'));
  const log = await openSignalLog(path, clock);
  for (let i = 1; i <= 3; i++) {
    await log.append({ kind: 'signal', signal: { id: `S-${i}`, symbol: 'ESZ25', side: 'long', price: 6000 + i, score: 0.3, signalTime: clock.now() } });
    await log.append({ kind: 'published', published: { signalId: `S-${i}`, audience: 'premium' } });
  }
  await log.append({ kind: 'outcome', outcome: { signalId: 'S-1', result: 'win', points: 12, pnl: 595.5 } });
  await log.append({ kind: 'outcome', outcome: { signalId: 'S-2', result: 'loss', points: -8, pnl: -404.5 } });
  return path;
}

describe('mia signals', () => {
  it('verify: exit 0 on an intact log, exit 1 naming the first broken seq once a record is changed', { timeout: 30_000 }, async () => {
    const home = tempHome();
    const path = await writeLog(home);
    const copy = join(home, 'published-copy.jsonl');
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    // Someone improves the track record: signal 2's loss becomes a win.
    writeFileSync(copy, `${[...lines.slice(0, 7), lines[7]!.replace('"result":"loss"', '"result":"win"'), ...lines.slice(8)].join('\n')}\n`);

    const [intact, tampered, perf, perfBroken, missing] = await Promise.all([
      runMia(['signals', 'verify'], { MIA_HOME: home }),
      runMia(['signals', 'verify', '--file', copy, '--json'], { MIA_HOME: home }),
      runMia(['signals', 'performance', '--json'], { MIA_HOME: home }),
      runMia(['signals', 'performance', '--file', copy], {}),
      runMia(['signals', 'verify', '--file', join(home, 'nope.jsonl')], {}),
    ]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain('is intact: 8 records, head #8');

    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('BROKEN at seq 8');
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, brokenSeq: 8, intactRecords: 7 });

    expect(perf.code).toBe(0);
    expect(JSON.parse(perf.stdout)).toMatchObject({ head: { seq: 8 },  signals: 3, resolved: 2, open: 1, wins: 1, losses: 1, winRate: 0.5, pnl: 191, published: { premium: 3, public: 0 } });
    expect(perfBroken.code).toBe(1);
    expect(perfBroken.stderr).toContain('BROKEN at seq 8');
    expect(perfBroken.stdout).toBe('');

    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no signal log at');
  });
});
