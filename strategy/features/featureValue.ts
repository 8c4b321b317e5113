/**
 * The common shape of every confluence feature's reading (DOMAIN.md "Confluence
 * features"): a signed value in [-1, 1] (+ favours long, - favours short) and whether the
 * inputs it needs were there. An unavailable feature reads 0 and drops out of the
 * confluence, whose remaining weights are renormalised: nothing is ever invented.
 *
 * Features reuse one result object per instance (no allocation per bar): copy the fields
 * out if you keep them.
 */
export interface FeatureValue {
  value: number;
  available: boolean;
}

/**
 * The reused result object of a feature. A class rather than an object literal: V8 writes
 * a number into a class instance's field in place, but boxes every new number stored
 * into a literal's field (one allocation per bar and feature).
 */
export class FeatureOutput implements FeatureValue {
  value = 0;
  available = false;
}

/** Clamps to [-1, 1]. */
export const clampUnit = (x: number): number => (x > 1 ? 1 : x < -1 ? -1 : x);

/** Marks `out` unavailable (value 0) and returns it. */
export function unavailable(out: FeatureValue): FeatureValue {
  out.value = 0;
  out.available = false;
  return out;
}

/** Sets `out` to `value` clamped to [-1, 1]; a non-finite value (bad input) makes it unavailable. */
export function reading(out: FeatureValue, value: number): FeatureValue {
  if (!Number.isFinite(value)) return unavailable(out);
  out.value = clampUnit(value);
  out.available = true;
  return out;
}

/** -1, 0 or +1 (0 for NaN). */
export const signOf = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);
