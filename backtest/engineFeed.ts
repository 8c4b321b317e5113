/**
 * The backtest's bar source for the session's market-data actor: the bars in memory (objects
 * or columns, core/barColumns.ts), with
 * each option chain published on the bus before the first bar that closes at or after its
 * time (a chain is known from its time on), and a hook called before the first bar of each
 * new CME trading day reaches anyone (where the backtest's operator acts, see engine.ts).
 *
 * VIX daily closes (adapters/files/vixDaily.ts) apply from the next session's open: before
 * the first bar of each CME trading day, the latest close of a calendar day before that
 * trading day is published to the strategy (and observers) as a bar of
 * `strategy.volatility.vixSymbol` stamped at its close (16:15 ET), never to the venue. A
 * close of the trading day itself is never seen by its own bars: no look-ahead.
 */
import type { MarketBus } from '../core/marketBus.ts';
import type { Bar, OptionChainSnapshot } from '../core/types.ts';
import type { BarTable } from '../core/barColumns.ts';
import type { VixReading } from '../adapters/files/vixDaily.ts';
import { TradingDayTracker } from '../core/tradingDay.ts';

export interface BacktestFeedOptions {
  bars: BarTable;
  barMs: number;
  chains: readonly OptionChainSnapshot[];
  /** Set once the session (and its bus) exists, before the first bar. */
  bus: () => MarketBus;
  /** Called with the bar about to be published when it starts a new trading day (not the first). */
  onNewDay?: (bar: Bar, day: string) => void;
  /** VIX daily closes in day order, and the symbol the strategy reads them under. */
  vix?: { readings: readonly VixReading[]; symbol: string };
}

export class BacktestFeed {
  private index = 0;
  private chainIndex = 0;
  private readonly days = new TradingDayTracker();
  private day: string | null = null;
  private vixIndex = 0;
  private vixPublished = -1;
  /** VIX closes published so far (one per trading day at most). */
  vixReadings = 0;

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
      if (this.o.vix) this.publishVix(day);
    }
    return bar;
  }

  /** The latest VIX close of a day before `day`, once (a bar of the VIX symbol that closes at the VIX close). */
  private publishVix(day: string): void {
    const { readings, symbol } = this.o.vix!;
    while (this.vixIndex < readings.length && readings[this.vixIndex]!.day < day) this.vixIndex++;
    const latest = this.vixIndex - 1;
    if (latest < 0 || latest === this.vixPublished) return;
    this.vixPublished = latest;
    const r = readings[latest]!;
    this.vixReadings++;
    this.o.bus().publishBarAfterVenue({ symbol, time: r.time - this.o.barMs, open: r.close, high: r.close, low: r.close, close: r.close, volume: 0 });
  }

  /** Bars handed out so far. */
  get position(): number {
    return this.index;
  }
}
