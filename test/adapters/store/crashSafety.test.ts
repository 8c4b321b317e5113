import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.ts';
import { openStateStore } from '../../../adapters/store/stateStore.ts';
import { spawnFixture } from '../../fixtures/spawnFixture.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const newHome = useTempHomes('mia-crash-');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('state store under SIGKILL', () => {
  it('always reopens to whole documents and a journal that never goes backwards', async () => {
    const home = newHome();
    const rounds = 5;
    let previous = { orders: 0, fills: 0, seq: -1 };
    for (let round = 0; round < rounds; round++) {
      const writer = spawnFixture('storeCrashWriter.ts', [home]);
      const delay = 20 + Math.floor(Math.random() * 250);
      try {
        await writer.ready;
        await sleep(delay);
      } finally {
        writer.child.kill('SIGKILL');
      }
      const exit = await writer.exited;
      const where = `round ${round}, killed after ${delay} ms; writer stderr: ${writer.stderr()}`;
      expect(exit.signal, where).toBe('SIGKILL');

      // Opening parses and schema-checks every document (and takes over the dead lock).
      const store = await openStateStore(home, { clock: new ManualClock(0) });
      const orders = store.journal.orders();
      const fills = store.journal.fills();
      // Prefix-consistent: o0..o(m-1) and e0..e(f-1) in order, each fill after its order.
      expect(orders.map((o) => o.request.clientOrderId), where).toEqual(orders.map((_, i) => `o${i}`));
      expect(fills.map((f) => f.executionId), where).toEqual(fills.map((_, i) => `e${i}`));
      expect(fills.map((f) => f.clientOrderId), where).toEqual(fills.map((_, i) => `o${i}`));
      expect(orders.length - fills.length, where).toBeGreaterThanOrEqual(0);
      expect(orders.length - fills.length, where).toBeLessThanOrEqual(1);
      // A write that resolved is on disk: the snapshot never runs ahead of the fills.
      const seq = (store.orchestrator.load()?.snapshot as { context: { seq: number } } | undefined)?.context.seq ?? -1;
      expect(seq, where).toBeLessThan(fills.length);
      expect(seq, where).toBeGreaterThanOrEqual(fills.length - 2);
      // Counts never go backwards across crashes.
      expect(orders.length, where).toBeGreaterThanOrEqual(previous.orders);
      expect(fills.length, where).toBeGreaterThanOrEqual(previous.fills);
      expect(seq, where).toBeGreaterThanOrEqual(previous.seq);
      previous = { orders: orders.length, fills: fills.length, seq };
      await store.close();
    }
    expect(previous.fills, 'the writer made progress').toBeGreaterThan(rounds);
  });
});
