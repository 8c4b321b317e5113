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
  private last: EquityMark | null = null;
  private pushed: EquityMark | null = null;

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
      if (this.last && this.last !== this.pushed) this.push(this.last);
      this.day = day;
    }
    const mark = { time, equity: this.equityOf(book, price) };
    if (this.pushed === null || mark.equity !== this.pushed.equity) this.push(mark);
    this.last = mark;
  }

  /**
   * The account as the session left it, at `time`: the fills of the bar that ended the
   * session (the final flatten and its commissions) come after that bar's close was marked,
   * so without this mark the last equity would leave their costs out.
   */
  settle(time: number, price: number, book: PositionBook): void {
    const mark = { time: Math.max(time, this.last?.time ?? time), equity: this.equityOf(book, price) };
    if (this.last && mark.equity === this.last.equity) return;
    if (this.last && this.last !== this.pushed) this.push(this.last);
    this.push(mark);
    this.last = mark;
  }

  /** Closes the series with its last mark. */
  finish(): EquityMark[] {
    if (this.last && this.last !== this.pushed) this.push(this.last);
    return this.marks;
  }

  private push(mark: EquityMark): void {
    this.marks.push(mark);
    this.pushed = mark;
  }
}
