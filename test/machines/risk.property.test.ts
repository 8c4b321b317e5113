import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createActor } from 'xstate';
import type { Actor } from 'xstate';
import { riskLimitsSchema } from '../../config/schema.ts';
import type { RiskLimits } from '../../config/schema.ts';
import { tradingDay } from '../../core/tradingDay.ts';
import type { OrderRequest, Side } from '../../core/types.ts';
import { sideSign } from '../../core/types.ts';
import { preTradeCheck, reducesPosition } from '../../machines/preTradeCheck.ts';
import { dailyLoss, riskMachine, riskStatus, rollDay } from '../../machines/risk.ts';
import type { RiskEvent, RiskInput } from '../../machines/risk.ts';

/** Tuesday 2025-11-04 14:00 America/Chicago: the 17:00 roll is three hours away. */
const START = Date.UTC(2025, 10, 4, 20, 0);
const STARTING_EQUITY = 50_000;
const POINT_VALUE = 50;

/** One step of a simulated session. Events get their `time` from the simulation clock. */
type Command =
  | { kind: 'advance'; ms: number }
  | { kind: 'event'; event: DistributiveOmit<RiskEvent, 'time'> }
  | { kind: 'order'; side: Side; qty: number; purpose: 'entry' | 'exit' | 'flatten'; stopDistance: number | undefined }
  | { kind: 'fill'; all: boolean }
  | { kind: 'cancel' }
  | { kind: 'trade'; pnl: number }
  | { kind: 'mark'; openPnl: number }
  | { kind: 'restart' };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const limitsArb: fc.Arbitrary<RiskLimits> = fc
  .record({
    maxContracts: fc.integer({ min: 1, max: 4 }),
    maxOrderSize: fc.integer({ min: 1, max: 3 }),
    maxLossPerTrade: fc.constantFrom(300, 500, 1000),
    dailyLossLimit: fc.constantFrom(500, 1000, 2000),
    trailingDrawdown: fc.constantFrom(1500, 2500),
    trailingDrawdownMode: fc.constantFrom('intraday' as const, 'eod' as const),
    maxTradesPerDay: fc.integer({ min: 1, max: 8 }),
    maxConsecutiveLosses: fc.integer({ min: 1, max: 4 }),
    maxOrdersPerMinute: fc.integer({ min: 1, max: 6 }),
    rejectsToLimited: fc.integer({ min: 1, max: 3 }),
    requireStop: fc.boolean(),
  })
  .map((l) => riskLimitsSchema.parse(l));

const ev = (weight: number, event: DistributiveOmit<RiskEvent, 'time'>) => ({
  weight,
  arbitrary: fc.constant<Command>({ kind: 'event', event }),
});

/**
 * Weighted so that sessions spend time in every risk state: disruptions are rarer than
 * what heals them, or nearly every order would meet a killed or limited risk.
 */
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  ev(1, { type: 'MARKET_DATA_STALE' }),
  ev(1, { type: 'VENUE_DOWN' }),
  ev(2, { type: 'ORDER_REJECTED', reason: 'venue said no' }),
  ev(1, { type: 'RECONCILE_START' }),
  ev(1, { type: 'SUPERVISOR_ESCALATE', level: 'limited', reason: 'marketData' }),
  ev(1, { type: 'SUPERVISOR_ESCALATE', level: 'killed', reason: 'dtc' }),
  ev(1, { type: 'PAUSE', who: 'op', reason: 'news' }),
  ev(1, { type: 'KILL', who: 'op', reason: 'manual' }),
  ev(2, { type: 'MARKET_DATA_OK' }),
  ev(2, { type: 'VENUE_UP' }),
  ev(3, { type: 'ORDER_ACCEPTED' }),
  ev(6, { type: 'RECONCILED', position: 0 }), // the runner puts the book's position in
  ev(3, { type: 'UNPAUSE', who: 'op' }),
  ev(4, { type: 'RESUME', who: 'op', reason: 'checked' }),
  ev(1, { type: 'RESUME', who: 'op' }),
  ev(1, { type: 'RESUME', who: 'op', reason: '  ' }),
  ev(1, { type: 'RESUME', who: '', reason: 'anonymous' }),
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 * 3_600_000 }).map((ms): Command => ({ kind: 'advance', ms })) },
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 90_000 }).map((ms): Command => ({ kind: 'advance', ms })) },
  {
    weight: 30,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      side: fc.constantFrom<Side>('buy', 'sell'),
      qty: fc.integer({ min: 1, max: 4 }),
      purpose: fc.constantFrom('entry' as const, 'exit' as const, 'flatten' as const),
      stopDistance: fc.option(fc.constantFrom(2, 4, 8, 20), { nil: undefined }),
    }),
  },
  { weight: 15, arbitrary: fc.boolean().map((all): Command => ({ kind: 'fill', all })) },
  { weight: 2, arbitrary: fc.constant<Command>({ kind: 'cancel' }) },
  { weight: 5, arbitrary: fc.integer({ min: -500, max: 600 }).map((pnl): Command => ({ kind: 'trade', pnl })) },
  { weight: 6, arbitrary: fc.integer({ min: -1200, max: 800 }).map((openPnl): Command => ({ kind: 'mark', openPnl })) },
  { weight: 2, arbitrary: fc.constant<Command>({ kind: 'restart' }) },
);

/** What the runs exercised, so that the properties cannot pass vacuously. */
const seen = { ordersAtDailyLoss: 0, entries: 0, exits: 0, flattensWhileKilled: 0, fills: 0, kills: 0, resumes: 0, dayRolls: 0, restartsKilled: 0, refusals: new Set<string>() };

/**
 * Runs one session: a venue book (position + working orders) that only applies orders
 * preTradeCheck accepted, a risk actor fed with every signal, and the invariants checked
 * after every step.
 */
function runSession(limits: RiskLimits, commands: Command[]): void {
  const input: RiskInput = { limits, startingEquity: STARTING_EQUITY, pointValue: POINT_VALUE };
  let actor: Actor<typeof riskMachine> = createActor(riskMachine, { input }).start();
  let now = START;
  let position = 0;
  let working: Array<{ side: Side; qty: number }> = [];
  let realizedTotal = 0;
  let nextId = 0;
  const workingQty = () => ({
    buy: working.filter((w) => w.side === 'buy').reduce((s, w) => s + w.qty, 0),
    sell: working.filter((w) => w.side === 'sell').reduce((s, w) => s + w.qty, 0),
  });

  const send = (event: RiskEvent) => {
    const before = actor.getSnapshot();
    const wasKilled = riskStatus(before) === 'killed';
    const rolled = before.context.day !== null && tradingDay(event.time) > before.context.day;
    actor.send(event);
    const after = actor.getSnapshot();
    expect(after.status).toBe('active');
    const isKilled = riskStatus(after) === 'killed';
    const authorisedResume = event.type === 'RESUME' && (event.who ?? '').trim() !== '' && (event.reason ?? '').trim() !== '';
    // Only RESUME with who and reason leaves killed, and it always does.
    if (wasKilled) expect(isKilled).toBe(!authorisedResume);
    if (wasKilled && !isKilled) {
      seen.resumes++;
      expect(riskStatus(after)).toBe('reconciling');
    }
    if (!wasKilled && isKilled) seen.kills++;
    // A handled event of a later day resets the daily counters (but not the kill, checked
    // above). Ignored events leave the snapshot as it was; preTradeCheck rolls on its own.
    if (rolled && after !== before) {
      seen.dayRolls++;
      expect(after.context.day).toBe(tradingDay(event.time));
      expect(after.context.realizedPnlToday).toBe(event.type === 'TRADE_CLOSED' ? event.pnl : 0);
      expect(after.context.tradesToday).toBe(event.type === 'ORDER_SENT' && event.entry ? 1 : 0);
      expect(after.context.orderTimes.length).toBe(event.type === 'ORDER_SENT' ? 1 : 0);
      if (event.type !== 'TRADE_CLOSED' && event.type !== 'UNPAUSE') {
        expect(after.context.consecutiveLosses).toBe(before.context.consecutiveLosses);
      }
    }
    // A mark or a trade at or past the daily loss limit leaves risk killed.
    if ((event.type === 'EQUITY' || event.type === 'TRADE_CLOSED') && dailyLoss(after.context) >= limits.dailyLossLimit) {
      expect(riskStatus(after)).toBe('killed');
    }
  };

  const entryProbe = (): OrderRequest => ({
    clientOrderId: 'probe',
    symbol: 'ESZ25',
    side: position >= 0 ? 'buy' : 'sell',
    qty: 1,
    type: 'market',
    tif: 'day',
    stopDistance: 1,
    purpose: 'entry',
    createdAt: now,
  });

  for (const cmd of commands) {
    switch (cmd.kind) {
      case 'advance':
        now += cmd.ms;
        break;
      case 'event': {
        const event = { ...cmd.event, time: now } as RiskEvent;
        send(event.type === 'RECONCILED' ? { ...event, position } : event);
        break;
      }
      case 'order': {
        const snap = actor.getSnapshot();
        const state = riskStatus(snap);
        const order: OrderRequest = {
          clientOrderId: `o${nextId++}`,
          symbol: 'ESZ25',
          side: cmd.side,
          qty: cmd.qty,
          type: 'market',
          tif: 'day',
          stopDistance: cmd.stopDistance,
          purpose: cmd.purpose,
          createdAt: now,
        };
        const wq = workingQty();
        const result = preTradeCheck({ state, ctx: snap.context, limits, order, position, workingQty: wq, pointValue: POINT_VALUE, time: now });
        const entry = !reducesPosition(position, wq, order);
        const lossReached = dailyLoss(rollDay(snap.context, now)) >= limits.dailyLossLimit;
        if (lossReached) seen.ordersAtDailyLoss++;
        if (!result.ok) {
          seen.refusals.add(result.rule);
          break;
        }
        expect(state).not.toBe('reconciling');
        if (state === 'killed') {
          expect(order.purpose).toBe('flatten');
          expect(entry).toBe(false);
          seen.flattensWhileKilled++;
        }
        if (state === 'limited') expect(entry).toBe(false);
        // Once today's loss reaches the limit, nothing that adds risk passes.
        if (lossReached) expect(entry).toBe(false);
        expect(order.qty).toBeLessThanOrEqual(limits.maxOrderSize);
        if (entry) seen.entries++;
        else seen.exits++;
        working.push({ side: order.side, qty: order.qty });
        send({ type: 'ORDER_SENT', time: now, clientOrderId: order.clientOrderId, entry });
        break;
      }
      case 'fill': {
        const first = working[0];
        if (!first) break;
        const qty = cmd.all ? first.qty : 1;
        position += sideSign(first.side) * qty;
        first.qty -= qty;
        if (first.qty === 0) working = working.slice(1);
        seen.fills++;
        expect(Math.abs(position)).toBeLessThanOrEqual(limits.maxContracts);
        break;
      }
      case 'cancel':
        working = working.slice(1);
        break;
      case 'trade':
        realizedTotal += cmd.pnl;
        send({ type: 'TRADE_CLOSED', time: now, pnl: cmd.pnl });
        break;
      case 'mark':
        send({ type: 'EQUITY', time: now, equity: STARTING_EQUITY + realizedTotal + cmd.openPnl, openPnl: cmd.openPnl });
        break;
      case 'restart': {
        const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
        const before = actor.getSnapshot();
        actor.stop();
        actor = createActor(riskMachine, { snapshot: persisted, input }).start();
        expect(actor.getSnapshot().value).toEqual(before.value);
        expect(actor.getSnapshot().context).toStrictEqual(before.context);
        if (riskStatus(before) === 'killed') {
          seen.restartsKilled++;
          expect(riskStatus(actor.getSnapshot())).toBe('killed');
          const probe = preTradeCheck({
            state: riskStatus(actor.getSnapshot()),
            ctx: actor.getSnapshot().context,
            limits,
            order: entryProbe(),
            position,
            workingQty: workingQty(),
            pointValue: POINT_VALUE,
            time: now,
          });
          expect(probe.ok ? 'ok' : probe.rule).toBe('killed');
        }
        // A restarted process re-reconciles before trading.
        send({ type: 'RECONCILE_START', time: now });
        if (riskStatus(before) !== 'killed') expect(riskStatus(actor.getSnapshot())).toBe('reconciling');
        break;
      }
    }
    expect(Math.abs(position)).toBeLessThanOrEqual(limits.maxContracts);
  }
  actor.stop();
}

describe('risk + preTradeCheck: properties over random sessions', () => {
  it('holds every safety invariant on random sequences of signals, orders, fills, P&L, marks and operator commands', () => {
    fc.assert(
      fc.property(limitsArb, fc.array(commandArb, { minLength: 1, maxLength: 300, size: 'max' }), (limits, commands) => {
        runSession(limits, commands);
      }),
      { numRuns: 200 },
    );
    // The runs must have exercised what the properties talk about.
    expect(seen.ordersAtDailyLoss).toBeGreaterThan(0);
    expect(seen.entries).toBeGreaterThan(0);
    expect(seen.exits).toBeGreaterThan(0);
    expect(seen.flattensWhileKilled).toBeGreaterThan(0);
    expect(seen.fills).toBeGreaterThan(0);
    expect(seen.kills).toBeGreaterThan(0);
    expect(seen.resumes).toBeGreaterThan(0);
    expect(seen.dayRolls).toBeGreaterThan(0);
    expect(seen.restartsKilled).toBeGreaterThan(0);
    for (const rule of ['killed', 'reconciling', 'reduce-only', 'max-order-size', 'max-contracts', 'order-rate']) {
      expect(seen.refusals.has(rule), rule).toBe(true);
    }
  });

  it('a killed risk actor refuses every entry after any JSON restore and any day roll until an authorised RESUME', () => {
    fc.assert(
      fc.property(
        limitsArb,
        fc.integer({ min: 0, max: 7 * 24 * 3_600_000 }),
        fc.constantFrom<Side>('buy', 'sell'),
        fc.integer({ min: -3, max: 3 }),
        (limits, later, side, position) => {
          const input: RiskInput = { limits, startingEquity: STARTING_EQUITY, pointValue: POINT_VALUE };
          const actor = createActor(riskMachine, { input }).start();
          actor.send({ type: 'RECONCILED', time: START, position });
          actor.send({ type: 'KILL', time: START + 1, who: 'op', reason: 'property' });
          const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
          const restored = createActor(riskMachine, { snapshot: persisted, input }).start();
          const t = START + 1 + later;
          restored.send({ type: 'MARKET_DATA_OK', time: t });
          restored.send({ type: 'RESUME', time: t, who: 'op' });
          const snap = restored.getSnapshot();
          expect(riskStatus(snap)).toBe('killed');
          expect(snap.context.day).toBe(tradingDay(t));
          expect(snap.context.tradesToday).toBe(0);
          const order: OrderRequest = {
            clientOrderId: 'e',
            symbol: 'ESZ25',
            side,
            qty: 1,
            type: 'market',
            tif: 'day',
            stopDistance: 1,
            purpose: 'flatten',
            createdAt: t,
          };
          const result = preTradeCheck({ state: riskStatus(snap), ctx: snap.context, limits, order, position, workingQty: { buy: 0, sell: 0 }, pointValue: POINT_VALUE, time: t });
          // Even labelled 'flatten', only an order that shrinks the position passes.
          expect(result.ok).toBe(reducesPosition(position, { buy: 0, sell: 0 }, order));
          restored.send({ type: 'RESUME', time: t, who: 'op', reason: 'reviewed' });
          expect(riskStatus(restored.getSnapshot())).toBe('reconciling');
        },
      ),
      { numRuns: 200 },
    );
  });
});
