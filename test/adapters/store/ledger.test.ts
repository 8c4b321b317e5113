/** The write-ahead ledger's day files: each record goes to the file of its own CME trading day. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../../adapters/store/ledger.ts';
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
