/**
 * The search space of `mia calibrate` and its candidates: the weights of the features
 * searched and the six session multipliers, drawn by a seeded
 * generator (core/prng.ts mulberry32), so the same seed gives the same candidates on every
 * machine. Candidate 0 is always the base configuration unchanged (the shipped defaults
 * compete with what the search finds). Features not searched keep weight 0 when
 * `zeroOthers` (a weight on a feature the data never feeds only idles the availability
 * guard), else their base weight. The threshold's range is searched per candidate by
 * calibrate.ts (bisection towards the band of signals per month).
 *
 * Values are rounded (weights to 0.01, multipliers to 0.05): a chosen set is
 * readable and stable in JSON, and every value is inside the schema's range by construction.
 */
import type { MiaConfig } from '../config/schema.ts';
import type { FeatureWeights } from '../config/strategySchema.ts';
import { Prng } from '../core/prng.ts';
import { FEATURE_NAMES, type FeatureName } from '../strategy/confluence.ts';

export const SESSION_KEYS = ['preMarket', 'opening', 'midday', 'powerHour', 'afterHours', 'overnight'] as const;

export interface CalibrationSpace {
  /** Confluence threshold range (strategy.threshold), inside (0, 1]. */
  threshold: readonly [number, number];
  /** Range of each searched feature weight. */
  weight: readonly [number, number];
  /** Range of each session multiplier; null = session multipliers not searched. */
  sessionMultiplier: readonly [number, number] | null;
  /** Features whose weights are searched. */
  features: readonly FeatureName[];
  /** Weights of the other features set to 0 (else kept). */
  zeroOthers: boolean;
}

export const defaultSpace = (features: readonly FeatureName[]): CalibrationSpace => ({
  threshold: [0.05, 1],
  weight: [0, 0.3],
  sessionMultiplier: [0.3, 1.2],
  features,
  zeroOthers: true,
});

export interface Candidate {
  index: number;
  /** Values by dotted configuration path (as a sweep grid names them). */
  params: Record<string, number>;
  config: MiaConfig;
}

const round = (x: number, step: number): number => Math.round(x / step) * step;
const clean = (x: number): number => Number(x.toFixed(6));

/** Checks a space; a RangeError names the bad bound. */
export function checkSpace(space: CalibrationSpace): void {
  const range = (name: string, [lo, hi]: readonly [number, number], min: number, max: number) => {
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi && lo >= min && hi <= max)) throw new RangeError(`calibrate: ${name} range ${lo}..${hi} must lie in ${min}..${max}, low <= high`);
  };
  range('threshold', space.threshold, 0.01, 1);
  range('weight', space.weight, 0, 10);
  if (space.sessionMultiplier) range('session multiplier', space.sessionMultiplier, 0.05, 10);
  for (const f of space.features) if (!(FEATURE_NAMES as readonly string[]).includes(f)) throw new RangeError(`calibrate: unknown feature "${f}" (one of ${FEATURE_NAMES.join(', ')})`);
  if (space.features.length === 0) throw new RangeError('calibrate: no feature weight to search');
}

/** The base configuration with `params` (dotted strategy paths) applied. */
export function applyParams(base: MiaConfig, params: Record<string, number>): MiaConfig {
  const strategy = { ...base.strategy, weights: { ...base.strategy.weights }, session: { ...base.strategy.session } };
  for (const [path, value] of Object.entries(params)) {
    const [section, a, b] = path.split('.');
    if (section !== 'strategy') throw new RangeError(`calibrate: ${path} is not a strategy parameter`);
    if (a === 'threshold' && b === undefined) strategy.threshold = value;
    else if (a === 'weights' && b !== undefined && b in strategy.weights) strategy.weights[b as keyof FeatureWeights] = value;
    else if (a === 'session' && b !== undefined && b in strategy.session) strategy.session[b as keyof typeof strategy.session] = value;
    else throw new RangeError(`calibrate: ${path} is not a searched parameter`);
  }
  return { ...base, strategy };
}

/** `count` candidates (at least 1: the base), deterministic in `seed`. */
export function drawCandidates(base: MiaConfig, space: CalibrationSpace, count: number, seed: number): Candidate[] {
  checkSpace(space);
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`calibrate: candidates must be an integer >= 1, got ${count}`);
  const rng = new Prng(seed >>> 0);
  const draw = ([lo, hi]: readonly [number, number], step: number) => clean(Math.min(hi, Math.max(lo, round(lo + (hi - lo) * rng.next(), step))));
  const out: Candidate[] = [{ index: 0, params: {}, config: base }];
  for (let index = 1; index < count; index++) {
    // The threshold is not drawn: calibrate.ts searches it per draw for the band of signals.
    const params: Record<string, number> = {};
    for (const f of FEATURE_NAMES) {
      if (space.features.includes(f)) params[`strategy.weights.${f}`] = draw(space.weight, 0.01);
      else if (space.zeroOthers) params[`strategy.weights.${f}`] = 0;
    }
    if (space.sessionMultiplier) for (const k of SESSION_KEYS) params[`strategy.session.${k}`] = Math.max(0.05, draw(space.sessionMultiplier, 0.05));
    out.push({ index, params, config: applyParams(base, params) });
  }
  return out;
}
