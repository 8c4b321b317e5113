import { describe, it, expect } from 'vitest';
import { OrderBook, orderProblem } from '../../../adapters/simulated/orderBook.ts';
import type { OrderRequest } from '../../../core/types.ts';

const T0 = Date.parse('2025-11-03T15:00:00Z');
const req = (id: string, o: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: id, symbol: 'ESZ25', side: 'buy', qty: 1, type: 'market', tif: 'day', purpose: 'entry', createdAt: T0, ...o,
});

describe('OrderBook (the simulated venue\'s orders)', () => {
  it('numbers accepted orders, keeps rejected ones out of matching, and finds orders by server id', () => {
    const book = new OrderBook(0.25);
    const a = book.newOrder(req('A'), T0, {}, 'PAPER1');
    book.accept(a);
    const r = book.newOrder(req('R', { qty: 0 }), T0, {}, 'PAPER1');
    book.recordRejected(r, 'bad');
    const b = book.newOrder(req('B', { type: 'limit', price: 100 }), T0, {}, 'PAPER1');
    book.accept(b);
    expect([a.serverOrderId, b.serverOrderId]).toEqual(['SIM-1', 'SIM-2']);
    expect(book.get('R')).toMatchObject({ status: 'rejected', reason: 'bad' });
    expect(book.byServerId('SIM-2')?.clientOrderId).toBe('B');
    expect(book.byServerId('')).toBeUndefined();
    // Market orders match before limits; equals by arrival.
    expect(book.matchCandidates('ES').map((o) => o.clientOrderId)).toEqual(['A', 'B']);
    expect([...book.all()].map((o) => o.clientOrderId)).toEqual(['A', 'R', 'B']);
  });

  it('holds bracket legs until the parent fills, then prices offset legs from the fill', () => {
    const book = new OrderBook(0.25);
    const parent = book.newOrder(req('P'), T0, {}, 'PAPER1');
    book.accept(parent);
    const group = book.nextOcoGroup();
    const stop = book.newOrder(req('S', { side: 'sell', type: 'stop', ocoGroup: group }), T0, { parentClientOrderId: 'P', offsetFromParent: 2 }, 'PAPER1');
    const target = book.newOrder(req('T', { side: 'sell', type: 'limit', ocoGroup: group }), T0, { parentClientOrderId: 'P', offsetFromParent: 3 }, 'PAPER1');
    expect(book.problemWith(stop, { parentClientOrderId: 'P', offsetFromParent: 2 })).toBeNull();
    book.accept(stop);
    book.accept(target);
    expect(book.childrenOf('P').map((o) => o.status)).toEqual(['pendingChild', 'pendingChild']);
    expect(book.matchCandidates('ES').map((o) => o.clientOrderId)).toEqual(['P']);
    book.markFilled(parent, 100.1, T0 + 60_000, 'SIMX-1');
    for (const child of book.childrenOf('P')) book.activate(child, parent, T0 + 60_000);
    expect(book.get('S')).toMatchObject({ status: 'working', stopPrice: 98, submittedAt: T0 + 60_000 });
    expect(book.get('T')).toMatchObject({ status: 'working', price: 103 });
    expect(book.ocoMembers(group).map((o) => o.clientOrderId)).toEqual(['S', 'T']);
    expect(book.linksOf('S')).toMatchObject({ ocoSibling: { clientOrderId: 'T' }, parent: { clientOrderId: 'P' } });
    book.markCancelled(book.get('T')!, T0 + 120_000, 'OCO sibling S filled');
    expect(book.isWorking('T')).toBe(false);
    expect(book.get('T')).toMatchObject({ status: 'cancelled', reason: 'OCO sibling S filled' });
  });

  it('refuses bad terms with a reason', () => {
    const book = new OrderBook(0.25);
    expect(orderProblem({ symbol: 'XX', qty: 1, type: 'market' })).toMatch(/unknown symbol/);
    expect(orderProblem({ symbol: 'ES', qty: 1.5, type: 'market' })).toMatch(/quantity/);
    expect(orderProblem({ symbol: 'ES', qty: 1, type: 'stop' })).toMatch(/stop price/);
    const leg = book.newOrder(req('L', { type: 'market' }), T0, {}, 'PAPER1');
    expect(book.problemWith(leg, { parentClientOrderId: 'nope' })).toBe('unknown parent order nope');
    expect(book.problemWith(leg, { offsetFromParent: 2 })).toBe('a price offset needs a parent order');
  });

  it('exports and loads its state', () => {
    const book = new OrderBook(0.25);
    book.accept(book.newOrder(req('A', { type: 'limit', price: 99 }), T0, {}, 'PAPER1'));
    book.nextOcoGroup();
    const copy = new OrderBook(0.25);
    copy.load(JSON.parse(JSON.stringify(book.exportState())));
    expect(copy.exportState()).toEqual(book.exportState());
    expect(copy.isWorking('A')).toBe(true);
    copy.accept(copy.newOrder(req('B'), T0, {}, 'PAPER1'));
    expect(copy.get('B')?.serverOrderId).toBe('SIM-2');
    expect(copy.nextOcoGroup()).toBe('venue-oco-2');
  });
});
