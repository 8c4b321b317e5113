/**
 * The filter's inputs: one row per signal, from what the signal carries at its bar's
 * close (nothing later). Directional features are signed by the trade's side, so +1
 * always means "agrees with this trade" and one model serves longs and shorts.
 *
 *   <feature> x side  for every confluence feature (unavailable features read 0)
 *   side              +1 long, -1 short
 *   score             final score x side (its strength in the trade's direction)
 *   threshold         the threshold it crossed (volatility regime included)
 *   sessionMultiplier, expiryFactor
 *   regime            -1 low, 0 normal, +1 high volatility
 *   availableShare    share of the confluence features that were available
 */
import type { Side } from '../../core/types.ts';
import { FEATURE_NAMES } from '../confluence.ts';

/** What the row is built from: a ScoredSignal (strategy/scorer.ts) satisfies it. */
export interface SignalInputs {
  side: Side;
  score: number;
  threshold: number;
  features: Record<string, number>;
  available: readonly string[];
  multipliers?: { session: number; expiry: number };
  regime?: 'low' | 'normal' | 'high';
}

export const ML_FEATURE_NAMES: readonly string[] = [
  ...FEATURE_NAMES,
  'side',
  'score',
  'threshold',
  'sessionMultiplier',
  'expiryFactor',
  'regime',
  'availableShare',
];

const REGIME = { low: -1, normal: 0, high: 1 } as const;

/** The row of a signal, in ML_FEATURE_NAMES order. Throws when the signal lacks a feature. */
export function signalRow(s: SignalInputs): number[] {
  const dir = s.side === 'buy' ? 1 : -1;
  const row: number[] = [];
  for (const name of FEATURE_NAMES) {
    const v = s.features[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`signal feature ${name} is ${v}: the filter needs every feature`);
    row.push(v * dir);
  }
  row.push(dir, s.score * dir, s.threshold, s.multipliers?.session ?? 1, s.multipliers?.expiry ?? 1, REGIME[s.regime ?? 'normal'], s.available.length / FEATURE_NAMES.length);
  return row;
}
