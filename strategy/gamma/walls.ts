/**
 * Gamma walls (DOMAIN.md): the call wall is the strike with the largest call GEX, the put
 * wall the strike with the largest put GEX magnitude. Ties go to the lower strike; a side
 * with no exposure at all has no wall (null).
 */
import type { StrikeGex } from './gexProfile.ts';

function argMax(byStrike: readonly StrikeGex[], size: (row: StrikeGex) => number): number | null {
  let best: number | null = null;
  let bestSize = 0;
  for (const row of byStrike) {
    const s = size(row);
    if (s > bestSize) {
      bestSize = s;
      best = row.strike;
    }
  }
  return best;
}

/** Strike with the largest call GEX, or null when no call carries gamma. */
export function callWall(byStrike: readonly StrikeGex[]): number | null {
  return argMax(byStrike, (r) => r.callGex);
}

/** Strike with the largest put GEX magnitude, or null when no put carries gamma. */
export function putWall(byStrike: readonly StrikeGex[]): number | null {
  return argMax(byStrike, (r) => -r.putGex);
}
