import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createActor, type AnyMachineSnapshot } from 'xstate';
import { createTestModel } from 'xstate/graph';
import type { OrderRequest } from '../../core/types.ts';
import {
  NOT_AT_VENUE,
  isInFlight,
  isTerminal,
  orderMachine,
  remainingQty,
  type OrderEvent,
  type OrderSnapshot,
  type VenueOrderState,
} from '../../machines/order.ts';
import { CoverageRecorder, allStateNodeIds, allTransitionKeys, edgeWalks } from './graphCoverage.ts';

const request = (overrides: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: 'C1',
  symbol: 'ESZ25',
  side: 'buy',
  qty: 3,
  type: 'limit',
  price: 6000,
  tif: 'day',
  stopDistance: 4,
  purpose: 'entry',
  createdAt: 1_000,
  ...overrides,
});

function start(overrides: Partial<OrderRequest> = {}) {
  const actor = createActor(orderMachine, { input: { request: request(overrides) } }).start();
  const send = (...events: OrderEvent[]) => events.forEach((e) => actor.send(e));
  return { actor, send, snap: () => actor.getSnapshot() };
}

const fill = (executionId: string, qty: number, price: number, time = 2_000): OrderEvent => ({ type: 'FILL', executionId, qty, price, time });
const venue = (v: VenueOrderState | null, time = 9_000): OrderEvent => ({ type: 'RECONCILED', venue: v, time });

/** Payload variants worth trying from a state: each kind of fill, each venue answer. */
function orderEvents(snapshot: AnyMachineSnapshot): OrderEvent[] {
  const { filledQty, request: req, fills, lastUpdate } = (snapshot as OrderSnapshot).context;
  const time = lastUpdate + 1;
  const remaining = req.qty - filledQty;
  const next = `E${fills.length + 1}`;
  return [
    { type: 'SUBMIT', time },
    { type: 'RISK_REJECTED', reason: 'max contracts' },
    { type: 'ACCEPTED', serverOrderId: 'S1', time },
    fill(next, remaining, 6000, time),
    ...(remaining > 1 ? [fill(next, 1, 5999.75, time)] : []),
    ...(fills[0] ? [fill(fills[0], 1, 6000, time)] : []),
    fill(next, remaining + 1, 6000, time),
    fill(next, 0, 6000, time),
    { type: 'CANCEL_REQUESTED', time },
    { type: 'CANCELED', time },
    { type: 'CANCEL_REJECTED', reason: 'too late' },
    { type: 'REPLACE_REQUESTED', price: 5999.5, time },
    { type: 'REPLACED', price: 5999.5, time },
    ...(filledQty > 0 ? [{ type: 'REPLACED', qty: filledQty, time } as const] : []),
    { type: 'REPLACE_REJECTED', reason: 'too late' },
    { type: 'REJECTED', reason: 'margin', time },
    { type: 'EXPIRED', time },
    { type: 'LINK_LOST', time },
    venue(null, time),
    venue({ status: 'working', filledQty: 0 }, time),
    venue({ status: 'working', filledQty: 1, avgFillPrice: 6000 }, time),
    venue({ status: 'working', filledQty: req.qty, avgFillPrice: 6000 }, time),
    venue({ status: 'filled', filledQty: req.qty, avgFillPrice: 6000 }, time),
    venue({ status: 'cancelled', filledQty }, time),
    venue({ status: 'rejected', filledQty: 0, reason: 'no such order' }, time),
    venue({ status: 'expired', filledQty }, time),
  ];
}

// The state value plus the quantities that guards look at; timestamps and ids stay out.
const abstractState = (s: AnyMachineSnapshot) =>
  JSON.stringify({ value: s.value, filledQty: s.context.filledQty, qty: s.context.request.qty });

/** Holds in every reachable state. */
function checkInvariants(s: OrderSnapshot) {
  const { filledQty, request: req, avgFillPrice, fills } = s.context;
  expect(filledQty).toBeGreaterThanOrEqual(0);
  expect(filledQty).toBeLessThanOrEqual(req.qty);
  expect(avgFillPrice === null).toBe(filledQty === 0);
  expect(new Set(fills).size).toBe(fills.length);
  if (s.matches({ working: 'open' })) expect(filledQty).toBe(0);
  if (s.matches({ working: 'partiallyFilled' })) expect(filledQty > 0 && filledQty < req.qty).toBe(true);
  expect(remainingQty(s)).toBe(isTerminal(s) ? 0 : req.qty - filledQty);
}

describe('orderMachine: model-based coverage', () => {
  it('reaches every state through the test model, with the invariants holding at every step', async () => {
    const model = createTestModel(orderMachine, { events: orderEvents, serializeState: abstractState });
    const paths = model.getShortestPaths({ input: { request: request() } });
    const recorder = new CoverageRecorder();
    const initial = createActor(orderMachine, { input: { request: request() } }).getSnapshot();
    const eventTypes = [...new Set(orderEvents(initial).map((e) => e.type))];
    for (const path of paths) {
      const actor = createActor(orderMachine, { input: { request: request() }, inspect: recorder.inspect }).start();
      const send = (step: { event: OrderEvent }) => void actor.send(step.event);
      await path.test({
        events: Object.fromEntries(eventTypes.map((type) => [type, send])),
        states: {
          '*': (state) => {
            expect(abstractState(actor.getSnapshot())).toBe(abstractState(state));
            checkInvariants(actor.getSnapshot());
          },
        },
      });
      actor.stop();
    }
    expect(allStateNodeIds(orderMachine).filter((id) => !recorder.stateNodes.has(id))).toEqual([]);
  });

  it('takes every transition, landing where the model predicts', () => {
    const walks = edgeWalks<OrderEvent>(orderMachine, { input: { request: request() }, events: orderEvents, serialize: abstractState });
    const recorder = new CoverageRecorder();
    for (const walk of walks) {
      const actor = createActor(orderMachine, { input: { request: request() }, inspect: recorder.inspect }).start();
      for (const event of walk.events) actor.send(event);
      expect(abstractState(actor.getSnapshot()), walk.events.map((e) => e.type).join(' > ')).toBe(walk.expected);
      checkInvariants(actor.getSnapshot());
      actor.stop();
    }
    expect(allStateNodeIds(orderMachine).filter((id) => !recorder.stateNodes.has(id))).toEqual([]);
    expect(allTransitionKeys(orderMachine).filter((key) => !recorder.transitions.has(key))).toEqual([]);
  });
});

describe('orderMachine: fills', () => {
  it('goes open -> partiallyFilled -> filled, tracking quantity and volume-weighted price', () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 });
    expect(o.snap().matches({ working: 'open' })).toBe(true);
    expect(o.snap().context.serverOrderId).toBe('S1');
    o.send(fill('E1', 1, 6000));
    expect(o.snap().matches({ working: 'partiallyFilled' })).toBe(true);
    expect(remainingQty(o.snap())).toBe(2);
    o.send(fill('E2', 2, 6001, 2_500));
    expect(o.snap().value).toBe('filled');
    expect(o.snap().context.filledQty).toBe(3);
    expect(o.snap().context.avgFillPrice).toBeCloseTo((6000 + 2 * 6001) / 3, 10);
    expect(o.snap().context.fills).toEqual(['E1', 'E2']);
    expect(o.snap().context.lastUpdate).toBe(2_500);
    expect(isTerminal(o.snap())).toBe(true);
    expect(remainingQty(o.snap())).toBe(0);
  });

  it('ignores a duplicate execution id without flagging it', () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 });
    o.send(fill('E1', 1, 6000), fill('E1', 1, 6000), fill('E1', 2, 6005));
    expect(o.snap().context.filledQty).toBe(1);
    expect(o.snap().context.avgFillPrice).toBe(6000);
    expect(o.snap().context.fills).toEqual(['E1']);
    expect(o.snap().context.anomalies).toEqual([]);
  });

  it('ignores and flags a fill that would exceed the order quantity, or makes no sense', () => {
    const o = start({ qty: 2 });
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 });
    o.send(fill('E1', 1, 6000), fill('E2', 2, 6001, 2_100), fill('E3', 0, 6001, 2_200), fill('E4', 1, Number.NaN, 2_300));
    expect(o.snap().matches({ working: 'partiallyFilled' })).toBe(true);
    expect(o.snap().context.filledQty).toBe(1);
    expect(o.snap().context.anomalies.map((a) => [a.kind, a.executionId, a.time])).toEqual([
      ['overfill', 'E2', 2_100],
      ['invalidFill', 'E3', 2_200],
      ['invalidFill', 'E4', 2_300],
    ]);
    o.send(fill('E5', 1, 6002));
    expect(o.snap().value).toBe('filled');
  });

  it('treats a fill before any acknowledgement as acceptance, and keeps a late acknowledgement id', () => {
    const market = start({ type: 'market', price: undefined, qty: 1 });
    market.send({ type: 'SUBMIT', time: 1_100 }, fill('E1', 1, 6000));
    expect(market.snap().value).toBe('filled');

    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, fill('E1', 1, 6000));
    expect(o.snap().matches({ working: 'partiallyFilled' })).toBe(true);
    expect(o.snap().context.serverOrderId).toBeNull();
    o.send({ type: 'ACCEPTED', serverOrderId: 'S9', time: 2_100 });
    expect(o.snap().matches({ working: 'partiallyFilled' })).toBe(true);
    expect(o.snap().context.serverOrderId).toBe('S9');
  });

  it('lets a fill win the race with a cancel', () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 }, { type: 'CANCEL_REQUESTED', time: 1_300 });
    o.send(fill('E1', 1, 6000));
    expect(o.snap().value).toBe('pendingCancel');
    expect(o.snap().context.filledQty).toBe(1);
    o.send({ type: 'CANCEL_REJECTED', reason: 'too late' });
    expect(o.snap().matches({ working: 'partiallyFilled' })).toBe(true);
    expect(o.snap().context.reason).toBe('too late');
    o.send({ type: 'CANCEL_REQUESTED', time: 2_200 }, fill('E2', 2, 6001));
    expect(o.snap().value).toBe('filled');
    expect(o.snap().context.filledQty).toBe(3);
  });

  it('returns a refused cancel to open when nothing filled, and ends cancelled when accepted', () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 }, { type: 'CANCEL_REQUESTED', time: 1_300 });
    expect(isInFlight(o.snap())).toBe(true);
    o.send({ type: 'CANCEL_REJECTED', reason: 'busy' });
    expect(o.snap().matches({ working: 'open' })).toBe(true);
    expect(isInFlight(o.snap())).toBe(false);
    o.send({ type: 'CANCEL_REQUESTED', time: 1_400 }, { type: 'CANCELED', time: 1_500 });
    expect(o.snap().value).toBe('cancelled');
    expect(o.snap().context.lastUpdate).toBe(1_500);
  });
});

describe('orderMachine: replace', () => {
  it('applies confirmed terms and a new server order id', () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 });
    o.send({ type: 'REPLACE_REQUESTED', price: 5998, time: 1_300 });
    expect(o.snap().value).toBe('pendingReplace');
    expect(o.snap().context.request.price).toBe(6000);
    o.send({ type: 'REPLACED', serverOrderId: 'S2', time: 1_400 });
    expect(o.snap().matches({ working: 'open' })).toBe(true);
    expect(o.snap().context.request.price).toBe(5998);
    expect(o.snap().context.serverOrderId).toBe('S2');
    expect(o.snap().context.pendingReplace).toBeNull();
  });

  it('returns a refused replace to the working substate it came from', () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 }, fill('E1', 1, 6000));
    o.send({ type: 'REPLACE_REQUESTED', price: 5998, time: 1_300 }, { type: 'REPLACE_REJECTED', reason: 'price out of band' });
    expect(o.snap().matches({ working: 'partiallyFilled' })).toBe(true);
    expect(o.snap().context.request.price).toBe(6000);
    expect(o.snap().context.reason).toBe('price out of band');
  });

  it('ends filled, and flags it, when the replaced quantity is at or below what already filled', () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 }, fill('E1', 2, 6000));
    o.send({ type: 'REPLACE_REQUESTED', qty: 1, time: 1_300 }, { type: 'REPLACED', time: 1_400 });
    expect(o.snap().value).toBe('filled');
    expect(o.snap().context.request.qty).toBe(2);
    expect(o.snap().context.anomalies.map((a) => a.kind)).toEqual(['replace']);
  });

  it('lets a cancel overtake a pending replace', () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 });
    o.send({ type: 'REPLACE_REQUESTED', price: 5998, time: 1_300 }, { type: 'CANCEL_REQUESTED', time: 1_310 });
    expect(o.snap().value).toBe('pendingCancel');
    o.send({ type: 'CANCELED', time: 1_400 });
    expect(o.snap().value).toBe('cancelled');
  });
});

describe('orderMachine: link loss and reconciliation', () => {
  const inUnknown = () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'LINK_LOST', time: 1_150 });
    return o;
  };

  it('leaves unknown only on reconciliation, ignoring everything else', () => {
    const o = inUnknown();
    expect(o.snap().value).toBe('unknown');
    expect(isInFlight(o.snap())).toBe(true);
    const before = o.snap().context;
    const others: OrderEvent[] = [
      { type: 'SUBMIT', time: 2_000 },
      { type: 'RISK_REJECTED', reason: 'x' },
      { type: 'ACCEPTED', serverOrderId: 'S1', time: 2_000 },
      fill('E1', 1, 6000),
      { type: 'CANCEL_REQUESTED', time: 2_000 },
      { type: 'CANCELED', time: 2_000 },
      { type: 'CANCEL_REJECTED', reason: 'x' },
      { type: 'REPLACE_REQUESTED', price: 1, time: 2_000 },
      { type: 'REPLACED', price: 1, time: 2_000 },
      { type: 'REPLACE_REJECTED', reason: 'x' },
      { type: 'REJECTED', reason: 'x', time: 2_000 },
      { type: 'EXPIRED', time: 2_000 },
      { type: 'LINK_LOST', time: 2_000 },
    ];
    for (const event of others) {
      o.send(event);
      expect(o.snap().value, event.type).toBe('unknown');
    }
    expect(o.snap().context).toEqual(before);
  });

  it('rejects, never resubmits, an order the venue has no record of', () => {
    const o = inUnknown();
    o.send(venue(null));
    expect(o.snap().value).toBe('rejected');
    expect(o.snap().context.reason).toBe(NOT_AT_VENUE);
    expect(o.snap().context.lastUpdate).toBe(9_000);
  });

  it("adopts the venue's record: working with fills, server id and average price", () => {
    const o = inUnknown();
    o.send(venue({ status: 'working', serverOrderId: 'S7', filledQty: 2, avgFillPrice: 6000.5 }));
    expect(o.snap().matches({ working: 'partiallyFilled' })).toBe(true);
    expect(o.snap().context).toMatchObject({ serverOrderId: 'S7', filledQty: 2, avgFillPrice: 6000.5 });
  });

  it('keeps the larger filled quantity and flags a venue that reports less or more', () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 }, fill('E1', 2, 6000));
    o.send(venue({ status: 'working', filledQty: 1 }));
    expect(o.snap().matches({ working: 'partiallyFilled' })).toBe(true);
    expect(o.snap().context.filledQty).toBe(2);
    expect(o.snap().context.avgFillPrice).toBe(6000);
    expect(o.snap().context.anomalies).toHaveLength(1);
    o.send(venue({ status: 'filled', filledQty: 5, avgFillPrice: 6001 }, 9_100));
    expect(o.snap().value).toBe('filled');
    expect(o.snap().context.filledQty).toBe(3);
    expect(o.snap().context.avgFillPrice).toBe(6001);
    expect(o.snap().context.anomalies).toHaveLength(2);
  });

  it.each([
    ['cancelled', 'cancelled'],
    ['expired', 'expired'],
    ['rejected', 'rejected'],
  ] as const)('follows the venue to %s', (status, state) => {
    const o = inUnknown();
    o.send(venue({ status, filledQty: 0, reason: 'venue says so' }));
    expect(o.snap().value).toBe(state);
    expect(o.snap().context.reason).toBe('venue says so');
  });

  it('stays working through a link loss: the order rests at the venue', () => {
    const o = start();
    o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 }, { type: 'LINK_LOST', time: 1_300 });
    expect(o.snap().matches({ working: 'open' })).toBe(true);
    expect(isInFlight(o.snap())).toBe(false);
  });
});

describe('orderMachine: entry', () => {
  it('ends rejected, never in flight, when risk refuses it', () => {
    const o = start();
    expect(isInFlight(o.snap())).toBe(false);
    o.send({ type: 'RISK_REJECTED', reason: 'daily loss limit' });
    expect(o.snap().value).toBe('rejected');
    expect(o.snap().context.reason).toBe('daily loss limit');
    expect(isTerminal(o.snap())).toBe(true);
  });

  it('refuses a request without a positive quantity', () => {
    const actor = createActor(orderMachine, { input: { request: request({ qty: 0 }) } });
    const errors: unknown[] = [];
    actor.subscribe({ error: (err) => errors.push(err) });
    actor.start();
    expect(errors[0]).toBeInstanceOf(RangeError);
  });
});

describe('orderMachine: properties', () => {
  const priceArb = fc.integer({ min: 20_000, max: 28_000 }).map((ticks) => ticks / 4);
  const fillArb = fc.record({
    executionId: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'),
    qty: fc.integer({ min: -1, max: 6 }),
    price: priceArb,
  });
  const controlArb = fc.constantFrom<OrderEvent>(
    { type: 'CANCEL_REQUESTED', time: 5_000 },
    { type: 'CANCEL_REJECTED', reason: 'busy' },
    { type: 'REPLACE_REQUESTED', price: 6000, time: 5_000 },
    { type: 'REPLACE_REJECTED', reason: 'busy' },
    { type: 'ACCEPTED', serverOrderId: 'S2', time: 5_000 },
  );
  const stepArb = fc.oneof(
    { weight: 4, arbitrary: fillArb.map((f) => fill(f.executionId, f.qty, f.price)) },
    { weight: 1, arbitrary: controlArb },
  );

  it('keeps 0 <= filledQty <= qty and the average price within the applied fills, whatever arrives', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.boolean(), fc.array(stepArb, { maxLength: 40 }), (qty, acked, steps) => {
        const o = start({ qty });
        o.send({ type: 'SUBMIT', time: 1_100 });
        if (acked) o.send({ type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 });
        const prices = new Map<string, { qty: number; price: number }>();
        for (const step of steps) {
          if (isTerminal(o.snap())) break; // a finished order actor accepts nothing more
          const appliedBefore = o.snap().context.fills.length;
          o.send(step);
          const { fills } = o.snap().context;
          if (step.type === 'FILL' && fills.length > appliedBefore) prices.set(step.executionId, { qty: step.qty, price: step.price });
          checkInvariants(o.snap());
        }
        const { filledQty, avgFillPrice, fills } = o.snap().context;
        const applied = fills.map((id) => prices.get(id)!);
        expect(filledQty).toBe(applied.reduce((sum, f) => sum + f.qty, 0));
        if (applied.length > 0) {
          const ps = applied.map((f) => f.price);
          expect(avgFillPrice!).toBeGreaterThanOrEqual(Math.min(...ps) - 1e-9);
          expect(avgFillPrice!).toBeLessThanOrEqual(Math.max(...ps) + 1e-9);
        }
        expect(o.snap().value === 'filled').toBe(filledQty === qty);
      }),
    );
  });

  it('applies exactly the fills a reference model accepts (first of each id, only if it fits)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.array(fillArb, { maxLength: 30 }), (qty, fills) => {
        const o = start({ qty });
        o.send({ type: 'SUBMIT', time: 1_100 }, { type: 'ACCEPTED', serverOrderId: 'S1', time: 1_200 });
        let filled = 0;
        let notional = 0;
        const seen = new Set<string>();
        let flagged = 0;
        for (const f of fills) {
          if (filled === qty) break; // a finished order actor accepts nothing more
          o.send(fill(f.executionId, f.qty, f.price));
          if (seen.has(f.executionId)) continue; // a duplicate: dropped silently
          if (f.qty <= 0 || f.qty > qty - filled) {
            flagged++;
            continue;
          }
          seen.add(f.executionId);
          filled += f.qty;
          notional += f.qty * f.price;
        }
        const { context } = o.snap();
        expect(context.filledQty).toBe(filled);
        expect(context.fills).toEqual([...seen]);
        expect(context.anomalies).toHaveLength(flagged);
        if (filled > 0) expect(context.avgFillPrice!).toBeCloseTo(notional / filled, 6);
        else expect(context.avgFillPrice).toBeNull();
      }),
    );
  });
});
