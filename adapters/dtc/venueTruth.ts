/**
 * Reconciliation after a logon: the venue's open orders, fills and positions, read
 * against what MIA believes is live, become one report for the orchestrator.
 *
 * DTC's historical fills name only the ServerOrderID. A fill is tied to MIA's order
 * through that id when MIA knows it (an acceptance seen, an open order listed, or the
 * orchestrator's memory after a restart). An order sent just before the link dropped
 * may never have been acknowledged: its fill is tied to it only when exactly one such
 * order has the fill's side and quantity and was created before it. Anything else
 * stays a venue fill of its own (`venue:<ServerOrderID>`): the position and the fill
 * journal stay right, and MIA's order is declared lost rather than guessed.
 */
import type { FillIdentity } from '../../core/fillIdentity.ts';
import type { Fill } from '../../core/types.ts';
import type { ReconcileHint, VenueOrderState } from '../../core/venue.ts';
import type { HistoricalOrderFillResponse, OrderUpdate, PositionUpdate } from './messages.ts';
import { sideOfBuySell } from './orderTranslation.ts';
import { OrderStatus } from './enums.ts';

export interface VenueRecords {
  openOrders: readonly OrderUpdate[];
  /** Answers about single orders no longer open, asked by ServerOrderID (any status). */
  orderAnswers?: readonly OrderUpdate[];
  fills: readonly HistoricalOrderFillResponse[];
  positions: readonly PositionUpdate[];
}

export interface VenueTruthParams {
  /** The instrument as the server names it, and as MIA does. */
  venueSymbol: string;
  miaSymbol: string;
  commissionPerContract: number;
  /** ServerOrderID -> ClientOrderID pairs MIA already knows. */
  clientIdOf(serverOrderId: string): string | undefined;
  /** The trade account the fills are of: stamped on each (an execution id is unique on its account only). */
  account?: string;
  /** True when the execution was already reported (journal or this session). */
  knownExecution(fill: FillIdentity): boolean;
}

export interface VenueTruth {
  /** Fills MIA has not seen, oldest first: to report before the reconciliation itself. */
  missedFills: Fill[];
  /** The venue's state of every order MIA believes live that the venue knows. */
  orders: Record<string, VenueOrderState>;
  position: number;
  avgPrice?: number;
}

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/**
 * Whether an order could have filled at `price`: a limit at its price or better, a stop at
 * its trigger or worse (slippage only makes a stop fill worse). This tells the two legs of
 * an unacknowledged bracket apart.
 */
function priceFits(request: ReconcileHint['request'], price: number): boolean {
  const buy = request.side === 'buy';
  if (request.type === 'limit' && request.price !== undefined) return buy ? price <= request.price : price >= request.price;
  if (request.type === 'stop' && request.stopPrice !== undefined) return buy ? price >= request.stopPrice : price <= request.stopPrice;
  return true;
}

export function venueTruth(live: Record<string, ReconcileHint>, records: VenueRecords, p: VenueTruthParams): VenueTruth {
  const serverToClient = new Map<string, string>();
  for (const [c, hint] of Object.entries(live)) if (hint.serverOrderId) serverToClient.set(hint.serverOrderId, c);
  const orders: Record<string, VenueOrderState> = {};

  for (const o of records.openOrders) {
    if (o.NoOrders === 1 || o.Symbol !== p.venueSymbol) continue;
    if (o.ClientOrderID && o.ServerOrderID) serverToClient.set(o.ServerOrderID, o.ClientOrderID);
    if (!o.ClientOrderID || !live[o.ClientOrderID]) continue;
    orders[o.ClientOrderID] = {
      status: 'working',
      serverOrderId: o.ServerOrderID,
      filledQty: finite(o.FilledQuantity) ? o.FilledQuantity : 0,
      ...(finite(o.AverageFillPrice) ? { avgFillPrice: o.AverageFillPrice } : {}),
    };
  }

  const clientOf = (serverOrderId: string) => serverToClient.get(serverOrderId) ?? p.clientIdOf(serverOrderId);
  const fills = records.fills
    .filter((f) => f.NoOrderFills !== 1 && f.Symbol === p.venueSymbol && f.Quantity > 0 && Number.isFinite(f.Price))
    .slice()
    .sort((a, b) => a.DateTime - b.DateTime);

  // Orders never acknowledged: candidates for the one-match rule above.
  const unacknowledged = Object.entries(live)
    .filter(([c, h]) => !h.serverOrderId && !orders[c])
    .map(([c, h]) => ({ clientOrderId: c, request: h.request }));
  const claimed = new Set<string>();
  const guessOwner = (f: HistoricalOrderFillResponse): string | undefined => {
    const side = sideOfBuySell(f.BuySell);
    const time = f.DateTime * 1000;
    const matches = unacknowledged.filter(
      (u) =>
        !claimed.has(u.clientOrderId) &&
        u.request.side === side &&
        u.request.qty === f.Quantity &&
        u.request.createdAt <= time + 999 &&
        priceFits(u.request, f.Price),
    );
    if (matches.length !== 1) return undefined;
    claimed.add(matches[0]!.clientOrderId);
    serverToClient.set(f.ServerOrderID, matches[0]!.clientOrderId);
    return matches[0]!.clientOrderId;
  };

  const missedFills: Fill[] = [];
  const filledBy = new Map<string, { qty: number; value: number; serverOrderId: string }>();
  for (const f of fills) {
    const side = sideOfBuySell(f.BuySell);
    if (!side) continue;
    const owner = clientOf(f.ServerOrderID) ?? guessOwner(f);
    const clientOrderId = owner ?? `venue:${f.ServerOrderID}`;
    const executionId = f.UniqueExecutionID || `${f.ServerOrderID}@${f.DateTime}:${f.Quantity}`;
    if (owner) {
      const sum = filledBy.get(owner) ?? { qty: 0, value: 0, serverOrderId: f.ServerOrderID };
      sum.qty += f.Quantity;
      sum.value += f.Quantity * f.Price;
      filledBy.set(owner, sum);
    }
    if (p.knownExecution({ executionId, clientOrderId, ...(p.account !== undefined ? { account: p.account } : {}) })) continue;
    missedFills.push({
      clientOrderId,
      executionId,
      ...(p.account !== undefined ? { account: p.account } : {}),
      symbol: p.miaSymbol,
      side,
      qty: f.Quantity,
      price: f.Price,
      time: f.DateTime * 1000,
      commission: f.Quantity * p.commissionPerContract,
    });
  }

  // Orders gone from the open list that the venue described one by one: its final word.
  for (const o of records.orderAnswers ?? []) {
    if (o.NoOrders === 1 || !o.ServerOrderID) continue;
    const c = o.ClientOrderID && live[o.ClientOrderID] ? o.ClientOrderID : serverToClient.get(o.ServerOrderID);
    if (!c || !live[c] || orders[c]) continue;
    const state = venueStateOf(o);
    const sum = filledBy.get(c);
    // The fills history is the finer record of what filled; the order's own figures otherwise.
    if (state) orders[c] = sum && sum.qty >= state.filledQty ? { ...state, filledQty: sum.qty, avgFillPrice: sum.value / sum.qty } : state;
  }

  // Orders gone from the open list: filled when the venue's fills cover them; otherwise
  // the venue does not work them (cancelled, rejected or never received: lost to MIA).
  for (const [c, hint] of Object.entries(live)) {
    if (orders[c]) continue;
    const sum = filledBy.get(c);
    if (!sum) continue;
    orders[c] = {
      status: sum.qty >= hint.request.qty ? 'filled' : 'cancelled',
      serverOrderId: sum.serverOrderId,
      filledQty: sum.qty,
      avgFillPrice: sum.value / sum.qty,
    };
  }

  // A leg of an OCO group the venue neither works nor filled, whose sibling filled: the venue
  // cancelled it with the sibling's fill (a leg MIA never heard acknowledged has no
  // ServerOrderID to ask about, and is otherwise indistinguishable from one never received).
  for (const [c, hint] of Object.entries(live)) {
    const group = hint.request.ocoGroup;
    if (orders[c] || group === undefined) continue;
    const siblingFilled = Object.entries(live).some(([s, h]) => s !== c && h.request.ocoGroup === group && orders[s]?.status === 'filled');
    if (siblingFilled) orders[c] = { status: 'cancelled', filledQty: 0, reason: 'its OCO sibling filled at the venue' };
  }

  const pos = records.positions.find((x) => x.NoPositions !== 1 && x.Symbol === p.venueSymbol);
  const position = pos && finite(pos.Quantity) ? pos.Quantity : 0;
  const avgPrice = pos && position !== 0 && finite(pos.AveragePrice) && pos.AveragePrice > 0 ? pos.AveragePrice : undefined;
  return { missedFills, orders, position, ...(avgPrice !== undefined ? { avgPrice } : {}) };
}

/** An order's state as one ORDER_UPDATE gives it, or null when its status says nothing. */
export function venueStateOf(o: OrderUpdate): VenueOrderState | null {
  const filledQty = finite(o.FilledQuantity) && o.FilledQuantity > 0 ? o.FilledQuantity : 0;
  const base = {
    serverOrderId: o.ServerOrderID,
    filledQty,
    ...(filledQty > 0 && finite(o.AverageFillPrice) ? { avgFillPrice: o.AverageFillPrice } : {}),
  };
  switch (o.OrderStatus) {
    case OrderStatus.FILLED:
      return { status: 'filled', ...base };
    case OrderStatus.CANCELED:
      return { status: 'cancelled', ...base, ...(o.InfoText ? { reason: o.InfoText } : {}) };
    case OrderStatus.REJECTED:
      return { status: 'rejected', ...base, reason: o.InfoText || 'rejected at venue' };
    case OrderStatus.OPEN:
    case OrderStatus.PENDING_OPEN:
    case OrderStatus.PENDING_CHILD:
    case OrderStatus.PENDING_CANCEL:
    case OrderStatus.PENDING_CANCEL_REPLACE:
    case OrderStatus.PARTIALLY_FILLED:
      return { status: 'working', ...base };
    default:
      return null;
  }
}
