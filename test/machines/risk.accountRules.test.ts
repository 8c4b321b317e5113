/**
 * The account rules risk enforces per phase (config/accountRules.ts): the prop firm's
 * profile in phase 4 (daily loss, trailing drawdown from its high-water mark in both modes,
 * the floor that stops at the start, profit target, consistency, max contracts, allowed
 * hours, news blackouts) and the own account's limits with the scaling rule in phases 5-6.
 * Unit cases, then fast-check properties over random sessions.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createActor } from 'xstate';
import { riskLimitsSchema, type RiskLimits } from '../../config/schema.ts';
import type { PhaseName } from '../../config/gates.ts';
import { tradingDay } from '../../core/tradingDay.ts';
import type { OrderRequest } from '../../core/types.ts';
import { accountFloor, riskMachine, riskStatus, type RiskEvent, type RiskSnapshot } from '../../machines/risk.ts';
import { preTradeCheck, type PreTradeRule } from '../../machines/preTradeCheck.ts';

/** Tuesday 2025-11-04 09:00 America/Chicago (CST): RTH, trading day 2025-11-04. */
const T0 = Date.UTC(2025, 10, 4, 15, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = 50_000;

/** MIA's own limits roomy enough that only the account rules can bite. */
const limits = (over: Record<string, unknown> = {}): RiskLimits =>
  riskLimitsSchema.parse({ maxContracts: 10, maxOrderSize: 10, dailyLossLimit: 100_000, trailingDrawdown: 100_000, maxLossPerTrade: 100_000, maxTradesPerDay: 100, maxConsecutiveLosses: 100, ...over });

function actorIn(phase: PhaseName, l: RiskLimits = limits()) {
  const actor = createActor(riskMachine, { input: { limits: l, startingEquity: START, pointValue: 50 } }).start();
  actor.send({ type: 'RECONCILED', time: T0, position: 0 });
  actor.send({ type: 'CONFIGURE', time: T0, limits: l, phase });
  return actor;
}
type RiskActor = ReturnType<typeof actorIn>;
const status = (a: RiskActor) => riskStatus(a.getSnapshot());
const ctx = (a: RiskActor) => a.getSnapshot().context;
const mark = (a: RiskActor, time: number, equity: number, openPnl = 0) => a.send({ type: 'EQUITY', time, equity, openPnl });

const entry = (over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: 'c1',
  symbol: 'ESZ25',
  side: 'buy',
  qty: 1,
  type: 'market',
  tif: 'ioc',
  purpose: 'entry',
  createdAt: T0,
  stopDistance: 2,
  ...over,
});

function check(a: RiskActor | RiskSnapshot, phase: PhaseName, over: { order?: Partial<OrderRequest>; time?: number; position?: number; limits?: RiskLimits } = {}): PreTradeRule | 'ok' {
  const snap = 'getSnapshot' in a ? a.getSnapshot() : a;
  const kind = phase === 'propFirm' ? 'propFirm' : phase === 'ownAccount' || phase === 'signals' ? 'live' : 'paper';
  const r = preTradeCheck({
    state: riskStatus(snap),
    ctx: snap.context,
    limits: over.limits ?? snap.context.limits,
    order: entry(over.order),
    position: over.position ?? 0,
    workingQty: { buy: 0, sell: 0 },
    pointValue: 50,
    time: over.time ?? T0 + MIN,
    phase: { id: ['setup', 'calibration', 'backtest', 'simulation', 'propFirm', 'ownAccount', 'signals'].indexOf(phase), name: phase },
    account: { id: 'A', kind },
  });
  return r.ok ? 'ok' : r.rule;
}

describe('risk: the prop-firm profile in phase 4', () => {
  it('CONFIGURE starts the evaluation at the current balance and logs the phase', () => {
    const a = actorIn('propFirm');
    expect(ctx(a).account).toEqual({ kind: 'propFirm', startEquity: START, highWater: START, bestDay: 0, realizedTodayBefore: 0 });
    expect(ctx(a).log.at(-1)?.detail).toContain('phase unknown -> propFirm: prop-firm rules apply');
    // The same phase again keeps the evaluation's state.
    mark(a, T0 + MIN, START + 500);
    a.send({ type: 'CONFIGURE', time: T0 + 2 * MIN, limits: ctx(a).limits, phase: 'propFirm' });
    expect(ctx(a).account?.startEquity).toBe(START);
  });

  it('intraday trailing drawdown: the high-water mark follows open equity; touching the floor kills, naming the rule', () => {
    const a = actorIn('propFirm', limits({ propFirm: { trailingDrawdownMode: 'intraday', trailingDrawdown: 2_000, dailyLossLimit: 5_000 } }));
    mark(a, T0 + MIN, START + 1_500, 1_500);
    expect(ctx(a).account?.highWater).toBe(START + 1_500);
    expect(accountFloor(ctx(a))).toBe(START - 500);
    mark(a, T0 + MIN, START + 2_600, 2_600);
    expect(accountFloor(ctx(a))).toBe(START); // 52,600 - 2,000 = 50,600, stopped at the start
    mark(a, T0 + 2 * MIN, START + 1, 1);
    expect(status(a)).toBe('normal');
    mark(a, T0 + 3 * MIN, START, 0);
    expect(status(a)).toBe('killed');
    expect(ctx(a).killedBy).toBe('risk');
    expect(ctx(a).killReason).toMatch(/^prop-firm rule trailing drawdown \(intraday\): equity \$50000.00 at or below \$50000.00/);
  });

  it('without the stop at the start, the floor keeps trailing the high-water mark', () => {
    const a = actorIn('propFirm', limits({ propFirm: { trailingDrawdownMode: 'intraday', trailingStopsAtStart: false, trailingDrawdown: 2_000, dailyLossLimit: 5_000 } }));
    mark(a, T0 + MIN, START + 3_000, 3_000);
    expect(accountFloor(ctx(a))).toBe(START + 1_000);
    mark(a, T0 + 2 * MIN, START + 1_000, 1_000);
    expect(status(a)).toBe('killed');
  });

  it('end-of-day trailing drawdown: the high-water mark moves only to a closing balance, at the trading-day roll', () => {
    const a = actorIn('propFirm', limits({ propFirm: { trailingDrawdownMode: 'eod', trailingDrawdown: 2_000, dailyLossLimit: 5_000, profitTarget: 10_000, consistencyMaxDayShare: 1 } }));
    // An intraday peak of +1,800 open P&L does not move it.
    mark(a, T0 + MIN, START + 1_800, 1_800);
    expect(ctx(a).account?.highWater).toBe(START);
    a.send({ type: 'TRADE_CLOSED', time: T0 + 2 * MIN, pnl: 1_200 });
    mark(a, T0 + 2 * MIN, START + 1_200, 0);
    expect(ctx(a).account?.highWater).toBe(START);
    // The next trading day (after 17:00 CT): the close of 51,200 becomes the mark.
    const next = T0 + DAY;
    expect(tradingDay(next)).not.toBe(tradingDay(T0));
    mark(a, next, START + 1_200, 0);
    expect(ctx(a).account?.highWater).toBe(START + 1_200);
    expect(ctx(a).account?.bestDay).toBe(1_200);
    expect(accountFloor(ctx(a))).toBe(START - 800);
    mark(a, next + MIN, START - 799, -1_999);
    expect(status(a)).toBe('normal');
    mark(a, next + 2 * MIN, START - 800, -2_000);
    expect(status(a)).toBe('killed');
  });

  it("the firm's daily loss kills, stricter than MIA's own", () => {
    const a = actorIn('propFirm', limits({ propFirm: { dailyLossLimit: 1_000, trailingDrawdown: 3_000 } }));
    a.send({ type: 'TRADE_CLOSED', time: T0 + MIN, pnl: -600 });
    expect(status(a)).toBe('normal');
    mark(a, T0 + 2 * MIN, START - 1_000, -400);
    expect(status(a)).toBe('killed');
    expect(ctx(a).killReason).toBe('prop-firm rule daily loss: $1000.00 >= $1000.00');
  });

  it("a phase change mid-day does not charge the firm's account with the day's earlier losses (it has its own day)", () => {
    const l = limits({ propFirm: { dailyLossLimit: 1_000, trailingDrawdown: 30_000 } });
    const a = actorIn('simulation', l);
    // The paper account lost $1,200 this morning: MIA's own limit (roomy here) counts it, the firm's rules do not.
    a.send({ type: 'TRADE_CLOSED', time: T0 + MIN, pnl: -1_200 });
    mark(a, T0 + MIN, START - 1_200, 0);
    a.send({ type: 'CONFIGURE', time: T0 + 2 * MIN, limits: l, phase: 'propFirm' });
    expect(ctx(a).account).toMatchObject({ kind: 'propFirm', startEquity: START - 1_200, realizedTodayBefore: -1_200 });
    expect(status(a)).toBe('normal');
    expect(check(a, 'propFirm', { time: T0 + 3 * MIN, limits: l })).toBe('ok');
    // Its own losses count: $600 realised plus $400 open since it began reaches its $1,000.
    a.send({ type: 'TRADE_CLOSED', time: T0 + 3 * MIN, pnl: -600 });
    mark(a, T0 + 4 * MIN, START - 2_200, -400);
    expect(status(a)).toBe('killed');
    expect(ctx(a).killReason).toBe('prop-firm rule daily loss: $1000.00 >= $1000.00');
  });

  it('the profit target reached stops entries (limited, not a breach); the evaluation has nothing left to prove', () => {
    const a = actorIn('propFirm', limits({ propFirm: { profitTarget: 3_000, consistencyMaxDayShare: 0.6 } }));
    a.send({ type: 'TRADE_CLOSED', time: T0 + MIN, pnl: 1_500 });
    mark(a, T0 + MIN, START + 1_500, 0);
    expect(status(a)).toBe('normal');
    const day2 = T0 + DAY;
    a.send({ type: 'TRADE_CLOSED', time: day2, pnl: 1_500 });
    mark(a, day2, START + 3_000, 0);
    expect(status(a)).toBe('limited');
    expect(ctx(a).reasons).toEqual(['profit-target']);
    expect(check(a, 'propFirm', { time: day2 + MIN })).toBe('reduce-only');
    // An operator's UNPAUSE does not erase a fact.
    a.send({ type: 'UNPAUSE', time: day2 + 2 * MIN, who: 'op' });
    expect(ctx(a).reasons).toEqual(['profit-target']);
    // Promoted (or demoted) elsewhere: the firm's rules no longer apply.
    a.send({ type: 'CONFIGURE', time: day2 + 3 * MIN, limits: ctx(a).limits, phase: 'simulation' });
    expect(status(a)).toBe('normal');
    expect(ctx(a).account).toBeNull();
  });

  it('consistency: a day at the cap (share x profit target) stops entries until the trading day rolls', () => {
    const a = actorIn('propFirm', limits({ propFirm: { profitTarget: 3_000, consistencyMaxDayShare: 0.4 } }));
    a.send({ type: 'TRADE_CLOSED', time: T0 + MIN, pnl: 1_199 });
    expect(status(a)).toBe('normal');
    expect(check(a, 'propFirm', { time: T0 + 2 * MIN })).toBe('ok');
    a.send({ type: 'TRADE_CLOSED', time: T0 + 3 * MIN, pnl: 1 });
    expect(ctx(a).reasons).toEqual(['consistency']);
    expect(check(a, 'propFirm', { time: T0 + 4 * MIN })).toBe('reduce-only');
    mark(a, T0 + DAY, START + 1_200, 0);
    expect(status(a)).toBe('normal');
    expect(ctx(a).account?.bestDay).toBe(1_200);
  });

  it("pre-trade: the firm's max contracts, allowed hours and news blackouts refuse entries; exits still pass", () => {
    const l = limits({
      propFirm: {
        maxContracts: 3,
        allowedHours: { start: '08:30', end: '15:10', timeZone: 'America/Chicago' },
        newsBlackouts: [{ from: '2025-11-04T15:28:00Z', to: '2025-11-04T15:35:00Z', label: 'CPI' }],
      },
    });
    const a = actorIn('propFirm', l);
    expect(check(a, 'propFirm', { order: { qty: 3 } })).toBe('ok');
    expect(check(a, 'propFirm', { order: { qty: 2 }, position: 2 })).toBe('max-contracts');
    // 15:10 CT is the cut-off; 08:29 is before the open of the allowed window.
    expect(check(a, 'propFirm', { time: Date.UTC(2025, 10, 4, 21, 10) })).toBe('allowed-hours');
    expect(check(a, 'propFirm', { time: Date.UTC(2025, 10, 4, 21, 9) })).toBe('ok');
    expect(check(a, 'propFirm', { time: Date.UTC(2025, 10, 4, 14, 29) })).toBe('allowed-hours');
    expect(check(a, 'propFirm', { time: Date.UTC(2025, 10, 4, 15, 30) })).toBe('news-blackout');
    expect(check(a, 'propFirm', { time: Date.UTC(2025, 10, 4, 15, 35) })).toBe('ok');
    // A closing order leaves at any hour: a rule must never trap a position.
    expect(check(a, 'propFirm', { time: Date.UTC(2025, 10, 4, 22, 0), position: 1, order: { side: 'sell', purpose: 'exit' } })).toBe('ok');
    // The same order in phase 3 (paper, no firm): hours do not apply.
    expect(check(actorIn('simulation', l), 'simulation', { time: Date.UTC(2025, 10, 4, 22, 0) })).toBe('ok');
  });

  it('the phase the pre-trade check is given rules, even before the risk actor was told', () => {
    const l = limits({ propFirm: { maxContracts: 1 } });
    const a = actorIn('simulation', l);
    expect(check(a, 'simulation', { order: { qty: 2 } })).toBe('ok');
    expect(check(a, 'propFirm', { order: { qty: 2 } })).toBe('max-contracts');
  });
});

describe('risk: the own live account in phases 5-6', () => {
  it('the scaling rule allows more contracts as the profit since phase 5 grows', () => {
    const l = limits({ live: { dailyLossLimit: 5_000, trailingDrawdown: 5_000, scaling: [{ profitAbove: 0, maxContracts: 1 }, { profitAbove: 2_000, maxContracts: 2 }, { profitAbove: 5_000, maxContracts: 4 }] } });
    const a = actorIn('ownAccount', l);
    expect(check(a, 'ownAccount', { order: { qty: 1 } })).toBe('ok');
    expect(check(a, 'ownAccount', { order: { qty: 2 } })).toBe('max-contracts');
    a.send({ type: 'TRADE_CLOSED', time: T0 + MIN, pnl: 2_000 });
    mark(a, T0 + MIN, START + 2_000, 0);
    expect(check(a, 'ownAccount', { order: { qty: 2 } })).toBe('ok');
    expect(check(a, 'ownAccount', { order: { qty: 3 } })).toBe('max-contracts');
    // Open profit does not scale: only the balance does.
    mark(a, T0 + 2 * MIN, START + 6_000, 4_000);
    expect(check(a, 'ownAccount', { order: { qty: 3 } })).toBe('max-contracts');
    // Phase 6 is phase 5 plus signals: the same account state carries on.
    a.send({ type: 'CONFIGURE', time: T0 + 3 * MIN, limits: l, phase: 'signals' });
    expect(ctx(a).account?.startEquity).toBe(START);
    // MIA's own maxContracts stays a ceiling.
    expect(check(a, 'signals', { order: { qty: 2 }, limits: { ...l, maxContracts: 1 } })).toBe('max-contracts');
  });

  it('the live daily loss and trailing drawdown kill, naming the live-account rule', () => {
    const a = actorIn('ownAccount', limits({ live: { dailyLossLimit: 500, trailingDrawdown: 1_500, trailingDrawdownMode: 'intraday' } }));
    mark(a, T0 + MIN, START - 499, -499);
    expect(status(a)).toBe('normal');
    mark(a, T0 + 2 * MIN, START - 500, -500);
    expect(status(a)).toBe('killed');
    expect(ctx(a).killReason).toMatch(/^live-account rule daily loss/);
  });
});

describe('risk: a restored actor picks up the current limits', () => {
  it('CONFIGURE replaces the limits a restored snapshot kept, logs the diff, and the next mark judges by them', () => {
    const old = limits({ dailyLossLimit: 2_000 });
    const a = actorIn('simulation', old);
    mark(a, T0 + MIN, START - 1_500, -1_500);
    expect(status(a)).toBe('normal');
    const saved = JSON.parse(JSON.stringify(a.getPersistedSnapshot()));
    const fresh = limits({ dailyLossLimit: 1_000 });
    // XState ignores `input` on restore: the restored actor keeps 2,000 ...
    const restored = createActor(riskMachine, { snapshot: saved, input: { limits: fresh, startingEquity: START, pointValue: 50 } }).start();
    expect(restored.getSnapshot().context.limits.dailyLossLimit).toBe(2_000);
    // ... until told.
    restored.send({ type: 'CONFIGURE', time: T0 + 2 * MIN, limits: fresh, phase: 'simulation' });
    expect(restored.getSnapshot().context.limits.dailyLossLimit).toBe(1_000);
    expect(restored.getSnapshot().context.log.at(-1)?.detail).toBe('limits refreshed: dailyLossLimit: 2000 -> 1000');
    restored.send({ type: 'EQUITY', time: T0 + 3 * MIN, equity: START - 1_500, openPnl: -1_500 });
    expect(riskStatus(restored.getSnapshot())).toBe('killed');
  });
});

describe('risk: account-rule properties (fast-check)', () => {
  /** A session in phase 4 or 5: marks and closed trades over several trading days. */
  const stepArb = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('mark' as const), dt: fc.integer({ min: 0, max: 2 * HOUR }), balanceMove: fc.constant(0), open: fc.integer({ min: -2_500, max: 2_500 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('trade' as const), dt: fc.integer({ min: 0, max: HOUR }), balanceMove: fc.integer({ min: -900, max: 1_200 }), open: fc.constant(0) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('nextDay' as const), dt: fc.integer({ min: 20 * HOUR, max: 30 * HOUR }), balanceMove: fc.constant(0), open: fc.constant(0) }) },
  );
  const rulesArb = fc.record({
    phase: fc.constantFrom<PhaseName>('propFirm', 'ownAccount'),
    mode: fc.constantFrom('intraday' as const, 'eod' as const),
    stopsAtStart: fc.boolean(),
    drawdown: fc.integer({ min: 500, max: 3_000 }),
    dailyLoss: fc.integer({ min: 300, max: 3_000 }),
  });

  it('trailing drawdown: equity never sits at or below the high-water mark minus the limit without a kill (an independent oracle of the mark)', () => {
    fc.assert(
      fc.property(rulesArb, fc.array(stepArb, { minLength: 1, maxLength: 60 }), (r, steps) => {
        const l = limits({
          propFirm: { trailingDrawdownMode: r.mode, trailingStopsAtStart: r.stopsAtStart, trailingDrawdown: r.drawdown, dailyLossLimit: r.dailyLoss, profitTarget: 1e9 },
          live: { trailingDrawdownMode: r.mode, trailingDrawdown: r.drawdown, dailyLossLimit: r.dailyLoss },
        });
        const a = actorIn(r.phase, l);
        // The oracle: the mark and the floor recomputed from the sequence alone.
        let t = T0;
        let balance = START;
        let equity = START;
        let highWater = START;
        let day = tradingDay(t);
        for (const s of steps) {
          t += s.dt;
          const d = tradingDay(t);
          if (d !== day) {
            if (r.mode === 'eod') highWater = Math.max(highWater, balance);
            day = d;
          }
          if (s.kind === 'trade') {
            balance += s.balanceMove;
            a.send({ type: 'TRADE_CLOSED', time: t, pnl: s.balanceMove });
          }
          equity = balance + s.open;
          mark(a, t, equity, s.open);
          if (r.mode === 'intraday') highWater = Math.max(highWater, equity);
          const trailing = highWater - r.drawdown;
          const floor = r.phase === 'propFirm' && r.stopsAtStart ? Math.min(trailing, START) : trailing;
          if (equity <= floor) expect(status(a)).toBe('killed');
          if (status(a) === 'killed') return; // latched: the rest of the session is flattening
          expect(equity).toBeGreaterThan(floor);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('no entry passes above the max contracts of the phase, outside the allowed hours, or in a blackout', () => {
    const l = limits({
      maxContracts: 4,
      propFirm: { maxContracts: 2, newsBlackouts: [{ from: '2025-11-05T13:30:00Z', to: '2025-11-05T13:45:00Z', label: 'NFP' }] },
      live: { scaling: [{ profitAbove: 0, maxContracts: 1 }, { profitAbove: 1_000, maxContracts: 3 }] },
    });
    fc.assert(
      fc.property(
        fc.constantFrom<PhaseName>('simulation', 'propFirm', 'ownAccount'),
        fc.integer({ min: 0, max: 2 * DAY }),
        fc.integer({ min: -3, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: -500, max: 2_000 }),
        (phase, dt, position, qty, profit) => {
          const a = actorIn(phase, l);
          a.send({ type: 'TRADE_CLOSED', time: T0, pnl: profit });
          mark(a, T0, START + profit, 0);
          const time = T0 + dt;
          const side = position >= 0 ? 'buy' : 'sell';
          const verdict = check(a, phase, { time, position, order: { qty, side } });
          if (verdict !== 'ok') return;
          const exposure = Math.abs(position) + qty;
          const cap = phase === 'propFirm' ? 2 : phase === 'ownAccount' ? (profit >= 1_000 ? 3 : 1) : 4;
          expect(exposure).toBeLessThanOrEqual(cap);
          if (phase === 'propFirm') {
            const local = new Date(time - 6 * HOUR); // November: CST = UTC-6
            const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
            expect(minutes >= 8 * 60 + 30 && minutes < 15 * 60 + 10).toBe(true);
            expect(time >= Date.parse('2025-11-05T13:30:00Z') && time < Date.parse('2025-11-05T13:45:00Z')).toBe(false);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
