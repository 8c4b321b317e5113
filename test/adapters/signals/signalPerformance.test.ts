/**
 * Signal performance from the log, and the tracker that turns a session's journal events
 * into the log's signal and outcome records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signalPerformance } from '../../../adapters/signals/signalPerformance.ts';
import { SignalTracker } from '../../../adapters/signals/signalTracker.ts';
import type { SignalLogBody, SignalOutcome, SignalRecord } from '../../../adapters/signals/signalLog.ts';
import type { Fill, OrderRequest, Trade } from '../../../core/types.ts';

/** Records without the chain fields' meaning (performance reads only the bodies). */
const asRecords = (bodies: SignalLogBody[]): SignalRecord[] =>
  bodies.map((b, i) => ({ seq: i + 1, time: i, prevHash: '0'.repeat(64), hash: '0'.repeat(64), ...b }) as SignalRecord);

const sig = (id: string, t: number): SignalLogBody => ({ kind: 'signal', signal: { id, symbol: 'ESZ25', side: 'long', price: 6000, score: 0.3, signalTime: t } });
const out = (signalId: string, result: SignalOutcome['result'], pnl: number, points: number): SignalLogBody => ({ kind: 'outcome', outcome: { signalId, result, pnl, points } });

describe('signalPerformance', () => {
  it('counts wins, losses, flats, void and open signals; win rate and P&L over the resolved ones', () => {
    const p = signalPerformance(
      asRecords([
        sig('a', 3_000),
        sig('b', 1_000),
        sig('c', 2_000),
        sig('d', 4_000),
        sig('e', 5_000),
        sig('f', 6_000),
        { kind: 'published', published: { signalId: 'a', audience: 'premium' } },
        { kind: 'published', published: { signalId: 'a', audience: 'public' } },
        { kind: 'published', published: { signalId: 'b', audience: 'premium' } },
        out('a', 'win', 145.5, 3),
        out('b', 'loss', -404.5, -8),
        out('c', 'win', 595.5, 12),
        out('d', 'void', 0, 0),
        out('e', 'flat', 0, 0),
      ]),
    );
    // By hand: resolved a, b, c, e -> 2 wins / 4; pnl 145.5 - 404.5 + 595.5 + 0 = 336.5.
    expect(p).toEqual({
      signals: 6,
      published: { premium: 2, public: 1 },
      resolved: 4,
      open: 1,
      void: 1,
      wins: 2,
      losses: 1,
      flats: 1,
      winRate: 0.5,
      pnl: 336.5,
      points: 7,
      averageWin: 370.5,
      averageLoss: 404.5,
      profitFactor: 1.8319, // 741 / 404.5
      from: new Date(1_000).toISOString(),
      to: new Date(6_000).toISOString(),
    });
  });

  it('an empty log has no rates', () => {
    expect(signalPerformance([])).toMatchObject({ signals: 0, winRate: null, pnl: 0, profitFactor: null, from: null });
  });

  it('property: win rate in [0, 1], P&L is the sum of resolved outcomes, counts add up', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.record({ result: fc.constantFrom('win', 'loss', 'flat', 'void'), pnl: fc.integer({ min: -1000, max: 1000 }) }), { nil: null }), { maxLength: 50 }), (outcomes) => {
        const bodies: SignalLogBody[] = [];
        outcomes.forEach((o, i) => {
          bodies.push(sig(`s${i}`, i));
          if (o) bodies.push(out(`s${i}`, o.result as SignalOutcome['result'], o.pnl, 0));
        });
        const p = signalPerformance(asRecords(bodies));
        expect(p.signals).toBe(outcomes.length);
        expect(p.resolved + p.open + p.void).toBe(p.signals);
        if (p.winRate !== null) expect(p.winRate).toBeGreaterThanOrEqual(0);
        if (p.winRate !== null) expect(p.winRate).toBeLessThanOrEqual(1);
        const expected = outcomes.filter((o) => o && o.result !== 'void').reduce((a, o) => a + o!.pnl, 0);
        expect(p.pnl).toBeCloseTo(expected, 6);
      }),
    );
  });
});

const T0 = Date.parse('2025-11-03T15:00:00Z');
const entry = (id: string, side: 'buy' | 'sell', createdAt: number): OrderRequest => ({ clientOrderId: id, symbol: 'ESZ25', side, qty: 1, type: 'market', tif: 'ioc', purpose: 'entry', createdAt, stopDistance: 8 });
const fill = (id: string, side: 'buy' | 'sell', price: number, time: number): Fill => ({ clientOrderId: id, executionId: `x-${id}-${time}`, symbol: 'ESZ25', side, qty: 1, price, time, commission: 2.25 });

describe('SignalTracker', () => {
  const tracker = () => new SignalTracker({ symbol: 'ESZ25', stopPoints: 8, targetPoints: 12 });

  it('a signal MIA enters is published with stop and target; its round trip becomes the outcome', () => {
    const t = tracker();
    t.onSignal({ side: 'sell', score: -0.41237, time: T0, price: 6010 });
    const bodies = t.onOrder('S-1', entry('S-1', 'sell', T0), 'submitted');
    expect(bodies).toEqual([
      { kind: 'signal', signal: { id: 'S-1', symbol: 'ESZ25', side: 'short', price: 6010, stop: 6018, target: 5998, score: -0.4124, signalTime: T0 } },
    ]);
    expect(t.onOrder('S-1', entry('S-1', 'sell', T0), 'working')).toEqual([]);
    t.onFill(fill('S-1', 'sell', 6009.75, T0 + 1));
    const trade: Trade = { symbol: 'ESZ25', side: 'short', qty: 1, entryTime: T0 + 1, exitTime: T0 + 600_000, entryPrice: 6009.75, exitPrice: 5997.75, commission: 4.5, pnl: 12 * 50 - 4.5 };
    expect(t.onTrade(trade)).toEqual([
      { kind: 'outcome', outcome: { signalId: 'S-1', result: 'win', entryPrice: 6009.75, exitPrice: 5997.75, exitTime: T0 + 600_000, points: 12, pnl: 595.5 } },
    ]);
    expect(t.openSignals()).toEqual([]);
  });

  it('ignores exits, orders without a scorer signal, and trades it did not open', () => {
    const t = tracker();
    expect(t.onOrder('S-9', { ...entry('S-9', 'buy', T0), purpose: 'exit' }, 'submitted')).toEqual([]);
    expect(t.onOrder('S-1', entry('S-1', 'buy', T0), 'submitted')).toEqual([]);
    t.onSignal({ side: 'buy', score: 0.3, time: T0, price: 6000 });
    t.onOrder('S-2', entry('S-2', 'buy', T0), 'submitted');
    t.onFill(fill('S-2', 'buy', 6000.25, T0 + 5));
    const other: Trade = { symbol: 'ESZ25', side: 'long', qty: 1, entryTime: T0 + 99, exitTime: T0 + 500, entryPrice: 1, exitPrice: 2, commission: 0, pnl: 50 };
    expect(t.onTrade(other)).toEqual([]);
    expect(t.openSignals()).toEqual(['S-2']);
  });

  it('an entry that never fills is resolved as void', () => {
    const t = tracker();
    t.onSignal({ side: 'buy', score: 0.3, time: T0, price: 6000 });
    t.onOrder('S-1', entry('S-1', 'buy', T0), 'submitted');
    expect(t.onOrder('S-1', entry('S-1', 'buy', T0), 'rejected')).toEqual([
      { kind: 'outcome', outcome: { signalId: 'S-1', result: 'void', points: 0, pnl: 0, note: 'entry rejected before any fill' } },
    ]);
    expect(t.openSignals()).toEqual([]);
  });
});
