/**
 * Position accounting: applies fills to a signed position and turns every closing fill
 * into a round-trip Trade with its share of commissions. Plain JSON state, so it can live
 * in a persisted XState context and in the backtest alike.
 */
import type { Fill, Trade } from './types.ts';
import { sideSign } from './types.ts';

export interface PositionBook {
  symbol: string;
  /** Signed contracts: + long, - short. */
  qty: number;
  /** Average entry price of the open contracts. */
  avgPrice: number;
  /** Event time of the fill that opened the current position. */
  openedAt: number;
  /** Entry commissions of the open contracts, not yet charged to a trade. */
  openCommission: number;
  realizedPnl: number;
  commissions: number;
}

export const emptyBook = (symbol: string): PositionBook => ({
  symbol,
  qty: 0,
  avgPrice: 0,
  openedAt: 0,
  openCommission: 0,
  realizedPnl: 0,
  commissions: 0,
});

/** Apply one fill; returns the new book and the trades it closed (none, one, or one then a flip). */
export function applyFill(book: PositionBook, fill: Fill, pointValue: number): { book: PositionBook; closed: Trade[] } {
  if (!(fill.qty > 0) || !Number.isFinite(fill.price)) {
    throw new RangeError(`invalid fill ${fill.executionId}: qty ${fill.qty}, price ${fill.price}`);
  }
  const signed = fill.qty * sideSign(fill.side);
  const next = { ...book, commissions: book.commissions + fill.commission };
  const closed: Trade[] = [];

  if (book.qty === 0 || Math.sign(book.qty) === Math.sign(signed)) {
    // Opening or adding: average the entry price, keep the entry commission for later.
    const total = Math.abs(book.qty) + fill.qty;
    next.avgPrice = (book.avgPrice * Math.abs(book.qty) + fill.price * fill.qty) / total;
    next.qty = book.qty + signed;
    next.openedAt = book.qty === 0 ? fill.time : book.openedAt;
    next.openCommission = book.openCommission + fill.commission;
    return { book: next, closed };
  }

  const closingQty = Math.min(Math.abs(book.qty), fill.qty);
  const direction = Math.sign(book.qty);
  const entryCommission = book.openCommission * (closingQty / Math.abs(book.qty));
  const exitCommission = fill.commission * (closingQty / fill.qty);
  const gross = (fill.price - book.avgPrice) * direction * closingQty * pointValue;
  const commission = entryCommission + exitCommission;
  closed.push({
    symbol: book.symbol,
    side: direction > 0 ? 'long' : 'short',
    qty: closingQty,
    entryTime: book.openedAt,
    exitTime: fill.time,
    entryPrice: book.avgPrice,
    exitPrice: fill.price,
    commission,
    pnl: gross - commission,
  });
  next.realizedPnl = book.realizedPnl + gross - commission;
  next.qty = book.qty + signed;
  next.openCommission = book.openCommission - entryCommission;

  const flipQty = fill.qty - closingQty;
  if (next.qty === 0) {
    next.avgPrice = 0;
    next.openedAt = 0;
    next.openCommission = 0;
  } else if (flipQty > 0) {
    // The fill went through zero: the remainder opens a new position at the fill price.
    next.avgPrice = fill.price;
    next.openedAt = fill.time;
    next.openCommission = fill.commission - exitCommission;
  }
  return { book: next, closed };
}

/** Unrealised P&L of the open position at `mark`, before exit commissions. */
export const openPnl = (book: PositionBook, mark: number, pointValue: number): number =>
  book.qty === 0 ? 0 : (mark - book.avgPrice) * book.qty * pointValue - book.openCommission;
