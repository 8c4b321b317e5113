/**
 * The hot path. Bars, quotes, trades, book depth and option chains travel through plain synchronous function calls, never
 * through XState (ARCHITECTURE.md: an XState event costs microseconds, a call nanoseconds).
 *
 * Subscribers run in stage order for every bar: the venue first (orders submitted before
 * this bar fill at its prices), then the strategy (which may submit orders on its close),
 * then observers (marks, recorders). This order is what makes a session deterministic.
 */
import type { Bar, BookSnapshot, OptionChainSnapshot, Quote, TradeTick } from './types.ts';

export type BusStage = 'venue' | 'strategy' | 'observer';
const STAGES: readonly BusStage[] = ['venue', 'strategy', 'observer'];

export interface MarketListener {
  onBar?(bar: Bar): void;
  onQuote?(quote: Quote): void;
  /** One trade print (with aggressor side when the feed has it). */
  onTrade?(trade: TradeTick): void;
  /** Top-of-book depth (L1 and deeper levels). */
  onBook?(book: BookSnapshot): void;
  /** An option chain snapshot (SPX, for gamma levels); rare, minutes apart. */
  onChain?(chain: OptionChainSnapshot): void;
  /** The series is over (end of a replay or of a simulated session). */
  onEnd?(): void;
}

export class MarketBus {
  private readonly stages = new Map<BusStage, MarketListener[]>(STAGES.map((s) => [s, []]));
  private ordered: MarketListener[] = [];
  /** Event time of the latest bar or quote (ms UTC). */
  lastTime = 0;
  lastPrice = Number.NaN;

  /** Returns an unsubscribe function (actors call it in their cleanup). */
  subscribe(stage: BusStage, listener: MarketListener): () => void {
    this.stages.get(stage)!.push(listener);
    this.reorder();
    return () => {
      const list = this.stages.get(stage)!;
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
      this.reorder();
    };
  }

  publishBar(bar: Bar): void {
    this.lastTime = bar.time;
    this.lastPrice = bar.close;
    const listeners = this.ordered;
    for (let i = 0; i < listeners.length; i++) listeners[i]!.onBar?.(bar);
  }

  /**
   * A bar in two halves: the venue stage first, then (after the caller has let a venue
   * behind a socket answer) the strategy and observer stages. Together they are
   * `publishBar`.
   */
  publishBarToVenue(bar: Bar): void {
    this.lastTime = bar.time;
    this.lastPrice = bar.close;
    for (const l of this.stages.get('venue')!) l.onBar?.(bar);
  }

  publishBarAfterVenue(bar: Bar): void {
    for (const stage of ['strategy', 'observer'] as const) for (const l of this.stages.get(stage)!) l.onBar?.(bar);
  }

  publishQuote(quote: Quote): void {
    this.lastTime = quote.time;
    const listeners = this.ordered;
    for (let i = 0; i < listeners.length; i++) listeners[i]!.onQuote?.(quote);
  }

  publishTrade(trade: TradeTick): void {
    this.lastTime = trade.time;
    const listeners = this.ordered;
    for (let i = 0; i < listeners.length; i++) listeners[i]!.onTrade?.(trade);
  }

  publishBook(book: BookSnapshot): void {
    this.lastTime = book.time;
    const listeners = this.ordered;
    for (let i = 0; i < listeners.length; i++) listeners[i]!.onBook?.(book);
  }

  publishChain(chain: OptionChainSnapshot): void {
    for (const l of this.ordered) l.onChain?.(chain);
  }

  publishEnd(): void {
    for (const l of this.ordered) l.onEnd?.();
  }

  private reorder(): void {
    this.ordered = STAGES.flatMap((s) => this.stages.get(s)!);
  }
}
