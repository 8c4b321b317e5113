/**
 * What the paper DTC server knows of the market, per symbol, for MARKET_DATA_SNAPSHOT:
 * the last trade (a trade print, else the last bar's close), the last quote, and the
 * session's open/high/low/volume over the current CME trading day. Fed by the same
 * market listener calls as the engine; event times only.
 */
import type { Bar, Quote, TradeTick } from '../../core/types.ts';
import type { MarketListener } from '../../core/marketBus.ts';
import { TradingDayTracker } from '../../core/tradingDay.ts';
import { instrumentFor } from '../../config/instruments.ts';

export interface SymbolMarket {
  symbol: string;
  last?: { price: number; volume: number; time: number };
  quote?: { bid: number; ask: number; bidSize: number; askSize: number; time: number };
  /** The current CME trading day's open, high, low and volume. */
  session?: { day: string; open: number; high: number; low: number; volume: number };
}

const rootOf = (symbol: string): string | null => {
  try {
    return instrumentFor(symbol).root;
  } catch {
    return null;
  }
};

type Entry = SymbolMarket & { tradesToday: boolean };

/** One entry per instrument (ES, ESZ25 and ESZ25-CME share one), or per symbol when the root is unknown. */
export const instrumentKey = (symbol: string): string => rootOf(symbol) ?? symbol.toUpperCase();
const keyOf = instrumentKey;

export class PaperMarketData implements MarketListener {
  private readonly symbols = new Map<string, Entry>();
  private readonly days = new TradingDayTracker();

  onBar(bar: Bar): void {
    if (![bar.open, bar.high, bar.low, bar.close].every((x) => Number.isFinite(x) && x > 0)) return;
    const s = this.entry(bar.symbol);
    const session = this.session(s, bar.time, bar.open);
    // With trade prints flowing, the prints already made the session's range and volume.
    if (!s.tradesToday) {
      session.high = Math.max(session.high, bar.high);
      session.low = Math.min(session.low, bar.low);
      session.volume += Number.isFinite(bar.volume) ? bar.volume : 0;
      s.last = { price: bar.close, volume: bar.volume, time: bar.time };
    }
  }

  onQuote(q: Quote): void {
    if (!(Number.isFinite(q.bid) && Number.isFinite(q.ask) && q.bid > 0 && q.ask >= q.bid)) return;
    const s = this.entry(q.symbol);
    s.quote = { bid: q.bid, ask: q.ask, bidSize: q.bidSize, askSize: q.askSize, time: q.time };
  }

  onTrade(t: TradeTick): void {
    if (!(Number.isFinite(t.price) && t.price > 0)) return;
    const s = this.entry(t.symbol);
    const session = this.session(s, t.time, t.price);
    s.tradesToday = true;
    session.high = Math.max(session.high, t.price);
    session.low = Math.min(session.low, t.price);
    session.volume += Number.isFinite(t.size) ? t.size : 0;
    s.last = { price: t.price, volume: t.size, time: t.time };
  }

  /**
   * What is known for `symbol`'s instrument: a feed publishing `ES` serves a request for
   * `ESZ25` (the engine matches by instrument the same way). `symbol` is the last one the feed used.
   */
  lookup(symbol: string): SymbolMarket | undefined {
    const found = this.symbols.get(keyOf(symbol));
    if (!found) return undefined;
    const { tradesToday: _t, ...market } = found;
    return structuredClone(market);
  }

  private entry(symbol: string): Entry {
    const key = keyOf(symbol);
    let s = this.symbols.get(key);
    if (!s) {
      s = { symbol, tradesToday: false };
      this.symbols.set(key, s);
    }
    s.symbol = symbol;
    return s;
  }

  /** The session record of `time`'s trading day, started at `open` when the day changes. */
  private session(s: Entry, time: number, open: number) {
    const day = this.days.dayOf(time);
    if (!s.session || s.session.day !== day) {
      s.session = { day, open, high: open, low: open, volume: 0 };
      s.tradesToday = false;
    }
    return s.session;
  }
}
