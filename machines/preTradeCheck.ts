/**
 * The gate every order passes before it leaves MIA: a pure function of the risk state, the
 * risk context, the limits, the position and the working orders. The first failing rule
 * refuses the order and is named in `rule`.
 *
 * Order of the rules: inputs valid, account allowed by the phase (config/accounts.ts), risk state, order size, order rate, then the checks
 * that only apply to entries (orders that do not strictly reduce |position|): max
 * contracts (the smallest of MIA's own, the prop firm's and the live scaling rule's),
 * the prop firm's allowed hours and news blackouts, account margin, protective stop,
 * worst-case loss, daily loss (the stricter of MIA's and the account's), trades per day,
 * losing streak.
 */
import type { RiskLimits } from '../config/schema.ts';
import { accountAllowed, type AccountKind } from '../config/accounts.ts';
import type { PhaseName } from '../config/gates.ts';
import type { OrderRequest } from '../core/types.ts';
import { accountDailyLoss, accountRules, accountStops, configuredContext, dailyLoss, dailyLossLimitNow, maxContractsNow, ordersInLastMinute, rollDay } from './risk.ts';
import { ZoneClock } from '../core/zonedTime.ts';
import type { PropFirmRules } from '../config/accountRules.ts';
import type { RiskContext, RiskStatus } from './risk.ts';

export { riskStatus } from './risk.ts';
export type { RiskStatus } from './risk.ts';

/** Remaining quantity of the open orders, per side (non-negative contracts). */
export interface WorkingQty {
  buy: number;
  sell: number;
}

export interface PreTradeInput {
  /** From `riskStatus(riskActor.getSnapshot())`. */
  state: RiskStatus;
  ctx: RiskContext;
  limits: RiskLimits;
  order: OrderRequest;
  /** Signed contracts: + long, - short. */
  position: number;
  workingQty: WorkingQty;
  /** Dollars per index point. */
  pointValue: number;
  /** Event time of the decision (ms UTC). */
  time: number;
  /**
   * The deployment phase deciding which account kinds may be traded. When given (the
   * orchestrator always gives it), `account` must be declared and allowed by it.
   */
  phase?: { id: number; name: PhaseName };
  /** The traded account; null or absent with a phase: unknown, refused. */
  account?: { id: string; kind: AccountKind | null } | null;
}

/** Names of the rules, one per refusal cause. */
export type PreTradeRule =
  | 'invalid-input'
  | 'invalid-order'
  | 'account-phase'
  | 'killed'
  | 'reconciling'
  | 'reduce-only'
  | 'max-order-size'
  | 'order-rate'
  | 'max-contracts'
  | 'allowed-hours'
  | 'news-blackout'
  | 'profit-target'
  | 'consistency'
  | 'margin'
  | 'require-stop'
  | 'max-loss-per-trade'
  | 'daily-loss'
  | 'max-trades-per-day'
  | 'consecutive-losses';

export type PreTradeResult = { ok: true } | { ok: false; reason: string; rule: PreTradeRule };

const refuse = (rule: PreTradeRule, reason: string): PreTradeResult => ({ ok: false, rule, reason });

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;
const isPositivePrice = (p: number | undefined): boolean => p === undefined || (Number.isFinite(p) && p > 0);

/**
 * True when the order strictly shrinks |position| and cannot cross zero even if every
 * working order on its side fills too: the exchange's reduce-only.
 */
export function reducesPosition(position: number, workingQty: WorkingQty, order: Pick<OrderRequest, 'side' | 'qty'>): boolean {
  if (position === 0) return false;
  const closingSide = position > 0 ? 'sell' : 'buy';
  return order.side === closingSide && workingQty[order.side] + order.qty <= Math.abs(position);
}

/** Why the order itself is malformed, or null. */
function orderDefect(order: OrderRequest): string | null {
  if (order.side !== 'buy' && order.side !== 'sell') return `side must be buy or sell, got ${String(order.side)}`;
  if (!Number.isInteger(order.qty) || order.qty <= 0) return `qty must be a positive integer, got ${order.qty}`;
  if (!isPositivePrice(order.price)) return `price must be finite and positive, got ${order.price}`;
  if (!isPositivePrice(order.stopPrice)) return `stopPrice must be finite and positive, got ${order.stopPrice}`;
  if (!isPositivePrice(order.stopDistance)) return `stopDistance must be finite and positive, got ${order.stopDistance}`;
  if ((order.type === 'limit' || order.type === 'stopLimit') && order.price === undefined) return `${order.type} order needs a price`;
  if ((order.type === 'stop' || order.type === 'stopLimit') && order.stopPrice === undefined) return `${order.type} order needs a stopPrice`;
  return null;
}

const zoneClocks = new Map<string, ZoneClock>();
/** Minutes since local midnight of `time` in `timeZone` (a clock per zone, cached: same input, same answer). */
function localMinutes(time: number, timeZone: string): number {
  let clock = zoneClocks.get(timeZone);
  if (!clock) zoneClocks.set(timeZone, (clock = new ZoneClock(timeZone)));
  const f = clock.fields(time);
  return f.hour * 60 + f.minute;
}
const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Why the prop firm forbids an entry at `time` (outside its hours, inside a news window), or null. */
export function propFirmTimeRefusal(rules: PropFirmRules, time: number): { rule: 'allowed-hours' | 'news-blackout'; reason: string } | null {
  const { start, end, timeZone } = rules.allowedHours;
  const now = localMinutes(time, timeZone);
  const [from, to] = [minutesOf(start), minutesOf(end)];
  // A window that wraps midnight (e.g. 17:00-15:10) is allowed outside (to, from).
  const inside = from <= to ? now >= from && now < to : now >= from || now < to;
  if (!inside) return { rule: 'allowed-hours', reason: `the prop firm allows entries ${start}-${end} ${timeZone} only` };
  const blackout = rules.newsBlackouts.find((w) => time >= Date.parse(w.from) && time < Date.parse(w.to));
  if (blackout) return { rule: 'news-blackout', reason: `news blackout '${blackout.label}' ${blackout.from} .. ${blackout.to}` };
  return null;
}

/** Decide whether `input.order` may be sent now. Pure: no clock, no I/O. */
export function preTradeCheck(input: PreTradeInput): PreTradeResult {
  const { state, limits, order, position, workingQty, pointValue, time } = input;

  if (!Number.isFinite(time)) return refuse('invalid-input', `decision time must be finite, got ${time}`);
  if (!Number.isInteger(position)) return refuse('invalid-input', `position must be an integer, got ${position}`);
  if (!isCount(workingQty.buy) || !isCount(workingQty.sell)) {
    return refuse('invalid-input', `working quantities must be non-negative integers, got buy ${workingQty.buy} sell ${workingQty.sell}`);
  }
  if (!Number.isFinite(pointValue) || pointValue <= 0) return refuse('invalid-input', `pointValue must be positive, got ${pointValue}`);
  const defect = orderDefect(order);
  if (defect !== null) return refuse('invalid-order', defect);

  const reducing = reducesPosition(position, workingQty, order);
  if (input.phase !== undefined) {
    const verdict = accountAllowed(input.account, input.phase);
    // An order that strictly reduces the position still leaves (a demotion must never trap
    // an open position without its exit); everything else is refused.
    if (!verdict.ok && !reducing) return refuse('account-phase', verdict.reason);
  }
  const reduceOnlyText = `${order.side} ${order.qty} with position ${position} and ${workingQty[order.side]} working on that side does not strictly reduce the position`;
  switch (state) {
    case 'reconciling':
      return refuse('reconciling', 'positions are being reconciled with the venue: no orders until they match');
    case 'killed':
      if (order.purpose !== 'flatten') return refuse('killed', `trading is killed: only flatten orders pass, got purpose '${order.purpose}'`);
      if (!reducing) return refuse('killed', `trading is killed: ${reduceOnlyText}`);
      break;
    case 'limited':
      if (!reducing) return refuse('reduce-only', `risk is limited (${input.ctx.reasons.join(', ') || 'no reason recorded'}): ${reduceOnlyText}`);
      break;
    case 'normal':
      break;
  }

  if (order.qty > limits.maxOrderSize) return refuse('max-order-size', `qty ${order.qty} exceeds maxOrderSize ${limits.maxOrderSize}`);

  // Counters of an earlier trading day no longer apply at `time`; the phase given (live, from
  // the deployment machine) and the current limits decide the account rules.
  const rolled = rollDay(input.ctx, time);
  const ctx = input.phase !== undefined ? configuredContext(rolled, limits, input.phase.name) : rolled;
  const recent = ordersInLastMinute(ctx, time);
  if (recent >= limits.maxOrdersPerMinute) {
    return refuse('order-rate', `${recent} orders in the last 60 s reaches maxOrdersPerMinute ${limits.maxOrdersPerMinute}`);
  }
  if (reducing) return { ok: true };

  const sign = order.side === 'buy' ? 1 : -1;
  const worstExposure = Math.abs(position + sign * (workingQty[order.side] + order.qty));
  const maxContracts = input.phase !== undefined ? maxContractsNow(ctx) : limits.maxContracts;
  if (worstExposure > maxContracts) {
    const whose = maxContracts < limits.maxContracts ? ` (${accountRules(ctx)?.kind === 'live' ? 'the live scaling rule' : 'the prop firm'})` : '';
    return refuse('max-contracts', `position ${position} + working ${order.side} ${workingQty[order.side]} + ${order.qty} would reach ${worstExposure} contracts, max ${maxContracts}${whose}`);
  }
  const rules = input.phase !== undefined ? accountRules(ctx) : null;
  if (rules?.kind === 'propFirm') {
    const timeRefusal = propFirmTimeRefusal(rules.rules, time);
    if (timeRefusal) return refuse(timeRefusal.rule, timeRefusal.reason);
    // Also judged here: the risk actor may not have been told the phase yet.
    const stop = accountStops(ctx)[0];
    if (stop === 'profit-target') return refuse('profit-target', `the prop firm's profit target $${rules.rules.profitTarget.toFixed(2)} is reached: no new entries`);
    if (stop === 'consistency') {
      return refuse('consistency', `today's profit $${ctx.realizedPnlToday.toFixed(2)} reached ${(rules.rules.consistencyMaxDayShare * 100).toFixed(0)}% of the profit target (consistency rule): no new entries today`);
    }
  }
  // Only a venue that reports a balance is checked (the in-process paper venue never does);
  // working orders on the same side are counted as if they filled, pessimistically.
  const funds = ctx.availableFunds ?? null;
  if (funds !== null) {
    const margin = ctx.marginPerContract ?? limits.marginPerContract;
    const needed = (workingQty[order.side] + order.qty) * margin;
    if (needed > funds) {
      return refuse('margin', `margin $${needed.toFixed(2)} for ${workingQty[order.side] + order.qty} contracts exceeds the account's available funds $${funds.toFixed(2)}`);
    }
  }
  if (order.stopDistance === undefined) {
    if (limits.requireStop) return refuse('require-stop', 'an entry must carry a protective stopDistance');
  } else {
    const worstLoss = order.qty * order.stopDistance * pointValue;
    if (worstLoss > limits.maxLossPerTrade) {
      return refuse('max-loss-per-trade', `worst-case loss $${worstLoss.toFixed(2)} exceeds maxLossPerTrade $${limits.maxLossPerTrade.toFixed(2)}`);
    }
  }
  // MIA's own limit on its whole day; the account's rules on the account's own day (since its phase began).
  const loss = dailyLoss(ctx);
  if (loss >= limits.dailyLossLimit) {
    return refuse('daily-loss', `daily loss $${loss.toFixed(2)} reached the daily loss limit $${limits.dailyLossLimit.toFixed(2)}`);
  }
  const accountLoss = accountDailyLoss(ctx);
  if (rules !== null && accountLoss >= dailyLossLimitNow(ctx)) {
    return refuse('daily-loss', `the account's daily loss $${accountLoss.toFixed(2)} reached its daily loss limit $${dailyLossLimitNow(ctx).toFixed(2)}`);
  }
  if (ctx.tradesToday >= limits.maxTradesPerDay) {
    return refuse('max-trades-per-day', `${ctx.tradesToday} entries today reaches maxTradesPerDay ${limits.maxTradesPerDay}`);
  }
  if (ctx.consecutiveLosses >= limits.maxConsecutiveLosses) {
    return refuse('consecutive-losses', `${ctx.consecutiveLosses} losses in a row reaches maxConsecutiveLosses ${limits.maxConsecutiveLosses}`);
  }
  return { ok: true };
}
