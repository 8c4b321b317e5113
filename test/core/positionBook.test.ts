import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { applyFill, emptyBook, openPnl, type PositionBook } from '../../core/positionBook.ts';
import type { Fill, Side, Trade } from '../../core/types.ts';

const ES_POINT = 50;
let execution = 0;
const fill = (side: Side, qty: number, price: number, time: number, commission: number): Fill => ({
  clientOrderId: `c${++execution}`,
  executionId: `x${execution}`,
  symbol: 'ESZ25',
  side,
  qty,
  price,
  time,
  commission,
});

describe('applyFill: hand-computed round trips (ES, $50/point)', () => {
  // One scripted life of a position: open 2, add 1, sell 1, sell 5 (flip), buy 3 (flat).
  const b0 = emptyBook('ESZ25');
  const s1 = applyFill(b0, fill('buy', 2, 100, 1, 4.5), ES_POINT);
  const s2 = applyFill(s1.book, fill('buy', 1, 103, 2, 2.25), ES_POINT);
  const s3 = applyFill(s2.book, fill('sell', 1, 105, 3, 2.25), ES_POINT);
  const s4 = applyFill(s3.book, fill('sell', 5, 99, 4, 11.25), ES_POINT);
  const s5 = applyFill(s4.book, fill('buy', 3, 97, 5, 6.75), ES_POINT);

  it('opens a long position and keeps the entry commission for later', () => {
    expect(s1.closed).toEqual([]);
    expect(s1.book).toEqual({
      symbol: 'ESZ25', qty: 2, avgPrice: 100, openedAt: 1, openCommission: 4.5, realizedPnl: 0, commissions: 4.5,
    });
  });

  it('adds at a new price: weighted average entry, original open time', () => {
    expect(s2.closed).toEqual([]);
    expect(s2.book).toMatchObject({ qty: 3, avgPrice: 101, openedAt: 1, openCommission: 6.75, realizedPnl: 0, commissions: 6.75 });
  });

  it('partially closes: one trade carrying a proportional share of the entry commission', () => {
    // gross (105 - 101) * 1 * 50 = 200; commission 6.75 / 3 + 2.25 = 4.5
    expect(s3.closed).toEqual<Trade[]>([
      { symbol: 'ESZ25', side: 'long', qty: 1, entryTime: 1, exitTime: 3, entryPrice: 101, exitPrice: 105, commission: 4.5, pnl: 195.5 },
    ]);
    expect(s3.book).toMatchObject({ qty: 2, avgPrice: 101, openedAt: 1, openCommission: 4.5, realizedPnl: 195.5, commissions: 9 });
  });

  it('flips through zero: closes the long, opens a short with the rest of the fill', () => {
    // closes 2 of 5: gross (99 - 101) * 2 * 50 = -200; commission 4.5 entry + 11.25 * 2/5 exit
    expect(s4.closed).toEqual<Trade[]>([
      { symbol: 'ESZ25', side: 'long', qty: 2, entryTime: 1, exitTime: 4, entryPrice: 101, exitPrice: 99, commission: 9, pnl: -209 },
    ]);
    // the 3 short contracts carry the other 3/5 of the flip fill's commission
    expect(s4.book).toMatchObject({ qty: -3, avgPrice: 99, openedAt: 4, realizedPnl: -13.5, commissions: 20.25 });
    expect(s4.book.openCommission).toBeCloseTo(6.75, 12);
  });

  it('closes the short in full and returns to an empty position', () => {
    // gross (97 - 99) * -1 * 3 * 50 = 300; commission 6.75 + 6.75
    expect(s5.closed).toHaveLength(1);
    expect(s5.closed[0]).toMatchObject({ side: 'short', qty: 3, entryTime: 4, exitTime: 5, entryPrice: 99, exitPrice: 97 });
    expect(s5.closed[0]!.commission).toBeCloseTo(13.5, 12);
    expect(s5.closed[0]!.pnl).toBeCloseTo(286.5, 12);
    expect(s5.book).toMatchObject({ qty: 0, avgPrice: 0, openedAt: 0, openCommission: 0, commissions: 27 });
    expect(s5.book.realizedPnl).toBeCloseTo(273, 12);
  });

  it('never mutates the book it is given', () => {
    const before = structuredClone(s2.book);
    applyFill(s2.book, fill('sell', 3, 90, 9, 6.75), ES_POINT);
    expect(s2.book).toEqual(before);
  });

  it('openPnl marks long and short positions net of their entry commissions, 0 when flat', () => {
    expect(openPnl(s2.book, 102, ES_POINT)).toBeCloseTo((102 - 101) * 3 * 50 - 6.75, 12);
    expect(openPnl(s4.book, 98, ES_POINT)).toBeCloseTo((98 - 99) * -3 * 50 - 6.75, 12);
    expect(openPnl(s5.book, 1234, ES_POINT)).toBe(0);
  });

  it('rejects fills with a non-positive quantity or a non-finite price', () => {
    expect(() => applyFill(b0, fill('buy', 0, 100, 1, 0), ES_POINT)).toThrow(RangeError);
    expect(() => applyFill(b0, fill('buy', -1, 100, 1, 0), ES_POINT)).toThrow(RangeError);
    expect(() => applyFill(b0, fill('sell', 1, Number.NaN, 1, 0), ES_POINT)).toThrow(RangeError);
    expect(() => applyFill(b0, fill('sell', 1, Number.POSITIVE_INFINITY, 1, 0), ES_POINT)).toThrow(RangeError);
  });
});

describe('applyFill: properties over random fill sequences', () => {
  const fillArb = fc.record({
    side: fc.constantFrom<Side>('buy', 'sell'),
    qty: fc.integer({ min: 1, max: 6 }),
    ticks: fc.integer({ min: 15_600, max: 16_400 }), // 3900..4100 on the 0.25 grid
    perContract: fc.constantFrom(0, 0.62, 1.25, 2.25, 4.1),
  });
  const pointValue = fc.constantFrom(50, 5, 20);

  it('ending flat: sum of trade pnl == realizedPnl == gross price P&L * pointValue - commissions; qty tracks signed fills', () => {
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 40 }), pointValue, fc.double({ min: 0, max: 5, noNaN: true }), (raw, pv, closingCommission) => {
        let book: PositionBook = emptyBook('ES');
        const trades: Trade[] = [];
        let signedSum = 0;
        let cashPoints = 0; // sells add price * qty, buys subtract
        let commissions = 0;
        const apply = (f: Fill) => {
          const r = applyFill(book, f, pv);
          book = r.book;
          trades.push(...r.closed);
          const s = f.side === 'buy' ? 1 : -1;
          signedSum += s * f.qty;
          cashPoints -= s * f.qty * f.price;
          commissions += f.commission;
          expect(book.qty).toBe(signedSum);
          // every commission is either charged to a closed trade or still carried by the open contracts
          const charged = trades.reduce((a, t) => a + t.commission, 0);
          expect(charged + book.openCommission).toBeCloseTo(commissions, 6);
          expect(book.commissions).toBeCloseTo(commissions, 6);
        };
        raw.forEach((r, i) => apply(fill(r.side, r.qty, r.ticks / 4, i, r.qty * r.perContract)));
        if (book.qty !== 0) {
          const last = raw.at(-1)!;
          apply(fill(book.qty > 0 ? 'sell' : 'buy', Math.abs(book.qty), last.ticks / 4 + 1, raw.length, closingCommission));
        }
        expect(book.qty).toBe(0);
        expect(book.openCommission).toBe(0);
        const tradePnl = trades.reduce((a, t) => a + t.pnl, 0);
        const expected = cashPoints * pv - commissions;
        expect(Math.abs(tradePnl - book.realizedPnl)).toBeLessThan(1e-6);
        expect(Math.abs(book.realizedPnl - expected)).toBeLessThan(1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it('every closed trade has a positive quantity and pnl = signed price move * qty * pointValue - commission', () => {
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 30 }), pointValue, (raw, pv) => {
        let book: PositionBook = emptyBook('ES');
        raw.forEach((r, i) => {
          const result = applyFill(book, fill(r.side, r.qty, r.ticks / 4, i, r.qty * r.perContract), pv);
          for (const t of result.closed) {
            expect(t.qty).toBeGreaterThan(0);
            expect(t.qty).toBeLessThanOrEqual(r.qty);
            const dir = t.side === 'long' ? 1 : -1;
            expect(t.pnl).toBeCloseTo((t.exitPrice - t.entryPrice) * dir * t.qty * pv - t.commission, 6);
            // closing a long takes a sell, closing a short takes a buy
            expect(r.side).toBe(t.side === 'long' ? 'sell' : 'buy');
          }
          book = result.book;
        });
      }),
      { numRuns: 200 },
    );
  });
});
