import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fillPriceOnBar, matchPriority, type WorkingOrder } from '../../core/fillModel.ts';
import type { Bar, OrderType, Side } from '../../core/types.ts';

const params = { tickSize: 0.25, slippageTicks: 1 };
const T = 1_700_000_000_000;

const bar = (open: number, high: number, low: number, close: number, time = T): Bar => ({
  symbol: 'ESZ25', time, open, high, low, close, volume: 100,
});
const order = (side: Side, type: OrderType, prices: { price?: number; stopPrice?: number } = {}, submittedAt = T): WorkingOrder => ({
  clientOrderId: 'o1', symbol: 'ESZ25', side, qty: 1, type, submittedAt, ...prices,
});

describe('fillPriceOnBar', () => {
  describe('latency', () => {
    it.each<OrderType>(['market', 'limit', 'stop', 'stopLimit'])('a %s order never fills on a bar that opened before its submission', (type) => {
      // a bar every order type would fill on, were it eligible
      const o = order('buy', type, { price: 105, stopPrice: 95 }, T + 1);
      expect(fillPriceOnBar(o, bar(100, 106, 94, 100, T), params)).toBeNull();
      expect(fillPriceOnBar(o, bar(100, 106, 94, 100, T + 1), params)).not.toBeNull();
    });
  });

  describe('market', () => {
    it('fills at the open plus slippage against the order', () => {
      expect(fillPriceOnBar(order('buy', 'market'), bar(100, 101, 99, 100), params)).toBe(100.25);
      expect(fillPriceOnBar(order('sell', 'market'), bar(100, 101, 99, 100), params)).toBe(99.75);
      expect(fillPriceOnBar(order('buy', 'market'), bar(100, 101, 99, 100), { tickSize: 0.25, slippageTicks: 3 })).toBe(100.75);
      expect(fillPriceOnBar(order('sell', 'market'), bar(100, 101, 99, 100), { tickSize: 0.25, slippageTicks: 0 })).toBe(100);
    });
  });

  describe('limit', () => {
    it('a touch is not a fill, trading through is (at the limit price)', () => {
      expect(fillPriceOnBar(order('buy', 'limit', { price: 99 }), bar(100, 101, 99, 100), params)).toBeNull();
      expect(fillPriceOnBar(order('buy', 'limit', { price: 99 }), bar(100, 101, 98.75, 100), params)).toBe(99);
      expect(fillPriceOnBar(order('sell', 'limit', { price: 101 }), bar(100, 101, 99, 100), params)).toBeNull();
      expect(fillPriceOnBar(order('sell', 'limit', { price: 101 }), bar(100, 101.25, 99, 100), params)).toBe(101);
    });

    it('a gap through the limit fills at the (better) open, without slippage', () => {
      expect(fillPriceOnBar(order('buy', 'limit', { price: 99 }), bar(98.5, 99.5, 98, 99), params)).toBe(98.5);
      expect(fillPriceOnBar(order('sell', 'limit', { price: 101 }), bar(101.5, 102, 100.5, 101), params)).toBe(101.5);
    });

    it('an open exactly at the limit is a touch too: no fill unless the bar trades through', () => {
      expect(fillPriceOnBar(order('buy', 'limit', { price: 99 }), bar(99, 100, 99, 100), params)).toBeNull();
      expect(fillPriceOnBar(order('buy', 'limit', { price: 99 }), bar(99, 100, 98.75, 100), params)).toBe(99);
      expect(fillPriceOnBar(order('sell', 'limit', { price: 101 }), bar(101, 101, 100, 100), params)).toBeNull();
    });

    it('does not fill when the bar stays on the wrong side', () => {
      expect(fillPriceOnBar(order('buy', 'limit', { price: 95 }), bar(100, 101, 99, 100), params)).toBeNull();
      expect(fillPriceOnBar(order('sell', 'limit', { price: 105 }), bar(100, 101, 99, 100), params)).toBeNull();
    });
  });

  describe('stop', () => {
    it('triggers on a touch and fills at the stop plus slippage', () => {
      expect(fillPriceOnBar(order('buy', 'stop', { stopPrice: 101 }), bar(100, 100.75, 99, 100), params)).toBeNull();
      expect(fillPriceOnBar(order('buy', 'stop', { stopPrice: 101 }), bar(100, 101, 99, 100), params)).toBe(101.25);
      expect(fillPriceOnBar(order('sell', 'stop', { stopPrice: 99 }), bar(100, 101, 99.25, 100), params)).toBeNull();
      expect(fillPriceOnBar(order('sell', 'stop', { stopPrice: 99 }), bar(100, 101, 99, 100), params)).toBe(98.75);
    });

    it('a gap through the stop fills at the (worse) open plus slippage', () => {
      expect(fillPriceOnBar(order('buy', 'stop', { stopPrice: 101 }), bar(101.5, 102, 101, 102), params)).toBe(101.75);
      expect(fillPriceOnBar(order('sell', 'stop', { stopPrice: 99 }), bar(98.5, 99, 98, 98), params)).toBe(98.25);
    });
  });

  describe('stopLimit', () => {
    const buy = order('buy', 'stopLimit', { stopPrice: 101, price: 101.5 });
    const sell = order('sell', 'stopLimit', { stopPrice: 99, price: 98.5 });

    it('does nothing until the stop is touched', () => {
      expect(fillPriceOnBar(buy, bar(100, 100.75, 99, 100), params)).toBeNull();
      expect(fillPriceOnBar(sell, bar(100, 101, 99.25, 100), params)).toBeNull();
    });

    it('once triggered inside the bar, fills at the stop (no slippage: it is a limit now)', () => {
      expect(fillPriceOnBar(buy, bar(100, 102, 99, 101), params)).toBe(101);
      expect(fillPriceOnBar(sell, bar(100, 101, 98, 99), params)).toBe(99);
    });

    it('a gap past the stop but within the limit fills at the open', () => {
      expect(fillPriceOnBar(buy, bar(101.25, 102, 101, 101), params)).toBe(101.25);
      expect(fillPriceOnBar(sell, bar(98.75, 99, 98, 99), params)).toBe(98.75);
    });

    it('a gap past the limit does not fill', () => {
      expect(fillPriceOnBar(buy, bar(102, 103, 101.75, 102), params)).toBeNull();
      expect(fillPriceOnBar(sell, bar(98, 98.25, 97, 98), params)).toBeNull();
    });
  });

  it('property: sells mirror buys (mirror the bar and the order prices around a price, swap the side)', () => {
    const tick = fc.integer({ min: 15_900, max: 16_100 }); // 3975..4025 in ticks
    const scenario = fc.record({
      type: fc.constantFrom<OrderType>('market', 'limit', 'stop', 'stopLimit'),
      side: fc.constantFrom<Side>('buy', 'sell'),
      a: tick, b: tick, c: tick, d: tick, // four bar prices: open, close and two path extremes
      price: tick,
      stopPrice: tick,
      center: fc.integer({ min: 31_800, max: 32_200 }), // on the half-tick grid: mirror stays on the tick grid
      slippageTicks: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(scenario, (s) => {
        const q = (t: number) => t / 4;
        const hi = Math.max(s.a, s.b, s.c, s.d);
        const lo = Math.min(s.a, s.b, s.c, s.d);
        const b = bar(q(s.a), q(hi), q(lo), q(s.b));
        const c = s.center / 8;
        const m = (x: number) => 2 * c - x;
        const mirrored = bar(m(b.open), m(b.low), m(b.high), m(b.close));
        const p = { tickSize: 0.25, slippageTicks: s.slippageTicks };
        const o = order(s.side, s.type, { price: q(s.price), stopPrice: q(s.stopPrice) });
        const mo = order(s.side === 'buy' ? 'sell' : 'buy', s.type, { price: m(q(s.price)), stopPrice: m(q(s.stopPrice)) });
        const fill = fillPriceOnBar(o, b, p);
        const mirrorFill = fillPriceOnBar(mo, mirrored, p);
        expect(mirrorFill).toBe(fill === null ? null : m(fill));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('matchPriority', () => {
  it('market first, then stops and stop-limits, then limits (the pessimistic reading of a bar)', () => {
    const p = (type: OrderType) => matchPriority(order('buy', type));
    expect(p('market')).toBeLessThan(p('stop'));
    expect(p('stop')).toBe(p('stopLimit'));
    expect(p('stopLimit')).toBeLessThan(p('limit'));
  });
});
