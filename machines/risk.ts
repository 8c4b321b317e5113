/**
 * The risk statechart: whether MIA may add risk, only reduce it, or nothing at all.
 *
 *   active.reconciling -RECONCILED-> active.normal <-> active.limited   (by context.reasons)
 *   active.* -KILL / loss breach / supervisor 'killed'-> killed (latched)
 *   killed -RESUME {who, reason}-> active.reconciling
 *
 * A fresh start, a restart and every reconnect begin in `reconciling`: nothing trades until
 * orders and positions match the venue. `limited` (reduce-only) holds while any reason is
 * present. `killed` only leaves on an explicit RESUME with a reason.
 *
 * Context is plain JSON so `getPersistedSnapshot()` survives a JSON round trip. Time comes
 * only from event payloads (`time`, event-time ms), never from the wall clock.
 */
import { assign, setup } from 'xstate';
import type { SnapshotFrom } from 'xstate';
import type { RiskLimits } from '../config/schema.ts';
import { tradingDay } from '../core/tradingDay.ts';

/** Why risk is reduce-only; `supervisor:<child>` names the escalating child. */
export type LimitReason =
  | 'stale-data'
  | 'venue-down'
  | 'rejects'
  | 'operator-pause'
  | 'consecutive-losses'
  | `supervisor:${string}`
  | AnomalyReason;

/**
 * Something the order path cannot vouch for: an order actor's anomaly (overfill,
 * contradictory venue records), a report about an order MIA never sent, a position left
 * without its stop past `unprotectedMaxMs`, or fills history the venue could not give.
 */
export type AnomalyReason = 'order-anomaly' | 'foreign-order' | 'unprotected' | 'fills-history';

/** One audit line for the inspector: a state entered, a refused command, or a fact. */
export interface RiskLogEntry {
  /** Event time (ms UTC); null for the machine's creation. */
  time: number | null;
  kind: 'state' | 'refusal' | 'note';
  /** Type of the event that caused the entry. */
  event: string;
  detail: string;
}

export interface RiskInput {
  limits: RiskLimits;
  startingEquity: number;
  /** Dollars per index point of the traded contract. */
  pointValue: number;
}

export interface RiskContext {
  limits: RiskLimits;
  pointValue: number;
  /** CME trading day of the latest event that rolled the counters; null before the first. */
  day: string | null;
  /** Realised P&L of `day`, dollars after commissions. */
  realizedPnlToday: number;
  /** Open P&L of the latest mark, dollars. */
  openPnl: number;
  /** Entry orders sent during `day`. */
  tradesToday: number;
  /** Event times of orders sent in the last 60 s (rate limit). */
  orderTimes: number[];
  /** Rejects in a row since the last accept. */
  rejectStreak: number;
  /** Losing trades in a row; does not reset at the day roll. */
  consecutiveLosses: number;
  /** Latest mark-to-market equity, dollars. */
  equity: number;
  /**
   * The venue account's funds available for new positions, from its latest balance
   * update; null until a venue reports one (the in-process paper venue never does).
   */
  availableFunds: number | null;
  /** Margin the venue requires per new contract, dollars; null when it does not say. */
  marginPerContract: number | null;
  /** Equity peak the trailing drawdown is measured from. */
  peakEquity: number;
  /** Sorted, unique: limited while non-empty. */
  reasons: LimitReason[];
  killReason: string | null;
  killedBy: string | null;
  killedAt: number | null;
  /** The last {@link RISK_LOG_SIZE} audit entries, oldest first. */
  log: RiskLogEntry[];
}

/** Everything the risk actor understands; `time` is event time (ms UTC). */
export type RiskEvent =
  /** A reconnect or restart: positions must be re-checked before trading. */
  | { type: 'RECONCILE_START'; time: number }
  /** Orders and positions match the venue; `position` is the venue's signed position. */
  | { type: 'RECONCILED'; time: number; position: number }
  | { type: 'MARKET_DATA_STALE'; time: number }
  | { type: 'MARKET_DATA_OK'; time: number }
  | { type: 'VENUE_DOWN'; time: number }
  | { type: 'VENUE_UP'; time: number }
  /** An order left for the venue; `entry` when it increases |position|. */
  | { type: 'ORDER_SENT'; time: number; clientOrderId: string; entry: boolean }
  | { type: 'ORDER_REJECTED'; time: number; reason: string }
  | { type: 'ORDER_ACCEPTED'; time: number }
  /**
   * A round trip closed; `pnl` in dollars after commissions. The execution actor sends a
   * fresh EQUITY mark after every fill, which brings the open P&L of what is still open.
   */
  | { type: 'TRADE_CLOSED'; time: number; pnl: number }
  /** The venue account's balance: funds available for new positions and margin per contract. */
  | { type: 'ACCOUNT'; time: number; availableFunds: number; marginPerContract?: number }
  /** Mark-to-market: `equity` includes `openPnl`. */
  | { type: 'EQUITY'; time: number; equity: number; openPnl: number }
  | { type: 'PAUSE'; time: number; who: string; reason: string }
  /** Operator go-ahead: clears the pause and the reasons that need a human (see below). */
  | { type: 'UNPAUSE'; time: number; who: string }
  | { type: 'KILL'; time: number; who: string; reason: string }
  /** From the supervisor; `reason` is the escalating child's id (reason `supervisor:<id>`). */
  | { type: 'SUPERVISOR_ESCALATE'; time: number; level: 'limited' | 'killed'; reason: string }
  /** The order path saw something it cannot vouch for: limited until an operator's UNPAUSE. */
  | { type: 'ANOMALY'; time: number; reason: AnomalyReason; detail: string }
  /** The only way out of killed; refused without a non-empty `who` and `reason`. */
  | { type: 'RESUME'; time: number; who: string; reason?: string };

/** How many audit entries the context keeps. */
export const RISK_LOG_SIZE = 50;

/** Rolling window of the order-rate limit, ms. */
export const ORDER_RATE_WINDOW_MS = 60_000;

/** The context a risk actor starts with. */
export function initialRiskContext(input: RiskInput): RiskContext {
  return {
    limits: input.limits,
    pointValue: input.pointValue,
    day: null,
    realizedPnlToday: 0,
    openPnl: 0,
    tradesToday: 0,
    orderTimes: [],
    rejectStreak: 0,
    consecutiveLosses: 0,
    equity: input.startingEquity,
    availableFunds: null,
    marginPerContract: null,
    peakEquity: input.startingEquity,
    reasons: [],
    killReason: null,
    killedBy: null,
    killedAt: null,
    log: [],
  };
}

/** Today's loss in dollars (0 when up): realised today plus the open P&L of the latest mark. */
export const dailyLoss = (ctx: RiskContext): number => Math.max(0, -(ctx.realizedPnlToday + ctx.openPnl));

/** Orders sent in the rate window ending at `time`. */
export const ordersInLastMinute = (ctx: RiskContext, time: number): number =>
  ctx.orderTimes.filter((t) => t <= time && time - t < ORDER_RATE_WINDOW_MS).length;

/**
 * The context as of `time`: daily counters reset when `time` belongs to a later CME trading
 * day than `ctx.day` (in 'eod' mode the drawdown peak moves there too). A late event from an
 * earlier day never rolls back. Non-finite times leave the context alone.
 */
export function rollDay(ctx: RiskContext, time: number): RiskContext {
  if (!Number.isFinite(time)) return ctx;
  const day = tradingDay(time);
  if (ctx.day !== null && day <= ctx.day) return ctx;
  return {
    ...ctx,
    day,
    realizedPnlToday: 0,
    tradesToday: 0,
    orderTimes: [],
    peakEquity: ctx.limits.trailingDrawdownMode === 'eod' ? Math.max(ctx.peakEquity, ctx.equity) : ctx.peakEquity,
  };
}

/** Why the loss limits are breached, or null: daily loss or trailing drawdown. */
export function lossBreach(ctx: RiskContext): string | null {
  const loss = dailyLoss(ctx);
  if (loss >= ctx.limits.dailyLossLimit) {
    return `daily loss $${loss.toFixed(2)} >= limit $${ctx.limits.dailyLossLimit.toFixed(2)}`;
  }
  const floor = ctx.peakEquity - ctx.limits.trailingDrawdown;
  if (ctx.equity < floor) {
    return `equity $${ctx.equity.toFixed(2)} below peak $${ctx.peakEquity.toFixed(2)} - trailing drawdown $${ctx.limits.trailingDrawdown.toFixed(2)}`;
  }
  return null;
}

const addReason = (reasons: LimitReason[], reason: LimitReason): LimitReason[] =>
  reasons.includes(reason) ? reasons : [...reasons, reason].sort();

const dropReasons = (reasons: LimitReason[], drop: (r: LimitReason) => boolean): LimitReason[] =>
  reasons.some(drop) ? reasons.filter((r) => !drop(r)) : reasons;

/** Reasons that only an operator's UNPAUSE clears: nothing else would end them when flat. */
const needsOperator = (r: LimitReason): boolean =>
  r === 'operator-pause' ||
  r === 'rejects' ||
  r === 'consecutive-losses' ||
  r.startsWith('supervisor:') ||
  r === 'order-anomaly' ||
  r === 'foreign-order' ||
  r === 'unprotected' ||
  r === 'fills-history';

const appendLog = (log: RiskLogEntry[], entry: RiskLogEntry): RiskLogEntry[] =>
  [...log, entry].slice(-RISK_LOG_SIZE);

/** The event's time, or null for events without one (xstate.init). */
const eventTime = (event: { type: string }): number | null => {
  const t = (event as { time?: unknown }).time;
  return typeof t === 'number' ? t : null;
};

const filled = (s: unknown): s is string => typeof s === 'string' && s.trim() !== '';

/**
 * The effect of one event on the counters, P&L and reasons, whatever the state: the state
 * machine adds what depends on the state (kill, resume, refusals).
 */
export function applyRiskEvent(context: RiskContext, event: RiskEvent): RiskContext {
  const ctx = rollDay(context, event.time);
  const note = (kind: RiskLogEntry['kind'], detail: string): RiskLogEntry[] =>
    appendLog(ctx.log, { time: eventTime(event), kind, event: event.type, detail });
  switch (event.type) {
    case 'MARKET_DATA_STALE':
      return { ...ctx, reasons: addReason(ctx.reasons, 'stale-data') };
    case 'MARKET_DATA_OK':
      return { ...ctx, reasons: dropReasons(ctx.reasons, (r) => r === 'stale-data') };
    case 'VENUE_DOWN':
      return { ...ctx, reasons: addReason(ctx.reasons, 'venue-down') };
    case 'VENUE_UP':
      return { ...ctx, reasons: dropReasons(ctx.reasons, (r) => r === 'venue-down') };
    case 'ORDER_SENT': {
      // Keep only what the rate window can still see: the context stays bounded.
      const recent = ctx.orderTimes.filter((t) => event.time - t < ORDER_RATE_WINDOW_MS);
      return {
        ...ctx,
        orderTimes: [...recent, event.time],
        tradesToday: ctx.tradesToday + (event.entry ? 1 : 0),
      };
    }
    case 'ORDER_REJECTED': {
      const rejectStreak = ctx.rejectStreak + 1;
      return {
        ...ctx,
        rejectStreak,
        reasons: rejectStreak >= ctx.limits.rejectsToLimited ? addReason(ctx.reasons, 'rejects') : ctx.reasons,
        log: note('note', `order rejected (${rejectStreak} in a row): ${event.reason}`),
      };
    }
    case 'ORDER_ACCEPTED':
      return { ...ctx, rejectStreak: 0, reasons: dropReasons(ctx.reasons, (r) => r === 'rejects') };
    case 'TRADE_CLOSED': {
      if (!Number.isFinite(event.pnl)) return { ...ctx, log: note('refusal', `ignored non-finite trade P&L ${event.pnl}`) };
      const loss = event.pnl < 0;
      const win = event.pnl > 0;
      const consecutiveLosses = loss ? ctx.consecutiveLosses + 1 : win ? 0 : ctx.consecutiveLosses;
      let reasons = ctx.reasons;
      if (consecutiveLosses >= ctx.limits.maxConsecutiveLosses) reasons = addReason(reasons, 'consecutive-losses');
      else if (win) reasons = dropReasons(reasons, (r) => r === 'consecutive-losses');
      // The trade's P&L moves from open to realised; the next mark brings what is still open.
      return { ...ctx, realizedPnlToday: ctx.realizedPnlToday + event.pnl, openPnl: 0, consecutiveLosses, reasons };
    }
    case 'EQUITY': {
      if (!Number.isFinite(event.equity) || !Number.isFinite(event.openPnl)) {
        return { ...ctx, log: note('refusal', `ignored non-finite mark equity=${event.equity} openPnl=${event.openPnl}`) };
      }
      const intraday = ctx.limits.trailingDrawdownMode === 'intraday';
      return {
        ...ctx,
        equity: event.equity,
        openPnl: event.openPnl,
        peakEquity: intraday ? Math.max(ctx.peakEquity, event.equity) : ctx.peakEquity,
      };
    }
    case 'ACCOUNT': {
      const margin = event.marginPerContract;
      if (!Number.isFinite(event.availableFunds) || (margin !== undefined && !(Number.isFinite(margin) && margin >= 0))) {
        return { ...ctx, log: note('refusal', `ignored account update availableFunds=${event.availableFunds} marginPerContract=${margin}`) };
      }
      return { ...ctx, availableFunds: event.availableFunds, marginPerContract: margin ?? ctx.marginPerContract };
    }
    case 'PAUSE':
      return {
        ...ctx,
        reasons: addReason(ctx.reasons, 'operator-pause'),
        log: note('note', `paused by ${event.who}: ${event.reason}`),
      };
    case 'UNPAUSE':
      return {
        ...ctx,
        reasons: dropReasons(ctx.reasons, needsOperator),
        rejectStreak: 0,
        consecutiveLosses: 0,
        log: note('note', `unpaused by ${event.who}`),
      };
    case 'SUPERVISOR_ESCALATE':
      return {
        ...ctx,
        reasons: event.level === 'limited' ? addReason(ctx.reasons, `supervisor:${event.reason}`) : ctx.reasons,
        log: note('note', `supervisor escalated ${event.reason} to ${event.level}`),
      };
    case 'ANOMALY':
      return { ...ctx, reasons: addReason(ctx.reasons, event.reason), log: note('note', `${event.reason}: ${event.detail}`) };
    case 'RECONCILED':
      return { ...ctx, log: note('note', `reconciled with the venue at position ${event.position}`) };
    case 'RECONCILE_START':
    case 'KILL':
    case 'RESUME':
      return ctx;
  }
}

/** Who killed and why, for the event that caused the kill (context already updated). */
function killCause(ctx: RiskContext, event: RiskEvent): { by: string; reason: string } {
  switch (event.type) {
    case 'KILL':
      return { by: filled(event.who) ? event.who : 'unknown', reason: filled(event.reason) ? event.reason : '(no reason given)' };
    case 'SUPERVISOR_ESCALATE':
      return { by: 'supervisor', reason: `supervisor:${event.reason}` };
    default:
      return { by: 'risk', reason: lossBreach(ctx) ?? event.type };
  }
}

/** The risk statechart; see the module comment. */
export const riskMachine = setup({
  types: {
    context: {} as RiskContext,
    events: {} as RiskEvent,
    input: {} as RiskInput,
  },
  guards: {
    hasReasons: ({ context }) => context.reasons.length > 0,
    noReasons: ({ context }) => context.reasons.length === 0,
    /** Judged on the context after the event (the mark or the trade it brings). */
    breachesLossLimits: ({ context, event }) => lossBreach(applyRiskEvent(context, event)) !== null,
    escalatesToKill: ({ event }) => event.type === 'SUPERVISOR_ESCALATE' && event.level === 'killed',
    resumeAuthorised: ({ event }) => event.type === 'RESUME' && filled(event.who) && filled(event.reason),
  },
  actions: {
    apply: assign(({ context, event }) => applyRiskEvent(context, event)),
    recordKill: assign(({ context, event }) => {
      const cause = killCause(context, event);
      return { killedBy: cause.by, killReason: cause.reason, killedAt: event.time };
    }),
    clearKill: assign(({ context, event }) => ({
      killedBy: null,
      killReason: null,
      killedAt: null,
      log:
        event.type === 'RESUME'
          ? appendLog(context.log, {
              time: event.time,
              kind: 'note',
              event: event.type,
              detail: `resumed by ${event.who}: ${event.reason} (was killed by ${context.killedBy}: ${context.killReason})`,
            })
          : context.log,
    })),
    refuseResume: assign(({ context, event }) => ({
      log: appendLog(context.log, {
        time: event.time,
        kind: 'refusal',
        event: event.type,
        detail: `RESUME refused: needs a non-empty who and reason (got ${JSON.stringify(event)})`,
      }),
    })),
    noteRepeatedKill: assign(({ context, event }) => ({
      log:
        event.type === 'KILL'
          ? appendLog(context.log, {
              time: event.time,
              kind: 'note',
              event: event.type,
              detail: `already killed; KILL by ${event.who}: ${event.reason}`,
            })
          : context.log,
    })),
    logEnter: assign(({ context, event }, params: { state: string }) => {
      const why =
        params.state === 'killed'
          ? ` by ${context.killedBy}: ${context.killReason}`
          : context.reasons.length > 0
            ? ` [${context.reasons.join(', ')}]`
            : '';
      return {
        log: appendLog(context.log, { time: eventTime(event), kind: 'state', event: event.type, detail: `${params.state}${why}` }),
      };
    }),
  },
}).createMachine({
  id: 'risk',
  context: ({ input }) => initialRiskContext(input),
  initial: 'active',
  // Facts are recorded in every state; the states below add what depends on them.
  on: {
    MARKET_DATA_STALE: { actions: 'apply' },
    MARKET_DATA_OK: { actions: 'apply' },
    VENUE_DOWN: { actions: 'apply' },
    VENUE_UP: { actions: 'apply' },
    ORDER_SENT: { actions: 'apply' },
    ORDER_REJECTED: { actions: 'apply' },
    ORDER_ACCEPTED: { actions: 'apply' },
    TRADE_CLOSED: { actions: 'apply' },
    EQUITY: { actions: 'apply' },
    ACCOUNT: { actions: 'apply' },
    PAUSE: { actions: 'apply' },
    UNPAUSE: { actions: 'apply' },
    SUPERVISOR_ESCALATE: { actions: 'apply' },
    ANOMALY: { actions: 'apply' },
  },
  states: {
    active: {
      initial: 'reconciling',
      on: {
        RECONCILE_START: { target: '.reconciling', actions: 'apply' },
        KILL: { target: 'killed', actions: ['apply', 'recordKill'] },
        SUPERVISOR_ESCALATE: { guard: 'escalatesToKill', target: 'killed', actions: ['apply', 'recordKill'] },
        // When the guard fails, the root handler records the mark or the trade.
        EQUITY: { guard: 'breachesLossLimits', target: 'killed', actions: ['apply', 'recordKill'] },
        TRADE_CLOSED: { guard: 'breachesLossLimits', target: 'killed', actions: ['apply', 'recordKill'] },
      },
      states: {
        reconciling: {
          entry: { type: 'logEnter', params: { state: 'active.reconciling' } },
          on: {
            RECONCILED: [
              { guard: 'hasReasons', target: 'limited', actions: 'apply' },
              { target: 'normal', actions: 'apply' },
            ],
          },
        },
        normal: {
          entry: { type: 'logEnter', params: { state: 'active.normal' } },
          always: { guard: 'hasReasons', target: 'limited' },
        },
        limited: {
          entry: { type: 'logEnter', params: { state: 'active.limited' } },
          always: { guard: 'noReasons', target: 'normal' },
        },
      },
    },
    killed: {
      entry: { type: 'logEnter', params: { state: 'killed' } },
      on: {
        KILL: { actions: ['apply', 'noteRepeatedKill'] },
        RESUME: [
          { guard: 'resumeAuthorised', target: '#risk.active.reconciling', actions: ['apply', 'clearKill'] },
          { actions: ['apply', 'refuseResume'] },
        ],
      },
    },
  },
});

export type RiskSnapshot = SnapshotFrom<typeof riskMachine>;

/** What pre-trade checks need to know about the risk state. */
export type RiskStatus = 'normal' | 'limited' | 'killed' | 'reconciling';

/** The risk status of a live or persisted risk snapshot (only its `value` is read). */
export function riskStatus(snapshot: Pick<RiskSnapshot, 'value'>): RiskStatus {
  const value = snapshot.value;
  return value === 'killed' ? 'killed' : value.active;
}
