/**
 * The write-ahead rule's price: journaling an order intent with fdatasync (what `mia run`
 * does before an order's bytes leave) against the same append without it (the baseline,
 * measured in the same run, same records, same directory's file system).
 * Run: `node --import tsx bench/ledger.bench.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../core/clock.ts';
import { openJournal } from '../adapters/store/journal.ts';
import type { OrderRequest } from '../core/types.ts';

const ORDERS = 400;
const RUNS = 3;
const T0 = Date.UTC(2025, 10, 3, 14, 30);

async function perOrderUs(sync: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'mia-ledger-bench-'));
  try {
    const clock = new ManualClock(T0);
    const journal = await openJournal(join(dir, 'ledger'), clock, { sync });
    const start = process.hrtime.bigint();
    for (let i = 0; i < ORDERS; i++) {
      clock.advance(1000);
      const request: OrderRequest = { clientOrderId: `Sbench-${i}`, symbol: 'ESZ25', side: i % 2 ? 'sell' : 'buy', qty: 1, type: 'limit', price: 5000 + i / 4, tif: 'gtc', purpose: 'entry', createdAt: clock.now() };
      await journal.upsertOrder({ request, status: 'sent', filledQty: 0 });
    }
    const us = Number(process.hrtime.bigint() - start) / 1e3 / ORDERS;
    await journal.close();
    return us;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseline: number[] = [];
const synced: number[] = [];
for (let r = 0; r < RUNS; r++) {
  baseline.push(await perOrderUs(false));
  synced.push(await perOrderUs(true));
}
const b = median(baseline);
const s = median(synced);
process.stdout.write(
  [
    `ledger append, no fsync (baseline): ${b.toFixed(1)} us/order`,
    `ledger append + fdatasync:          ${s.toFixed(1)} us/order`,
    `fsync cost per order:               ${(s - b).toFixed(1)} us (x${(s / b).toFixed(1)}), ${ORDERS} orders x ${RUNS} runs, median, in ${tmpdir()}`,
  ].join('\n') + '\n',
);
