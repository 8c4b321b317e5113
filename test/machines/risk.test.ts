import { describe, it, expect } from 'vitest';
import { createActor } from 'xstate';
import type { AnyTransitionDefinition, InspectionEvent } from 'xstate';
import { adjacencyMapToArray, createTestModel, getStateNodes } from 'xstate/graph';
import { riskLimitsSchema } from '../../config/schema.ts';
import type { RiskLimits } from '../../config/schema.ts';
import { tradingDay } from '../../core/tradingDay.ts';
import {
  RISK_LOG_SIZE,
  dailyLoss,
  riskMachine,
  riskStatus,
} from '../../machines/risk.ts';
import type { RiskEvent, RiskInput, RiskSnapshot } from '../../machines/risk.ts';

const limits = (over: Partial<RiskLimits> = {}): RiskLimits =>
  riskLimitsSchema.parse({
    maxContracts: 2,
    maxOrderSize: 2,
    maxLossPerTrade: 500,
    dailyLossLimit: 1000,
    trailingDrawdown: 2500,
    rejectsToLimited: 2,
    maxConsecutiveLosses: 2,
    ...over,
  });

const inputWith = (over: Partial<RiskLimits> = {}): RiskInput => ({ limits: limits(over), startingEquity: 50_000, pointValue: 50 });

/** Tuesday 2025-11-04 09:00 America/Chicago (CST, UTC-6): inside trading day 2025-11-04. */
const T0 = Date.UTC(2025, 10, 4, 15, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

function start(over: Partial<RiskLimits> = {}) {
  const actor = createActor(riskMachine, { input: inputWith(over) }).start();
  return actor;
}

/** An actor already reconciled into normal. */
function normalActor(over: Partial<RiskLimits> = {}) {
  const actor = start(over);
  actor.send({ type: 'RECONCILED', time: T0, position: 0 });
  expect(riskStatus(actor.getSnapshot())).toBe('normal');
  return actor;
}

const status = (actor: { getSnapshot(): RiskSnapshot }) => riskStatus(actor.getSnapshot());
const ctx = (actor: { getSnapshot(): RiskSnapshot }) => actor.getSnapshot().context;

describe('riskMachine: model-based (xstate/graph)', () => {
  const input = inputWith();
  // A fixed palette of concrete events: each type once, with payloads that take every branch.
  const t = T0;
  const palette: RiskEvent[] = [
    { type: 'RECONCILE_START', time: t },
    { type: 'RECONCILED', time: t, position: 0 },
    { type: 'MARKET_DATA_STALE', time: t },
    { type: 'MARKET_DATA_OK', time: t },
    { type: 'VENUE_DOWN', time: t },
    { type: 'VENUE_UP', time: t },
    { type: 'ORDER_SENT', time: t, clientOrderId: 'o1', entry: true },
    { type: 'ORDER_REJECTED', time: t, reason: 'margin' },
    { type: 'ORDER_ACCEPTED', time: t },
    { type: 'TRADE_CLOSED', time: t, pnl: -100 },
    { type: 'TRADE_CLOSED', time: t, pnl: 100 },
    { type: 'TRADE_CLOSED', time: t, pnl: -5000 },
    { type: 'EQUITY', time: t, equity: 50_000, openPnl: 0 },
    { type: 'EQUITY', time: t, equity: 45_000, openPnl: -5000 },
    { type: 'PAUSE', time: t, who: 'op', reason: 'news' },
    { type: 'UNPAUSE', time: t, who: 'op' },
    { type: 'KILL', time: t, who: 'op', reason: 'manual' },
    { type: 'SUPERVISOR_ESCALATE', time: t, level: 'limited', reason: 'dtc' },
    { type: 'SUPERVISOR_ESCALATE', time: t, level: 'killed', reason: 'dtc' },
    { type: 'RESUME', time: t, who: 'op', reason: 'checked the account' },
    { type: 'RESUME', time: t, who: 'op' },
    { type: 'ANOMALY', time: t, reason: 'foreign-order', detail: 'a fill for an order MIA never sent' },
    // The phase's account rules come and go (prop firm in phase 4, none in paper phases).
    { type: 'CONFIGURE', time: t, limits: input.limits, phase: 'propFirm' },
    { type: 'CONFIGURE', time: t, limits: input.limits, phase: 'simulation' },
  ];
  // Serialise the state value plus what steers guards, with streaks capped at their limits,
  // so that P&L, clocks and the log do not multiply the state space.
  const serializeState = (s: RiskSnapshot) =>
    JSON.stringify({
      value: s.value,
      // An order-path anomaly behaves as an operator pause (set by one event, cleared only by
      // UNPAUSE): one abstract reason for both keeps the graph at its former size.
      reasons: [...new Set(s.context.reasons.map((r) => (r === 'foreign-order' ? 'operator-pause' : r)))],
      rejects: Math.min(s.context.rejectStreak, input.limits.rejectsToLimited),
      losses: Math.min(s.context.consecutiveLosses, input.limits.maxConsecutiveLosses),
      rules: s.context.account?.kind ?? null,
    });
  const model = createTestModel(riskMachine, { input, events: palette, serializeState });
  const paths = model.getShortestPaths();

  it('reaches every state node', () => {
    const reached = new Set(paths.flatMap((p) => p.steps.flatMap((s) => s.state._nodes)).concat(paths.flatMap((p) => p.state._nodes)));
    const all = getStateNodes(riskMachine.root);
    expect(all.map((n) => n.id).sort()).toEqual(['risk.active', 'risk.active.limited', 'risk.active.normal', 'risk.active.reconciling', 'risk.killed']);
    for (const node of all) expect(reached.has(node), node.id).toBe(true);
  });

  it('a live actor follows every shortest path exactly', async () => {
    for (const path of paths) {
      const actor = createActor(riskMachine, { input }).start();
      await path.test({
        events: Object.fromEntries(
          palette.map((e) => [e.type, ({ event }: { event: RiskEvent }) => actor.send(event)]),
        ),
        states: {
          '*': (state) => {
            // The graph keeps one representative per serialised state: compare abstractions.
            expect(serializeState(actor.getSnapshot())).toBe(serializeState(state));
          },
        },
      });
      actor.stop();
    }
  });

  it('takes every transition of the machine', () => {
    const all = new Set<AnyTransitionDefinition>();
    for (const node of [riskMachine.root, ...getStateNodes(riskMachine.root)]) {
      for (const list of node.transitions.values()) for (const tr of list) all.add(tr);
      for (const tr of node.always ?? []) all.add(tr);
    }
    const taken = new Set<AnyTransitionDefinition>();
    const inspect = (ev: InspectionEvent) => {
      if (ev.type === '@xstate.microstep') for (const tr of ev._transitions) taken.add(tr);
    };
    // Every edge of the explored graph, replayed on a live actor restored at its source.
    const edges = adjacencyMapToArray(model.getAdjacencyMap());
    for (const { state, event } of edges) {
      const snapshot = JSON.parse(JSON.stringify(state));
      const actor = createActor(riskMachine, { input, snapshot, inspect }).start();
      actor.send(event);
      actor.stop();
    }
    const missing = [...all].filter((tr) => !taken.has(tr)).map((tr) => `${tr.source.id} --${tr.eventType}-> ${tr.target?.map((n) => n.id).join(',') ?? '(self)'}`);
    expect(missing).toEqual([]);
    expect(all.size).toBeGreaterThanOrEqual(24);
  });
});

describe('riskMachine: reconciling', () => {
  it('starts in active.reconciling and trades nothing until RECONCILED', () => {
    const actor = start();
    expect(actor.getSnapshot().value).toEqual({ active: 'reconciling' });
    actor.send({ type: 'MARKET_DATA_OK', time: T0 });
    actor.send({ type: 'VENUE_UP', time: T0 });
    expect(status(actor)).toBe('reconciling');
    actor.send({ type: 'RECONCILED', time: T0, position: 1 });
    expect(status(actor)).toBe('normal');
    expect(ctx(actor).log.at(-1)?.detail).toBe('active.normal');
    expect(ctx(actor).log.some((e) => e.detail.includes('position 1'))).toBe(true);
  });

  it('goes to limited after reconciling when reasons remain', () => {
    const actor = start();
    actor.send({ type: 'VENUE_DOWN', time: T0 });
    expect(status(actor)).toBe('reconciling');
    actor.send({ type: 'RECONCILED', time: T0, position: 0 });
    expect(status(actor)).toBe('limited');
    expect(ctx(actor).log.filter((e) => e.kind === 'state').map((e) => e.detail)).toEqual([
      'active.reconciling',
      'active.limited [venue-down]',
    ]);
  });

  it('RECONCILE_START sends normal and limited back to reconciling; killed stays killed', () => {
    const actor = normalActor();
    actor.send({ type: 'RECONCILE_START', time: T0 + 1 });
    expect(status(actor)).toBe('reconciling');
    actor.send({ type: 'MARKET_DATA_STALE', time: T0 + 2 });
    actor.send({ type: 'RECONCILED', time: T0 + 3, position: 0 });
    expect(status(actor)).toBe('limited');
    actor.send({ type: 'RECONCILE_START', time: T0 + 4 });
    expect(status(actor)).toBe('reconciling');
    actor.send({ type: 'KILL', time: T0 + 5, who: 'op', reason: 'test' });
    actor.send({ type: 'RECONCILE_START', time: T0 + 6 });
    actor.send({ type: 'RECONCILED', time: T0 + 7, position: 0 });
    expect(status(actor)).toBe('killed');
  });
});

describe('riskMachine: limited reasons', () => {
  it('is limited while any reason is present and normal when none', () => {
    const actor = normalActor();
    actor.send({ type: 'MARKET_DATA_STALE', time: T0 + 1 });
    actor.send({ type: 'VENUE_DOWN', time: T0 + 2 });
    expect(status(actor)).toBe('limited');
    expect(ctx(actor).reasons).toEqual(['stale-data', 'venue-down']);
    actor.send({ type: 'MARKET_DATA_OK', time: T0 + 3 });
    expect(status(actor)).toBe('limited');
    actor.send({ type: 'VENUE_UP', time: T0 + 4 });
    expect(status(actor)).toBe('normal');
    expect(ctx(actor).reasons).toEqual([]);
  });

  it('N rejects in a row limit with reason rejects; an accept clears it', () => {
    const actor = normalActor({ rejectsToLimited: 3 });
    actor.send({ type: 'ORDER_REJECTED', time: T0 + 1, reason: 'a' });
    actor.send({ type: 'ORDER_ACCEPTED', time: T0 + 2 });
    actor.send({ type: 'ORDER_REJECTED', time: T0 + 3, reason: 'b' });
    actor.send({ type: 'ORDER_REJECTED', time: T0 + 4, reason: 'c' });
    expect(status(actor)).toBe('normal');
    actor.send({ type: 'ORDER_REJECTED', time: T0 + 5, reason: 'd' });
    expect(status(actor)).toBe('limited');
    expect(ctx(actor).reasons).toEqual(['rejects']);
    actor.send({ type: 'ORDER_ACCEPTED', time: T0 + 6 });
    expect(status(actor)).toBe('normal');
    expect(ctx(actor).rejectStreak).toBe(0);
  });

  it('consecutive losses limit; a win resets the streak; a scratch does not', () => {
    const actor = normalActor({ maxConsecutiveLosses: 3 });
    for (const pnl of [-10, -10, 0, 5, -10, -10]) actor.send({ type: 'TRADE_CLOSED', time: T0 + 1, pnl });
    expect(ctx(actor).consecutiveLosses).toBe(2);
    expect(status(actor)).toBe('normal');
    actor.send({ type: 'TRADE_CLOSED', time: T0 + 2, pnl: 0 });
    actor.send({ type: 'TRADE_CLOSED', time: T0 + 3, pnl: -10 });
    expect(status(actor)).toBe('limited');
    expect(ctx(actor).reasons).toEqual(['consecutive-losses']);
    actor.send({ type: 'TRADE_CLOSED', time: T0 + 4, pnl: 20 });
    expect(ctx(actor).consecutiveLosses).toBe(0);
    expect(status(actor)).toBe('normal');
  });

  it('an order-path anomaly limits until an operator unpauses: each reason is kept, logged, and cleared only by UNPAUSE', () => {
    const actor = normalActor();
    for (const reason of ['order-anomaly', 'foreign-order', 'unprotected', 'fills-history'] as const) {
      actor.send({ type: 'ANOMALY', time: T0 + 1, reason, detail: `test ${reason}` });
      expect(status(actor)).toBe('limited');
    }
    expect(ctx(actor).reasons).toEqual(['fills-history', 'foreign-order', 'order-anomaly', 'unprotected']);
    expect(ctx(actor).log.at(-1)?.detail).toBe('fills-history: test fills-history');
    // A reconnect's reconciliation does not clear them: nothing in the market would.
    actor.send({ type: 'RECONCILE_START', time: T0 + 2 });
    actor.send({ type: 'RECONCILED', time: T0 + 3, position: 0 });
    expect(status(actor)).toBe('limited');
    actor.send({ type: 'UNPAUSE', time: T0 + 4, who: 'alice' });
    expect(ctx(actor).reasons).toEqual([]);
    expect(status(actor)).toBe('normal');
  });

  it('PAUSE limits; UNPAUSE clears the reasons that need a human but not facts about the world', () => {
    const actor = normalActor({ rejectsToLimited: 1, maxConsecutiveLosses: 1 });
    actor.send({ type: 'PAUSE', time: T0 + 1, who: 'alice', reason: 'FOMC' });
    actor.send({ type: 'ORDER_REJECTED', time: T0 + 2, reason: 'x' });
    actor.send({ type: 'TRADE_CLOSED', time: T0 + 3, pnl: -5 });
    actor.send({ type: 'SUPERVISOR_ESCALATE', time: T0 + 4, level: 'limited', reason: 'marketData' });
    actor.send({ type: 'MARKET_DATA_STALE', time: T0 + 5 });
    expect(ctx(actor).reasons).toEqual(['consecutive-losses', 'operator-pause', 'rejects', 'stale-data', 'supervisor:marketData']);
    actor.send({ type: 'UNPAUSE', time: T0 + 6, who: 'alice' });
    expect(ctx(actor).reasons).toEqual(['stale-data']);
    expect(ctx(actor).consecutiveLosses).toBe(0);
    expect(ctx(actor).rejectStreak).toBe(0);
    expect(status(actor)).toBe('limited');
    expect(ctx(actor).log.some((e) => e.detail === 'paused by alice: FOMC')).toBe(true);
    actor.send({ type: 'MARKET_DATA_OK', time: T0 + 7 });
    expect(status(actor)).toBe('normal');
  });
});

describe('riskMachine: kill and resume', () => {
  it('KILL from reconciling, normal and limited records who, why and when', () => {
    for (const prep of [
      () => start(),
      () => normalActor(),
      () => {
        const a = normalActor();
        a.send({ type: 'PAUSE', time: T0, who: 'op', reason: 'x' });
        return a;
      },
    ]) {
      const actor = prep();
      const before = status(actor);
      actor.send({ type: 'KILL', time: T0 + 42, who: 'bob', reason: 'runaway orders' });
      expect(status(actor), `from ${before}`).toBe('killed');
      expect(ctx(actor)).toMatchObject({ killedBy: 'bob', killReason: 'runaway orders', killedAt: T0 + 42 });
    }
  });

  it('a second KILL keeps the first cause and is logged', () => {
    const actor = normalActor();
    actor.send({ type: 'KILL', time: T0 + 1, who: 'bob', reason: 'first' });
    actor.send({ type: 'KILL', time: T0 + 2, who: 'eve', reason: 'second' });
    expect(ctx(actor)).toMatchObject({ killedBy: 'bob', killReason: 'first', killedAt: T0 + 1 });
    expect(ctx(actor).log.at(-1)?.detail).toContain('already killed');
  });

  it('the supervisor can limit (per child) or kill', () => {
    const actor = normalActor();
    actor.send({ type: 'SUPERVISOR_ESCALATE', time: T0 + 1, level: 'limited', reason: 'dtc' });
    expect(status(actor)).toBe('limited');
    expect(ctx(actor).reasons).toEqual(['supervisor:dtc']);
    actor.send({ type: 'SUPERVISOR_ESCALATE', time: T0 + 2, level: 'killed', reason: 'dtc' });
    expect(status(actor)).toBe('killed');
    expect(ctx(actor)).toMatchObject({ killedBy: 'supervisor', killReason: 'supervisor:dtc', killedAt: T0 + 2 });
  });

  it('RESUME without a reason or without who is refused, recorded, and stays killed', () => {
    const actor = normalActor();
    actor.send({ type: 'KILL', time: T0 + 1, who: 'op', reason: 'x' });
    const bad: RiskEvent[] = [
      { type: 'RESUME', time: T0 + 2, who: 'op' },
      { type: 'RESUME', time: T0 + 3, who: 'op', reason: '   ' },
      { type: 'RESUME', time: T0 + 4, who: '', reason: 'fine' },
    ];
    for (const e of bad) {
      actor.send(e);
      expect(status(actor)).toBe('killed');
      expect(ctx(actor).log.at(-1)).toMatchObject({ kind: 'refusal', event: 'RESUME', time: e.time });
    }
    expect(ctx(actor).killReason).toBe('x');
  });

  it('RESUME with who and reason goes to reconciling and clears the kill', () => {
    const actor = normalActor();
    actor.send({ type: 'VENUE_DOWN', time: T0 + 1 });
    actor.send({ type: 'KILL', time: T0 + 2, who: 'op', reason: 'x' });
    actor.send({ type: 'RESUME', time: T0 + 3, who: 'op', reason: 'venue confirmed flat' });
    expect(status(actor)).toBe('reconciling');
    expect(ctx(actor)).toMatchObject({ killedBy: null, killReason: null, killedAt: null });
    expect(ctx(actor).log.some((e) => e.detail.startsWith('resumed by op: venue confirmed flat'))).toBe(true);
    actor.send({ type: 'RECONCILED', time: T0 + 4, position: 0 });
    expect(status(actor)).toBe('limited');
  });

  it('RESUME outside killed does nothing', () => {
    const actor = normalActor();
    const before = actor.getSnapshot();
    actor.send({ type: 'RESUME', time: T0 + 1, who: 'op', reason: 'why not' });
    expect(actor.getSnapshot()).toBe(before);
  });
});

describe('riskMachine: account balance', () => {
  it('records the venue account in any state, keeps the last per-contract margin, and ignores non-finite updates', () => {
    const actor = start();
    expect(ctx(actor)).toMatchObject({ availableFunds: null, marginPerContract: null });
    actor.send({ type: 'ACCOUNT', time: T0, availableFunds: 12_000, marginPerContract: 600 });
    expect(status(actor)).toBe('reconciling');
    expect(ctx(actor)).toMatchObject({ availableFunds: 12_000, marginPerContract: 600 });
    actor.send({ type: 'ACCOUNT', time: T0 + 1, availableFunds: 11_000 });
    expect(ctx(actor)).toMatchObject({ availableFunds: 11_000, marginPerContract: 600 });
    actor.send({ type: 'ACCOUNT', time: T0 + 2, availableFunds: Number.NaN });
    actor.send({ type: 'ACCOUNT', time: T0 + 3, availableFunds: 5, marginPerContract: -1 });
    expect(ctx(actor)).toMatchObject({ availableFunds: 11_000, marginPerContract: 600 });
    expect(ctx(actor).log.at(-1)?.kind).toBe('refusal');
  });
});

describe('riskMachine: loss limits', () => {
  it('kills when realised today + open P&L reaches the daily loss limit', () => {
    const actor = normalActor({ dailyLossLimit: 1000 });
    actor.send({ type: 'TRADE_CLOSED', time: T0 + 1, pnl: -400 });
    actor.send({ type: 'EQUITY', time: T0 + 2, equity: 49_001, openPnl: -599 });
    expect(status(actor)).toBe('normal');
    expect(dailyLoss(ctx(actor))).toBe(999);
    actor.send({ type: 'EQUITY', time: T0 + 3, equity: 49_000, openPnl: -600 });
    expect(status(actor)).toBe('killed');
    expect(ctx(actor)).toMatchObject({ killedBy: 'risk', killedAt: T0 + 3 });
    expect(ctx(actor).killReason).toContain('daily loss $1000.00 >= limit $1000.00');
  });

  it('a realised loss alone can kill, and a stop-out is not counted twice', () => {
    const actor = normalActor({ dailyLossLimit: 1000, maxConsecutiveLosses: 10 });
    actor.send({ type: 'EQUITY', time: T0 + 1, equity: 49_400, openPnl: -600 });
    actor.send({ type: 'TRADE_CLOSED', time: T0 + 2, pnl: -600 });
    expect(status(actor)).toBe('normal');
    expect(dailyLoss(ctx(actor))).toBe(600);
    actor.send({ type: 'TRADE_CLOSED', time: T0 + 3, pnl: -400 });
    expect(status(actor)).toBe('killed');
  });

  it('intraday trailing drawdown: the peak follows equity', () => {
    const actor = normalActor({ trailingDrawdown: 2500, dailyLossLimit: 100_000 });
    actor.send({ type: 'EQUITY', time: T0 + 1, equity: 53_000, openPnl: 3000 });
    expect(ctx(actor).peakEquity).toBe(53_000);
    actor.send({ type: 'EQUITY', time: T0 + 2, equity: 50_500, openPnl: 500 });
    expect(status(actor)).toBe('normal');
    actor.send({ type: 'EQUITY', time: T0 + 3, equity: 50_499, openPnl: 499 });
    expect(status(actor)).toBe('killed');
    expect(ctx(actor).killReason).toContain('below peak $53000.00');
  });

  it("'eod' trailing drawdown: the peak moves only at the trading-day roll", () => {
    const actor = normalActor({ trailingDrawdown: 2500, dailyLossLimit: 100_000, trailingDrawdownMode: 'eod' });
    actor.send({ type: 'EQUITY', time: T0 + 1, equity: 53_000, openPnl: 3000 });
    actor.send({ type: 'EQUITY', time: T0 + 2, equity: 48_000, openPnl: -2000 });
    expect(status(actor)).toBe('normal');
    expect(ctx(actor).peakEquity).toBe(50_000);
    actor.send({ type: 'EQUITY', time: T0 + 3, equity: 52_000, openPnl: 0 });
    const nextDay = T0 + 9 * HOUR; // 18:00 CT: the next trading day
    actor.send({ type: 'EQUITY', time: nextDay, equity: 49_600, openPnl: 0 });
    expect(ctx(actor).peakEquity).toBe(52_000);
    expect(status(actor)).toBe('normal');
    actor.send({ type: 'EQUITY', time: nextDay + 1, equity: 49_499, openPnl: 0 });
    expect(status(actor)).toBe('killed');
  });

  it('marks and trades keep being recorded while killed; a breached RESUME is killed again by the next mark', () => {
    const actor = normalActor({ dailyLossLimit: 1000 });
    actor.send({ type: 'EQUITY', time: T0 + 1, equity: 48_000, openPnl: -2000 });
    expect(status(actor)).toBe('killed');
    actor.send({ type: 'EQUITY', time: T0 + 2, equity: 48_500, openPnl: -1500 });
    actor.send({ type: 'TRADE_CLOSED', time: T0 + 3, pnl: -1500 });
    expect(ctx(actor)).toMatchObject({ equity: 48_500, realizedPnlToday: -1500, openPnl: 0 });
    actor.send({ type: 'RESUME', time: T0 + 4, who: 'op', reason: 'flattening checked' });
    expect(status(actor)).toBe('reconciling');
    actor.send({ type: 'EQUITY', time: T0 + 5, equity: 48_500, openPnl: 0 });
    expect(status(actor)).toBe('killed');
  });

  it('ignores non-finite marks and P&L, and records them', () => {
    const actor = normalActor();
    actor.send({ type: 'EQUITY', time: T0 + 1, equity: Number.NaN, openPnl: 0 });
    actor.send({ type: 'TRADE_CLOSED', time: T0 + 2, pnl: Number.NEGATIVE_INFINITY });
    expect(ctx(actor)).toMatchObject({ equity: 50_000, peakEquity: 50_000, realizedPnlToday: 0 });
    expect(ctx(actor).log.slice(-2).map((e) => e.kind)).toEqual(['refusal', 'refusal']);
    expect(status(actor)).toBe('normal');
  });
});

describe('riskMachine: trading-day roll', () => {
  // Winter (CST, UTC-6) and summer (CDT, UTC-5): 17:00 Chicago is 23:00 or 22:00 UTC.
  for (const [label, before, after] of [
    ['CST', Date.UTC(2025, 10, 4, 22, 59, 59), Date.UTC(2025, 10, 4, 23, 0, 0)],
    ['CDT', Date.UTC(2025, 6, 8, 21, 59, 59), Date.UTC(2025, 6, 8, 22, 0, 0)],
  ] as const) {
    it(`resets daily counters at 17:00 America/Chicago (${label}) but not the streak or the kill`, () => {
      const actor = createActor(riskMachine, { input: inputWith({ maxConsecutiveLosses: 5 }) }).start();
      actor.send({ type: 'RECONCILED', time: before - HOUR, position: 0 });
      actor.send({ type: 'ORDER_SENT', time: before - 10_000, clientOrderId: 'a', entry: true });
      actor.send({ type: 'ORDER_SENT', time: before - 5_000, clientOrderId: 'b', entry: false });
      actor.send({ type: 'TRADE_CLOSED', time: before - 1000, pnl: -300 });
      actor.send({ type: 'KILL', time: before, who: 'op', reason: 'end of test day' });
      expect(ctx(actor)).toMatchObject({ tradesToday: 1, realizedPnlToday: -300, consecutiveLosses: 1 });
      expect(ctx(actor).orderTimes).toHaveLength(2);
      const day = ctx(actor).day;
      actor.send({ type: 'MARKET_DATA_STALE', time: after });
      expect(ctx(actor).day).toBe(tradingDay(after));
      expect(ctx(actor).day).not.toBe(day);
      expect(ctx(actor)).toMatchObject({ tradesToday: 0, realizedPnlToday: 0, orderTimes: [], consecutiveLosses: 1 });
      expect(status(actor)).toBe('killed');
      expect(ctx(actor).killReason).toBe('end of test day');
    });
  }

  it('a late event from an earlier trading day does not roll the counters back', () => {
    const actor = normalActor();
    const tomorrow = T0 + 9 * HOUR;
    actor.send({ type: 'TRADE_CLOSED', time: tomorrow, pnl: -200 });
    actor.send({ type: 'TRADE_CLOSED', time: T0 + 1, pnl: -100 });
    expect(ctx(actor)).toMatchObject({ day: tradingDay(tomorrow), realizedPnlToday: -300 });
  });

  it('keeps only the order times the rate window can still see', () => {
    const actor = normalActor();
    for (let i = 0; i < 10; i++) actor.send({ type: 'ORDER_SENT', time: T0 + i * 20_000, clientOrderId: `o${i}`, entry: false });
    expect(ctx(actor).orderTimes).toEqual([T0 + 140_000, T0 + 160_000, T0 + 180_000]);
  });
});

describe('riskMachine: persistence and audit', () => {
  it('a persisted snapshot survives a JSON round trip exactly, killed or limited', () => {
    for (const finalEvent of [
      { type: 'KILL', time: T0 + 9, who: 'op', reason: 'persist me' },
      { type: 'PAUSE', time: T0 + 9, who: 'op', reason: 'persist me' },
    ] satisfies RiskEvent[]) {
      const actor = normalActor();
      actor.send({ type: 'ORDER_SENT', time: T0 + 1, clientOrderId: 'a', entry: true });
      actor.send({ type: 'TRADE_CLOSED', time: T0 + 2, pnl: -120 });
      actor.send({ type: 'EQUITY', time: T0 + 3, equity: 49_700, openPnl: -180 });
      actor.send(finalEvent);
      const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
      const restored = createActor(riskMachine, { snapshot: persisted, input: inputWith() }).start();
      expect(restored.getSnapshot().value).toEqual(actor.getSnapshot().value);
      expect(restored.getSnapshot().context).toStrictEqual(actor.getSnapshot().context);
      // It keeps working where it left off.
      restored.send({ type: 'TRADE_CLOSED', time: T0 + 10, pnl: -1 });
      actor.send({ type: 'TRADE_CLOSED', time: T0 + 10, pnl: -1 });
      expect(restored.getSnapshot().context).toStrictEqual(actor.getSnapshot().context);
    }
  });

  it(`keeps the last ${RISK_LOG_SIZE} audit entries`, () => {
    const actor = normalActor();
    for (let i = 0; i < 3 * RISK_LOG_SIZE; i++) actor.send({ type: 'ORDER_REJECTED', time: T0 + i, reason: `r${i}` });
    const log = ctx(actor).log;
    expect(log).toHaveLength(RISK_LOG_SIZE);
    expect(log.at(-1)?.detail).toContain(`r${3 * RISK_LOG_SIZE - 1}`);
  });

  it('survives a non-finite event time without throwing', () => {
    const actor = normalActor();
    actor.send({ type: 'MARKET_DATA_STALE', time: Number.NaN });
    expect(actor.getSnapshot().status).toBe('active');
    expect(status(actor)).toBe('limited');
  });
});
