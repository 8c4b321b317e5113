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
 * The phase's account rules (config/accountRules.ts) come with CONFIGURE: in phase 4 the
 * prop firm's profile (daily loss, trailing drawdown from its high-water mark, profit target,
 * consistency), in phases 5-6 the live account's limits. A breach kills like MIA's own limits
 * do, its reason naming the rule; a reached profit target or a day at the consistency cap
 * only stops entries (limited). CONFIGURE also brings the configuration's current limits: a
 * restored actor keeps the ones it was saved with (XState ignores `input` on restore).
 *
 * Context is plain JSON so `getPersistedSnapshot()` survives a JSON round trip. Time comes
 * only from event payloads (`time`, event-time ms), never from the wall clock.
 */
import { assign, setup } from 'xstate';
import type { SnapshotFrom } from 'xstate';
import type { RiskLimits } from '../config/schema.ts';
import type { PhaseName } from '../config/gates.ts';
import { rulesForPhase, scaledMaxContracts, type AccountRules } from '../config/accountRules.ts';
import { tradingDay } from '../core/tradingDay.ts';

/** Why risk is reduce-only; `supervisor:<child>` names the escalating child. */
export type LimitReason =
  | 'stale-data'
  | 'venue-down'
  | 'rejects'
  | 'operator-pause'
  | 'consecutive-losses'
  | `supervisor:${string}`
  | AnomalyReason
  | AccountRuleReason;

/**
 * The account rules' stops that are not breaches: the prop-firm profit target is reached
 * (nothing left to prove), or today's profit reached the consistency cap (until the day rolls).
 */
export type AccountRuleReason = 'profit-target' | 'consistency';

/**
 * Something the order path cannot vouch for: an order machine's anomaly (overfill,
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
  /** The deployment phase the limits apply to (CONFIGURE); null or absent: MIA's own limits only. */
  phase?: PhaseName | null;
  /** What the phase's account rules measure; null or absent in the paper phases. */
  account?: AccountRuleState | null;
}

/** The state of the account rules (prop firm or live) since their phase began. */
export interface AccountRuleState {
  kind: AccountRules['kind'];
  /** Equity when the phase began: the evaluation's (or the own account's) starting balance. */
  startEquity: number;
  /** High-water mark of the trailing drawdown: open equity (intraday) or the closing balance (eod). */
  highWater: number;
  /** Best realised trading day before today, dollars (consistency). */
  bestDay: number;
  /**
   * MIA's realised P&L of the day when these rules began (0 from the next day on): a phase
   * change mid-day must not charge the new account with the old account's losses.
   */
  realizedTodayBefore?: number;
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
  | { type: 'RESUME'; time: number; who: string; reason?: string }
  /**
   * The configuration's current limits and the deployment phase (at a session start, a
   * restore included, and at every phase change): which account rules apply from now on.
   */
  | { type: 'CONFIGURE'; time: number; limits: RiskLimits; phase: PhaseName };

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
    phase: null,
    account: null,
  };
}

/**
 * The context as CONFIGURE with these limits and this phase would make it, without the log:
 * what the pre-trade check judges with (the phase and the limits it is given are the live ones,
 * even before the risk actor has been told).
 */
export function configuredContext(ctx: RiskContext, limits: RiskLimits, phase: PhaseName): RiskContext {
  return { ...configure(ctx, { type: 'CONFIGURE', time: Number.NaN, limits, phase }), log: ctx.log };
}

/** Today's loss in dollars (0 when up): realised today plus the open P&L of the latest mark. */
export const dailyLoss = (ctx: RiskContext): number => Math.max(0, -(ctx.realizedPnlToday + ctx.openPnl));

/** The account's own realised P&L today: since its rules began when that was today. */
export const accountRealizedToday = (ctx: RiskContext): number => ctx.realizedPnlToday - (ctx.account?.realizedTodayBefore ?? 0);

/** The account's own loss today (its rules' daily loss): realised since its rules began, plus the open P&L. */
export const accountDailyLoss = (ctx: RiskContext): number => Math.max(0, -(accountRealizedToday(ctx) + ctx.openPnl));

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
  const account = ctx.account ?? null;
  const rules = accountRules(ctx);
  return {
    ...ctx,
    day,
    realizedPnlToday: 0,
    tradesToday: 0,
    orderTimes: [],
    peakEquity: ctx.limits.trailingDrawdownMode === 'eod' ? Math.max(ctx.peakEquity, ctx.equity) : ctx.peakEquity,
    // The day that ends is a candidate best day; an end-of-day high-water mark moves to its close.
    account:
      account === null || rules === null
        ? account
        : {
            ...account,
            bestDay: ctx.day === null ? account.bestDay : Math.max(account.bestDay, accountRealizedToday(ctx)),
            realizedTodayBefore: 0,
            highWater: rules.rules.trailingDrawdownMode === 'eod' ? Math.max(account.highWater, ctx.equity - ctx.openPnl) : account.highWater,
          },
    reasons: dropReasons(ctx.reasons, (r) => r === 'consistency'),
  };
}

/** The account rules the context's phase applies, or null (paper phases, or not configured yet). */
export function accountRules(ctx: Pick<RiskContext, 'phase' | 'limits'>): AccountRules | null {
  const phase = ctx.phase ?? null;
  if (phase === null || !ctx.limits.propFirm || !ctx.limits.live) return null;
  return rulesForPhase(phase, { propFirm: ctx.limits.propFirm, live: ctx.limits.live });
}

/**
 * The trailing floor of the account rules: the high-water mark minus the drawdown, which
 * stops rising at the starting balance when the prop firm's profile says so. Null without rules.
 */
export function accountFloor(ctx: RiskContext): number | null {
  const rules = accountRules(ctx);
  const account = ctx.account ?? null;
  if (rules === null || account === null || account.kind !== rules.kind) return null;
  const floor = account.highWater - rules.rules.trailingDrawdown;
  return rules.kind === 'propFirm' && rules.rules.trailingStopsAtStart ? Math.min(floor, account.startEquity) : floor;
}

/** Largest position the phase allows: MIA's own limit, the firm's, the scaling rule's; the smallest wins. */
export function maxContractsNow(ctx: RiskContext): number {
  const rules = accountRules(ctx);
  const account = ctx.account ?? null;
  if (rules === null) return ctx.limits.maxContracts;
  if (rules.kind === 'propFirm') return Math.min(ctx.limits.maxContracts, rules.rules.maxContracts);
  const profit = account && account.kind === 'live' ? ctx.equity - ctx.openPnl - account.startEquity : 0;
  return Math.min(ctx.limits.maxContracts, scaledMaxContracts(rules.rules.scaling, profit));
}

/** Daily loss limit in force: MIA's own, or the account's when stricter. */
export function dailyLossLimitNow(ctx: Pick<RiskContext, 'phase' | 'limits'>): number {
  const rules = accountRules(ctx);
  return rules === null ? ctx.limits.dailyLossLimit : Math.min(ctx.limits.dailyLossLimit, rules.rules.dailyLossLimit);
}

/** The stops of the account rules that hold now (profit target reached, consistency cap). */
export function accountStops(ctx: RiskContext): AccountRuleReason[] {
  const rules = accountRules(ctx);
  const account = ctx.account ?? null;
  if (rules === null || rules.kind !== 'propFirm' || account === null) return [];
  const out: AccountRuleReason[] = [];
  const balance = ctx.equity - ctx.openPnl;
  if (balance - account.startEquity >= rules.rules.profitTarget) out.push('profit-target');
  if (accountRealizedToday(ctx) >= rules.rules.consistencyMaxDayShare * rules.rules.profitTarget) out.push('consistency');
  return out;
}

/** The context with the account-rule reasons recomputed from the facts. */
function withAccountStops(ctx: RiskContext): RiskContext {
  const stops = accountStops(ctx);
  let reasons = dropReasons(ctx.reasons, (r) => (r === 'profit-target' || r === 'consistency') && !stops.includes(r));
  for (const r of stops) reasons = addReason(reasons, r);
  return reasons === ctx.reasons ? ctx : { ...ctx, reasons };
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
  return accountBreach(ctx);
}

const accountLabel = { propFirm: 'prop-firm rule', live: 'live-account rule' } as const;

/**
 * Why the phase's account rules are broken, or null: the account's daily loss, or equity at
 * or below its trailing floor (the firm closes the account when the floor is touched).
 */
export function accountBreach(ctx: RiskContext): string | null {
  const rules = accountRules(ctx);
  if (rules === null) return null;
  const label = accountLabel[rules.kind];
  const loss = accountDailyLoss(ctx);
  if (loss >= rules.rules.dailyLossLimit) return `${label} daily loss: $${loss.toFixed(2)} >= $${rules.rules.dailyLossLimit.toFixed(2)}`;
  const floor = accountFloor(ctx);
  if (floor !== null && ctx.equity <= floor) {
    return `${label} trailing drawdown (${rules.rules.trailingDrawdownMode}): equity $${ctx.equity.toFixed(2)} at or below $${floor.toFixed(2)} (high-water $${ctx.account!.highWater.toFixed(2)} - $${rules.rules.trailingDrawdown.toFixed(2)})`;
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
  const next = applyFacts(context, event);
  return next === context ? context : withAccountStops(next);
}

/** `key: old -> new` for each limit that differs (nested keys joined by dots). */
function limitsDiff(before: unknown, after: unknown, path = ''): string[] {
  if (before !== null && after !== null && typeof before === 'object' && typeof after === 'object' && !Array.isArray(before) && !Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => limitsDiff((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  const a = JSON.stringify(before);
  const b = JSON.stringify(after);
  return a === b ? [] : [`${path}: ${a ?? 'absent'} -> ${b ?? 'absent'}`];
}

/** CONFIGURE: the current limits, and the account rules' state restarted when the phase's rules change kind. */
function configure(ctx: RiskContext, event: Extract<RiskEvent, { type: 'CONFIGURE' }>): RiskContext {
  // The same limits object (every pre-trade check passes the settings it was configured with): nothing to diff.
  const changed = ctx.limits === event.limits ? [] : limitsDiff(ctx.limits, event.limits);
  const phaseBefore = ctx.phase ?? null;
  const next: RiskContext = { ...ctx, limits: event.limits, phase: event.phase };
  const rules = accountRules(next);
  const before = ctx.account ?? null;
  const balance = ctx.equity - ctx.openPnl;
  const account: AccountRuleState | null =
    rules === null ? null : before !== null && before.kind === rules.kind ? before : { kind: rules.kind, startEquity: balance, highWater: balance, bestDay: 0, realizedTodayBefore: ctx.realizedPnlToday };
  const notes: string[] = [];
  if (phaseBefore !== event.phase) notes.push(`phase ${phaseBefore ?? 'unknown'} -> ${event.phase}: ${rules === null ? "MIA's own limits only" : `${accountLabel[rules.kind]}s apply`}`);
  if (changed.length > 0) notes.push(`limits refreshed: ${changed.join('; ')}`);
  const log = notes.length === 0 ? ctx.log : appendLog(ctx.log, { time: event.time, kind: 'note', event: event.type, detail: notes.join('; ') });
  return { ...next, account, log };
}

/** The log with one more entry about `event` (a function, not a closure per event: this runs on every mark). */
const noted = (ctx: RiskContext, event: RiskEvent, kind: RiskLogEntry['kind'], detail: string): RiskLogEntry[] =>
  appendLog(ctx.log, { time: eventTime(event), kind, event: event.type, detail });

function applyFacts(context: RiskContext, event: RiskEvent): RiskContext {
  const ctx = rollDay(context, event.time);
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
        log: noted(ctx, event, 'note', `order rejected (${rejectStreak} in a row): ${event.reason}`),
      };
    }
    case 'ORDER_ACCEPTED':
      return { ...ctx, rejectStreak: 0, reasons: dropReasons(ctx.reasons, (r) => r === 'rejects') };
    case 'TRADE_CLOSED': {
      if (!Number.isFinite(event.pnl)) return { ...ctx, log: noted(ctx, event, 'refusal', `ignored non-finite trade P&L ${event.pnl}`) };
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
        return { ...ctx, log: noted(ctx, event, 'refusal', `ignored non-finite mark equity=${event.equity} openPnl=${event.openPnl}`) };
      }
      const intraday = ctx.limits.trailingDrawdownMode === 'intraday';
      const rules = accountRules(ctx);
      const account = ctx.account ?? null;
      return {
        ...ctx,
        equity: event.equity,
        openPnl: event.openPnl,
        peakEquity: intraday ? Math.max(ctx.peakEquity, event.equity) : ctx.peakEquity,
        account:
          account !== null && rules !== null && rules.rules.trailingDrawdownMode === 'intraday'
            ? { ...account, highWater: Math.max(account.highWater, event.equity) }
            : account,
      };
    }
    case 'ACCOUNT': {
      const margin = event.marginPerContract;
      if (!Number.isFinite(event.availableFunds) || (margin !== undefined && !(Number.isFinite(margin) && margin >= 0))) {
        return { ...ctx, log: noted(ctx, event, 'refusal', `ignored account update availableFunds=${event.availableFunds} marginPerContract=${margin}`) };
      }
      return { ...ctx, availableFunds: event.availableFunds, marginPerContract: margin ?? ctx.marginPerContract };
    }
    case 'PAUSE':
      return {
        ...ctx,
        reasons: addReason(ctx.reasons, 'operator-pause'),
        log: noted(ctx, event, 'note', `paused by ${event.who}: ${event.reason}`),
      };
    case 'UNPAUSE':
      return {
        ...ctx,
        reasons: dropReasons(ctx.reasons, needsOperator),
        rejectStreak: 0,
        consecutiveLosses: 0,
        log: noted(ctx, event, 'note', `unpaused by ${event.who}`),
      };
    case 'SUPERVISOR_ESCALATE':
      return {
        ...ctx,
        reasons: event.level === 'limited' ? addReason(ctx.reasons, `supervisor:${event.reason}`) : ctx.reasons,
        log: noted(ctx, event, 'note', `supervisor escalated ${event.reason} to ${event.level}`),
      };
    case 'ANOMALY':
      return { ...ctx, reasons: addReason(ctx.reasons, event.reason), log: noted(ctx, event, 'note', `${event.reason}: ${event.detail}`) };
    case 'RECONCILED':
      return { ...ctx, log: noted(ctx, event, 'note', `reconciled with the venue at position ${event.position}`) };
    case 'CONFIGURE':
      return configure(ctx, event);
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
    // The next mark judges the new limits (every price brings one).
    CONFIGURE: { actions: 'apply' },
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
