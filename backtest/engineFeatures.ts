/**
 * Feature availability per bar: the share of scored bars on which each confluence feature
 * had its inputs, read off the session's own scorer after each bar (it reports; it never
 * trades).
 */
import type { Bar } from '../core/types.ts';
import { FEATURE_NAMES } from '../strategy/confluence.ts';
import type { Scorer } from '../strategy/scorer.ts';

export class FeatureAvailability {
  private readonly counts = new Float64Array(FEATURE_NAMES.length);
  private bars = 0;
  /** Bars before this time (warm-up) are scored but not counted. */
  countFrom = -Infinity;

  count(scorer: Scorer, bar: Bar): void {
    if (scorer.lastReading === null || bar.time < this.countFrom) return;
    this.bars++;
    const available = scorer.pipeline.confluence.available;
    for (let i = 0; i < available.length; i++) this.counts[i]! += available[i]!;
  }

  /** Share of counted bars on which each feature was available, in [0, 1]. */
  shares(): Record<string, number> {
    return Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, this.bars === 0 ? 0 : this.counts[i]! / this.bars]));
  }
}
