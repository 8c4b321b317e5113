/**
 * Performance of the published signals, computed from the signal log alone: what anyone
 * holding a verified copy of the log can recompute. Void signals (never traded) and
 * signals still open are counted but do not enter the win rate or the P&L.
 */
import type { SignalRecord } from './signalLog.ts';

export interface SignalPerformance {
  signals: number;
  published: { premium: number; public: number };
  /** Signals with a win, loss or flat outcome. */
  resolved: number;
  /** Signals without an outcome yet. */
  open: number;
  void: number;
  wins: number;
  losses: number;
  flats: number;
  /** wins / resolved; null with nothing resolved. */
  winRate: number | null;
  /** Sum over resolved signals, dollars per contract after commissions. */
  pnl: number;
  /** Sum over resolved signals, index points. */
  points: number;
  averageWin: number | null;
  /** Average losing P&L as a positive amount, dollars per contract. */
  averageLoss: number | null;
  /** Gross wins / gross losses; null without losses. */
  profitFactor: number | null;
  /** Event times of the first and last signal, ISO; null for an empty log. */
  from: string | null;
  to: string | null;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export function signalPerformance(records: readonly SignalRecord[]): SignalPerformance {
  let signals = 0;
  let premium = 0;
  let pub = 0;
  let wins = 0;
  let losses = 0;
  let flats = 0;
  let voids = 0;
  let pnl = 0;
  let points = 0;
  let grossWin = 0;
  let grossLoss = 0;
  let first: number | null = null;
  let last: number | null = null;
  for (const r of records) {
    if (r.kind === 'signal') {
      signals++;
      first = first === null ? r.signal.signalTime : Math.min(first, r.signal.signalTime);
      last = last === null ? r.signal.signalTime : Math.max(last, r.signal.signalTime);
    } else if (r.kind === 'published') {
      if (r.published.audience === 'premium') premium++;
      else pub++;
    } else {
      const o = r.outcome;
      if (o.result === 'void') {
        voids++;
        continue;
      }
      pnl += o.pnl;
      points += o.points;
      if (o.result === 'win') {
        wins++;
        grossWin += o.pnl;
      } else if (o.result === 'loss') {
        losses++;
        grossLoss += -o.pnl;
      } else flats++;
    }
  }
  const resolved = wins + losses + flats;
  return {
    signals,
    published: { premium, public: pub },
    resolved,
    open: signals - resolved - voids,
    void: voids,
    wins,
    losses,
    flats,
    winRate: resolved === 0 ? null : round(wins / resolved, 4),
    pnl: round(pnl),
    points: round(points, 4),
    averageWin: wins === 0 ? null : round(grossWin / wins),
    averageLoss: losses === 0 ? null : round(grossLoss / losses),
    profitFactor: grossLoss === 0 ? null : round(grossWin / grossLoss, 4),
    from: first === null ? null : new Date(first).toISOString(),
    to: last === null ? null : new Date(last).toISOString(),
  };
}
