/**
 * `mia data inspect` through the real command: the JSON report contract, the cache it
 * writes, human output, and exit codes (2 for bad usage, naming the flag or file).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMia } from '../fixtures/runMia.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-inspect-');
const VICTOR = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';

describe('mia data inspect', () => {
  it.skipIf(!hasSharedData(VICTOR))('--json prints {format, rows, rejected, from, to, timezone, sha256, issues}; --write-cache makes a replayable cache', async () => {
    const home = tempHome();
    const cache = join(home, 'cache', 'es.miabars');
    const r = await runMia(['data', 'inspect', sharedData(VICTOR), '--json', '--write-cache', cache], { MIA_HOME: home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const sha256 = createHash('sha256').update(readFileSync(sharedData(VICTOR))).digest('hex');
    expect(report).toMatchObject({
      format: 'csv',
      rows: 15_176,
      rejected: 0,
      from: '2023-09-24T22:00:00.000Z',
      to: '2023-10-09T20:59:00.000Z',
      timezone: 'America/New_York',
      sha256,
      provenance: `replay:${sharedData(VICTOR)}#${sha256}`,
      cache,
    });
    expect(report.issues).toHaveLength(4);
    expect(report.issues.every((i: { kind: string }) => i.kind === 'gap')).toBe(true);

    const again = await runMia(['data', 'inspect', cache, '--json'], { MIA_HOME: home });
    expect(again.code).toBe(0);
    const cached = JSON.parse(again.stdout);
    expect(cached).toMatchObject({ format: 'mia-cache', rows: 15_176, from: report.from, to: report.to, provenance: report.provenance });
    expect(cached.sha256).not.toBe(sha256);
  });

  it('prints a readable report and counts rejected rows of a broken file (exit 0: the report is the result)', async () => {
    const home = tempHome();
    const file = join(home, 'ES_broken.csv');
    writeFileSync(file, ['2024-01-02 09:30:00,4800,4801,4799.75,4800.5,10', '2024-01-02 09:30:00,4800,4801,4799.75,4800.5,10', '2024-01-02 09:31:00,4800.1,4801,4799.75,4800.5,10'].join('\n'));
    const r = await runMia(['data', 'inspect', file], { MIA_HOME: home });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rows        1 accepted, 2 rejected');
    expect(r.stdout).toContain('2 duplicate:');
    expect(r.stdout).toContain('3 off-tick: open 4800.1 is not a multiple of the tick 0.25');
  });

  it('bad usage exits 2 with a message naming the file or flag', async () => {
    const home = tempHome();
    const file = join(home, 'ES.csv');
    writeFileSync(file, '2024-01-02 09:30:00,4800,4801,4799.75,4800.5,10\n');
    // Flag values commander checks are covered in-process (dataInspectOptions.test.ts); these two
    // go through the loader's DataFileError -> UsageError mapping.
    const cases: [string[], RegExp][] = [
      [[join(home, 'missing.csv')], /no such file: .*missing\.csv/],
      [[file, '--columns', 'time,opne,high,low,close'], /--columns: unknown column role "opne"/],
    ];
    for (const [args, message] of cases) {
      const r = await runMia(['data', 'inspect', ...args], { MIA_HOME: home });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
