import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createActor, getInitialSnapshot } from 'xstate';
import type { OrderRequest } from '../../core/types.ts';
import { orderMachine, type OrderEvent, type OrderSnapshot } from '../../machines/order.ts';
import { initialOrderSnapshot, nextOrderSnapshot } from '../../machines/orderStep.ts';

const request = (qty: number): OrderRequest => ({
  clientOrderId: 'C1',
  symbol: 'ESZ25',
  side: 'buy',
  qty,
  type: 'limit',
  price: 6000,
  tif: 'day',
  purpose: 'entry',
  createdAt: 1_000,
});

const seen = (s: OrderSnapshot) => ({ value: s.value, status: s.status, context: s.context });

const event: fc.Arbitrary<OrderEvent> = fc.oneof(
  fc.constant<OrderEvent>({ type: 'SUBMIT', time: 1_100 }),
  fc.constant<OrderEvent>({ type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 }),
  fc.record({ type: fc.constant('FILL' as const), executionId: fc.constantFrom('E1', 'E2', 'E3'), qty: fc.integer({ min: -1, max: 4 }), price: fc.constant(6000.25), time: fc.constant(1_300) }),
  fc.constant<OrderEvent>({ type: 'CANCEL_REQUESTED', time: 1_400 }),
  fc.constant<OrderEvent>({ type: 'CANCELED', time: 1_500 }),
  fc.constant<OrderEvent>({ type: 'CANCEL_REJECTED', reason: 'too late' }),
  fc.constant<OrderEvent>({ type: 'LINK_LOST', time: 1_600 }),
  fc.constant<OrderEvent>({ type: 'RECONCILED', venue: { status: 'working', filledQty: 1, avgFillPrice: 6000 }, time: 1_700 }),
);

describe('order stepping over one shared scope', () => {
  it('gives the snapshots a live order actor goes through, event for event', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(event, { maxLength: 12 }), (qty, events) => {
        const actor = createActor(orderMachine, { input: { request: request(qty) } }).start();
        let stepped = initialOrderSnapshot(request(qty));
        expect(seen(stepped)).toEqual(seen(actor.getSnapshot()));
        for (const e of events) {
          if (actor.getSnapshot().status === 'done') break; // a finished actor takes nothing more (and says so)
          actor.send(e);
          stepped = nextOrderSnapshot(stepped, e);
          expect(seen(stepped)).toEqual(seen(actor.getSnapshot()));
        }
        actor.stop();
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a bad quantity as XState does: an error snapshot naming it', () => {
    const stepped = initialOrderSnapshot(request(0));
    const reference = getInitialSnapshot(orderMachine, { request: request(0) });
    expect(stepped.status).toBe('error');
    expect(String(stepped.error)).toMatch(/qty must be > 0, got 0/);
    expect(String(stepped.error)).toBe(String(reference.error));
  });
});
