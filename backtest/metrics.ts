/**
 * Performance metrics, exactly as DOMAIN.md "Performance metrics" defines them: the one
 * module the backtest report, the phase gates and the Discord summaries all use.
 *
 * Conventions (each one a choice the definitions leave open):
 * - Money is in dollars after commissions (Trade.pnl). A winner has pnl > 0, a loser
 *   pnl < 0; a scratch (pnl = 0) is neither, but counts as a closed trade for the win rate.
 * - Equity curve: `equityMarks` when given (mark-to-market, so open-trade drawdowns count);
 *   otherwise realised equity, starting equity then one point per closed trade in exit order.
 *   Drawdown, daily and monthly returns, total return and CAGR come from this curve; trade
 *   statistics and net profit from the trades.
 * - Daily returns: one per CME trading day (core/tradingDay.ts) from the period's first to its
 *   last, Monday to Friday. A day without trades (or without marks) is a 0-return day; exchange
 *   holidays are not modelled and count as such days too. Each day's equity is the curve's last
 *   value on or before that day; return = equity / previous day's equity - 1 (0 once the
 *   account is at or below zero).
 * - Sharpe = mean / sample std (n - 1) of daily returns * sqrt(252), risk-free rate 0.
 *   Sortino = mean / downside deviation (sqrt of the mean of min(r, 0)^2 over all days) * sqrt(252).
 * - Max drawdown in $ and in % of the peak, each its own maximum (backtest/equityCurve.ts);
 *   percentages and returns are fractions (0.1 = 10%), as the gate thresholds are.
 * - CAGR = (final / starting equity)^(1 / years) - 1 with years = calendar days of the period
 *   (inclusive) / 365.25; -1 once equity is gone. annualReturn is the CAGR (the gate's name).
 *   Calmar = CAGR / maxDrawdownPct.
 * - Monthly returns per calendar month of the trading day, every month the period touches
 *   (a partial first or last month included as it is). monthlyReturn = their mean;
 *   monthlyStability = sample std / |mean|; robustness = share of months with a return > 0.
 * - Undefined ratios are null, never NaN or Infinity (the JSON stays valid, the gates read a
 *   null as missing and fail): win rate and expectancy with no trades; profit factor with
 *   no losing trade (no cap: a record without a loss cannot show its profit factor); average
 *   win / loss with no winner / loser; Sharpe with fewer than 2 days or no variation; Sortino
 *   without a losing day; recovery factor and Calmar with no drawdown; stability with fewer
 *   than 2 months or a zero mean; signals per month when no signal times were given.
 */
import type { Trade } from '../core/types.ts';
import { TradingDayTracker, tradingDay } from '../core/tradingDay.ts';
import { monthsInPeriod } from '../config/gates.ts';
import { downsideDeviation, mean, sampleStd } from './statistics.ts';
import { drawdownOf } from './equityCurve.ts';
import { MetricsInputError } from './metricsInputError.ts';

export { MetricsInputError };

/** Account equity at an instant (mark-to-market), dollars. */
export interface EquityMark {
  time: number;
  equity: number;
}

export interface MetricsInput {
  /** Closed trades, money in dollars after commissions; any order (sorted by exit time here). */
  trades: readonly Trade[];
  /** Account equity at the start of the period, dollars (> 0). */
  startingEquity: number;
  /**
   * The period judged, both ends inclusive: event times (ms UTC, mapped to their CME trading
   * day) or trading days as `YYYY-MM-DD`. Every trade exit and mark must fall inside it.
   */
  period: { from: number | string; to: number | string };
  /** Mark-to-market equity; when given it is the equity curve (see the module notes). */
  equityMarks?: readonly EquityMark[];
  /** Times of the signals the strategy emitted (traded or not). */
  signalTimes?: readonly number[];
}

export interface MonthlyReturn {
  /** Calendar month of the trading days, `YYYY-MM`. */
  month: string;
  /** Equity change over the month as a fraction of the equity before it. */
  return: number;
  /** Equity change over the month, dollars. */
  pnl: number;
}

/** One trading day of the period: equity at its end and its return. */
export interface DailyReturn {
  /** CME trading day, `YYYY-MM-DD`. */
  day: string;
  equity: number;
  return: number;
}

export interface PerformanceMetrics {
  /** First and last trading day of the period (`YYYY-MM-DD`, inclusive): an Evidence period. */
  period: { from: string; to: string };
  tradingDays: number;
  startingEquity: number;
  finalEquity: number;
  trades: number;
  winners: number;
  losers: number;
  /** winners / trades. */
  winRate: number | null;
  /** Sum of winning P&L, dollars (>= 0). */
  grossProfit: number;
  /** Sum of losing P&L, dollars (<= 0). */
  grossLoss: number;
  netProfit: number;
  /** grossProfit / |grossLoss|. */
  profitFactor: number | null;
  /** Average winning trade, dollars (> 0). */
  avgWin: number | null;
  /** Average losing trade, dollars (< 0). */
  avgLoss: number | null;
  /** Average P&L per trade, dollars. */
  expectancy: number | null;
  longestLosingStreak: number;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: number;
  maxDrawdownPct: number;
  /** netProfit / maxDrawdown. */
  recoveryFactor: number | null;
  /** final / starting equity - 1. */
  totalReturn: number;
  cagr: number | null;
  /** The CAGR under the name the phase gates use. */
  annualReturn: number | null;
  calmar: number | null;
  /** Every trading day of the period (the input of Sharpe and Sortino). */
  dailyReturns: DailyReturn[];
  monthlyReturns: MonthlyReturn[];
  /** Mean monthly return. */
  monthlyReturn: number | null;
  monthlyStability: number | null;
  /** Share of months with a positive return, in [0, 1]. */
  robustness: number | null;
  /** Signal count, null when no signal times were given. */
  signals: number | null;
  signalsPerMonth: number | null;
}

const DAY_MS = 86_400_000;
const SQRT_252 = Math.sqrt(252);

/** Metrics of a trade list over a period. Throws MetricsInputError on input it cannot judge. */
export function computeMetrics(input: MetricsInput): PerformanceMetrics {
  const { startingEquity } = input;
  if (!(Number.isFinite(startingEquity) && startingEquity > 0)) {
    throw new MetricsInputError('startingEquity', `must be a finite amount > 0, got ${startingEquity}`);
  }
  const from = periodDay(input.period.from, 'period.from');
  const to = periodDay(input.period.to, 'period.to');
  if (to < from) throw new MetricsInputError('period', `runs backwards: ${from} .. ${to}`);
  const days = weekdaysBetween(from, to);

  const trades = validTrades(input.trades, from, to);
  const tradeStats = tradeStatistics(trades);
  const curve = input.equityMarks ? markCurve(input.equityMarks, startingEquity, from, to) : realisedCurve(trades, startingEquity);
  const finalEquity = curve.equity[curve.equity.length - 1]!;
  const { maxDrawdown, maxDrawdownPct } = drawdownOf(curve.equity);

  // Equity at the end of each trading day (the curve's last point on or before it).
  const closes = new Float64Array(days.length);
  let point = 1; // curve.equity[0] is the starting equity, before any day
  let equity = startingEquity;
  for (let d = 0; d < days.length; d++) {
    while (point < curve.equity.length && curve.days[point]! <= days[d]!) equity = curve.equity[point++]!;
    closes[d] = equity;
  }
  const dailyReturns = new Float64Array(days.length);
  for (let d = 0; d < days.length; d++) dailyReturns[d] = growth(d === 0 ? startingEquity : closes[d - 1]!, closes[d]!);

  const meanDaily = mean(dailyReturns);
  const stdDaily = sampleStd(dailyReturns);
  const downside = downsideDeviation(dailyReturns);
  const sharpe = meanDaily !== null && stdDaily !== null && stdDaily > 0 ? (meanDaily / stdDaily) * SQRT_252 : null;
  const sortino = meanDaily !== null && downside !== null && downside > 0 ? (meanDaily / downside) * SQRT_252 : null;

  const monthlyReturns = monthly(days, closes, startingEquity);
  const monthlyValues = monthlyReturns.map((m) => m.return);
  const monthlyReturn = mean(monthlyValues);
  const monthlyStd = sampleStd(monthlyValues);
  const monthlyStability = monthlyReturn !== null && monthlyStd !== null && monthlyReturn !== 0 ? monthlyStd / Math.abs(monthlyReturn) : null;
  const robustness = monthlyReturns.length > 0 ? monthlyReturns.filter((m) => m.return > 0).length / monthlyReturns.length : null;

  const totalReturn = growth(startingEquity, finalEquity);
  const years = ((Date.parse(to) - Date.parse(from)) / DAY_MS + 1) / 365.25;
  const cagr = finiteOrNull(finalEquity <= 0 ? -1 : Math.pow(finalEquity / startingEquity, 1 / years) - 1);
  const signals = input.signalTimes ? validSignals(input.signalTimes) : null;
  const months = monthsInPeriod({ from, to });

  return {
    period: { from, to },
    tradingDays: days.length,
    startingEquity,
    finalEquity,
    ...tradeStats,
    sharpe: finiteOrNull(sharpe),
    sortino: finiteOrNull(sortino),
    maxDrawdown,
    maxDrawdownPct,
    recoveryFactor: maxDrawdown > 0 ? finiteOrNull(tradeStats.netProfit / maxDrawdown) : null,
    totalReturn,
    cagr,
    annualReturn: cagr,
    calmar: cagr !== null && maxDrawdownPct > 0 ? finiteOrNull(cagr / maxDrawdownPct) : null,
    dailyReturns: days.map((day, d) => ({ day, equity: closes[d]!, return: dailyReturns[d]! })),
    monthlyReturns,
    monthlyReturn,
    monthlyStability: finiteOrNull(monthlyStability),
    robustness,
    signals,
    signalsPerMonth: signals !== null && months !== null && months > 0 ? finiteOrNull(signals / months) : null,
  };
}

/**
 * The metrics a phase gate judges (config/gates.ts `metricOperators` names), for an
 * Evidence record: null metrics are left out, so a gate that needs one fails on it.
 * Gate metrics MIA cannot compute from trades (riskBreaches, signalWinRate) and `months`
 * (the gate takes it from the period) are not included.
 */
export function gateMetrics(m: PerformanceMetrics): Record<string, number> {
  const picked: Record<string, number | null> = {
    winRate: m.winRate,
    profitFactor: m.profitFactor,
    sharpe: m.sharpe,
    maxDrawdownPct: m.maxDrawdownPct,
    recoveryFactor: m.recoveryFactor,
    annualReturn: m.annualReturn,
    monthlyStability: m.monthlyStability,
    robustness: m.robustness,
    totalReturn: m.totalReturn,
    monthlyReturn: m.monthlyReturn,
  };
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(picked)) if (value !== null) out[name] = value;
  return out;
}

type TradeStatistics = Pick<
  PerformanceMetrics,
  'trades' | 'winners' | 'losers' | 'winRate' | 'grossProfit' | 'grossLoss' | 'netProfit' | 'profitFactor' | 'avgWin' | 'avgLoss' | 'expectancy' | 'longestLosingStreak'
>;

/** Statistics of trades already sorted by exit time. */
function tradeStatistics(trades: readonly Trade[]): TradeStatistics {
  let winners = 0;
  let losers = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let streak = 0;
  let longestLosingStreak = 0;
  for (const t of trades) {
    if (t.pnl > 0) {
      winners++;
      grossProfit += t.pnl;
    } else if (t.pnl < 0) {
      losers++;
      grossLoss += t.pnl;
    }
    streak = t.pnl < 0 ? streak + 1 : 0;
    if (streak > longestLosingStreak) longestLosingStreak = streak;
  }
  const n = trades.length;
  const netProfit = grossProfit + grossLoss;
  return {
    trades: n,
    winners,
    losers,
    winRate: n > 0 ? winners / n : null,
    grossProfit,
    grossLoss,
    netProfit,
    // A loss of a fraction of a cent would divide to Infinity: treated like no loss.
    profitFactor: losers > 0 ? finiteOrNull(grossProfit / -grossLoss) : null,
    avgWin: winners > 0 ? grossProfit / winners : null,
    avgLoss: losers > 0 ? grossLoss / losers : null,
    expectancy: n > 0 ? netProfit / n : null,
    longestLosingStreak,
  };
}

/** An equity curve: `equity[0]` is the starting equity; `days[i]` the trading day of point i. */
interface Curve {
  equity: number[];
  days: string[];
}

function realisedCurve(trades: readonly Trade[], startingEquity: number): Curve {
  const equity = [startingEquity];
  const days = [''];
  let e = startingEquity;
  for (const t of trades) {
    e += t.pnl;
    equity.push(e);
    days.push(tradingDay(t.exitTime));
  }
  return { equity, days };
}

function markCurve(marks: readonly EquityMark[], startingEquity: number, from: string, to: string): Curve {
  marks.forEach((m, i) => {
    if (!Number.isFinite(m.time)) throw new MetricsInputError(`equityMarks[${i}].time`, `must be a finite time, got ${m.time}`);
    if (!Number.isFinite(m.equity)) throw new MetricsInputError(`equityMarks[${i}].equity`, `must be a finite amount, got ${m.equity}`);
  });
  const sorted = marks.map((m, i) => ({ m, i })).sort((a, b) => a.m.time - b.m.time || a.i - b.i);
  const tracker = new TradingDayTracker();
  const equity = [startingEquity];
  const days = [''];
  for (const { m, i } of sorted) {
    const day = tracker.dayOf(m.time);
    if (day < from || day > to) throw new MetricsInputError(`equityMarks[${i}].time`, `trading day ${day} is outside the period ${from} .. ${to}`);
    equity.push(m.equity);
    days.push(day);
  }
  return { equity, days };
}

/** Trades validated and sorted by exit time (stable). */
function validTrades(trades: readonly Trade[], from: string, to: string): Trade[] {
  trades.forEach((t, i) => {
    if (!Number.isFinite(t.pnl)) throw new MetricsInputError(`trades[${i}].pnl`, `must be a finite amount, got ${t.pnl}`);
    if (!Number.isFinite(t.exitTime)) throw new MetricsInputError(`trades[${i}].exitTime`, `must be a finite time, got ${t.exitTime}`);
    if (!Number.isFinite(t.entryTime) || t.entryTime > t.exitTime) {
      throw new MetricsInputError(`trades[${i}].entryTime`, `must be a finite time not after the exit, got ${t.entryTime}`);
    }
    const day = tradingDay(t.exitTime);
    if (day < from || day > to) throw new MetricsInputError(`trades[${i}].exitTime`, `trading day ${day} is outside the period ${from} .. ${to}`);
  });
  return trades.map((t, i) => ({ t, i })).sort((a, b) => a.t.exitTime - b.t.exitTime || a.i - b.i).map(({ t }) => t);
}

function validSignals(times: readonly number[]): number {
  times.forEach((t, i) => {
    if (!Number.isFinite(t)) throw new MetricsInputError(`signalTimes[${i}]`, `must be a finite time, got ${t}`);
  });
  return times.length;
}

/** A period end as a trading day `YYYY-MM-DD`. */
function periodDay(value: number | string, field: string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MetricsInputError(field, `must be a finite time or a YYYY-MM-DD day, got ${value}`);
    return tradingDay(value);
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== value) throw new MetricsInputError(field, `must be a finite time or a valid YYYY-MM-DD day, got '${value}'`);
  return value;
}

/** Monday-to-Friday days from `from` to `to` inclusive, `YYYY-MM-DD` (CME trading-day labels). */
function weekdaysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(from), end = Date.parse(to); ms <= end; ms += DAY_MS) {
    const weekday = new Date(ms).getUTCDay();
    if (weekday !== 0 && weekday !== 6) out.push(new Date(ms).toISOString().slice(0, 10));
  }
  return out;
}

/** Monthly returns from the daily closes, for every month with a trading day in the period. */
function monthly(days: readonly string[], closes: Float64Array, startingEquity: number): MonthlyReturn[] {
  const out: MonthlyReturn[] = [];
  let before = startingEquity;
  for (let d = 0; d < days.length; d++) {
    const month = days[d]!.slice(0, 7);
    const last = d === days.length - 1 || days[d + 1]!.slice(0, 7) !== month;
    if (!last) continue;
    const end = closes[d]!;
    out.push({ month, return: growth(before, end), pnl: end - before });
    before = end;
  }
  return out;
}

/** (end - start) / start (one rounding, not two), or 0 when there is nothing left to grow (start <= 0). */
const growth = (start: number, end: number): number => (start > 0 ? (end - start) / start : 0);

const finiteOrNull = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);
