/**
 * Order-book depth of the simulated ES market: a few levels on each side of the tape's
 * current quote. L1 is exactly the quote (prices and the size still shown); deeper levels
 * are one tick apart and hold more size. Resting size leans with the short-term direction:
 * when price has been rising the bids are heavier than the asks, and the other way round.
 */
import type { BookLevel, BookSnapshot } from '../../core/types.ts';
import type { Prng } from '../../core/prng.ts';
import { bookLean, type TapeConditions, type TapeState } from './simulatedTape.ts';

/** How much the lean moves size between the sides (0.5: up to 1.5x against 0.5x). */
const LEAN_WEIGHT = 0.5;

/**
 * A `levels`-deep snapshot of the book at `time` around `state`'s quote. Needs a quote
 * (the tape sets one before its first checkpoint).
 */
export function depthSnapshot(
  symbol: string,
  time: number,
  state: TapeState,
  tickSize: number,
  conditions: TapeConditions,
  rng: Prng,
  levels: number,
): BookSnapshot {
  const lean = bookLean(state.momentum);
  const bids: BookLevel[] = [{ price: state.bidTicks * tickSize, size: state.bidSize }];
  const asks: BookLevel[] = [{ price: state.askTicks * tickSize, size: state.askSize }];
  for (let k = 1; k < levels; k++) {
    const depth = conditions.topSize * (1 + 0.3 * k);
    bids.push({ price: (state.bidTicks - k) * tickSize, size: Math.max(1, Math.round(depth * (0.6 + 0.8 * rng.next()) * (1 + LEAN_WEIGHT * lean))) });
    asks.push({ price: (state.askTicks + k) * tickSize, size: Math.max(1, Math.round(depth * (0.6 + 0.8 * rng.next()) * (1 - LEAN_WEIGHT * lean))) });
  }
  return { symbol, time, bids, asks };
}
