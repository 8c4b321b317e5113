import { describe, it, expect } from 'vitest';
import { createActor } from 'xstate';
import { riskLimitsSchema } from '../../config/schema.ts';
import type { RiskLimits } from '../../config/schema.ts';
import type { OrderRequest } from '../../core/types.ts';
import { preTradeCheck, reducesPosition } from '../../machines/preTradeCheck.ts';
import type { PreTradeInput } from '../../machines/preTradeCheck.ts';
import { initialRiskContext, riskMachine, riskStatus } from '../../machines/risk.ts';
import type { RiskContext } from '../../machines/risk.ts';

/** Tuesday 2025-11-04 09:00 America/Chicago. */
const T0 = Date.UTC(2025, 10, 4, 15, 0);

const limits: RiskLimits = riskLimitsSchema.parse({
  maxContracts: 3,
  maxOrderSize: 2,
  maxLossPerTrade: 500,
  dailyLossLimit: 1000,
  maxTradesPerDay: 5,
  maxConsecutiveLosses: 3,
  maxOrdersPerMinute: 4,
  requireStop: true,
});

const baseCtx = (over: Partial<RiskContext> = {}): RiskContext => ({
  ...initialRiskContext({ limits, startingEquity: 50_000, pointValue: 50 }),
  day: '2025-11-04',
  ...over,
});

const order = (over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: 'c1',
  symbol: 'ESZ25',
  side: 'buy',
  qty: 1,
  type: 'market',
  tif: 'day',
  stopDistance: 8, // 1 * 8 * $50 = $400 worst case
  purpose: 'entry',
  createdAt: T0,
  ...over,
});

const check = (over: Partial<PreTradeInput> = {}, o: Partial<OrderRequest> = {}) =>
  preTradeCheck({
    state: 'normal',
    ctx: baseCtx(),
    limits,
    order: order(o),
    position: 0,
    workingQty: { buy: 0, sell: 0 },
    pointValue: 50,
    time: T0,
    ...over,
  });

const ruleOf = (r: ReturnType<typeof preTradeCheck>) => (r.ok ? 'ok' : r.rule);

describe('preTradeCheck: a clean entry passes', () => {
  it('accepts a valid entry in normal with room on every limit', () => {
    expect(check()).toEqual({ ok: true });
  });
});

describe('preTradeCheck: validity', () => {
  it.each([
    ['zero qty', { qty: 0 }],
    ['negative qty', { qty: -1 }],
    ['fractional qty', { qty: 1.5 }],
    ['NaN qty', { qty: Number.NaN }],
    ['NaN price', { type: 'limit', price: Number.NaN }],
    ['infinite price', { type: 'limit', price: Number.POSITIVE_INFINITY }],
    ['zero price', { type: 'limit', price: 0 }],
    ['negative stop price', { type: 'stop', stopPrice: -5 }],
    ['limit without price', { type: 'limit' }],
    ['stop without stopPrice', { type: 'stop' }],
    ['NaN stopDistance', { stopDistance: Number.NaN }],
    ['zero stopDistance', { stopDistance: 0 }],
    ['unknown side', { side: 'hold' as never }],
  ] as Array<[string, Partial<OrderRequest>]>)('refuses %s as invalid-order with a reason', (_label, o) => {
    const r = check({}, o);
    expect(ruleOf(r)).toBe('invalid-order');
    expect(r.ok ? '' : r.reason).not.toBe('');
  });

  it('refuses invalid orders even when they would otherwise be exits, in every state', () => {
    for (const state of ['normal', 'limited', 'killed'] as const) {
      expect(ruleOf(check({ state, position: 2 }, { side: 'sell', qty: 1.5, purpose: 'flatten' }))).toBe('invalid-order');
    }
  });

  it('refuses invalid inputs around the order', () => {
    expect(ruleOf(check({ time: Number.NaN }))).toBe('invalid-input');
    expect(ruleOf(check({ position: 0.5 }))).toBe('invalid-input');
    expect(ruleOf(check({ workingQty: { buy: -1, sell: 0 } }))).toBe('invalid-input');
    expect(ruleOf(check({ pointValue: 0 }))).toBe('invalid-input');
  });
});

describe('preTradeCheck: risk state', () => {
  it('reconciling refuses everything, exits and flattens included', () => {
    expect(ruleOf(check({ state: 'reconciling' }))).toBe('reconciling');
    expect(ruleOf(check({ state: 'reconciling', position: 1 }, { side: 'sell', purpose: 'flatten' }))).toBe('reconciling');
  });

  it('killed lets through only flatten orders that strictly reduce |position|', () => {
    expect(check({ state: 'killed', position: 2 }, { side: 'sell', qty: 2, purpose: 'flatten' })).toEqual({ ok: true });
    expect(ruleOf(check({ state: 'killed', position: 2 }, { side: 'sell', qty: 1, purpose: 'exit' }))).toBe('killed');
    expect(ruleOf(check({ state: 'killed', position: 1 }, { side: 'sell', qty: 2, purpose: 'flatten' }))).toBe('killed');
    expect(ruleOf(check({ state: 'killed', position: 0 }, { side: 'sell', qty: 1, purpose: 'flatten' }))).toBe('killed');
    expect(ruleOf(check({ state: 'killed', position: -1 }, { side: 'sell', qty: 1, purpose: 'flatten' }))).toBe('killed');
    // A flatten already working covers the position: a second one would flip it.
    expect(
      ruleOf(check({ state: 'killed', position: -1, workingQty: { buy: 1, sell: 0 } }, { side: 'buy', qty: 1, purpose: 'flatten' })),
    ).toBe('killed');
  });

  it('limited is reduce-only, counting working orders on the same side', () => {
    expect(check({ state: 'limited', position: -2 }, { side: 'buy', qty: 1, purpose: 'exit' })).toEqual({ ok: true });
    expect(ruleOf(check({ state: 'limited', position: 0 }))).toBe('reduce-only');
    expect(ruleOf(check({ state: 'limited', position: 2 }, { side: 'buy' }))).toBe('reduce-only');
    expect(ruleOf(check({ state: 'limited', position: 2, workingQty: { buy: 0, sell: 2 } }, { side: 'sell', qty: 1 }))).toBe(
      'reduce-only',
    );
    expect(check({ state: 'limited', position: 2, workingQty: { buy: 5, sell: 1 } }, { side: 'sell', qty: 1 })).toEqual({ ok: true });
  });

  it('takes its state from a risk snapshot through riskStatus', () => {
    const actor = createActor(riskMachine, { input: { limits, startingEquity: 50_000, pointValue: 50 } }).start();
    const fromActor = () => check({ state: riskStatus(actor.getSnapshot()), ctx: actor.getSnapshot().context });
    expect(ruleOf(fromActor())).toBe('reconciling');
    actor.send({ type: 'RECONCILED', time: T0, position: 0 });
    expect(ruleOf(fromActor())).toBe('ok');
    actor.send({ type: 'PAUSE', time: T0, who: 'op', reason: 'news' });
    expect(ruleOf(fromActor())).toBe('reduce-only');
    actor.send({ type: 'KILL', time: T0, who: 'op', reason: 'x' });
    expect(ruleOf(fromActor())).toBe('killed');
  });
});

describe('preTradeCheck: reducesPosition', () => {
  it('is true only for opposite-side orders that cannot cross zero with the working ones', () => {
    expect(reducesPosition(3, { buy: 0, sell: 1 }, { side: 'sell', qty: 2 })).toBe(true);
    expect(reducesPosition(3, { buy: 0, sell: 2 }, { side: 'sell', qty: 2 })).toBe(false);
    expect(reducesPosition(-1, { buy: 0, sell: 0 }, { side: 'buy', qty: 1 })).toBe(true);
    expect(reducesPosition(-1, { buy: 0, sell: 0 }, { side: 'sell', qty: 1 })).toBe(false);
    expect(reducesPosition(0, { buy: 0, sell: 0 }, { side: 'buy', qty: 1 })).toBe(false);
  });
});

describe('preTradeCheck: size, contracts and rate', () => {
  it('maxOrderSize applies to entries and exits', () => {
    expect(ruleOf(check({}, { qty: 3 }))).toBe('max-order-size');
    expect(ruleOf(check({ position: 3 }, { side: 'sell', qty: 3 }))).toBe('max-order-size');
    expect(ruleOf(check({ position: 3 }, { side: 'sell', qty: 2 }))).toBe('ok');
  });

  it('maxContracts counts the position and working orders on the same side', () => {
    expect(ruleOf(check({ position: 1, workingQty: { buy: 1, sell: 0 } }, { qty: 1, stopDistance: 2 }))).toBe('ok');
    expect(ruleOf(check({ position: 2, workingQty: { buy: 1, sell: 0 } }, { qty: 1, stopDistance: 2 }))).toBe('max-contracts');
    expect(ruleOf(check({ position: -3, workingQty: { buy: 0, sell: 0 } }, { side: 'sell', qty: 1 }))).toBe('max-contracts');
    // Working orders on the other side do not shrink the worst case.
    expect(ruleOf(check({ position: 2, workingQty: { buy: 0, sell: 2 } }, { qty: 2, stopDistance: 2 }))).toBe('max-contracts');
    // A flip through zero is an entry on the other side.
    expect(ruleOf(check({ position: 1 }, { side: 'sell', qty: 2, stopDistance: 2 }))).toBe('ok');
  });

  it('refuses any order once the last 60 s of event time hold maxOrdersPerMinute orders', () => {
    const full = baseCtx({ orderTimes: [T0 - 59_999, T0 - 30_000, T0 - 10_000, T0] });
    expect(ruleOf(check({ ctx: full }))).toBe('order-rate');
    expect(ruleOf(check({ ctx: full, position: 1 }, { side: 'sell' }))).toBe('order-rate');
    expect(ruleOf(check({ ctx: full, state: 'killed', position: 1 }, { side: 'sell', purpose: 'flatten' }))).toBe('order-rate');
    expect(ruleOf(check({ ctx: full, time: T0 + 1 }))).toBe('ok');
  });
});

describe('preTradeCheck: entry-only rules', () => {
  it('margin: an entry the available funds cannot carry is refused; without a venue balance nothing is checked', () => {
    // Default limit: $500 per contract unless the venue says otherwise.
    expect(ruleOf(check({ ctx: baseCtx({ availableFunds: 499.99 }) }))).toBe('margin');
    expect(ruleOf(check({ ctx: baseCtx({ availableFunds: 500 }) }))).toBe('ok');
    expect(ruleOf(check({ ctx: baseCtx({ availableFunds: null }) }))).toBe('ok');
    // The venue's own per-contract margin wins; working orders on the same side count.
    const venue = baseCtx({ availableFunds: 2_000, marginPerContract: 1_000 });
    expect(ruleOf(check({ ctx: venue }, { qty: 2, stopDistance: 4 }))).toBe('ok');
    expect(ruleOf(check({ ctx: venue, workingQty: { buy: 1, sell: 0 } }, { qty: 2, stopDistance: 4 }))).toBe('margin');
    // Reducing orders never need margin.
    expect(ruleOf(check({ ctx: baseCtx({ availableFunds: 0 }), position: 1 }, { side: 'sell' }))).toBe('ok');
  });

  it('requireStop refuses an entry without stopDistance, not an exit', () => {
    expect(ruleOf(check({}, { stopDistance: undefined }))).toBe('require-stop');
    expect(ruleOf(check({ position: 1 }, { side: 'sell', stopDistance: undefined }))).toBe('ok');
    expect(ruleOf(check({ limits: { ...limits, requireStop: false } }, { stopDistance: undefined }))).toBe('ok');
  });

  it('worst-case loss = qty x stopDistance x pointValue must not exceed maxLossPerTrade', () => {
    expect(ruleOf(check({}, { qty: 1, stopDistance: 10 }))).toBe('ok'); // $500
    expect(ruleOf(check({}, { qty: 1, stopDistance: 10.25 }))).toBe('max-loss-per-trade');
    expect(ruleOf(check({}, { qty: 2, stopDistance: 5.25 }))).toBe('max-loss-per-trade');
    expect(ruleOf(check({ pointValue: 5 }, { qty: 2, stopDistance: 40 }))).toBe('ok'); // MES: $400
  });

  it('daily loss at the limit refuses entries, not exits', () => {
    const lost = baseCtx({ realizedPnlToday: -700, openPnl: -300 });
    expect(ruleOf(check({ ctx: lost }))).toBe('daily-loss');
    expect(ruleOf(check({ ctx: lost, position: -1 }, { side: 'buy' }))).toBe('ok');
    expect(ruleOf(check({ ctx: baseCtx({ realizedPnlToday: -700, openPnl: -299.99 }) }))).toBe('ok');
  });

  it('maxTradesPerDay counts entries today and resets on a later trading day', () => {
    const busy = baseCtx({ tradesToday: 5 });
    expect(ruleOf(check({ ctx: busy }))).toBe('max-trades-per-day');
    expect(ruleOf(check({ ctx: busy, position: 1 }, { side: 'sell' }))).toBe('ok');
    const nextDay = Date.UTC(2025, 10, 4, 23, 0); // 17:00 CT: trading day 2025-11-05
    expect(ruleOf(check({ ctx: busy, time: nextDay }))).toBe('ok');
  });

  it('a losing streak at maxConsecutiveLosses refuses entries, even on a new day', () => {
    const streak = baseCtx({ consecutiveLosses: 3 });
    expect(ruleOf(check({ ctx: streak }))).toBe('consecutive-losses');
    expect(ruleOf(check({ ctx: streak, time: Date.UTC(2025, 10, 5, 15, 0) }))).toBe('consecutive-losses');
    expect(ruleOf(check({ ctx: streak, position: 2 }, { side: 'sell' }))).toBe('ok');
  });

  it('daily realised loss does not carry into the next trading day', () => {
    const lost = baseCtx({ realizedPnlToday: -1000 });
    expect(ruleOf(check({ ctx: lost }))).toBe('daily-loss');
    expect(ruleOf(check({ ctx: lost, time: Date.UTC(2025, 10, 4, 23, 0) }))).toBe('ok');
  });
});

describe('preTradeCheck: the phase decides the account', () => {
  const setup = { id: 0, name: 'setup' } as const;
  const propFirm = { id: 4, name: 'propFirm' } as const;
  it('refuses an entry on an account the phase does not allow, naming account and phase', () => {
    const r = check({ phase: setup, account: { id: 'LIVE-AMP-123', kind: 'live' } });
    expect(r).toEqual({ ok: false, rule: 'account-phase', reason: expect.stringContaining("account 'LIVE-AMP-123' is live; phase 0 setup trades only paper") });
    expect(ruleOf(check({ phase: propFirm, account: { id: 'SIM', kind: 'paper' } }))).toBe('account-phase');
    expect(ruleOf(check({ phase: setup, account: { id: 'X', kind: null } }))).toBe('account-phase');
    expect(ruleOf(check({ phase: setup, account: null }))).toBe('account-phase');
  });

  it('passes an entry on an allowed account', () => {
    expect(check({ phase: setup, account: { id: 'SIM', kind: 'paper' } })).toEqual({ ok: true });
    expect(check({ phase: propFirm, account: { id: 'APEX', kind: 'propFirm' } })).toEqual({ ok: true });
  });

  it('still lets an order that strictly reduces the position leave (a demotion never traps a position)', () => {
    const exit = check({ phase: setup, account: { id: 'APEX', kind: 'propFirm' }, position: 1 }, { side: 'sell', purpose: 'exit' });
    expect(exit).toEqual({ ok: true });
    const flip = check({ phase: setup, account: { id: 'APEX', kind: 'propFirm' }, position: 1 }, { side: 'sell', qty: 2, purpose: 'exit' });
    expect(ruleOf(flip)).toBe('account-phase');
  });
});
