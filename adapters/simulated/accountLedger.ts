/**
 * The simulated venue's account ledger, as a broker keeps one: the trade accounts with
 * their cash, positions and margin, the fills history, and the last price of each
 * instrument for open P&L. It books fills the order book decided; it matches nothing.
 */
import type { Fill } from '../../core/types.ts';
import { sideSign } from '../../core/types.ts';
import { applyFill, emptyBook, type PositionBook } from '../../core/positionBook.ts';
import { TradingDayTracker } from '../../core/tradingDay.ts';
import { instrumentFor } from '../../config/instruments.ts';
import { rootOf } from './orderBook.ts';
import type { AccountBalance, SimulatedVenueState, VenueFill, VenueOrder, VenuePosition } from './venueTypes.ts';

interface AccountRecord {
  startingBalance: number;
  cash: number;
  executions: number;
  updatedAt: number;
  positions: Map<string, { exchange: string; book: PositionBook }>;
}

export interface LedgerParams {
  startingBalance: number;
  marginPerContract: number;
  /** Dollars per contract per side. */
  commissionPerContract: number;
}

type LedgerState = Pick<SimulatedVenueState, 'executions' | 'accounts' | 'fills' | 'marks'>;

export class AccountLedger {
  private readonly accountsById = new Map<string, AccountRecord>();
  private readonly fillLog: VenueFill[] = [];
  private readonly marks = new Map<string, { price: number; time: number }>();
  private readonly days = new TradingDayTracker();
  private executions = 0;

  constructor(private readonly p: LedgerParams) {}

  /** The account's record, opened with the starting balance when new. */
  private record(account: string): AccountRecord {
    let rec = this.accountsById.get(account);
    if (!rec) {
      rec = { startingBalance: this.p.startingBalance, cash: this.p.startingBalance, executions: 0, updatedAt: 0, positions: new Map() };
      this.accountsById.set(account, rec);
    }
    return rec;
  }

  open(account: string): void {
    this.record(account);
  }

  has(account: string): boolean {
    return this.accountsById.has(account);
  }

  accounts(): string[] {
    return [...this.accountsById.keys()];
  }

  /** The last price of an instrument (by root; bar close, trade, or quote mid). */
  mark(symbol: string, price: number, time: number): void {
    this.marks.set(rootOf(symbol) ?? symbol, { price, time });
  }

  markFor(symbol: string): number | undefined {
    return this.marks.get(rootOf(symbol) ?? symbol)?.price;
  }

  /** Books a fill of `order` in full at `price`: position, cash, fills history. */
  book(order: VenueOrder, price: number, time: number): { base: Fill; fill: VenueFill } {
    this.executions++;
    const rec = this.record(order.account);
    const held = rec.positions.get(order.symbol) ?? { exchange: order.exchange, book: emptyBook(order.symbol) };
    const before = held.book;
    const commission = order.qty * this.p.commissionPerContract;
    const executionId = `SIMX-${this.executions}`;
    const base: Fill = { clientOrderId: order.clientOrderId, executionId, symbol: order.symbol, side: order.side, qty: order.qty, price, time, commission };
    const { book } = applyFill(before, base, instrumentFor(order.symbol).pointValue);
    const cashChange = book.realizedPnl - before.realizedPnl - (book.openCommission - before.openCommission);
    rec.positions.set(order.symbol, { exchange: order.exchange || held.exchange, book });
    rec.cash += cashChange;
    rec.executions++;
    rec.updatedAt = time;
    const signed = order.qty * sideSign(order.side);
    const fill: VenueFill = {
      ...base,
      account: order.account,
      serverOrderId: order.serverOrderId!,
      exchange: order.exchange,
      positionAfter: book.qty,
      openClose: before.qty === 0 || Math.sign(before.qty) === Math.sign(signed) ? 'open' : 'close',
      cashChange,
    };
    this.fillLog.push(fill);
    return { base, fill };
  }

  /** Open positions (non-zero), of one account or all. */
  positions(account?: string): VenuePosition[] {
    const out: VenuePosition[] = [];
    for (const [name, rec] of this.accountsById) {
      if (account !== undefined && name !== account) continue;
      for (const [symbol, held] of rec.positions) if (held.book.qty !== 0) out.push(this.positionView(name, symbol, held));
    }
    return out;
  }

  /** The position of `account` in `symbol`, flat (qty 0) included; undefined for an unknown account. */
  positionOf(account: string, symbol: string): VenuePosition | undefined {
    const rec = this.accountsById.get(account);
    if (!rec) return undefined;
    return this.positionView(account, symbol, rec.positions.get(symbol) ?? { exchange: '', book: emptyBook(symbol) });
  }

  private positionView(account: string, symbol: string, { exchange, book }: { exchange: string; book: PositionBook }): VenuePosition {
    const mark = this.markFor(symbol);
    const pointValue = rootOf(symbol) === null ? 0 : instrumentFor(symbol).pointValue;
    return {
      account,
      symbol,
      exchange,
      qty: book.qty,
      avgPrice: book.avgPrice,
      openedAt: book.openedAt,
      openPnl: mark === undefined || book.qty === 0 ? 0 : (mark - book.avgPrice) * book.qty * pointValue,
      marginRequirement: Math.abs(book.qty) * this.p.marginPerContract,
    };
  }

  /**
   * Cash, open P&L, margin and available funds of `account` at `now` (default: its last
   * change or `marketTime`, the last price's time, whichever is later); undefined for an
   * unknown account.
   */
  balance(account: string, now: number | undefined, marketTime: number): AccountBalance | undefined {
    const rec = this.accountsById.get(account);
    if (!rec) return undefined;
    const positions = this.positions(account);
    const openPnl = positions.reduce((s, p) => s + p.openPnl, 0);
    const marginRequirement = positions.reduce((s, p) => s + p.marginRequirement, 0);
    const at = now ?? Math.max(rec.updatedAt, marketTime);
    const day = at > 0 ? this.days.dayOf(at) : null;
    let dailyPnl = 0;
    if (day !== null) {
      for (const f of this.fillLog) if (f.account === account && this.days.dayOf(f.time) === day) dailyPnl += f.cashChange;
    }
    return {
      account,
      cash: rec.cash,
      openPnl,
      marginRequirement,
      available: rec.cash + openPnl - marginRequirement,
      dailyPnl,
      startingBalance: rec.startingBalance,
      executions: rec.executions,
      updatedAt: rec.updatedAt,
    };
  }

  /** Fills history (copies), oldest first. */
  fills(filter: { account?: string; serverOrderId?: string; since?: number } = {}): VenueFill[] {
    return this.fillLog
      .filter(
        (f) =>
          (filter.account === undefined || f.account === filter.account) &&
          (filter.serverOrderId === undefined || f.serverOrderId === filter.serverOrderId) &&
          (filter.since === undefined || f.time >= filter.since),
      )
      .map((f) => ({ ...f }));
  }

  /** Net position of `account` over its symbols. */
  netPosition(account: string): number {
    let qty = 0;
    for (const { book } of this.record(account).positions.values()) qty += book.qty;
    return qty;
  }

  /** Average price of `account`'s first open position (0 when flat). */
  avgPrice(account: string): number {
    for (const { book } of this.record(account).positions.values()) if (book.qty !== 0) return book.avgPrice;
    return 0;
  }

  /** The ledger's part of the venue state. */
  exportState(): LedgerState {
    return {
      executions: this.executions,
      accounts: [...this.accountsById].map(([account, rec]) => ({
        account,
        startingBalance: rec.startingBalance,
        cash: rec.cash,
        positions: [...rec.positions].map(([symbol, { exchange, book }]) => ({ symbol, exchange, book: { ...book } })),
      })),
      fills: this.fillLog.map((f) => ({ ...f })),
      marks: [...this.marks].map(([root, m]) => ({ root, ...m })),
    };
  }

  load(state: LedgerState): void {
    this.executions = state.executions;
    for (const a of state.accounts) {
      const rec = this.record(a.account);
      rec.startingBalance = a.startingBalance;
      rec.cash = a.cash;
      for (const p of a.positions) rec.positions.set(p.symbol, { exchange: p.exchange, book: { ...p.book } });
    }
    for (const f of state.fills) {
      this.fillLog.push({ ...f });
      const rec = this.record(f.account);
      rec.executions++;
      rec.updatedAt = Math.max(rec.updatedAt, f.time);
    }
    for (const m of state.marks) this.marks.set(m.root, { price: m.price, time: m.time });
  }
}
