import { describe, it, expect } from 'vitest';
import { OrderBookImbalance, sizeImbalance } from '../../../strategy/features/orderBookImbalance.ts';
import type { BookSnapshot } from '../../../core/types.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { NQ_DOM, nqDom } from '../fixtures/nqTicks.ts';

const p = { l1Weight: 0.6, depthLevels: 5, maxAgeMs: 1000 };
const lv = (sizes: number[], from: number, step: number) => sizes.map((size, i) => ({ price: from + i * step, size }));

describe('OrderBookImbalance', () => {
  it('hand-computed: 0.6 * L1 + 0.4 * top-5 depth; the 6th level does not count', () => {
    const f = new OrderBookImbalance(p);
    f.onBook({ symbol: 'ES', time: 0, bids: lv([30, 10, 10, 10, 10, 999], 100, -0.25), asks: lv([10, 10, 10, 10, 10, 1], 100.25, 0.25) });
    // L1 (30 - 10) / 40 = 0.5; depth (70 - 50) / 120
    expect(f.evaluate(500).value).toBeCloseTo(0.6 * 0.5 + 0.4 * (20 / 120), 12);
  });

  it('a quote-only feed gives L1 alone; a newer quote replaces the book L1', () => {
    const f = new OrderBookImbalance(p);
    f.onQuote({ symbol: 'ES', time: 0, bid: 1, ask: 2, bidSize: 5, askSize: 15 });
    expect({ ...f.evaluate(10) }).toEqual({ value: -0.5, available: true });
    f.onBook({ symbol: 'ES', time: 100, bids: lv([10, 10], 1, -1), asks: lv([10, 30], 2, 1) });
    f.onQuote({ symbol: 'ES', time: 200, bid: 1, ask: 2, bidSize: 30, askSize: 10 });
    expect(f.evaluate(300).value).toBeCloseTo(0.6 * 0.5 + 0.4 * (-20 / 60), 12);
    // the book goes stale before the quote does
    expect(f.evaluate(1150).value).toBe(0.5);
    expect(f.evaluate(1250).available).toBe(false);
  });

  it('ignores malformed snapshots and quotes', () => {
    const f = new OrderBookImbalance(p);
    f.onQuote({ symbol: 'ES', time: 0, bid: 1, ask: 2, bidSize: 0, askSize: 0 });
    f.onQuote({ symbol: 'ES', time: 0, bid: 1, ask: 2, bidSize: -1, askSize: 3 });
    f.onBook({ symbol: 'ES', time: 0, bids: [], asks: lv([1], 2, 1) });
    f.onBook({ symbol: 'ES', time: 0, bids: lv([1, Number.NaN], 1, -1), asks: lv([1], 2, 1) });
    expect(f.evaluate(0).available).toBe(false);
    expect(sizeImbalance(0, 0)).toBeNaN();
  });

  it.skipIf(!hasSharedData(NQ_DOM))('on real NQ 30-level books: the definition from scratch, opposite when sides swap', () => {
    const rows = nqDom();
    expect(rows.length).toBeGreaterThan(1000);
    const f = new OrderBookImbalance(p);
    const g = new OrderBookImbalance(p);
    const values: number[] = [];
    for (const { book } of rows) {
      f.onBook(book);
      g.onBook({ ...book, bids: book.asks, asks: book.bids } satisfies BookSnapshot);
      const v = f.evaluate(book.time);
      const sum = (l: { size: number }[]) => l.slice(0, 5).reduce((a, x) => a + x.size, 0);
      const l1 = (book.bids[0]!.size - book.asks[0]!.size) / (book.bids[0]!.size + book.asks[0]!.size);
      const deep = (sum(book.bids) - sum(book.asks)) / (sum(book.bids) + sum(book.asks));
      expect(v.value).toBeCloseTo(0.6 * l1 + 0.4 * deep, 12);
      expect(g.evaluate(book.time).value).toBeCloseTo(-v.value, 12);
      values.push(v.value);
    }
    expect(values.some((v) => v > 0.2) && values.some((v) => v < -0.2)).toBe(true);
  });
});
