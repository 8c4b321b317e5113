/**
 * Feature availability per bar: the share of scored bars on which each confluence feature
 * had its inputs, the mean share of the confluence weight that was available, and how often
 * Battle Navale's colour was a proxy (the candle body, no aggressor data) - read off the
 * session's own scorer after each bar (it reports; it never trades).
 */
import type { Bar } from '../core/types.ts';
import { FEATURE_INDEX, FEATURE_NAMES } from '../strategy/confluence.ts';
import type { Scorer } from '../strategy/scorer.ts';

const NAVALE = FEATURE_INDEX.battleNavale;
const AGGRESSION = FEATURE_INDEX.aggressionBias;

export class FeatureAvailability {
  private readonly counts = new Float64Array(FEATURE_NAMES.length);
  private bars = 0;
  private weightShare = 0;
  private navaleProxy = 0;
  /** The session's scorer, as last seen (its counters are read at the end). */
  scorer: Scorer | null = null;
  /** Bars before this time (warm-up) are scored but not counted. */
  countFrom = -Infinity;

  count(scorer: Scorer, bar: Bar): void {
    this.scorer = scorer;
    const reading = scorer.lastReading;
    if (reading === null || bar.time < this.countFrom) return;
    this.bars++;
    this.weightShare += reading.availableShare;
    const available = scorer.pipeline.confluence.available;
    for (let i = 0; i < available.length; i++) this.counts[i]! += available[i]!;
    // Without aggressor data (no delta) Battle Navale reads buyers/sellers off the candle body.
    if (available[NAVALE] === 1 && available[AGGRESSION] === 0) this.navaleProxy++;
  }

  /** Share of counted bars on which each feature was available, in [0, 1]. */
  shares(): Record<string, number> {
    return Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, this.bars === 0 ? 0 : this.counts[i]! / this.bars]));
  }

  /** Mean share of the confluence weight available per counted bar, in [0, 1]. */
  meanWeightShare(): number {
    return this.bars === 0 ? 0 : this.weightShare / this.bars;
  }

  /** Share of the bars with Battle Navale available on which its colour was the candle-body proxy. */
  navaleProxyShare(): number {
    const available = this.counts[NAVALE]!;
    return available === 0 ? 0 : this.navaleProxy / available;
  }
}
