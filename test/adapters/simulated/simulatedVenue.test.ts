import { describe, it, expect } from 'vitest';
import { SimulatedVenue } from '../../../adapters/simulated/simulatedVenue.ts';
import type { Bar, OrderRequest } from '../../../core/types.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2025-11-03T15:00:00Z');
const params = { tickSize: 0.25, slippageTicks: 1, commissionPerContract: 2.25, barMs: MINUTE };

/** Bar `i` opens at T0 + i minutes. */
const bar = (i: number, open: number, high: number, low: number, close: number): Bar => ({
  symbol: 'ESZ25', time: T0 + i * MINUTE, open, high, low, close, volume: 100,
});
/** An order created at the close of bar `i - 1`, i.e. eligible from bar `i` on. */
const req = (id: string, i: number, o: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: id, symbol: 'ESZ25', side: 'buy', qty: 1, type: 'market', tif: 'day', purpose: 'entry', createdAt: T0 + i * MINUTE, ...o,
});

const setup = () => {
  const venue = new SimulatedVenue(params);
  const events: { type: string; [k: string]: unknown }[] = [];
  venue.attach((e) => events.push(e as never));
  const ofType = (type: string) => events.filter((e) => e.type === type);
  return { venue, events, ofType };
};

describe('SimulatedVenue', () => {
  it('reports the average price of its position: averaged on adds, kept on reductions, reset on a flip', () => {
    const { venue } = setup();
    venue.submit(req('A', 1), T0);
    venue.onBar(bar(1, 100, 101, 99, 100)); // buy 1 at 100.25 (slippage)
    venue.submit(req('B', 2), T0);
    venue.onBar(bar(2, 102, 103, 101, 102)); // buy 1 at 102.25
    expect(venue.snapshot()).toMatchObject({ position: 2, avgPrice: 101.25 });
    venue.submit(req('C', 3, { side: 'sell' }), T0);
    venue.onBar(bar(3, 104, 105, 103, 104)); // sell 1: the remaining contract keeps its cost
    expect(venue.snapshot()).toMatchObject({ position: 1, avgPrice: 101.25 });
    venue.submit(req('D', 4, { side: 'sell', qty: 2 }), T0);
    venue.onBar(bar(4, 98, 99, 97, 98)); // sell 2 at 97.75: flat, then short 1 at the fill
    expect(venue.snapshot()).toMatchObject({ position: -1, avgPrice: 97.75 });
    venue.submit(req('E', 5), T0);
    venue.onBar(bar(5, 98, 99, 97, 98));
    expect(venue.snapshot().position).toBe(0);
    expect(venue.snapshot()).not.toHaveProperty('avgPrice');
  });

  it('accepts, then fills on the next bar, not on the bar the order was placed in', () => {
    const { venue, events, ofType } = setup();
    venue.submit(req('A', 1), T0 + MINUTE);
    expect(events).toEqual([{ type: 'VENUE.ACCEPTED', clientOrderId: 'A', serverOrderId: 'SIM-1', time: T0 + MINUTE }]);
    venue.onBar(bar(0, 100, 101, 99, 100)); // the bar during which the order was created
    expect(ofType('VENUE.FILL')).toEqual([]);
    venue.onBar(bar(1, 100.5, 101, 99, 100));
    expect(ofType('VENUE.FILL')).toEqual([
      { type: 'VENUE.FILL', fill: { clientOrderId: 'A', executionId: 'SIMX-1', symbol: 'ESZ25', side: 'buy', qty: 1, price: 100.75, time: T0 + MINUTE, commission: 2.25 } },
    ]);
    expect(venue.position).toBe(1);
    expect(venue.snapshot()).toEqual({
      orders: { A: { status: 'filled', serverOrderId: 'SIM-1', filledQty: 1, avgFillPrice: 100.75 } },
      position: 1,
      avgPrice: 100.75,
    });
  });

  it('rejects a duplicate ClientOrderID without touching the original order', () => {
    const { venue, ofType } = setup();
    venue.submit(req('A', 1, { type: 'limit', price: 95, qty: 2 }), T0);
    venue.submit(req('A', 1, { side: 'sell', qty: 1 }), T0 + 1);
    expect(ofType('VENUE.REJECTED')).toEqual([{ type: 'VENUE.REJECTED', clientOrderId: 'A', reason: 'duplicate ClientOrderID', time: T0 + 1 }]);
    expect(venue.snapshot().orders.A).toEqual({ status: 'working', serverOrderId: 'SIM-1', filledQty: 0 });
    venue.onBar(bar(1, 100, 101, 99, 100));
    expect(ofType('VENUE.FILL')).toEqual([]); // the duplicate market sell never became an order
    venue.onBar(bar(2, 96, 96, 94, 95));
    expect(ofType('VENUE.FILL').map((e) => e.fill)).toMatchObject([{ clientOrderId: 'A', side: 'buy', qty: 2, price: 95 }]);
    // a rejected ID stays rejected with its first reason
    venue.submit(req('B', 3, { qty: 0 }), T0);
    const first = venue.snapshot().orders.B;
    venue.submit(req('B', 3), T0);
    expect(venue.snapshot().orders.B).toEqual(first);
    expect(ofType('VENUE.REJECTED').at(-1)).toMatchObject({ clientOrderId: 'B', reason: 'duplicate ClientOrderID' });
  });

  it.each<[string, Partial<OrderRequest>, RegExp]>([
    ['unknown symbol', { symbol: 'XYZ' }, /unknown symbol "XYZ"/],
    ['qty 0', { qty: 0 }, /quantity.*got 0/],
    ['qty 1.5', { qty: 1.5 }, /quantity.*got 1.5/],
    ['negative qty', { qty: -1 }, /quantity.*got -1/],
    ['NaN qty', { qty: Number.NaN }, /quantity.*got NaN/],
    ['limit with a NaN price', { type: 'limit', price: Number.NaN }, /limit order needs a positive finite price, got NaN/],
    ['limit without a price', { type: 'limit' }, /limit order needs a positive finite price/],
    ['stop with an infinite stop price', { type: 'stop', stopPrice: Number.POSITIVE_INFINITY }, /stop order needs a positive finite stop price/],
    ['stop-limit without a stop price', { type: 'stopLimit', price: 100 }, /stopLimit order needs a positive finite stop price/],
    ['stop-limit with a zero limit', { type: 'stopLimit', price: 0, stopPrice: 100 }, /stopLimit order needs a positive finite price, got 0/],
  ])('rejects an invalid order (%s) with a reason, never throws', (_name, o, reason) => {
    const { venue, events } = setup();
    expect(() => venue.submit(req('X', 1, o), T0 + 5)).not.toThrow();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'VENUE.REJECTED', clientOrderId: 'X', time: T0 + 5 });
    expect(events[0]!.reason).toMatch(reason);
    expect(venue.snapshot().orders.X).toMatchObject({ status: 'rejected', filledQty: 0 });
    venue.onBar(bar(1, 100, 200, 1, 100));
    venue.onEnd();
    expect(events).toHaveLength(1);
    expect(venue.position).toBe(0);
  });

  describe('OCO brackets', () => {
    /** Long 1 from bar 1, then a stop at 95 and a target at 110 placed for bar 2. */
    const bracket = (limitFirst: boolean) => {
      const s = setup();
      s.venue.submit(req('entry', 1), T0);
      s.venue.onBar(bar(1, 100, 100, 100, 100));
      const stop = req('stop', 2, { side: 'sell', type: 'stop', stopPrice: 95, ocoGroup: 'b1', purpose: 'bracket-stop' });
      const target = req('target', 2, { side: 'sell', type: 'limit', price: 110, ocoGroup: 'b1', purpose: 'bracket-target' });
      for (const o of limitFirst ? [target, stop] : [stop, target]) s.venue.submit(o, T0 + 2 * MINUTE);
      s.events.length = 0;
      return s;
    };

    it('one leg fills -> the other is cancelled and can no longer fill', () => {
      const { venue, events } = bracket(false);
      venue.onBar(bar(2, 105, 111, 104, 110));
      expect(events.map((e) => e.type)).toEqual(['VENUE.FILL', 'VENUE.CANCELED']);
      expect(events[0]!.fill).toMatchObject({ clientOrderId: 'target', price: 110 });
      expect(events[1]).toEqual({ type: 'VENUE.CANCELED', clientOrderId: 'stop', time: T0 + 2 * MINUTE });
      expect(venue.snapshot().orders.stop).toMatchObject({ status: 'cancelled' });
      venue.onBar(bar(3, 90, 90, 80, 85));
      expect(events.filter((e) => e.type === 'VENUE.FILL')).toHaveLength(1);
      expect(venue.position).toBe(0);
    });

    it.each([false, true])('a bar that hits both legs fills the stop first (target submitted first: %s)', (limitFirst) => {
      const { venue, events } = bracket(limitFirst);
      venue.onBar(bar(2, 100, 112, 94, 100));
      expect(events.map((e) => e.type)).toEqual(['VENUE.FILL', 'VENUE.CANCELED']);
      expect(events[0]!.fill).toMatchObject({ clientOrderId: 'stop', side: 'sell', price: 94.75 });
      expect(events[1]).toMatchObject({ clientOrderId: 'target' });
      expect(venue.snapshot()).toMatchObject({ position: 0, orders: { stop: { status: 'filled' }, target: { status: 'cancelled' } } });
    });
  });

  it('cancel: a working order is cancelled; unknown or already filled IDs get CANCEL_REJECTED', () => {
    const { venue, events, ofType } = setup();
    venue.cancel('nope', T0);
    expect(events).toEqual([{ type: 'VENUE.CANCEL_REJECTED', clientOrderId: 'nope', reason: 'no working order with that ClientOrderID', time: T0 }]);
    venue.submit(req('L', 1, { type: 'limit', price: 90 }), T0);
    venue.cancel('L', T0 + 10);
    expect(ofType('VENUE.CANCELED')).toEqual([{ type: 'VENUE.CANCELED', clientOrderId: 'L', time: T0 + 10 }]);
    expect(venue.snapshot().orders.L).toEqual({ status: 'cancelled', serverOrderId: 'SIM-1', filledQty: 0 });
    venue.onBar(bar(1, 85, 86, 80, 85));
    expect(ofType('VENUE.FILL')).toEqual([]);
    venue.submit(req('M', 1), T0);
    venue.onBar(bar(2, 100, 100, 100, 100));
    venue.cancel('M', T0 + 3 * MINUTE);
    expect(ofType('VENUE.CANCEL_REJECTED').map((e) => e.clientOrderId)).toEqual(['nope', 'M']);
    expect(venue.snapshot().orders.M).toMatchObject({ status: 'filled' });
  });

  it('snapshot() reports every order it knows and the net position, for reconciliation', () => {
    const { venue } = setup();
    venue.submit(req('buy2', 1, { qty: 2 }), T0);
    venue.submit(req('sell1', 1, { side: 'sell' }), T0);
    venue.submit(req('rest', 1, { type: 'limit', price: 50 }), T0);
    venue.submit(req('bad', 1, { symbol: '??' }), T0);
    venue.submit(req('gone', 1, { type: 'stop', stopPrice: 200 }), T0);
    venue.cancel('gone', T0);
    venue.onBar(bar(1, 100, 100, 100, 100));
    const snap = venue.snapshot();
    expect(snap.position).toBe(1);
    expect(Object.fromEntries(Object.entries(snap.orders).map(([id, o]) => [id, o.status]))).toEqual({
      buy2: 'filled', sell1: 'filled', rest: 'working', bad: 'rejected', gone: 'cancelled',
    });
    expect(snap.orders.buy2).toEqual({ status: 'filled', serverOrderId: 'SIM-1', filledQty: 2, avgFillPrice: 100.25 });
    expect(snap.orders.sell1).toMatchObject({ avgFillPrice: 99.75 });
    // a copy: mutating it does not change the venue
    snap.orders.rest!.status = 'filled';
    expect(venue.snapshot().orders.rest!.status).toBe('working');
  });

  it('onEnd fills pending market orders at the last close with slippage; other orders stay working', () => {
    const { venue, events, ofType } = setup();
    venue.onEnd(); // no bar yet: nothing to fill against
    expect(events).toEqual([]);
    venue.onBar(bar(1, 100, 101, 99, 100.5));
    venue.submit(req('mkt', 2, { side: 'sell', qty: 2 }), T0 + 2 * MINUTE);
    venue.submit(req('lim', 2, { type: 'limit', price: 105 }), T0 + 2 * MINUTE);
    venue.onEnd();
    expect(ofType('VENUE.FILL').map((e) => e.fill)).toEqual([
      { clientOrderId: 'mkt', executionId: 'SIMX-1', symbol: 'ESZ25', side: 'sell', qty: 2, price: 100.25, time: T0 + 2 * MINUTE, commission: 4.5 },
    ]);
    expect(venue.snapshot()).toMatchObject({ position: -2, orders: { lim: { status: 'working' } } });
  });

  it('marks only while a position is open, stamped at the bar close', () => {
    const { venue, ofType } = setup();
    venue.onBar(bar(0, 100, 100, 100, 100));
    venue.submit(req('in', 1), T0 + MINUTE);
    venue.onBar(bar(1, 100, 101, 99, 101)); // entry fills here: marked at this close
    venue.onBar(bar(2, 101, 102, 100, 102));
    venue.submit(req('out', 3, { side: 'sell' }), T0 + 3 * MINUTE);
    venue.onBar(bar(3, 102, 102, 101, 101.5)); // exit fills here: flat, no mark
    venue.onBar(bar(4, 101, 101, 100, 100));
    expect(ofType('VENUE.MARK')).toEqual([
      { type: 'VENUE.MARK', price: 101, time: T0 + 2 * MINUTE },
      { type: 'VENUE.MARK', price: 102, time: T0 + 3 * MINUTE },
    ]);
  });

  it('reports to one attached client; detach stops the reports, the state lives on', () => {
    const venue = new SimulatedVenue(params);
    const a: string[] = [];
    const b: string[] = [];
    const la = (e: { type: string }) => a.push(e.type);
    const lb = (e: { type: string }) => b.push(e.type);
    venue.attach(la);
    venue.submit(req('A', 1), T0);
    venue.attach(lb); // a reconnecting client replaces the old one
    venue.detach(la); // detaching a stale listener does not cut the new one off
    venue.onBar(bar(1, 100, 100, 100, 100));
    venue.detach(lb);
    venue.onBar(bar(2, 100, 100, 100, 100));
    expect(a).toEqual(['VENUE.ACCEPTED']);
    expect(b).toEqual(['VENUE.FILL', 'VENUE.MARK']);
    expect(venue.snapshot().position).toBe(1);
  });
});
