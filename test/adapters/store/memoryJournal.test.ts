/**
 * The memory journal keeps refused orders compactly (a shared template plus id and times):
 * what it reads back equals, field for field and in field order, what a plain map of the
 * upserted records gives, for any sequence of upserts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.ts';
import { openMemoryStateStore } from '../../../adapters/store/memoryStateStore.ts';
import type { OrderRecord, OrderUpsert } from '../../../adapters/store/journal.ts';

const upsert = fc.record(
  {
    id: fc.integer({ min: 1, max: 30 }),
    status: fc.constantFrom('riskRefused', 'sent', 'filled', 'riskRefused'),
    side: fc.constantFrom('buy', 'sell'),
    qty: fc.integer({ min: 1, max: 3 }),
    purpose: fc.constantFrom('entry', 'exit'),
    createdAt: fc.integer({ min: 0, max: 1e12 }),
    stopDistance: fc.option(fc.constantFrom(4, 4.5, 0), { nil: undefined }),
    detail: fc.option(fc.constantFrom('killed: trading is killed', 'reconciling: wait'), { nil: undefined }),
    advance: fc.integer({ min: 0, max: 60_000 }),
  },
  { requiredKeys: ['id', 'status', 'side', 'qty', 'purpose', 'createdAt', 'advance'] },
);

describe('memory journal', () => {
  it('reads back every order as upserted (refused ones kept compactly)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(upsert, { maxLength: 60 }), async (ops) => {
        const clock = new ManualClock(1_000);
        const journal = openMemoryStateStore({ clock }).journal;
        const expected = new Map<string, OrderRecord>();
        for (const op of ops) {
          clock.set(clock.now() + op.advance);
          const order: OrderUpsert = {
            request: {
              clientOrderId: `S-${op.id}`,
              symbol: 'ES',
              side: op.side,
              qty: op.qty,
              type: 'market',
              tif: 'ioc',
              purpose: op.purpose,
              createdAt: op.createdAt,
              ...(op.stopDistance !== undefined ? { stopDistance: op.stopDistance } : {}),
            },
            status: op.status as OrderUpsert['status'],
            filledQty: 0,
            ...(op.detail !== undefined ? { detail: op.detail } : {}),
          };
          await journal.upsertOrder(order);
          expected.set(order.request.clientOrderId, { ...order, updatedAt: clock.now() });
        }
        const got = journal.orders();
        expect(got).toEqual([...expected.values()]);
        expect(got.map((r) => JSON.stringify(r))).toEqual([...expected.values()].map((r) => JSON.stringify(r)));
        for (const [id, r] of expected) expect(JSON.stringify(journal.order(id))).toBe(JSON.stringify(r));
        expect(journal.order('S-none')).toBeUndefined();
      }),
    );
  });
});
