/**
 * Paper vs backtest attribution (issue 6 item 5): pairs a paper session's fills with the
 * fills of a backtest over the same data and period, and says where they differ (time,
 * price in ticks and dollars, slippage against the signal price) and whether the paper
 * phase matches the backtest within a tolerance.
 *
 * Pairing: fills are grouped by their order's purpose (entry, bracket-stop,
 * bracket-target, exit, flatten ...) and side; inside a group each paper fill, in time
 * order, takes the nearest unpaired backtest fill (earlier one on a tie) no further than
 * `maxGapMs`. What is left is unmatched on its side. Backtest fills outside the paper
 * sessions' spans (the backtest runs whole trading days) are counted apart, not as
 * unmatched.
 *
 * Signs: `ticks` is backtest price minus paper price; `adverseTicks` and `dollars` are
 * signed for the trader (> 0: the backtest filled worse than paper: a buy higher, a sell
 * lower). Slippage is adverse ticks from the signal price, for entries (the signal is the
 * backtest's latest signal of the same side at or before the order / fill time; the same
 * data gives both runs the same signals).
 */
import type { Trade } from '../core/types.ts';
import type { BacktestFill, BacktestResult } from './result.ts';

export interface PaperFill {
  clientOrderId: string;
  executionId: string;
  purpose: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  /** ms UTC (event time). */
  time: number;
  /** When the order was created (ms UTC), when the journal knows it. */
  orderCreatedAt?: number;
}

export interface AttributionInput {
  paper: { fills: readonly PaperFill[]; trades: readonly Trade[] };
  backtest: Pick<BacktestResult, 'fills' | 'trades' | 'signals'>;
  tickSize: number;
  pointValue: number;
  /** Paper session spans (ms UTC, inclusive): backtest fills and trades outside them are left out. */
  spans?: ReadonlyArray<{ from: number; to: number }>;
  /** Largest |price difference| in ticks still called a match (default 1). */
  toleranceTicks?: number;
  /** Largest |time difference| still called a match (default 60 s, one minute bar). */
  toleranceMs?: number;
  /** Farthest apart two fills may be to pair at all (default 30 minutes). */
  maxGapMs?: number;
}

export interface FillView {
  clientOrderId: string;
  time: string;
  price: number;
}

export interface FillPair {
  purpose: string;
  side: 'buy' | 'sell';
  qty: number;
  paper: FillView;
  backtest: FillView;
  /** Backtest time minus paper time, ms. */
  timeDiffMs: number;
  /** (backtest - paper) price in ticks. */
  ticks: number;
  /** Ticks signed for the trader: > 0 when the backtest filled worse. */
  adverseTicks: number;
  /** adverseTicks in dollars for the pair's quantity. */
  dollars: number;
  /** Adverse ticks from the signal price (entries with a signal found), else null. */
  slippageTicks: { paper: number | null; backtest: number | null } | null;
}

export interface UnmatchedFill extends FillView {
  purpose: string;
  side: 'buy' | 'sell';
  qty: number;
}

export interface AttributionSummary {
  paperFills: number;
  backtestFills: number;
  matched: number;
  unmatchedPaper: number;
  unmatchedBacktest: number;
  /** Backtest fills outside the paper sessions (not compared). */
  backtestOutsidePaper: number;
  meanAbsTicks: number | null;
  medianAbsTicks: number | null;
  maxAbsTicks: number | null;
  maxAbsTimeDiffMs: number | null;
  /** Net P&L of the closed trades, dollars after commissions; difference = backtest - paper. */
  paperPnl: number;
  backtestPnl: number;
  pnlDifference: number;
  toleranceTicks: number;
  toleranceMs: number;
  /** True when every fill paired, within both tolerances. */
  matches: boolean;
  /** Why not, one line each (empty when it matches). */
  reasons: string[];
}

export interface Attribution {
  pairs: FillPair[];
  unmatched: { paper: UnmatchedFill[]; backtest: UnmatchedFill[] };
  summary: AttributionSummary;
}

interface Candidate {
  clientOrderId: string;
  purpose: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  time: number;
  signalTime: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const round = (x: number) => Math.round(x * 1e6) / 1e6;

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Fills paper and backtest, paired and compared; see the module comment. */
export function attribute(input: AttributionInput): Attribution {
  const { tickSize, pointValue } = input;
  const toleranceTicks = input.toleranceTicks ?? 1;
  const toleranceMs = input.toleranceMs ?? 60_000;
  const maxGapMs = input.maxGapMs ?? 30 * 60_000;
  const spans = input.spans ?? [];
  const inPaper = (t: number) => spans.length === 0 || spans.some((s) => t >= s.from && t <= s.to);

  const signals = input.backtest.signals.map((s) => ({ time: Date.parse(s.time), side: s.side, price: s.price })).sort((a, b) => a.time - b.time);
  /** Adverse ticks of `price` from the latest same-side signal at or before `at`. */
  const slippage = (side: 'buy' | 'sell', price: number, at: number): number | null => {
    let found: number | null = null;
    for (const s of signals) {
      if (s.time > at) break;
      if (s.side === side) found = s.price;
    }
    return found === null ? null : round(((price - found) / tickSize) * (side === 'buy' ? 1 : -1));
  };

  const paper: Candidate[] = input.paper.fills
    .map((f) => ({ clientOrderId: f.clientOrderId, purpose: f.purpose, side: f.side, qty: f.qty, price: f.price, time: f.time, signalTime: f.orderCreatedAt ?? f.time }))
    .sort((a, b) => a.time - b.time);
  const allBacktest: Candidate[] = input.backtest.fills
    .map((f: BacktestFill) => ({ clientOrderId: f.clientOrderId, purpose: f.purpose, side: f.side, qty: f.qty, price: f.price, time: Date.parse(f.time), signalTime: Date.parse(f.time) }))
    .sort((a, b) => a.time - b.time);
  const backtest = allBacktest.filter((f) => inPaper(f.time));
  const taken = new Set<number>();

  const pairs: FillPair[] = [];
  const unmatchedPaper: UnmatchedFill[] = [];
  for (const p of paper) {
    let best = -1;
    for (let i = 0; i < backtest.length; i++) {
      const b = backtest[i]!;
      if (taken.has(i) || b.purpose !== p.purpose || b.side !== p.side || Math.abs(b.time - p.time) > maxGapMs) continue;
      if (best < 0 || Math.abs(b.time - p.time) < Math.abs(backtest[best]!.time - p.time)) best = i;
    }
    if (best < 0) {
      unmatchedPaper.push({ clientOrderId: p.clientOrderId, time: iso(p.time), price: p.price, purpose: p.purpose, side: p.side, qty: p.qty });
      continue;
    }
    taken.add(best);
    const b = backtest[best]!;
    const ticks = round((b.price - p.price) / tickSize);
    const adverseTicks = p.side === 'buy' ? ticks : round(-ticks);
    const entry = p.purpose === 'entry';
    pairs.push({
      purpose: p.purpose,
      side: p.side,
      qty: p.qty,
      paper: { clientOrderId: p.clientOrderId, time: iso(p.time), price: p.price },
      backtest: { clientOrderId: b.clientOrderId, time: iso(b.time), price: b.price },
      timeDiffMs: b.time - p.time,
      ticks,
      adverseTicks,
      dollars: round(adverseTicks * tickSize * pointValue * p.qty),
      slippageTicks: entry ? { paper: slippage(p.side, p.price, p.signalTime), backtest: slippage(b.side, b.price, b.signalTime) } : null,
    });
  }
  const unmatchedBacktest: UnmatchedFill[] = backtest
    .filter((_, i) => !taken.has(i))
    .map((b) => ({ clientOrderId: b.clientOrderId, time: iso(b.time), price: b.price, purpose: b.purpose, side: b.side, qty: b.qty }));

  const abs = pairs.map((p) => Math.abs(p.ticks));
  const maxAbsTicks = abs.length > 0 ? Math.max(...abs) : null;
  const maxAbsTimeDiffMs = pairs.length > 0 ? Math.max(...pairs.map((p) => Math.abs(p.timeDiffMs))) : null;
  const paperPnl = round(input.paper.trades.reduce((s, t) => s + t.pnl, 0));
  const backtestPnl = round(input.backtest.trades.filter((t) => inPaper(Date.parse(t.exitTime))).reduce((s, t) => s + t.pnl, 0));

  const reasons: string[] = [];
  if (paper.length === 0) reasons.push('the paper journal has no fills');
  if (unmatchedPaper.length > 0) reasons.push(`${unmatchedPaper.length} paper fill(s) have no backtest counterpart`);
  if (unmatchedBacktest.length > 0) reasons.push(`${unmatchedBacktest.length} backtest fill(s) have no paper counterpart`);
  if (maxAbsTicks !== null && maxAbsTicks > toleranceTicks) reasons.push(`price differs by up to ${maxAbsTicks} ticks (tolerance ${toleranceTicks})`);
  if (maxAbsTimeDiffMs !== null && maxAbsTimeDiffMs > toleranceMs) reasons.push(`time differs by up to ${maxAbsTimeDiffMs} ms (tolerance ${toleranceMs})`);

  return {
    pairs,
    unmatched: { paper: unmatchedPaper, backtest: unmatchedBacktest },
    summary: {
      paperFills: paper.length,
      backtestFills: backtest.length,
      matched: pairs.length,
      unmatchedPaper: unmatchedPaper.length,
      unmatchedBacktest: unmatchedBacktest.length,
      backtestOutsidePaper: allBacktest.length - backtest.length,
      meanAbsTicks: abs.length > 0 ? round(abs.reduce((s, x) => s + x, 0) / abs.length) : null,
      medianAbsTicks: median(abs),
      maxAbsTicks,
      maxAbsTimeDiffMs,
      paperPnl,
      backtestPnl,
      pnlDifference: round(backtestPnl - paperPnl),
      toleranceTicks,
      toleranceMs,
      matches: reasons.length === 0,
      reasons,
    },
  };
}
