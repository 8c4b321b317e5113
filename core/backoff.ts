/**
 * Reconnect backoff: capped exponential growth with jitter drawn from a seeded PRNG whose
 * whole state is one uint32, so it lives in a machine's context and survives a JSON
 * round trip (same seed, same delays: replays and tests are deterministic).
 */

import { nextRandom, type RandomDraw } from './prng.ts';

export { nextRandom, type RandomDraw };

/**
 * Delay before reconnect attempt `attempt` (1-based):
 * `min(maxMs, baseMs * 2^(attempt-1))` scaled by a jitter factor in [0.5, 1.0], so a fleet of
 * clients that dropped together does not reconnect in lockstep, yet never waits longer
 * than the cap.
 * @param jitterUnit a uniform draw in [0, 1] (e.g. `nextRandom(...).value`); 0 gives half
 *   the capped delay, 1 the full capped delay
 * @returns the delay in ms, in [cap / 2, cap] where cap = min(maxMs, baseMs * 2^(attempt-1))
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, jitterUnit: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  if (!(Number.isFinite(baseMs) && baseMs >= 0 && Number.isFinite(maxMs) && maxMs >= 0)) {
    throw new RangeError(`backoff base and max must be finite and >= 0, got ${baseMs}, ${maxMs}`);
  }
  if (!(jitterUnit >= 0 && jitterUnit <= 1)) throw new RangeError(`jitterUnit must be in [0, 1], got ${jitterUnit}`);
  // 2^(attempt-1) overflows to Infinity for huge attempts: min() caps it, and a zero base
  // must not turn 0 * Infinity into NaN.
  const capped = baseMs === 0 ? 0 : Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  // Whole milliseconds (timers truncate anyway), rounded up so never below half the cap.
  return Math.min(capped, Math.ceil(capped * (0.5 + 0.5 * jitterUnit)));
}
