/**
 * Smart money index (DOMAIN.md): large prints (size >= `largeSize`, 100 ES lots in the
 * plan) bought vs sold over the last `windowBars` bars, (B - S) / (B + S), boosted by
 * `boost` (x1.3) when that large volume is `surgeRatio` (1.5x) its average over the
 * previous `averageWindows` bars' windows; clamped to [-1, 1].
 *
 * Needs prints with an aggressor side: unavailable when none arrived in the window (no
 * trade feed). A window with prints but no large one reads 0: no smart money is a fact,
 * not a missing input. O(1) per print and per bar over preallocated rings.
 */
import type { TradeTick } from '../../core/types.ts';
import { RollingWindow } from './rollingWindow.ts';
import { FeatureOutput, reading, unavailable, type FeatureValue } from './featureValue.ts';

export interface SmartMoneyParams {
  /** Smallest print counted as large, contracts. */
  largeSize: number;
  /** Bars summed. */
  windowBars: number;
  /** Past windows averaged for the surge test. */
  averageWindows: number;
  /** Large volume above this multiple of its average is a surge. */
  surgeRatio: number;
  /** Multiplier applied on a surge. */
  boost: number;
}

export class SmartMoneyIndex {
  private buy = 0;
  private sell = 0;
  private prints = 0;
  private readonly buys: RollingWindow;
  private readonly sells: RollingWindow;
  private readonly printCounts: RollingWindow;
  private readonly largeVolumes: RollingWindow;
  private readonly out: FeatureValue = new FeatureOutput();
  /** Large volume of the last window and whether it counted as a surge (for inspection). */
  largeVolume = 0;
  surge = false;

  constructor(private readonly p: SmartMoneyParams) {
    this.buys = new RollingWindow(p.windowBars);
    this.sells = new RollingWindow(p.windowBars);
    this.printCounts = new RollingWindow(p.windowBars);
    this.largeVolumes = new RollingWindow(p.averageWindows);
  }

  /** One trade print; prints without an aggressor or with a bad size are ignored. */
  onTrade(trade: TradeTick): void {
    const size = trade.size;
    if (!trade.aggressor || !(size > 0) || !Number.isFinite(size)) return;
    this.prints++;
    if (size < this.p.largeSize) return;
    if (trade.aggressor === 'buy') this.buy += size;
    else this.sell += size;
  }

  /** Closes the current bar's bucket and returns the index over the window. */
  update(): FeatureValue {
    this.buys.push(this.buy);
    this.sells.push(this.sell);
    this.printCounts.push(this.prints);
    this.buy = 0;
    this.sell = 0;
    this.prints = 0;
    const b = this.buys.sum;
    const s = this.sells.sum;
    const large = b + s;
    const average = this.largeVolumes.mean;
    const averaged = this.largeVolumes.full;
    this.largeVolumes.push(large);
    this.largeVolume = large;
    this.surge = false;
    if (!(this.printCounts.sum > 0)) return unavailable(this.out);
    if (large === 0) return reading(this.out, 0);
    let flow = (b - s) / large;
    if (averaged && average > 0 && large > this.p.surgeRatio * average) {
      flow *= this.p.boost;
      this.surge = true;
    }
    return reading(this.out, flow);
  }
}
