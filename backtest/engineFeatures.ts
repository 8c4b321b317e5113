/**
 * Feature availability per bar: the share of bars on which each confluence feature had its
 * inputs. The scoring actor keeps its pipeline to itself, so the backtest runs a second
 * pipeline with the same settings on the bus's observer stage, fed the same bars, quotes,
 * prints, books and chains: availability depends only on those inputs, so it is the
 * scorer's. (It reports; it never trades.)
 */
import type { MarketListener } from '../core/marketBus.ts';
import type { Bar, BookSnapshot, OptionChainSnapshot, Quote, TradeTick } from '../core/types.ts';
import type { StrategySettings } from '../config/strategySchema.ts';
import { FEATURE_NAMES } from '../strategy/confluence.ts';
import { StrategyPipeline } from '../strategy/pipeline.ts';

export class FeatureAvailability implements MarketListener {
  private readonly pipeline: StrategyPipeline;
  private readonly counts = new Float64Array(FEATURE_NAMES.length);
  private bars = 0;
  /** Bars before this time (warm-up) are fed but not counted. */
  countFrom = -Infinity;

  constructor(strategy: StrategySettings, barMs: number) {
    this.pipeline = new StrategyPipeline(strategy, { barMs });
  }

  onBar(bar: Bar): void {
    const r = this.pipeline.onBar(bar);
    if (!r || bar.time < this.countFrom) return;
    this.bars++;
    const available = this.pipeline.confluence.available;
    for (let i = 0; i < available.length; i++) this.counts[i]! += available[i]!;
  }

  onQuote(q: Quote): void {
    this.pipeline.onQuote(q);
  }

  onTrade(t: TradeTick): void {
    this.pipeline.onTrade(t);
  }

  onBook(b: BookSnapshot): void {
    this.pipeline.onBook(b);
  }

  onChain(c: OptionChainSnapshot): void {
    this.pipeline.onChain(c);
  }

  /** Share of counted bars on which each feature was available, in [0, 1]. */
  shares(): Record<string, number> {
    return Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, this.bars === 0 ? 0 : this.counts[i]! / this.bars]));
  }
}
