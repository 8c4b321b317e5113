/**
 * The paper engine beyond the in-process session's needs: quote-driven matching, bars as
 * the fallback, cancel/replace, flatten, brackets, accounts and balances, the fills
 * history, and its state round trip. Money is computed here from first principles
 * (ES: $50 a point), not read back from the engine.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SimulatedVenue, type VenueEvent, type SimulatedVenueParams } from '../../../adapters/simulated/simulatedVenue.ts';
import type { Bar, OrderRequest, Quote } from '../../../core/types.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2025-11-03T15:00:00Z'); // Monday, CME trading day 2025-11-03
const POINT = 50;
const params: SimulatedVenueParams = { tickSize: 0.25, slippageTicks: 1, commissionPerContract: 2.25, barMs: MINUTE, marginPerContract: 500, startingBalance: 50_000 };

const bar = (i: number, open: number, high: number, low: number, close: number, symbol = 'ESZ25'): Bar => ({
  symbol, time: T0 + i * MINUTE, open, high, low, close, volume: 100,
});
const quote = (ms: number, bid: number, ask: number, symbol = 'ESZ25'): Quote => ({ symbol, time: T0 + ms, bid, ask, bidSize: 5, askSize: 5 });
const req = (id: string, at: number, o: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: id, symbol: 'ESZ25', side: 'buy', qty: 1, type: 'market', tif: 'day', purpose: 'entry', createdAt: T0 + at, ...o,
});

const setup = (p: Partial<SimulatedVenueParams> = {}) => {
  const venue = new SimulatedVenue({ ...params, ...p });
  const events: VenueEvent[] = [];
  venue.subscribe((e) => events.push(e));
  const types = () => events.map((e) => (e.type === 'account' ? e.type : `${e.type}:${'order' in e && e.order ? e.order.clientOrderId : ''}`));
  return { venue, events, types };
};

describe('SimulatedVenue: quote-driven matching', () => {
  it('a market order fills at the next quote (ask + slippage), not at a quote that came before it', () => {
    const { venue } = setup();
    venue.onQuote(quote(0, 6000, 6000.25));
    venue.submit(req('M', 10), T0 + 10);
    expect(venue.order('M')!.status).toBe('working');
    venue.onQuote(quote(20, 6001, 6001.25));
    expect(venue.order('M')).toMatchObject({ status: 'filled', avgFillPrice: 6001.5, filledQty: 1 });
    expect(venue.fills()).toMatchObject([{ clientOrderId: 'M', price: 6001.5, time: T0 + 20, executionId: 'SIMX-1', serverOrderId: 'SIM-1' }]);
  });

  it('a resting limit fills when the quote trades through it, at the limit; a stop triggers on a touch', () => {
    const { venue } = setup();
    venue.submit(req('L', 0, { type: 'limit', price: 5995 }), T0);
    venue.submit(req('S', 0, { side: 'sell', type: 'stop', stopPrice: 5990 }), T0);
    venue.onQuote(quote(1, 5999, 5999.25)); // both rest
    venue.onQuote(quote(2, 5994.75, 5995)); // touch: no fill
    expect(venue.order('L')!.status).toBe('working');
    venue.onQuote(quote(3, 5994.5, 5994.75)); // through
    expect(venue.order('L')).toMatchObject({ status: 'filled', avgFillPrice: 5995 });
    venue.onQuote(quote(4, 5990, 5990.25)); // sell stop touched at the bid
    expect(venue.order('S')).toMatchObject({ status: 'filled', avgFillPrice: 5989.75 });
    expect(venue.position).toBe(0);
  });

  it('bars are the fallback: they match only while no quote arrived during the bar', () => {
    const { venue } = setup();
    venue.submit(req('L', 0, { type: 'limit', price: 5995 }), T0);
    venue.onQuote(quote(30_000, 5999, 5999.25)); // a quote inside bar 0
    venue.onBar(bar(0, 6000, 6001, 5990, 5999)); // its low went through the limit, but quotes rule
    expect(venue.order('L')!.status).toBe('working');
    venue.onBar(bar(1, 5999, 6000, 5990, 5992)); // no quote during bar 1: the bar matches
    expect(venue.order('L')).toMatchObject({ status: 'filled', avgFillPrice: 5995 });
  });

  it('IOC: cancelled when the first eligible price does not fill it', () => {
    const { venue } = setup();
    venue.submit(req('I', 0, { type: 'limit', price: 5990, tif: 'ioc' }), T0);
    venue.onQuote(quote(1, 5999, 5999.25));
    expect(venue.order('I')).toMatchObject({ status: 'cancelled', reason: expect.stringMatching(/IOC/) });
    venue.submit(req('J', 2, { type: 'limit', price: 6000, tif: 'ioc' }), T0 + 2);
    venue.onQuote(quote(3, 5999, 5999.25));
    expect(venue.order('J')).toMatchObject({ status: 'filled', avgFillPrice: 5999.25 });
  });

  it('ignores broken quotes and bars: no fill, no mark, no throw', () => {
    const { venue } = setup();
    venue.submit(req('M', 0), T0);
    expect(() => {
      venue.onQuote(quote(1, Number.NaN, 6000));
      venue.onQuote(quote(2, 6001, 6000));
      venue.onBar({ ...bar(0, 6000, 6001, 5999, 6000), open: Number.NaN });
      venue.onBar(bar(0, 6000, 5990, 6010, 6000)); // high below low
      venue.onTrade({ symbol: 'ESZ25', time: T0, price: Number.NaN, size: 1 });
    }).not.toThrow();
    expect(venue.order('M')!.status).toBe('working');
    expect(venue.markFor('ESZ25')).toBeUndefined();
  });
});

describe('SimulatedVenue: cancel/replace', () => {
  it('changes price and quantity of a working order, keeps its ids, and matches on the new terms only', () => {
    const { venue, events } = setup();
    venue.submit(req('L', 0, { type: 'limit', price: 5990, qty: 1 }), T0);
    venue.replace('L', { price: 5995, qty: 2 }, T0 + 5);
    expect(events.at(-1)).toMatchObject({ type: 'replaced', order: { clientOrderId: 'L', serverOrderId: 'SIM-1', price: 5995, qty: 2 } });
    venue.onQuote(quote(10, 5996, 5996.25));
    venue.onQuote(quote(11, 5994.5, 5994.75));
    expect(venue.order('L')).toMatchObject({ status: 'filled', filledQty: 2, avgFillPrice: 5995 });
    expect(venue.position).toBe(2);
  });

  it('refuses what it cannot do, and leaves the order untouched', () => {
    const { venue, events } = setup();
    venue.submit(req('L', 0, { type: 'limit', price: 5990 }), T0);
    venue.submit(req('M', 0), T0);
    const refusals: [string, Parameters<SimulatedVenue['replace']>[1], RegExp][] = [
      ['nope', { price: 1 }, /no working order/],
      ['L', { qty: 0 }, /quantity/],
      ['L', { price: Number.NaN }, /positive finite price/],
      ['L', { stopPrice: 5980 }, /no stop price/],
      ['M', { price: 6000 }, /no limit price/],
    ];
    for (const [id, terms, why] of refusals) {
      venue.replace(id, terms, T0 + 1);
      const e = events.at(-1)!;
      expect(e.type).toBe('replaceRejected');
      expect((e as { reason: string }).reason).toMatch(why);
    }
    expect(venue.order('L')).toMatchObject({ price: 5990, qty: 1, status: 'working' });
    venue.onQuote(quote(2, 6000, 6000.25));
    venue.replace('M', { qty: 3 }, T0 + 3);
    expect(events.at(-1)).toMatchObject({ type: 'replaceRejected', reason: 'order is filled, not working' });
  });
});

describe('SimulatedVenue: brackets and OCO', () => {
  it('bracket legs wait as pending children, start working when the parent fills, and one leg cancels the other', () => {
    const { venue, types } = setup();
    venue.submit(req('P', 0), T0);
    const [tp, sl] = venue.submitOco(
      [req('TP', 0, { side: 'sell', type: 'limit', price: 6010 }), req('SL', 0, { side: 'sell', type: 'stop', stopPrice: 5990 })],
      T0,
      { parentClientOrderId: 'P' },
    );
    expect([tp.status, sl.status]).toEqual(['pendingChild', 'pendingChild']);
    expect(venue.snapshot().orders.TP!.status).toBe('working'); // the orchestrator's view has no pending state
    venue.onQuote(quote(1, 5989, 5989.25)); // parent fills; the legs must not fill on the same quote
    expect(venue.order('P')!.status).toBe('filled');
    expect(venue.order('SL')!.status).toBe('working');
    venue.onQuote(quote(2, 6005, 6005.25)); // the legs rest
    venue.onQuote(quote(3, 6010.25, 6010.5)); // through the target: filled at its limit
    expect(venue.order('TP')).toMatchObject({ status: 'filled', avgFillPrice: 6010 });
    expect(venue.order('SL')).toMatchObject({ status: 'cancelled', reason: 'OCO sibling TP filled' });
    expect(types()).toEqual([
      'accepted:P', 'accepted:TP', 'accepted:SL',
      'filled:P', 'account', 'activated:TP', 'activated:SL',
      'filled:TP', 'account', 'cancelled:SL',
    ]);
    expect(venue.position).toBe(0);
  });

  it('UseOffsets legs are priced from the parent fill: target on the profitable side, stop on the losing side', () => {
    const { venue } = setup();
    venue.submit(req('P', 0, { side: 'sell' }), T0);
    venue.submitOco([req('TP', 0, { side: 'buy', type: 'limit' }), req('SL', 0, { side: 'buy', type: 'stop' })], T0, { parentClientOrderId: 'P', offsets: [4, 2] });
    venue.onQuote(quote(1, 6000, 6000.25)); // sells at 5999.75
    expect(venue.order('TP')).toMatchObject({ status: 'working', price: 5995.75 });
    expect(venue.order('SL')).toMatchObject({ status: 'working', stopPrice: 6001.75 });
  });

  it('cancelling the parent cancels its pending children; a dead parent refuses new children', () => {
    const { venue } = setup();
    venue.submit(req('P', 0, { type: 'limit', price: 5900 }), T0);
    venue.submitOco([req('A', 0, { side: 'sell', type: 'limit', price: 6100 }), req('B', 0, { side: 'sell', type: 'stop', stopPrice: 5800 })], T0, { parentClientOrderId: 'P' });
    venue.cancel('P', T0 + 1);
    expect(venue.order('A')).toMatchObject({ status: 'cancelled', reason: 'parent order P cancelled' });
    expect(venue.order('B')!.status).toBe('cancelled');
    const [c] = venue.submitOco([req('C', 2, { side: 'sell', type: 'limit', price: 6100 }), req('D', 2, { side: 'sell', type: 'stop', stopPrice: 5800 })], T0, { parentClientOrderId: 'P' });
    expect(c).toMatchObject({ status: 'rejected', reason: 'parent order P is cancelled' });
    expect(venue.order('D')).toMatchObject({ status: 'rejected', reason: 'parent order P is cancelled' });
  });

  it('an invalid leg rejects both; a resubmitted OCO creates nothing', () => {
    const { venue, events } = setup();
    const [a, b] = venue.submitOco([req('A', 0, { type: 'limit', price: 5990 }), req('B', 0, { type: 'stop' })], T0);
    expect(a.status).toBe('rejected');
    expect(b).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/stop price/) });
    venue.submitOco([req('X', 0, { type: 'limit', price: 5990 }), req('Y', 0, { side: 'sell', type: 'limit', price: 6010 })], T0);
    const before = venue.listOrders().length;
    events.length = 0;
    venue.submitOco([req('X', 0, { type: 'limit', price: 1 }), req('Y', 0, { side: 'sell', type: 'limit', price: 9999 })], T0);
    expect(venue.listOrders().length).toBe(before);
    expect(events.map((e) => e.type)).toEqual(['duplicate', 'duplicate']);
    expect(venue.order('X')!.price).toBe(5990);
  });
});

describe('SimulatedVenue: flatten', () => {
  it('cancels the working orders of the symbol and sends a market order against the position', () => {
    const { venue } = setup();
    venue.submit(req('E', 0, { qty: 2 }), T0);
    venue.onQuote(quote(1, 6000, 6000.25));
    venue.submit(req('STOP', 2, { side: 'sell', type: 'stop', stopPrice: 5990, qty: 2 }), T0 + 2);
    const [flat] = venue.flatten('PAPER1', 'ESZ25', 'F1', T0 + 3);
    expect(flat).toMatchObject({ clientOrderId: 'F1', side: 'sell', qty: 2, type: 'market', status: 'working' });
    expect(venue.order('STOP')).toMatchObject({ status: 'cancelled', reason: 'flatten' });
    venue.onQuote(quote(4, 6002, 6002.25));
    expect(venue.position).toBe(0);
    // a resend of the same flatten is a no-op
    venue.submit(req('E2', 5), T0 + 5);
    venue.flatten('PAPER1', 'ESZ25', 'F1', T0 + 6);
    expect(venue.order('E2')!.status).toBe('working');
  });

  it('on a flat account the ClientOrderID is recorded as rejected: nothing to flatten', () => {
    const { venue } = setup();
    const [r] = venue.flatten('PAPER1', null, 'F', T0);
    expect(r).toMatchObject({ status: 'rejected', reason: 'no open position in PAPER1: nothing to flatten' });
    expect(venue.flatten('NOPE', null, 'G', T0)[0]).toMatchObject({ status: 'rejected', reason: 'unknown trade account "NOPE"' });
  });
});

describe('SimulatedVenue: accounts, balances and fills history', () => {
  it('cash = start + realised - commissions; open P&L at the mark; margin per contract; available funds', () => {
    const { venue } = setup();
    venue.submit(req('B', 0, { qty: 2 }), T0);
    venue.onQuote(quote(1, 6000, 6000.25)); // buy 2 @ 6000.50
    venue.onQuote(quote(2, 6003.75, 6004.25)); // mark = mid 6004
    const open = (6004 - 6000.5) * 2 * POINT;
    let b = venue.balance('PAPER1')!;
    expect(b.cash).toBeCloseTo(50_000 - 2 * 2.25, 9);
    expect(b.openPnl).toBeCloseTo(open, 9);
    expect(b.marginRequirement).toBe(1_000);
    expect(b.available).toBeCloseTo(50_000 - 4.5 + open - 1_000, 9);
    venue.submit(req('S', 3, { side: 'sell' }), T0 + 3);
    venue.onQuote(quote(4, 6010, 6010.25)); // sell 1 @ 6009.75
    b = venue.balance('PAPER1')!;
    const realised = (6009.75 - 6000.5) * POINT;
    expect(b.cash).toBeCloseTo(50_000 + realised - 3 * 2.25, 9);
    expect(b.dailyPnl).toBeCloseTo(realised - 3 * 2.25, 9);
    expect(b.marginRequirement).toBe(500);
    expect(venue.positions()).toMatchObject([{ account: 'PAPER1', symbol: 'ESZ25', qty: 1, avgPrice: 6000.5 }]);
    expect(venue.fills().map((f) => [f.executionId, f.openClose, f.positionAfter])).toEqual([['SIMX-1', 'open', 2], ['SIMX-2', 'close', 1]]);
  });

  it('daily P&L counts only the fills of the current CME trading day (17:00 Chicago boundary)', () => {
    const { venue } = setup();
    const evening = Date.parse('2025-11-03T22:30:00Z'); // 16:30 CT Monday -> day 2025-11-03 (before the break ends)
    venue.submit({ ...req('A', 0), createdAt: evening }, evening);
    venue.onQuote({ ...quote(0, 6000, 6000.25), time: evening });
    const next = Date.parse('2025-11-03T23:30:00Z'); // 17:30 CT -> trading day 2025-11-04
    expect(venue.balance('PAPER1', evening)!.dailyPnl).toBeCloseTo(-2.25, 9);
    expect(venue.balance('PAPER1', next)!.dailyPnl).toBe(0);
  });

  it('keeps accounts apart: orders, positions and cash', () => {
    const { venue } = setup({ accounts: ['A1', 'A2'] });
    venue.submit(req('x', 0), T0, { account: 'A2' });
    venue.submit(req('y', 0), T0, { account: 'A3' });
    venue.onQuote(quote(1, 6000, 6000.25));
    expect(venue.order('y')).toMatchObject({ status: 'rejected', reason: 'unknown trade account "A3"' });
    expect(venue.positions('A1')).toEqual([]);
    expect(venue.positions('A2')).toMatchObject([{ qty: 1 }]);
    expect(venue.balance('A1')!.cash).toBe(50_000);
    expect(venue.balance('A2')!.cash).toBe(50_000 - 2.25);
    expect(venue.snapshot().position).toBe(0); // the default account is A1
    expect(venue.fills({ account: 'A1' })).toEqual([]);
  });

  it('property: cash + open P&L always equals start + (mark - price) * signed qty * $50 summed over fills - commissions', () => {
    const step = fc.record({ buy: fc.boolean(), qty: fc.integer({ min: 1, max: 3 }), bid: fc.integer({ min: 23_900, max: 24_100 }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const venue = new SimulatedVenue(params);
        let t = 0;
        steps.forEach((s, i) => {
          venue.submit(req(`o${i}`, t, { side: s.buy ? 'buy' : 'sell', qty: s.qty }), T0 + t);
          t += 1;
          venue.onQuote(quote(t, s.bid / 4, s.bid / 4 + 0.25));
          t += 1;
        });
        const mark = venue.markFor('ESZ25')!;
        const fills = venue.fills();
        expect(fills).toHaveLength(steps.length);
        const expected = fills.reduce((sum, f) => sum + (mark - f.price) * f.qty * (f.side === 'buy' ? 1 : -1) * POINT - f.commission, 50_000);
        const b = venue.balance('PAPER1')!;
        expect(b.cash + b.openPnl).toBeCloseTo(expected, 6);
        expect(venue.position).toBe(steps.reduce((q, s) => q + (s.buy ? s.qty : -s.qty), 0));
      }),
      { numRuns: 200 },
    );
  });
});

describe('SimulatedVenue: state', () => {
  it('exportState -> JSON -> restore carries on: same orders, positions, cash, fills and ids', () => {
    const { venue } = setup();
    venue.submit(req('A', 0, { qty: 2 }), T0);
    venue.onQuote(quote(1, 6000, 6000.25));
    venue.submit(req('L', 2, { side: 'sell', type: 'limit', price: 6010 }), T0 + 2);
    venue.submit(req('bad', 2, { qty: Number.NaN }), T0 + 2);
    const state = JSON.parse(JSON.stringify(venue.exportState()));
    const again = SimulatedVenue.restore(params, state);
    expect(again.listOrders().map((o) => [o.clientOrderId, o.status])).toEqual([['A', 'filled'], ['L', 'working'], ['bad', 'rejected']]);
    expect(again.balance('PAPER1')).toEqual(venue.balance('PAPER1'));
    expect(again.positions()).toEqual(venue.positions());
    expect(again.fills()).toEqual(venue.fills());
    again.submit(req('N', 3), T0 + 3);
    expect(again.order('N')!.serverOrderId).toBe('SIM-3'); // counters carry on
    again.onQuote(quote(4, 6010.25, 6010.5));
    expect(again.order('L')!.status).toBe('filled');
    expect(again.fills().map((f) => f.executionId)).toEqual(['SIMX-1', 'SIMX-2', 'SIMX-3']);
  });
});
