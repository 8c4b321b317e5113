/**
 * Orders the ledger holds in flight that the restored snapshot does not know (a crash
 * right after they left, before the next snapshot): reconciliation brings them back as
 * orphans, and the orchestrator adopts them. Found by the crash drill: they stayed "sent"
 * in the journal forever, their fills were alerted as foreign, and a new bracket doubled
 * the one still working at the venue.
 */
import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../core/types.ts';
import { T0, fillOf, startHarness, useHarnessTeardown } from './orchestratorHarness.ts';

const MIN = 60_000;
const open = useHarnessTeardown();
const req = (id: string, over: Partial<OrderRequest>): OrderRequest => ({
  clientOrderId: id, symbol: 'ESZ25', side: 'sell', qty: 1, type: 'limit', tif: 'gtc', purpose: 'bracket-target', createdAt: T0 - MIN, ...over,
});

describe('orchestrator: orders journaled after the restored snapshot', () => {
  it('are adopted at reconciliation: a filled one is journaled as the venue says, a working stop protects and is not doubled', () => {
    const h = open(startHarness());
    const entry = req('OLD-1', { side: 'buy', type: 'market', tif: 'ioc', purpose: 'entry' });
    const stop = req('OLD-2', { type: 'stop', stopPrice: 5992, purpose: 'bracket-stop', ocoGroup: 'oco-OLD-1' });
    const target = req('OLD-3', { price: 6012, ocoGroup: 'oco-OLD-1' });
    h.from('execution', { type: 'VENUE.UP', time: T0 });
    h.send({ type: 'SESSION.START', sessionId: 'S2', time: T0 });
    // The entry's fill, missed while MIA was down, comes first and is MIA's (not foreign).
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(entry, 6000, 'x-e', T0 - MIN) });
    h.from('execution', {
      type: 'VENUE.RECONCILED',
      orders: {
        'OLD-1': { status: 'filled', serverOrderId: 'srv-e', filledQty: 1, avgFillPrice: 6000 },
        'OLD-2': { status: 'working', serverOrderId: 'srv-s', filledQty: 0 },
        'OLD-3': { status: 'working', serverOrderId: 'srv-t', filledQty: 0 },
      },
      orphans: Object.fromEntries([entry, stop, target].map((r) => [r.clientOrderId, { request: r, filledQty: 0 }])),
      position: 1,
      avgPrice: 6000,
      time: T0 + 1,
    });
    expect(h.ofType('journal.order').find((e) => e.clientOrderId === 'OLD-1' && e.status === 'filled')).toMatchObject({ filledQty: 1, serverOrderId: 'srv-e' });
    expect(Object.keys(h.actor.getSnapshot().context.live).sort()).toEqual(['OLD-2', 'OLD-3']);
    expect(h.ofType('audit').filter((a) => a.action === 'foreign-order')).toEqual([]);
    // The working stop covers the position: no new bracket, and the watch stays quiet.
    expect(h.submits()).toEqual([]);
    h.send({ type: 'VENUE.MARK', price: 6001, time: T0 + 30 * MIN });
    expect(h.actor.getSnapshot().context.unprotected).toBeNull();
    expect(h.risk()).toBe('normal');
    // The adopted target fills: flat, the stop is cancelled, both journaled.
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(target, 6012, 'x-t', T0 + 31 * MIN) });
    expect(h.actor.getSnapshot().context.book.qty).toBe(0);
    expect(h.ofType('journal.order').find((e) => e.clientOrderId === 'OLD-3' && e.status === 'filled')).toBeDefined();
  });

  it('one the venue has no record of ends lost (never resubmitted)', () => {
    const h = open(startHarness());
    const entry = req('OLD-9', { side: 'buy', type: 'market', tif: 'ioc', purpose: 'entry' });
    h.from('execution', { type: 'VENUE.UP', time: T0 });
    h.send({ type: 'SESSION.START', sessionId: 'S2', time: T0 });
    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, orphans: { 'OLD-9': { request: entry, filledQty: 0 } }, position: 0, time: T0 + 1 });
    expect(h.ofType('journal.order').find((e) => e.clientOrderId === 'OLD-9')?.status).toBe('lost');
    expect(h.actor.getSnapshot().context.live).toEqual({});
  });
});
