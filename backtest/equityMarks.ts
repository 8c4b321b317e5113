/**
 * Mark-to-market equity at every bar close, as plain code beside the session (no XState):
 * starting equity + realised P&L (after commissions) + the open position valued at the
 * bar's close. Kept compact: a point where the equity changed, plus the last point of each
 * CME trading day (so daily returns see every day), plus the final one.
 */
import type { PositionBook } from '../core/positionBook.ts';
import { TradingDayTracker } from '../core/tradingDay.ts';
import type { EquityMark } from './metrics.ts';

export class EquityMarks {
  readonly marks: EquityMark[] = [];
  private readonly days = new TradingDayTracker();
  private day = '';
  // The last mark as numbers (an object only when it is kept: one bar in many changes the equity).
  private hasLast = false;
  private lastTime = 0;
  private lastEquity = 0;
  /** True when the last mark is the last one pushed. */
  private lastPushed = false;
  private pushedEquity: number | null = null;

  constructor(
    private readonly startingEquity: number,
    private readonly pointValue: number,
  ) {}

  /** Equity of `book` at `price`. */
  equityOf(book: PositionBook, price: number): number {
    const open = book.qty === 0 ? 0 : (price - book.avgPrice) * book.qty * this.pointValue;
    return this.startingEquity + book.realizedPnl + open;
  }

  /** One bar closed at `time` (ms UTC) at `price` with `book` as the position after its fills. */
  onClose(time: number, price: number, book: PositionBook): void {
    const day = this.days.dayOf(time);
    if (day !== this.day) {
      // The previous day's last mark closes that day.
      this.pushLast();
      this.day = day;
    }
    const equity = this.equityOf(book, price);
    this.hasLast = true;
    this.lastTime = time;
    this.lastEquity = equity;
    this.lastPushed = false;
    if (this.pushedEquity === null || equity !== this.pushedEquity) this.pushLast();
  }

  /**
   * The account as the session left it, at `time`: the fills of the bar that ended the
   * session (the final flatten and its commissions) come after that bar's close was marked,
   * so without this mark the last equity would leave their costs out.
   */
  settle(time: number, price: number, book: PositionBook): void {
    const at = Math.max(time, this.hasLast ? this.lastTime : time);
    const equity = this.equityOf(book, price);
    if (this.hasLast && equity === this.lastEquity) return;
    this.pushLast();
    this.hasLast = true;
    this.lastTime = at;
    this.lastEquity = equity;
    this.lastPushed = false;
    this.pushLast();
  }

  /** Closes the series with its last mark. */
  finish(): EquityMark[] {
    this.pushLast();
    return this.marks;
  }

  /** Keeps the last mark, once. */
  private pushLast(): void {
    if (!this.hasLast || this.lastPushed) return;
    this.marks.push({ time: this.lastTime, equity: this.lastEquity });
    this.pushedEquity = this.lastEquity;
    this.lastPushed = true;
  }
}
