import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fillPriceOnBar, fillPriceOnQuote, isTradableQuote, type WorkingOrder } from '../../core/fillModel.ts';
import type { Bar, OrderType, Quote, Side } from '../../core/types.ts';

const TICK = 0.25;
const params = { tickSize: TICK, slippageTicks: 1 };
const T = 1_700_000_000_000;

const quote = (bid: number, ask: number, time = T): Quote => ({ symbol: 'ESZ25', time, bid, ask, bidSize: 5, askSize: 5 });
const order = (side: Side, type: OrderType, prices: { price?: number; stopPrice?: number } = {}, extra: Partial<WorkingOrder> = {}): WorkingOrder => ({
  clientOrderId: 'o1', symbol: 'ESZ25', side, qty: 1, type, submittedAt: T, ...prices, ...extra,
});

describe('fillPriceOnQuote', () => {
  it.each<OrderType>(['market', 'limit', 'stop', 'stopLimit'])('a %s order never fills on a quote older than the order (latency)', (type) => {
    const o = order('buy', type, { price: 6010, stopPrice: 5990 }, { submittedAt: T + 1 });
    expect(fillPriceOnQuote(o, quote(6000, 6000.25, T), params)).toBeNull();
    expect(fillPriceOnQuote(o, quote(6000, 6000.25, T + 1), params)).not.toBeNull();
  });

  it('market: a buy pays the ask plus slippage, a sell gets the bid minus slippage', () => {
    expect(fillPriceOnQuote(order('buy', 'market'), quote(6000, 6000.25), params)).toBe(6000.5);
    expect(fillPriceOnQuote(order('sell', 'market'), quote(6000, 6000.25), params)).toBe(5999.75);
    expect(fillPriceOnQuote(order('buy', 'market'), quote(6000, 6000.5), { tickSize: TICK, slippageTicks: 0 })).toBe(6000.5);
  });

  it('market: an ask off the tick grid is rounded against the order, never in its favour', () => {
    expect(fillPriceOnQuote(order('buy', 'market'), quote(6000, 6000.1), { tickSize: TICK, slippageTicks: 0 })).toBe(6000.25);
    expect(fillPriceOnQuote(order('sell', 'market'), quote(6000.1, 6000.25), { tickSize: TICK, slippageTicks: 0 })).toBe(6000);
  });

  it('limit on arrival: marketable takes the quote (never beyond the limit), else waits', () => {
    expect(fillPriceOnQuote(order('buy', 'limit', { price: 6001 }), quote(6000, 6000.25), params)).toBe(6000.25);
    expect(fillPriceOnQuote(order('buy', 'limit', { price: 6000.25 }), quote(6000, 6000.25), params)).toBe(6000.25);
    expect(fillPriceOnQuote(order('buy', 'limit', { price: 6000 }), quote(6000, 6000.25), params)).toBeNull();
    expect(fillPriceOnQuote(order('sell', 'limit', { price: 5999 }), quote(6000, 6000.25), params)).toBe(6000);
    expect(fillPriceOnQuote(order('sell', 'limit', { price: 6000.25 }), quote(6000, 6000.25), params)).toBeNull();
  });

  it('limit resting: a touch is not a fill; trading through fills at the limit, not at the better quote', () => {
    const buy = order('buy', 'limit', { price: 6000 }, { rested: true });
    expect(fillPriceOnQuote(buy, quote(5999.75, 6000), params)).toBeNull();
    expect(fillPriceOnQuote(buy, quote(5999.25, 5999.5), params)).toBe(6000);
    const sell = order('sell', 'limit', { price: 6001 }, { rested: true });
    expect(fillPriceOnQuote(sell, quote(6001, 6001.25), params)).toBeNull();
    expect(fillPriceOnQuote(sell, quote(6001.25, 6001.5), params)).toBe(6001);
  });

  it('stop: a touch of the ask (buy) or bid (sell) triggers a market fill with slippage', () => {
    expect(fillPriceOnQuote(order('buy', 'stop', { stopPrice: 6001 }), quote(6000.5, 6000.75), params)).toBeNull();
    expect(fillPriceOnQuote(order('buy', 'stop', { stopPrice: 6001 }), quote(6000.75, 6001), params)).toBe(6001.25);
    expect(fillPriceOnQuote(order('buy', 'stop', { stopPrice: 6001 }), quote(6002, 6002.25), params)).toBe(6002.5);
    expect(fillPriceOnQuote(order('sell', 'stop', { stopPrice: 5999 }), quote(5999.25, 5999.5), params)).toBeNull();
    expect(fillPriceOnQuote(order('sell', 'stop', { stopPrice: 5999 }), quote(5999, 5999.25), params)).toBe(5998.75);
  });

  it('stop-limit: triggers like a stop, then fills at the quote only within its limit', () => {
    const buy = order('buy', 'stopLimit', { stopPrice: 6001, price: 6001.5 });
    expect(fillPriceOnQuote(buy, quote(6000.5, 6000.75), params)).toBeNull();
    expect(fillPriceOnQuote(buy, quote(6001, 6001.25), params)).toBe(6001.25);
    expect(fillPriceOnQuote(buy, quote(6001.75, 6002), params)).toBeNull(); // through the limit
    const sell = order('sell', 'stopLimit', { stopPrice: 5999, price: 5998.5 });
    expect(fillPriceOnQuote(sell, quote(5998.75, 5999), params)).toBe(5998.75);
    expect(fillPriceOnQuote(sell, quote(5998, 5998.25), params)).toBeNull();
  });

  it.each([
    ['crossed', quote(6001, 6000)],
    ['NaN bid', quote(Number.NaN, 6000)],
    ['zero ask', quote(6000, 0)],
    ['infinite ask', quote(6000, Number.POSITIVE_INFINITY)],
  ])('an unusable quote (%s) fills nothing', (_name, q) => {
    expect(isTradableQuote(q)).toBe(false);
    for (const type of ['market', 'limit', 'stop', 'stopLimit'] as const) {
      expect(fillPriceOnQuote(order('buy', type, { price: 7000, stopPrice: 1 }), q, params)).toBeNull();
      expect(fillPriceOnQuote(order('sell', type, { price: 1, stopPrice: 7000 }), q, params)).toBeNull();
    }
  });

  // Scenario generator: quotes, prices and slippage on the 0.25 grid, in integer ticks.
  const tick = fc.integer({ min: 23_900, max: 24_100 }); // 5975..6025
  const scenario = fc.record({
    type: fc.constantFrom<OrderType>('market', 'limit', 'stop', 'stopLimit'),
    side: fc.constantFrom<Side>('buy', 'sell'),
    bid: tick,
    spread: fc.integer({ min: 0, max: 4 }),
    price: tick,
    stopPrice: tick,
    rested: fc.boolean(),
    slippageTicks: fc.integer({ min: 0, max: 4 }),
  });
  const q4 = (t: number) => t / 4;

  it('property: fills are on the tick grid, inside [bid - slippage, ask + slippage] (or at a resting limit), buys at or above the ask, sells at or below the bid, limits never beyond their price', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const q = quote(q4(s.bid), q4(s.bid + s.spread));
        const o = order(s.side, s.type, { price: q4(s.price), stopPrice: q4(s.stopPrice) }, { rested: s.rested });
        const fill = fillPriceOnQuote(o, q, { tickSize: TICK, slippageTicks: s.slippageTicks });
        if (fill === null) return;
        const slip = s.slippageTicks * TICK;
        expect(Number.isInteger(fill / TICK)).toBe(true);
        // A resting limit fills at its own price, which the quote may have gone through.
        expect(fill).toBeGreaterThanOrEqual(Math.min(q.bid - slip, s.type === 'limit' ? o.price! : Infinity));
        expect(fill).toBeLessThanOrEqual(Math.max(q.ask + slip, s.type === 'limit' ? o.price! : -Infinity));
        if (s.side === 'buy') expect(fill).toBeGreaterThanOrEqual(q.ask);
        else expect(fill).toBeLessThanOrEqual(q.bid);
        if (s.type === 'limit' || s.type === 'stopLimit') {
          if (s.side === 'buy') expect(fill).toBeLessThanOrEqual(o.price!);
          else expect(fill).toBeGreaterThanOrEqual(o.price!);
        }
        if (s.type === 'stop' || s.type === 'stopLimit') {
          // A stop only trades once the market reached it.
          if (s.side === 'buy') expect(q.ask).toBeGreaterThanOrEqual(o.stopPrice!);
          else expect(q.bid).toBeLessThanOrEqual(o.stopPrice!);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('property: a market order always fills, a resting limit fills only when the quote is strictly through it', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const q = quote(q4(s.bid), q4(s.bid + s.spread));
        const p = { tickSize: TICK, slippageTicks: s.slippageTicks };
        expect(fillPriceOnQuote(order(s.side, 'market'), q, p)).not.toBeNull();
        const limit = q4(s.price);
        const resting = fillPriceOnQuote(order(s.side, 'limit', { price: limit }, { rested: true }), q, p);
        const through = s.side === 'buy' ? q.ask < limit : q.bid > limit;
        expect(resting).toBe(through ? limit : null);
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: sells mirror buys (mirror the quote and the order prices around a price, swap the side)', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 47_800, max: 48_200 }), (s, center8) => {
        const c = center8 / 8; // half-tick grid: the mirror of a tick price is a tick price
        const m = (x: number) => 2 * c - x;
        const q = quote(q4(s.bid), q4(s.bid + s.spread));
        const mq = quote(m(q.ask), m(q.bid));
        const p = { tickSize: TICK, slippageTicks: s.slippageTicks };
        const o = order(s.side, s.type, { price: q4(s.price), stopPrice: q4(s.stopPrice) }, { rested: s.rested });
        const mo = order(s.side === 'buy' ? 'sell' : 'buy', s.type, { price: m(q4(s.price)), stopPrice: m(q4(s.stopPrice)) }, { rested: s.rested });
        const fill = fillPriceOnQuote(o, q, p);
        expect(fillPriceOnQuote(mo, mq, p)).toBe(fill === null ? null : m(fill));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('fillPriceOnBar (range property)', () => {
  it('property: fills are on the tick grid, inside [low - slippage, high + slippage], limit buys never above the limit and sells never below', () => {
    const tick = fc.integer({ min: 23_900, max: 24_100 });
    fc.assert(
      fc.property(
        fc.record({
          type: fc.constantFrom<OrderType>('market', 'limit', 'stop', 'stopLimit'),
          side: fc.constantFrom<Side>('buy', 'sell'),
          a: tick, b: tick, c: tick, d: tick,
          price: tick,
          stopPrice: tick,
          slippageTicks: fc.integer({ min: 0, max: 4 }),
        }),
        (s) => {
          const q4 = (t: number) => t / 4;
          const bar: Bar = {
            symbol: 'ESZ25', time: T, open: q4(s.a), close: q4(s.b),
            high: q4(Math.max(s.a, s.b, s.c, s.d)), low: q4(Math.min(s.a, s.b, s.c, s.d)), volume: 10,
          };
          const o = order(s.side, s.type, { price: q4(s.price), stopPrice: q4(s.stopPrice) });
          const fill = fillPriceOnBar(o, bar, { tickSize: TICK, slippageTicks: s.slippageTicks });
          if (fill === null) return;
          const slip = s.slippageTicks * TICK;
          expect(Number.isInteger(fill / TICK)).toBe(true);
          expect(fill).toBeGreaterThanOrEqual(bar.low - slip);
          expect(fill).toBeLessThanOrEqual(bar.high + slip);
          if (s.type === 'limit' || s.type === 'stopLimit') {
            if (s.side === 'buy') expect(fill).toBeLessThanOrEqual(o.price!);
            else expect(fill).toBeGreaterThanOrEqual(o.price!);
          }
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
