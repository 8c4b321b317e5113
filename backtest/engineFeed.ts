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
 *
 * Streams (`--stream`: trades with aggressor, quotes, book snapshots) are merged by time:
 * before a bar is handed out, every item stamped before its close (bar time + bar length)
 * is published, oldest first (at equal times: books, then quotes, then trades). Items
 * before the first bar are dropped (they belong to no replayed bar).
 */
import type { MarketBus } from '../core/marketBus.ts';
import type { Bar, BookSnapshot, OptionChainSnapshot, Quote, TradeTick } from '../core/types.ts';
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
  /** Trades, quotes and book snapshots, each in time order. */
  streams?: { trades: readonly TradeTick[]; quotes: readonly Quote[]; books: readonly BookSnapshot[] };
}

/** How many stream items were published (the rest fell outside the replayed bars). */
export interface StreamCounts {
  trades: number;
  quotes: number;
  books: number;
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
  readonly published: StreamCounts = { trades: 0, quotes: 0, books: 0 };
  private readonly at = { trades: 0, quotes: 0, books: 0 };
  private started = false;

  constructor(private readonly o: BacktestFeedOptions) {}

  next(): Bar | null {
    const { bars, chains } = this.o;
    if (bars.has ? !bars.has(this.index) : this.index >= bars.length) return null; // has: a table still streaming in
    const bar = bars.barAt(this.index++);
    if (this.o.streams) this.publishStreams(bar);
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

  private publishStreams(bar: Bar): void {
    const { trades, quotes, books } = this.o.streams!;
    const at = this.at;
    if (!this.started) {
      this.started = true;
      while (at.trades < trades.length && trades[at.trades]!.time < bar.time) at.trades++;
      while (at.quotes < quotes.length && quotes[at.quotes]!.time < bar.time) at.quotes++;
      while (at.books < books.length && books[at.books]!.time < bar.time) at.books++;
    }
    const close = bar.time + this.o.barMs;
    const bus = this.o.bus();
    for (;;) {
      const b = at.books < books.length ? books[at.books]!.time : Infinity;
      const q = at.quotes < quotes.length ? quotes[at.quotes]!.time : Infinity;
      const t = at.trades < trades.length ? trades[at.trades]!.time : Infinity;
      const next = Math.min(b, q, t);
      if (!(next < close)) return;
      if (b === next) {
        bus.publishBook(books[at.books++]!);
        this.published.books++;
      } else if (q === next) {
        bus.publishQuote(quotes[at.quotes++]!);
        this.published.quotes++;
      } else {
        bus.publishTrade(trades[at.trades++]!);
        this.published.trades++;
      }
    }
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
