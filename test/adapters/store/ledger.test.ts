/** The write-ahead ledger's day files: each record goes to the file of its own CME trading day. */
import fs, { readdirSync, readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../../adapters/store/ledger.ts';
import { journalDir, journalExists } from '../../../adapters/store/journal.ts';
import { tradingDay } from '../../../core/tradingDay.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const newHome = useTempHomes('mia-ledger-');
// Tuesday 2025-11-04: 16:59 and 17:01 in Chicago (UTC-6) are on either side of the CME day's roll.
const BEFORE_ROLL = Date.UTC(2025, 10, 4, 22, 59);
const AFTER_ROLL = Date.UTC(2025, 10, 4, 23, 1);
const ELSEWHERE = Date.UTC(2023, 8, 12, 15, 0); // what risk asks about meanwhile (replayed bars)

describe('ledger day files', () => {
  it('puts each record in its trading day file, whatever else asks for trading days in between', () => {
    const dir = join(newHome(), 'ledger');
    const ledger = openLedger(dir, { sync: false });
    const times = [BEFORE_ROLL, AFTER_ROLL, BEFORE_ROLL + 30_000, AFTER_ROLL + 30_000];
    times.forEach((time, i) => {
      expect(tradingDay(ELSEWHERE)).toBe('2023-09-12');
      ledger.append({ i }, time);
    });
    ledger.close();
    const first = tradingDay(BEFORE_ROLL);
    const second = tradingDay(AFTER_ROLL);
    expect([first, second]).toEqual(['2025-11-04', '2025-11-05']);
    expect(readdirSync(dir).sort()).toEqual([`${first}.jsonl`, `${second}.jsonl`]);
    const lines = (day: string) => readFileSync(join(dir, `${day}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { i: number });
    expect(lines(first).map((r) => r.i)).toEqual([0, 2]);
    expect(lines(second).map((r) => r.i)).toEqual([1, 3]);
  });
});

describe('ledger day files prepared ahead of their first record', () => {
  /** Counts fsync calls (a new file's directory sync) while `f` runs: the ledger's imports see the counting one. */
  function fsyncsDuring(f: () => void): number {
    const real = fs.fsyncSync;
    let calls = 0;
    fs.fsyncSync = (fd: number) => {
      calls++;
      real(fd);
    };
    syncBuiltinESMExports();
    try {
      f();
    } finally {
      fs.fsyncSync = real;
      syncBuiltinESMExports();
    }
    return calls;
  }

  it('prepare creates the day file and syncs its directory once, so the first record of the day syncs no directory', () => {
    const dir = join(newHome(), 'ledger');
    const ledger = openLedger(dir);
    expect(fsyncsDuring(() => ledger.prepare(BEFORE_ROLL))).toBe(1);
    expect(readdirSync(dir)).toEqual([`${tradingDay(BEFORE_ROLL)}.jsonl`]);
    expect(fsyncsDuring(() => ledger.prepare(BEFORE_ROLL - 60_000))).toBe(0);
    // The next day's file, readied before the roll while today's stays the one written to.
    expect(fsyncsDuring(() => ledger.prepare(AFTER_ROLL))).toBe(1);
    expect(fsyncsDuring(() => ledger.append({ i: 0 }, BEFORE_ROLL))).toBe(0);
    expect(fsyncsDuring(() => ledger.append({ i: 1 }, AFTER_ROLL))).toBe(0);
    ledger.close();
    expect(readFileSync(join(dir, `${tradingDay(BEFORE_ROLL)}.jsonl`), 'utf8')).toBe('{"i":0}\n');
    expect(readFileSync(join(dir, `${tradingDay(AFTER_ROLL)}.jsonl`), 'utf8')).toBe('{"i":1}\n');
  });

  it('without prepare, the first record of a new day still syncs the directory (the write-ahead rule for the name)', () => {
    const ledger = openLedger(join(newHome(), 'ledger'));
    expect(fsyncsDuring(() => ledger.append({ i: 0 }, BEFORE_ROLL))).toBe(1);
    expect(fsyncsDuring(() => ledger.append({ i: 1 }, AFTER_ROLL))).toBe(1);
    ledger.close();
  });

  it('a prepared file no record reached is gone after close; one with records stays', () => {
    const dir = join(newHome(), 'ledger');
    const ledger = openLedger(dir);
    ledger.prepare(BEFORE_ROLL);
    ledger.prepare(AFTER_ROLL);
    ledger.append({ i: 0 }, BEFORE_ROLL);
    ledger.close();
    expect(readdirSync(dir)).toEqual([`${tradingDay(BEFORE_ROLL)}.jsonl`]);
    const quiet = openLedger(dir);
    quiet.prepare(AFTER_ROLL);
    quiet.close();
    expect(readdirSync(dir)).toEqual([`${tradingDay(BEFORE_ROLL)}.jsonl`]);
  });

  it('an empty day file left by a crash (prepared, never written) holds nothing and reads as no journal', async () => {
    const home = newHome();
    const dir = journalDir(home);
    const ledger = openLedger(dir);
    ledger.prepare(AFTER_ROLL); // killed before any record and before close
    expect(journalExists(home)).toBe(false);
    const reader = openLedger(dir, { readOnly: true });
    expect(reader.entries).toEqual([]);
    expect(reader.torn).toEqual([]);
    reader.close();
    // The next run writes into it as into any day file.
    const next = openLedger(dir);
    next.append({ i: 7 }, AFTER_ROLL + 1_000);
    next.close();
    expect(journalExists(home)).toBe(true);
    expect(openLedger(dir, { readOnly: true }).entries.map((e) => e.value)).toEqual([{ i: 7 }]);
    ledger.close();
  });

  it('a read-only ledger prepares nothing', () => {
    const dir = join(newHome(), 'ledger');
    openLedger(dir).close();
    const reader = openLedger(dir, { readOnly: true });
    reader.prepare(BEFORE_ROLL);
    reader.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});
