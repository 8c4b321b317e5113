/**
 * The research report's arithmetic (pure, tested on its own): signals per calendar month
 * against the plan's band, and each feature's contribution (the trades whose entry signal
 * had the feature available, against those whose signal did not: count, win rate, P&L).
 *
 * A trade's entry signal is the latest signal of its direction (buy = long) at or before its
 * entry time: the strategy enters on the bar after its signal.
 */
import { monthsInPeriod } from '../../config/gates.ts';
import { tradingDay } from '../../core/tradingDay.ts';
import type { BacktestSignal, BacktestTrade } from '../result.ts';

export interface MonthSignals {
  /** `YYYY-MM` of the signal's CME trading day. */
  month: string;
  signals: number;
  /** Share of the month inside the period (a partial first or last month < 1). */
  covered: number;
  /** signals / covered: the month's rate, comparable with a band per month. */
  perMonth: number;
}

const lastDay = (month: string): string => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** Every calendar month the period touches, with its signals and their monthly rate. */
export function signalsByMonth(signals: readonly Pick<BacktestSignal, 'time'>[], period: { from: string; to: string }): MonthSignals[] {
  const counts = new Map<string, number>();
  for (const s of signals) {
    const m = tradingDay(Date.parse(s.time)).slice(0, 7);
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  const out: MonthSignals[] = [];
  for (let m = period.from.slice(0, 7); m <= period.to.slice(0, 7); ) {
    const from = m === period.from.slice(0, 7) ? period.from : `${m}-01`;
    const to = m === period.to.slice(0, 7) ? period.to : lastDay(m);
    const covered = monthsInPeriod({ from, to }) ?? 0;
    const n = counts.get(m) ?? 0;
    out.push({ month: m, signals: n, covered, perMonth: covered > 0 ? n / covered : 0 });
    const [y, mo] = m.split('-').map(Number) as [number, number];
    m = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  }
  return out;
}

export interface ContributionSide {
  trades: number;
  /** Winners / trades; null without trades. */
  winRate: number | null;
  pnl: number;
}

export interface FeatureContribution {
  feature: string;
  present: ContributionSide;
  absent: ContributionSide;
}

/** The entry signal of each trade (null when none precedes it). */
export function entrySignals(trades: readonly BacktestTrade[], signals: readonly BacktestSignal[]): Array<BacktestSignal | null> {
  const sorted = [...signals].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return trades.map((t) => {
    const entry = Date.parse(t.entryTime);
    const side = t.side === 'long' ? 'buy' : 'sell';
    let found: BacktestSignal | null = null;
    for (const s of sorted) {
      if (Date.parse(s.time) > entry) break;
      if (s.side === side) found = s;
    }
    return found;
  });
}

export function featureContribution(trades: readonly BacktestTrade[], signals: readonly BacktestSignal[], features: readonly string[]): FeatureContribution[] {
  const entries = entrySignals(trades, signals);
  const side = (list: BacktestTrade[]): ContributionSide => ({
    trades: list.length,
    winRate: list.length > 0 ? list.filter((t) => t.pnl > 0).length / list.length : null,
    pnl: Math.round(list.reduce((s, t) => s + t.pnl, 0) * 100) / 100,
  });
  return features.map((feature) => {
    const present: BacktestTrade[] = [];
    const absent: BacktestTrade[] = [];
    trades.forEach((t, i) => ((entries[i]?.available.includes(feature) ?? false) ? present : absent).push(t));
    return { feature, present: side(present), absent: side(absent) };
  });
}
