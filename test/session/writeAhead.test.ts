/**
 * The write-ahead rule, end to end over a real socket: every order's ClientOrderID is in
 * the ledger on disk at the moment its bytes pass a proxy in front of the DTC server; and
 * restore replays the ledger's tail: a fill ledgered after the last snapshot is reported
 * again by reconciliation instead of being taken as already counted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { ManualClock, systemClock } from '../../core/clock.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { journalDir, openJournal } from '../../adapters/store/journal.ts';
import { startPaperDtcServer } from '../../adapters/dtc/paperServer.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import { startSession } from '../../session/session.ts';
import { uncountedFills } from '../../session/ledgerTail.ts';
import { startRecordingProxy } from '../../drill/recordingProxy.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-write-ahead-');

const ledgerText = (home: string) => {
  const dir = join(home, 'state', 'ledger');
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
};

describe('write-ahead ledger', () => {
  it('every order is on disk before its bytes reach the venue', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const server = await startPaperDtcServer({ port: 0, clock: new ManualClock(Date.UTC(2025, 0, 6, 15)) });
    const proxy = await startRecordingProxy(server.port);
    const checked: Array<[string, boolean]> = [];
    proxy.onMessage = (m) => {
      if (m.dir !== 'toVenue') return;
      const ids = m.msg.Type === 208 ? [m.msg.ClientOrderID] : m.msg.Type === 201 ? [m.msg.ClientOrderID_1, m.msg.ClientOrderID_2] : [];
      // Read synchronously, as the bytes pass: the ledger already holds the intent.
      for (const id of ids) checked.push([String(id), ledgerText(home).includes(`"clientOrderId":"${String(id)}"`)]);
    };
    const store = await openStateStore(home, { clock: systemClock });
    try {
      const config = configSchema.parse({ accounts: [{ id: 'PAPER1', kind: 'paper' }], feed: { maxBars: 400, seed: 7 }, venue: { kind: 'dtc', dtc: { host: '127.0.0.1', port: proxy.port, encoding: 'json', account: 'PAPER1' } } });
      const session = startSession({ config, store, logger: silentLogger() });
      await session.done;
    } finally {
      await store.close();
      await proxy.close();
      await server.close();
    }
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.filter(([, onDisk]) => !onDisk)).toEqual([]);
  });

  it('finds the fills ledgered after the snapshot that the snapshot does not count', async () => {
    const home = tempHome();
    const clock = new ManualClock(1_000);
    const journal = await openJournal(journalDir(join(home, 'state')), clock);
    const fill = (executionId: string, time: number) => ({ clientOrderId: 'o1', executionId, symbol: 'ESZ25', side: 'buy' as const, qty: 1, price: 5000, time, commission: 2.25 });
    await journal.recordFill(fill('counted', 500));
    clock.advance(1_000);
    await journal.recordFill(fill('after-snapshot', 600));
    await journal.recordFill(fill('counted-later', 700));
    await journal.close();
    const reopened = await openJournal(journalDir(join(home, 'state')), clock);
    const saved = { savedAt: 1_500, snapshot: { context: { seenExecutions: ['counted'], live: { o1: { executions: ['counted-later'] } } } } };
    expect([...uncountedFills(reopened, saved)]).toEqual([['after-snapshot', 600]]);
    await reopened.close();
  });
});
