/**
 * Drawdown of an equity curve (DOMAIN.md): the largest peak-to-trough decline, in dollars
 * and as a fraction of the peak it fell from. The two maxima are taken separately: the
 * deepest percentage fall can come from a smaller, earlier peak than the largest dollar fall.
 */

export interface Drawdown {
  /** Largest peak-to-trough decline, dollars (>= 0). */
  maxDrawdown: number;
  /** Largest decline as a fraction of its peak (0.1 = 10%), in [0, 1] while equity stays >= 0. */
  maxDrawdownPct: number;
}

/** Drawdown of an equity series (its first value is the starting equity). */
export function drawdownOf(equity: ArrayLike<number>): Drawdown {
  let peak = -Infinity;
  let maxDrawdown = 0;
  let maxDrawdownPct = 0;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    const fall = peak - e;
    if (fall > maxDrawdown) maxDrawdown = fall;
    if (peak > 0 && fall / peak > maxDrawdownPct) maxDrawdownPct = fall / peak;
  }
  return { maxDrawdown, maxDrawdownPct };
}

/** Drawdown of `startingEquity` plus the running sum of `pnl`, without building the curve. */
export function drawdownOfPnl(startingEquity: number, pnl: ArrayLike<number>): Drawdown {
  let equity = startingEquity;
  let peak = startingEquity;
  let maxDrawdown = 0;
  let maxDrawdownPct = 0;
  for (let i = 0; i < pnl.length; i++) {
    equity += pnl[i]!;
    if (equity > peak) peak = equity;
    const fall = peak - equity;
    if (fall > maxDrawdown) maxDrawdown = fall;
    if (peak > 0 && fall / peak > maxDrawdownPct) maxDrawdownPct = fall / peak;
  }
  return { maxDrawdown, maxDrawdownPct };
}
