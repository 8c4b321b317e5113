/**
 * The simulated venue's plain data: orders, fills, positions, balances, the detailed
 * event stream and the exported state. Shared by the order book, the account ledger and
 * the venue that composes them (and re-exported by simulatedVenue.ts for its callers).
 */
import type { Fill, TimeInForce } from '../../core/types.ts';
import type { PositionBook } from '../../core/positionBook.ts';
import type { FillModelParams, WorkingOrder } from '../../core/fillModel.ts';

export interface SimulatedVenueParams extends FillModelParams {
  /** Dollars per contract per side. */
  commissionPerContract: number;
  /** Length of a bar: marks are stamped at the bar's close. */
  barMs: number;
  /** Trade accounts; the first is the default one (`snapshot()`, `attach`). Default ['PAPER1']. */
  accounts?: readonly string[];
  /** Cash of a new account, dollars. Default 50,000. */
  startingBalance?: number;
  /** Margin held per open contract, dollars. Default 500. */
  marginPerContract?: number;
}

export const DEFAULT_ACCOUNT = 'PAPER1';
export const DEFAULT_STARTING_BALANCE = 50_000;
export const DEFAULT_MARGIN_PER_CONTRACT = 500;

/** pendingChild: a bracket leg waiting for its parent to fill. */
export type VenueOrderStatus = 'pendingChild' | 'working' | 'filled' | 'cancelled' | 'rejected';

/** Everything the venue knows about one order (plain data; the venue hands out copies). */
export interface VenueOrder extends WorkingOrder {
  /** Absent for a rejected order (it never reached the book). */
  serverOrderId?: string;
  account: string;
  /** Echoed to DTC clients; '' when the client gave none. */
  exchange: string;
  tif: TimeInForce;
  purpose: string;
  freeFormText?: string;
  status: VenueOrderStatus;
  filledQty: number;
  avgFillPrice?: number;
  /** Why it was rejected or cancelled. */
  reason?: string;
  /** The parent whose fill starts this bracket leg. */
  parentClientOrderId?: string;
  /** Bracket leg priced from the parent's fill: distance in points (see `submitOco`). */
  offsetFromParent?: number;
  /** Event time at which the venue received it, and of its last change (ms UTC). */
  receivedAt: number;
  updatedAt: number;
  /** Matching priority among equals (0 for rejected orders). */
  seq: number;
  lastFill?: { executionId: string; price: number; qty: number; time: number };
}

/** One execution, with what a broker's fills history carries. */
export interface VenueFill extends Fill {
  account: string;
  serverOrderId: string;
  exchange: string;
  /** Signed position in the symbol after this fill. */
  positionAfter: number;
  /** Whether the fill opened (or added to) a position, or reduced one. */
  openClose: 'open' | 'close';
  /** Cash effect: realised P&L of the contracts it closed, minus its commission, dollars. */
  cashChange: number;
}

export interface VenuePosition {
  account: string;
  symbol: string;
  exchange: string;
  /** Signed contracts: + long, - short. */
  qty: number;
  avgPrice: number;
  /** Event time of the fill that opened it. */
  openedAt: number;
  /** (mark - avgPrice) * qty * point value; 0 without a mark. */
  openPnl: number;
  marginRequirement: number;
}

export interface AccountBalance {
  account: string;
  /** Starting balance + realised P&L - commissions. */
  cash: number;
  /** Open P&L of every position at its last mark. */
  openPnl: number;
  marginRequirement: number;
  /** cash + openPnl - marginRequirement. */
  available: number;
  /** Cash effect of the fills of the current CME trading day. */
  dailyPnl: number;
  startingBalance: number;
  /** Executions so far in this account (a change counter). */
  executions: number;
  /** Event time of the last change (0 before any). */
  updatedAt: number;
}

/** New terms for a working order; absent members stay as they are. */
export interface ReplaceTerms {
  price?: number;
  stopPrice?: number;
  qty?: number;
  tif?: TimeInForce;
}

export interface SubmitOptions {
  /** Default: the venue's default account. */
  account?: string;
  exchange?: string;
  freeFormText?: string;
  /** Hold the order as a pending child until this order fills (bracket). */
  parentClientOrderId?: string;
  /** With a parent: price the order from the parent's fill, this many points away (see `submitOco`). */
  offsetFromParent?: number;
  /** Reject the order with this reason instead of validating it (fault injection, translation errors). */
  forceReject?: string;
}

/** Detailed events for every account; `order` is a copy of the order after the change. */
export type VenueEvent =
  | { type: 'accepted'; order: VenueOrder; time: number }
  | { type: 'rejected'; order: VenueOrder; time: number }
  /** A known ClientOrderID was submitted again: nothing was created; `order` is the existing one. */
  | { type: 'duplicate'; order: VenueOrder; time: number }
  /** A pending bracket leg started working because its parent filled. */
  | { type: 'activated'; order: VenueOrder; time: number }
  | { type: 'filled'; order: VenueOrder; fill: VenueFill; time: number }
  | { type: 'cancelled'; order: VenueOrder; time: number }
  /** `order` is null when the venue does not know the ClientOrderID. */
  | { type: 'cancelRejected'; clientOrderId: string; order: VenueOrder | null; reason: string; time: number }
  | { type: 'replaced'; order: VenueOrder; time: number }
  | { type: 'replaceRejected'; clientOrderId: string; order: VenueOrder | null; reason: string; time: number }
  /** Position and balance of `account` changed (after a fill). */
  | { type: 'account'; account: string; symbol: string; time: number };

/** The venue's whole state as plain JSON (see `exportState` / `SimulatedVenue.restore`). */
export interface SimulatedVenueState {
  version: 1;
  seq: number;
  executions: number;
  ocoGroups: number;
  orders: VenueOrder[];
  accounts: {
    account: string;
    startingBalance: number;
    cash: number;
    positions: { symbol: string; exchange: string; book: PositionBook }[];
  }[];
  fills: VenueFill[];
  marks: { root: string; price: number; time: number }[];
}
