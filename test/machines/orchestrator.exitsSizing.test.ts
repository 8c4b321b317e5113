import { describe, it, expect } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { OrderRequest } from '../../core/types.ts';
import type { SizingSettings } from '../../strategy/sizing.ts';
import { COMMISSION, T0, fillOf, roundTrip, signal, startHarness, startTrading, testSettings, useHarnessTeardown, type Harness } from './orchestratorHarness.ts';

const MIN = 60_000;
const track = useHarnessTeardown();
const open = (...args: Parameters<typeof startHarness>) => track(startHarness(...args));
const ctx = (h: Harness) => h.actor.getSnapshot().context;

/** Flat and idle: a `side` signal at `time`, the entry filled at `price`, its bracket accepted. */
function enter(h: Harness, side: 'buy' | 'sell', time: number, price = 6000) {
  const before = h.submits().length;
  h.send(signal(side, time));
  const entry = h.submits()[before];
  if (!entry) throw new Error('no entry sent');
  h.from('execution', { type: 'VENUE.FILL', fill: fillOf(entry, price, `x-${entry.clientOrderId}`, time + 100) });
  const [stop, target] = h.submits().slice(before + 1);
  if (!stop || !target) throw new Error('no bracket');
  for (const leg of [stop, target]) {
    h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: leg.clientOrderId, serverOrderId: `srv-${leg.clientOrderId}`, time: time + 200 });
  }
  return { entry, stop, target };
}

/** One leg of the bracket fills at `price`; the other's cancel is confirmed: flat and idle again. */
function closeBy(h: Harness, fills: OrderRequest, other: OrderRequest, price: number, time: number) {
  h.from('execution', { type: 'VENUE.FILL', fill: fillOf(fills, price, `x-${fills.clientOrderId}`, time) });
  h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: other.clientOrderId, time: time + 50 });
  expect(ctx(h).book.qty).toBe(0);
  expect(ctx(h).live).toEqual({});
}

describe('orchestrator: session-close exits', () => {
  it('SESSION_CLOSE cancels the bracket, then closes the position at market (purpose exit), audited and counted', () => {
    const h = open();
    startTrading(h);
    const { stop, target } = enter(h, 'buy', T0 + MIN);
    const sessionEnd = Date.UTC(2025, 10, 4, 22, 0); // 16:00 CT
    h.from('scoring', { type: 'SESSION_CLOSE', time: sessionEnd - 5 * MIN, sessionEnd });
    expect(h.cancels()).toEqual([stop.clientOrderId, target.clientOrderId]);
    expect(h.submits()).toHaveLength(3); // nothing leaves before the cancels are confirmed
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: stop.clientOrderId, time: sessionEnd - 5 * MIN + 10 });
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target.clientOrderId, time: sessionEnd - 5 * MIN + 20 });
    const exit = h.submits()[3]!;
    // Created when it leaves: at the event time of the last cancel's confirmation.
    expect(exit).toMatchObject({ side: 'sell', qty: 1, type: 'market', purpose: 'exit', createdAt: sessionEnd - 5 * MIN + 20 });
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(exit, 6001, 'x-exit', sessionEnd - 5 * MIN + 100) });
    expect(ctx(h).book.qty).toBe(0);
    expect(ctx(h).counters.sessionCloseExits).toBe(1);
    expect(h.ofType('audit').filter((a) => a.action === 'session-close')).toEqual([
      { type: 'audit', who: 'strategy', action: 'session-close', detail: 'position 1 closed before the session ends at 2025-11-04T22:00:00.000Z', time: sessionEnd - 5 * MIN },
    ]);
  });

  it('SESSION_CLOSE when flat and idle does nothing', () => {
    const h = open();
    startTrading(h);
    h.from('scoring', { type: 'SESSION_CLOSE', time: T0 + MIN, sessionEnd: T0 + 6 * MIN });
    expect(h.submits()).toEqual([]);
    expect(h.cancels()).toEqual([]);
    expect(ctx(h).counters.sessionCloseExits).toBe(0);
    expect(h.ofType('audit').filter((a) => a.action === 'session-close')).toEqual([]);
  });

  it('a signal marked entryBlocked opens nothing but is counted, and still closes an opposite position', () => {
    const h = open();
    startTrading(h);
    h.from('scoring', { ...signal('buy', T0 + MIN), entryBlocked: 'session-close' });
    expect(h.submits()).toEqual([]);
    expect(ctx(h).counters).toMatchObject({ signals: { long: 1, short: 0 }, entriesSkipped: { sessionClose: 1, sizing: 0 }, ordersSent: 0 });

    const { stop, target } = enter(h, 'buy', T0 + 2 * MIN);
    h.from('scoring', { ...signal('sell', T0 + 3 * MIN), entryBlocked: 'session-close' });
    expect(h.cancels()).toEqual([stop.clientOrderId, target.clientOrderId]);
    // An exit, not a skipped entry.
    expect(ctx(h).counters.entriesSkipped).toEqual({ sessionClose: 1, sizing: 0 });
    expect(ctx(h).counters.signals).toEqual({ long: 2, short: 1 });
  });
});

describe('orchestrator: the scoring actor always knows the position (its exits depend on it)', () => {
  const positions = (h: Harness, from = 0) => h.children.scoring.received.slice(from).filter((e) => e.type === 'POSITION');

  it('a position taken over from the venue at reconcile is sent to the scoring actor', () => {
    const h = open();
    h.from('execution', { type: 'VENUE.UP', time: T0 });
    h.send({ type: 'SESSION.START', sessionId: 'S1', time: T0 });
    h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: -2, avgPrice: 6000, time: T0 + 10 });
    expect(positions(h)).toEqual([{ type: 'POSITION', qty: -2, since: T0 + 10 }]);
  });

  it('a restarted scoring actor is told the open position', () => {
    const clock = new SimulatedClock();
    const h = open({ clock });
    startTrading(h);
    enter(h, 'buy', T0 + MIN);
    h.from('scoring', { type: 'CHILD.FAILED', child: 'scoring', code: 'INTERNAL', error: 'boom', time: T0 + 2 * MIN });
    const before = h.children.scoring.received.length;
    clock.increment(testSettings().supervision.backoffMaxMs);
    expect(h.children.scoring.starts.map((s) => s.generation)).toEqual([0, 1]);
    expect(positions(h, before)).toEqual([{ type: 'POSITION', qty: 1, since: T0 + MIN + 100 }]);
  });
});

describe('orchestrator: Kelly sizing', () => {
  const kelly: SizingSettings = { mode: 'kelly', fraction: 0.25, maxContracts: 8, minTrades: 2, lookbackTrades: 10 };
  const roomy = { maxContracts: 10, maxOrderSize: 10, maxLossPerTrade: 5_000, dailyLossLimit: 5_000 };

  /** A winner (target at +12) then a loser (stop at -8), 1 contract each, from 6000. */
  function winThenLose(h: Harness) {
    const a = enter(h, 'buy', T0 + MIN);
    expect(a.entry.qty).toBe(1); // warm-up: fewer than minTrades closed trades -> strategy.quantity
    closeBy(h, a.target, a.stop, 6012, T0 + 2 * MIN);
    const b = enter(h, 'buy', T0 + 3 * MIN);
    expect(b.entry.qty).toBe(1);
    closeBy(h, b.stop, b.target, 5992, T0 + 4 * MIN);
  }

  it('sizes the entry from the closed trades: W 0.5, R 595.5/404.5 -> f* 0.1604 -> floor(0.25 x 0.1604 x 50191 / 400) = 5', () => {
    const h = open({ settings: testSettings({ strategy: { sizing: kelly }, limits: roomy }) });
    startTrading(h);
    winThenLose(h);
    // Win: +12 pts x $50 - 2 x $2.25 = 595.5; loss: -8 x 50 - 4.5 = -404.5; equity 50000 + 191.
    expect(ctx(h).tradeRecord).toEqual({ count: 2, pnlPerContract: [600 - 2 * COMMISSION, -400 - 2 * COMMISSION] });
    // f* = 0.5 - 0.5 x 404.5 / 595.5 = 0.160369; 0.25 x 0.160369 x 50191 / 400 = 5.03
    h.send(signal('sell', T0 + 5 * MIN));
    expect(h.submits().at(-1)).toMatchObject({ side: 'sell', qty: 5, purpose: 'entry', stopDistance: 8 });
  });

  it('the trade record survives persistence and a new SESSION.START', () => {
    const h = open({ settings: testSettings({ strategy: { sizing: kelly }, limits: roomy }) });
    startTrading(h);
    winThenLose(h);
    const saved = roundTrip(h.actor.getPersistedSnapshot());
    h.actor.stop();
    const r = open({ snapshot: saved });
    startTrading(r, 'S2', T0 + 10 * MIN);
    expect(ctx(r).tradeRecord.count).toBe(2);
    r.send(signal('buy', T0 + 11 * MIN));
    expect(r.submits().at(-1)).toMatchObject({ side: 'buy', qty: 5, purpose: 'entry' });
  });

  it('no edge (losers only: f* <= 0) -> no entry, counted; the record stays bounded by lookbackTrades', () => {
    const h = open({ settings: testSettings({ strategy: { sizing: { ...kelly, minTrades: 3, lookbackTrades: 2 } }, limits: { ...roomy, maxConsecutiveLosses: 10 } }) });
    startTrading(h);
    for (let i = 0; i < 3; i++) {
      const t = enter(h, 'buy', T0 + (1 + 2 * i) * MIN);
      closeBy(h, t.stop, t.target, 5992, T0 + (2 + 2 * i) * MIN);
    }
    expect(ctx(h).tradeRecord).toEqual({ count: 3, pnlPerContract: [-404.5, -404.5] });
    const sent = h.submits().length;
    h.send(signal('buy', T0 + 10 * MIN));
    expect(h.submits()).toHaveLength(sent);
    expect(ctx(h).counters).toMatchObject({ signals: { long: 4, short: 0 }, entriesSkipped: { sessionClose: 0, sizing: 1 } });
  });

  it('risk still checks the sized order: 5 contracts against risk.maxContracts 2 is refused', () => {
    const h = open({ settings: testSettings({ strategy: { sizing: kelly }, limits: { maxLossPerTrade: 5_000, dailyLossLimit: 5_000 } }) });
    startTrading(h);
    winThenLose(h);
    const sent = h.submits().length;
    h.send(signal('buy', T0 + 5 * MIN));
    expect(h.submits()).toHaveLength(sent);
    const refused = h.ofType('journal.order').filter((e) => e.status === 'risk-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.request.qty).toBe(5);
    expect(refused[0]!.detail).toMatch(/^max-order-size|^max-contracts/);
    expect(ctx(h).counters.riskRefusals).toBe(1);
  });

  it('fixed mode (and settings without sizing) use strategy.quantity whatever the record', () => {
    const h = open({ settings: testSettings({ strategy: { quantity: 2, sizing: { ...kelly, mode: 'fixed' } }, limits: roomy }) });
    startTrading(h);
    const t = enter(h, 'buy', T0 + MIN);
    expect(t.entry.qty).toBe(2);
  });
});
