/**
 * Position sizing for entries: a fixed quantity, or a capped fraction of the Kelly
 * criterion measured on the system's own closed trades.
 *
 *   f* = W - (1 - W) / R     W = win rate, R = average win / |average loss|
 *   contracts = floor(fraction * f* * equity / (stopPoints * pointValue)), in [0, maxContracts]
 *
 * Trades are recorded per contract (P&L / qty), so a 3-lot does not weigh three times a
 * 1-lot in W or R. Until `minTrades` trades have closed, the fixed quantity is used
 * (capped too). f* <= 0, or a size that floors to 0, means no entry: the caller counts it.
 * Pure: no clock, no I/O; the record is plain bounded JSON for a persisted context.
 */
import type { Trade } from '../core/types.ts';

export interface SizingSettings {
  mode: 'fixed' | 'kelly';
  /** Share of the full Kelly fraction (0.25 = quarter Kelly). */
  fraction: number;
  /** Cap on the contracts of one entry (the risk machine's maxContracts still applies). */
  maxContracts: number;
  /** Closed trades before Kelly sizing starts (fixed quantity until then). */
  minTrades: number;
  /** Most recent closed trades the statistics are computed on. */
  lookbackTrades: number;
}

/** The closed-trade statistics sizing needs: total count and the latest per-contract P&Ls. */
export interface TradeRecord {
  /** Closed trades ever recorded (not bounded). */
  count: number;
  /** Dollars per contract after commissions, oldest first, at most the lookback. */
  pnlPerContract: number[];
}

export const emptyTradeRecord = (): TradeRecord => ({ count: 0, pnlPerContract: [] });

/** Hard bound on the stored history, whatever the configuration says. */
export const MAX_LOOKBACK_TRADES = 1000;

/** The record with `trade` appended, keeping only the latest `lookback` trades. */
export function recordTrade(record: TradeRecord, trade: Pick<Trade, 'pnl' | 'qty'>, lookback: number): TradeRecord {
  if (!(trade.qty > 0) || !Number.isFinite(trade.pnl)) throw new RangeError(`cannot record a trade with qty ${trade.qty} and pnl ${trade.pnl}`);
  const keep = Math.max(1, Math.min(Math.floor(lookback), MAX_LOOKBACK_TRADES));
  const pnlPerContract = [...record.pnlPerContract, trade.pnl / trade.qty];
  return { count: record.count + 1, pnlPerContract: pnlPerContract.slice(-keep) };
}

export interface KellyEstimate {
  winRate: number;
  /** Average win / |average loss|; Infinity without a loss. */
  payoff: number;
  /** f* (clamped at -1 below: with no win the formula's limit is -Infinity, and any f* <= 0 means no entry). */
  kelly: number;
}

/** Kelly's f* from per-trade P&Ls; null without any trade. A trade at exactly 0 counts as a non-win. */
export function kellyEstimate(pnls: readonly number[]): KellyEstimate | null {
  if (pnls.length === 0) return null;
  let wins = 0;
  let winSum = 0;
  let losses = 0;
  let lossSum = 0;
  for (const p of pnls) {
    if (p > 0) {
      wins++;
      winSum += p;
    } else if (p < 0) {
      losses++;
      lossSum -= p;
    }
  }
  const winRate = wins / pnls.length;
  if (wins === 0) return { winRate, payoff: 0, kelly: -1 };
  if (losses === 0) return { winRate, payoff: Number.POSITIVE_INFINITY, kelly: winRate };
  const payoff = winSum / wins / (lossSum / losses);
  return { winRate, payoff, kelly: Math.max(-1, winRate - (1 - winRate) / payoff) };
}

export interface SizingInput {
  sizing: SizingSettings;
  /** strategy.quantity: the fixed size. */
  quantity: number;
  record: TradeRecord;
  /** Account equity in dollars (starting equity + realised P&L). */
  equity: number;
  stopPoints: number;
  pointValue: number;
}

export type SizeDecision =
  | { contracts: number; basis: 'fixed' | 'warmup' }
  | { contracts: number; basis: 'kelly'; estimate: KellyEstimate; reason?: string };

/** Contracts for the next entry; 0 means no entry (with the reason when Kelly decided it). */
export function entrySize(input: SizingInput): SizeDecision {
  const { sizing, quantity, record } = input;
  if (sizing.mode === 'fixed') return { contracts: quantity, basis: 'fixed' };
  const cap = Math.max(0, Math.floor(sizing.maxContracts));
  if (record.count < sizing.minTrades) return { contracts: Math.min(quantity, cap), basis: 'warmup' };
  const estimate = kellyEstimate(record.pnlPerContract.slice(-Math.max(1, sizing.lookbackTrades)));
  if (!estimate) return { contracts: Math.min(quantity, cap), basis: 'warmup' };
  if (!(estimate.kelly > 0)) return { contracts: 0, basis: 'kelly', estimate, reason: `Kelly f* ${estimate.kelly.toFixed(4)} <= 0: no edge in the last ${record.pnlPerContract.length} trades` };
  const riskPerContract = input.stopPoints * input.pointValue;
  if (!(riskPerContract > 0)) return { contracts: 0, basis: 'kelly', estimate, reason: `risk per contract must be positive, got stopPoints ${input.stopPoints} x pointValue ${input.pointValue}` };
  const raw = (sizing.fraction * estimate.kelly * Math.max(0, input.equity)) / riskPerContract;
  // A hair of tolerance so that an exact product (e.g. 25) is not floored to 24 by rounding.
  const contracts = Math.min(cap, Math.max(0, Math.floor(raw + 1e-9)));
  if (contracts === 0) return { contracts, basis: 'kelly', estimate, reason: `Kelly size ${raw.toFixed(4)} contracts floors to 0` };
  return { contracts, basis: 'kelly', estimate };
}
