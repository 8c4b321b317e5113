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

/** Microseconds each appended order intent took, in order. */
async function perOrderUs(sync: boolean): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mia-ledger-bench-'));
  try {
    const clock = new ManualClock(T0);
    const journal = await openJournal(join(dir, 'ledger'), clock, { sync });
    const us: number[] = [];
    for (let i = 0; i < ORDERS; i++) {
      clock.advance(1000);
      const request: OrderRequest = { clientOrderId: `Sbench-${i}`, symbol: 'ESZ25', side: i % 2 ? 'sell' : 'buy', qty: 1, type: 'limit', price: 5000 + i / 4, tif: 'gtc', purpose: 'entry', createdAt: clock.now() };
      const start = process.hrtime.bigint();
      await journal.upsertOrder({ request, status: 'sent', filledQty: 0 });
      us.push(Number(process.hrtime.bigint() - start) / 1e3);
    }
    await journal.close();
    return us;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const baseline: number[] = [];
const synced: number[] = [];
// Interleaved runs: both see the same disk and the same neighbours' load.
for (let r = 0; r < RUNS; r++) {
  baseline.push(...(await perOrderUs(false)));
  synced.push(...(await perOrderUs(true)));
}
const row = (name: string, xs: number[]) => `${name.padEnd(36)} p50 ${quantile(xs, 0.5).toFixed(1).padStart(8)} us   p99 ${quantile(xs, 0.99).toFixed(1).padStart(8)} us   mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1).padStart(8)} us`;
process.stdout.write(
  [
    row('order intent, append, no fsync', baseline),
    row('order intent, append + fdatasync', synced),
    `fsync cost per order (p50): ${(quantile(synced, 0.5) - quantile(baseline, 0.5)).toFixed(1)} us, p99: ${(quantile(synced, 0.99) - quantile(baseline, 0.99)).toFixed(1)} us; ${ORDERS} orders x ${RUNS} runs each, in ${tmpdir()}`,
  ].join('\n') + '\n',
);
