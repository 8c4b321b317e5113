/**
 * Aggressor volume of one bar (the "delta" inputs of aggression bias, delta divergence and
 * Battle Navale): the bar's own askVolume / bidVolume when the feed provides them, else
 * the sum of the trade prints with an aggressor side received since the previous bar.
 * When neither exists the bar has no delta: features that need it are unavailable.
 */
import type { Bar, TradeTick } from '../../core/types.ts';

export interface BarDelta {
  /** Volume bought at the ask (aggressive buyers). */
  ask: number;
  /** Volume sold at the bid (aggressive sellers). */
  bid: number;
  available: boolean;
}

/** A reused BarDelta (a class: its number fields are then written in place, see FeatureOutput). */
export class DeltaOutput implements BarDelta {
  ask = 0;
  bid = 0;
  available = false;
}

export class BarDeltaTracker {
  private ask = 0;
  private bid = 0;
  private prints = 0;
  private readonly out = new DeltaOutput();

  /** Counts one trade print; prints without an aggressor or with a bad size are ignored. */
  onTrade(trade: TradeTick): void {
    if (!trade.aggressor || !(trade.size > 0) || !Number.isFinite(trade.size)) return;
    if (trade.aggressor === 'buy') this.ask += trade.size;
    else this.bid += trade.size;
    this.prints++;
  }

  /** The bar's delta (a reused object); starts the next bar's accumulation. */
  close(bar: Bar): BarDelta {
    const out = this.out;
    const a = bar.askVolume;
    const b = bar.bidVolume;
    if (a !== undefined && b !== undefined && a >= 0 && b >= 0 && Number.isFinite(a + b)) {
      out.ask = a;
      out.bid = b;
      out.available = true;
    } else if (this.prints > 0) {
      out.ask = this.ask;
      out.bid = this.bid;
      out.available = true;
    } else {
      out.ask = 0;
      out.bid = 0;
      out.available = false;
    }
    this.ask = 0;
    this.bid = 0;
    this.prints = 0;
    return out;
  }
}
