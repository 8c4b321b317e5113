/**
 * The backtest's bar source for the session's market-data actor: the bars in memory (objects
 * or columns, core/barColumns.ts), with
 * each option chain published on the bus before the first bar that closes at or after its
 * time (a chain is known from its time on), and a hook called before the first bar of each
 * new CME trading day reaches anyone (where the backtest's operator acts, see engine.ts).
 */
import type { MarketBus } from '../core/marketBus.ts';
import type { Bar, OptionChainSnapshot } from '../core/types.ts';
import type { BarTable } from '../core/barColumns.ts';
import { TradingDayTracker } from '../core/tradingDay.ts';

export interface BacktestFeedOptions {
  bars: BarTable;
  barMs: number;
  chains: readonly OptionChainSnapshot[];
  /** Set once the session (and its bus) exists, before the first bar. */
  bus: () => MarketBus;
  /** Called with the bar about to be published when it starts a new trading day (not the first). */
  onNewDay?: (bar: Bar, day: string) => void;
}

export class BacktestFeed {
  private index = 0;
  private chainIndex = 0;
  private readonly days = new TradingDayTracker();
  private day: string | null = null;

  constructor(private readonly o: BacktestFeedOptions) {}

  next(): Bar | null {
    const { bars, chains } = this.o;
    if (this.index >= bars.length) return null;
    const bar = bars.barAt(this.index++);
    if (this.chainIndex < chains.length) {
      const close = bar.time + this.o.barMs;
      const bus = this.o.bus();
      while (this.chainIndex < chains.length && chains[this.chainIndex]!.time <= close) bus.publishChain(chains[this.chainIndex++]!);
    }
    const day = this.days.dayOf(bar.time);
    if (day !== this.day) {
      if (this.day !== null) this.o.onNewDay?.(bar, day);
      this.day = day;
    }
    return bar;
  }

  /** Bars handed out so far. */
  get position(): number {
    return this.index;
  }
}
