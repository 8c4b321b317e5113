/**
 * What the confluence could see: per feature its weight and the share of bars and of
 * signals it was available on (and whether it was a proxy), the mean share of the total
 * weight available, and the signals held back, by the `strategy.minAvailableWeight` guard
 * and by the ML filter. Every report states it: a score computed on two features of eleven
 * is not the plan's confluence, and the reader must see it.
 */
import type { FeatureWeights } from '../config/strategySchema.ts';
import { FEATURE_NAMES } from '../strategy/confluence.ts';

export interface FeatureAvailabilityDetail {
  /** Configured confluence weight (0 = computed and reported, not scored). */
  weight: number;
  /** Share of scored bars on which it was available, in [0, 1]. */
  bars: number;
  /** Share of the signals that had it available; null without signals. */
  signals: number | null;
  /** How it was computed when its real input was missing (e.g. Battle Navale's colour from the candle body). */
  proxy?: { what: string; share: number };
}

export interface AvailabilityReport {
  /** `strategy.minAvailableWeight`: below this share of the total weight the score is 0. */
  minAvailableWeight: number;
  /** Mean share of the total confluence weight available: over the scored bars, over the signals. */
  weight: { bars: number; signals: number | null };
  /** Features available on most bars (at least half of them), by name. */
  available: string[];
  features: Record<string, FeatureAvailabilityDetail>;
  /** Signals not emitted: crossings zeroed by the availability guard, signals the ML filter refused. */
  heldBack: { availability: number; ml: number };
  /** One sentence on why signals were held back (empty when none were). */
  why: string;
}

export interface AvailabilityInputs {
  weights: FeatureWeights;
  minAvailableWeight: number;
  barShares: Record<string, number>;
  meanWeightShare: number;
  navaleProxyShare: number;
  /** The emitted signals' available features. */
  signals: ReadonlyArray<{ available: readonly string[] }>;
  heldByAvailability: number;
  heldByMl: number;
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;

export function availabilityReport(a: AvailabilityInputs): AvailabilityReport {
  const total = FEATURE_NAMES.reduce((s, n) => s + a.weights[n], 0);
  const features: Record<string, FeatureAvailabilityDetail> = {};
  for (const name of FEATURE_NAMES) {
    const onSignals = a.signals.length === 0 ? null : a.signals.filter((s) => s.available.includes(name)).length / a.signals.length;
    const detail: FeatureAvailabilityDetail = { weight: a.weights[name], bars: a.barShares[name] ?? 0, signals: onSignals };
    if (name === 'battleNavale' && a.navaleProxyShare > 0) detail.proxy = { what: 'colour from the candle body (no aggressor data)', share: a.navaleProxyShare };
    features[name] = detail;
  }
  const signalWeight =
    a.signals.length === 0 || total === 0
      ? null
      : a.signals.reduce((s, sig) => s + sig.available.reduce((w, n) => w + (a.weights[n as keyof FeatureWeights] ?? 0), 0) / total, 0) / a.signals.length;
  const available = FEATURE_NAMES.filter((n) => features[n]!.bars >= 0.5);
  const reasons: string[] = [];
  if (a.heldByAvailability > 0) {
    reasons.push(
      `${a.heldByAvailability} crossing(s) held back: only ${pct(a.meanWeightShare)} of the confluence weight was available on average, below strategy.minAvailableWeight ${pct(a.minAvailableWeight)}`,
    );
  }
  if (a.heldByMl > 0) reasons.push(`${a.heldByMl} signal(s) refused by the ML filter`);
  return {
    minAvailableWeight: a.minAvailableWeight,
    weight: { bars: a.meanWeightShare, signals: signalWeight },
    available,
    features,
    heldBack: { availability: a.heldByAvailability, ml: a.heldByMl },
    why: reasons.join('; '),
  };
}

/** The report in a few tokens for a terminal or a headline: weight, the available features (proxies marked), held back. */
export function availabilityTokens(r: AvailabilityReport): string[] {
  const names = r.available.map((n) => {
    const f = r.features[n]!;
    return `${n} w${f.weight} on ${pct(f.bars)} of bars${f.proxy ? ` (PROXY: ${f.proxy.what})` : ''}`;
  });
  const tokens = [
    `available weight ${pct(r.weight.bars)} on average over bars${r.weight.signals !== null ? `, ${pct(r.weight.signals)} over signals` : ''} (strategy.minAvailableWeight ${pct(r.minAvailableWeight)})`,
  ];
  tokens.push(names.length > 0 ? `${names.length} of ${Object.keys(r.features).length} features: ${names.join(', ')}` : 'no feature available on most bars');
  if (r.why !== '') tokens.push(r.why);
  return tokens;
}
