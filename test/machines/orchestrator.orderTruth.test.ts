/**
 * The order machines are the only truth about their orders: the routing table keeps each
 * order's request and its machine's state (stepped once per event, no actor per order), the
 * journal takes filled quantity, average price and venue id from the machine, the machine's
 * anomalies reach risk, and the watch keeps every position under a stop.
 */
import { describe, expect, it } from 'vitest';
import type { RiskSnapshot } from '../../machines/risk.ts';
import { T0, fillOf, signal, startHarness, startTrading, testSettings, useHarnessTeardown, type Harness } from './orchestratorHarness.ts';

const MIN = 60_000;
const open = useHarnessTeardown();
const reasons = (h: Harness) => (h.actor.getSnapshot().children.risk!.getSnapshot() as RiskSnapshot).context.reasons;

/** Long 1 at 6000 with its bracket acknowledged by the venue. */
function longWithBracket(h: Harness) {
  startTrading(h);
  h.send(signal('buy', T0 + MIN));
  const entry = h.submits()[0]!;
  h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: entry.clientOrderId, serverOrderId: 'srv-e', time: T0 + MIN });
  h.from('execution', { type: 'VENUE.FILL', fill: fillOf(entry, 6000, 'x-e', T0 + MIN) });
  const [stop, target] = h.submits().slice(1);
  if (!stop || !target) throw new Error('no bracket');
  h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: stop.clientOrderId, serverOrderId: 'srv-s', time: T0 + MIN });
  h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: target.clientOrderId, serverOrderId: 'srv-t', time: T0 + MIN });
  return { entry, stop, target };
}

describe('orchestrator: the order machine is the truth', () => {
  it('the routing table holds the request and the machine state only; the journal takes filled quantity, average price and venue id from the machine', () => {
    const h = open(startHarness());
    const { entry, stop } = longWithBracket(h);
    const snap = h.actor.getSnapshot();
    for (const o of Object.values(snap.context.live)) {
      expect(Object.keys(o).sort()).toEqual(['request', 'state']);
      expect(Object.keys(o.state!).sort()).toEqual(['context', 'status', 'value']);
    }
    expect(snap.context.live[stop.clientOrderId]?.state).toMatchObject({ value: { working: 'open' }, status: 'active' });
    // No order runs as a child actor: the machine is stepped in the table.
    expect(Object.keys(snap.children).filter((id) => id.startsWith('order:'))).toEqual([]);
    expect(h.order(stop.clientOrderId)?.context).toMatchObject({ serverOrderId: 'srv-s', filledQty: 0 });
    const filled = h.ofType('journal.order').find((e) => e.clientOrderId === entry.clientOrderId && e.status === 'filled');
    expect(filled).toMatchObject({ filledQty: 1, avgFillPrice: 6000, serverOrderId: 'srv-e' });
  });

  it('an overfill the order machine refuses reaches risk: limited, audited, the order keeps its true quantity', () => {
    const h = open(startHarness());
    startTrading(h);
    h.send(signal('buy', T0 + MIN));
    const entry = h.submits()[0]!;
    h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: entry.clientOrderId, serverOrderId: 'srv-e', time: T0 + MIN });
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(entry, 6000, 'x-1', T0 + MIN, 3) });
    expect(h.order(entry.clientOrderId)?.context.anomalies[0]).toMatchObject({ kind: 'overfill' });
    expect(h.order(entry.clientOrderId)?.context.filledQty).toBe(0);
    expect(h.risk()).toBe('limited');
    expect(reasons(h)).toContain('order-anomaly');
    expect(h.ofType('audit').find((a) => a.action === 'order-anomaly')?.detail).toMatch(/overfill/);
  });
});

describe('orchestrator: no position without its stop', () => {
  it('a protected position is left alone however long it lasts', () => {
    const h = open(startHarness());
    longWithBracket(h);
    h.send({ type: 'VENUE.MARK', price: 6001, time: T0 + 30 * MIN });
    expect(h.risk()).toBe('normal');
    expect(h.actor.getSnapshot().context.unprotected).toBeNull();
  });

  it('a stop gone for longer than risk.unprotectedMaxMs of event time: flatten, alert, limited; not a moment before', () => {
    const h = open(startHarness({ settings: testSettings({ limits: { unprotectedMaxMs: 5_000 } }) }));
    const { stop, target } = longWithBracket(h);
    const lost = T0 + 2 * MIN;
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: stop.clientOrderId, time: lost });
    h.send({ type: 'VENUE.MARK', price: 6001, time: lost });
    expect(h.actor.getSnapshot().context.unprotected).toEqual({ since: lost, actedAt: null });
    h.send({ type: 'VENUE.MARK', price: 6001, time: lost + 5_000 });
    expect(h.risk()).toBe('normal');
    expect(h.cancels()).toEqual([]);

    h.send({ type: 'VENUE.MARK', price: 6001, time: lost + 5_001 });
    expect(h.risk()).toBe('limited');
    expect(reasons(h)).toContain('unprotected');
    expect(h.ofType('audit').find((a) => a.action === 'unprotected-position')).toMatchObject({ who: 'risk', time: lost + 5_001 });
    // The target goes first; the closing order once its cancel is confirmed.
    expect(h.cancels()).toEqual([target.clientOrderId]);
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: lost + 5_002 });
    expect(h.submits().at(-1)).toMatchObject({ purpose: 'flatten', side: 'sell', qty: 1 });
    // Acted once: more time without a stop does not pile up flatten orders.
    h.send({ type: 'VENUE.MARK', price: 6001, time: lost + 60_000 });
    expect(h.submits().filter((o) => o.purpose === 'flatten')).toHaveLength(1);
  });

  it('a stop sent but never acknowledged does not count as working', () => {
    const h = open(startHarness());
    startTrading(h);
    h.send(signal('buy', T0 + MIN));
    const entry = h.submits()[0]!;
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(entry, 6000, 'x-e', T0 + MIN) });
    expect(h.submits().map((o) => o.purpose)).toEqual(['entry', 'bracket-stop', 'bracket-target']);
    h.send({ type: 'VENUE.MARK', price: 6000, time: T0 + MIN + 10_000 });
    expect(reasons(h)).toContain('unprotected');
  });
});

describe('orchestrator: foreign reports', () => {
  it('a foreign fill while reconciling is journaled as foreign; once reconciled the position is reduced to maxContracts', () => {
    const h = open(startHarness());
    h.from('execution', { type: 'VENUE.UP', time: T0 });
    h.send({ type: 'SESSION.START', sessionId: 'S1', time: T0 });
    const fill = { clientOrderId: 'EVIL-1', executionId: 'x-evil', symbol: 'ESZ25', side: 'buy' as const, qty: 3, price: 6000, time: T0 + 1, commission: 0 };
    h.from('execution', { type: 'VENUE.FOREIGN', clientOrderId: 'EVIL-1', serverOrderId: 'srv-evil', detail: 'fill for an order MIA never sent', fill, time: T0 + 1 });
    expect(h.ofType('journal.fill').map((e) => e.fill.clientOrderId)).toEqual(['foreign:EVIL-1']);
    expect(h.submits()).toEqual([]); // nothing leaves while reconciling
    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 3, avgPrice: 6000, time: T0 + 2 });
    expect(h.risk()).toBe('limited');
    expect(reasons(h)).toEqual(['foreign-order']);
    expect(h.submits()).toEqual([expect.objectContaining({ side: 'sell', qty: 1, type: 'market', purpose: 'flatten' })]);
    // Reduced: what remains (2, the limit) gets its stop.
    const reduce = h.submits()[0]!;
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(reduce, 6000, 'x-r', T0 + 3) });
    expect(h.actor.getSnapshot().context.book.qty).toBe(2);
    expect(h.submits().slice(1)).toEqual([
      expect.objectContaining({ purpose: 'bracket-stop', qty: 2, side: 'sell' }),
      expect.objectContaining({ purpose: 'bracket-target', qty: 2, side: 'sell' }),
    ]);
  });
});
