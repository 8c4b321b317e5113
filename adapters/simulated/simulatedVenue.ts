/**
 * The in-process paper venue: a matching engine over the shared fill model, holding
 * working orders and the account position like a broker would. It lives outside the
 * execution actor, so a restarted actor reconnects to the same venue state, exactly as
 * a DTC client reconnects to the same server.
 *
 * Venue rules it enforces itself (a real venue does): a ClientOrderID is accepted once;
 * invalid orders (unknown symbol, non-integer or non-positive quantity, missing or
 * non-finite prices) are rejected with a reason, never thrown.
 */
import type { Bar, Fill, OrderRequest } from '../../core/types.ts';
import { sideSign } from '../../core/types.ts';
import type { MarketListener } from '../../core/marketBus.ts';
import { instrumentFor } from '../../config/instruments.ts';
import { fillPriceOnBar, matchPriority, type FillModelParams, type WorkingOrder } from '../../backtest/fillModel.ts';
import type { ChildEvent } from '../../machines/orchestratorEvents.ts';
import type { VenueOrderState } from '../../machines/order.ts';

export interface SimulatedVenueParams extends FillModelParams {
  commissionPerContract: number;
  /** Length of a bar: marks are stamped at the bar's close. */
  barMs: number;
}

interface VenueOrder extends WorkingOrder {
  serverOrderId: string;
  seq: number;
}

type VenueReport = Extract<ChildEvent, { type: `VENUE.${string}` }>;

export class SimulatedVenue implements MarketListener {
  private readonly working = new Map<string, VenueOrder>();
  private readonly records = new Map<string, VenueOrderState>();
  private seq = 0;
  private executions = 0;
  private lastBar: Bar | null = null;
  position = 0;
  /** Average price of the open position (0 when flat). */
  avgPrice = 0;
  private listener: ((e: VenueReport) => void) | null = null;

  constructor(private readonly p: SimulatedVenueParams) {}

  /** One connected client at a time, as one DTC session per account. */
  attach(listener: (e: VenueReport) => void): void {
    this.listener = listener;
  }

  detach(listener: (e: VenueReport) => void): void {
    if (this.listener === listener) this.listener = null;
  }

  private report(e: VenueReport): void {
    this.listener?.(e);
  }

  submit(req: OrderRequest, time: number): void {
    const reject = (reason: string) => {
      this.records.set(req.clientOrderId, { status: 'rejected', filledQty: 0, reason });
      this.report({ type: 'VENUE.REJECTED', clientOrderId: req.clientOrderId, reason, time });
    };
    if (this.records.has(req.clientOrderId)) {
      // Never apply a ClientOrderID twice; the original order keeps its state.
      this.report({ type: 'VENUE.REJECTED', clientOrderId: req.clientOrderId, reason: 'duplicate ClientOrderID', time });
      return;
    }
    const problem = validate(req);
    if (problem) return reject(problem);
    this.seq++;
    const order: VenueOrder = {
      clientOrderId: req.clientOrderId,
      symbol: req.symbol,
      side: req.side,
      qty: req.qty,
      type: req.type,
      submittedAt: req.createdAt,
      serverOrderId: `SIM-${this.seq}`,
      seq: this.seq,
      ...(req.price !== undefined ? { price: req.price } : {}),
      ...(req.stopPrice !== undefined ? { stopPrice: req.stopPrice } : {}),
      ...(req.ocoGroup !== undefined ? { ocoGroup: req.ocoGroup } : {}),
    };
    this.working.set(req.clientOrderId, order);
    this.records.set(req.clientOrderId, { status: 'working', serverOrderId: order.serverOrderId, filledQty: 0 });
    this.report({ type: 'VENUE.ACCEPTED', clientOrderId: req.clientOrderId, serverOrderId: order.serverOrderId, time });
  }

  cancel(clientOrderId: string, time: number): void {
    const order = this.working.get(clientOrderId);
    if (!order) {
      this.report({ type: 'VENUE.CANCEL_REJECTED', clientOrderId, reason: 'no working order with that ClientOrderID', time });
      return;
    }
    this.working.delete(clientOrderId);
    this.records.set(clientOrderId, { ...this.records.get(clientOrderId)!, status: 'cancelled' });
    this.report({ type: 'VENUE.CANCELED', clientOrderId, time });
  }

  /** The venue's truth for reconciliation: every order it knows, the position and its average price. */
  snapshot(): { orders: Record<string, VenueOrderState>; position: number; avgPrice?: number } {
    // Copies, as a DTC message would be: a client must not reach into the venue's records.
    const orders = Object.fromEntries([...this.records].map(([id, state]) => [id, { ...state }]));
    return { orders, position: this.position, ...(this.position !== 0 ? { avgPrice: this.avgPrice } : {}) };
  }

  onBar(bar: Bar): void {
    this.lastBar = bar;
    if (this.working.size > 0) this.match(bar, (o) => fillPriceOnBar(o, bar, this.p));
    if (this.position !== 0) this.report({ type: 'VENUE.MARK', price: bar.close, time: bar.time + this.p.barMs });
  }

  /** End of data: market orders still waiting fill at the last close, paying slippage. */
  onEnd(): void {
    const last = this.lastBar;
    if (!last) return;
    const slip = this.p.slippageTicks * this.p.tickSize;
    this.match(last, (o) => (o.type === 'market' ? last.close + (o.side === 'buy' ? slip : -slip) : null), last.time + this.p.barMs);
  }

  private match(bar: Bar, priceOf: (o: VenueOrder) => number | null, time = bar.time): void {
    const candidates = [...this.working.values()]
      .filter((o) => o.symbol === bar.symbol || instrumentFor(o.symbol).root === instrumentFor(bar.symbol).root)
      .sort((a, b) => matchPriority(a) - matchPriority(b) || a.seq - b.seq);
    for (const order of candidates) {
      if (!this.working.has(order.clientOrderId)) continue; // cancelled by an OCO sibling
      const price = priceOf(order);
      if (price === null) continue;
      this.fill(order, price, time);
    }
  }

  private fill(order: VenueOrder, price: number, time: number): void {
    this.working.delete(order.clientOrderId);
    this.executions++;
    const fill: Fill = {
      clientOrderId: order.clientOrderId,
      executionId: `SIMX-${this.executions}`,
      symbol: order.symbol,
      side: order.side,
      qty: order.qty,
      price,
      time,
      commission: order.qty * this.p.commissionPerContract,
    };
    const signed = order.qty * sideSign(order.side);
    const next = this.position + signed;
    if (next === 0) this.avgPrice = 0;
    else if (this.position === 0 || Math.sign(next) !== Math.sign(this.position)) this.avgPrice = price;
    else if (Math.sign(signed) === Math.sign(this.position)) {
      this.avgPrice = (this.avgPrice * Math.abs(this.position) + price * order.qty) / Math.abs(next);
    }
    this.position = next;
    this.records.set(order.clientOrderId, { status: 'filled', serverOrderId: order.serverOrderId, filledQty: order.qty, avgFillPrice: price });
    this.report({ type: 'VENUE.FILL', fill });
    if (!order.ocoGroup) return;
    for (const sibling of [...this.working.values()]) {
      if (sibling.ocoGroup === order.ocoGroup) this.cancel(sibling.clientOrderId, time);
    }
  }
}

function validate(req: OrderRequest): string | null {
  try {
    instrumentFor(req.symbol);
  } catch (err) {
    return (err as Error).message;
  }
  if (!Number.isInteger(req.qty) || req.qty <= 0) return `quantity must be a positive whole number of contracts, got ${req.qty}`;
  const needsPrice = req.type === 'limit' || req.type === 'stopLimit';
  const needsStop = req.type === 'stop' || req.type === 'stopLimit';
  if (needsPrice && !(Number.isFinite(req.price) && req.price! > 0)) return `${req.type} order needs a positive finite price, got ${req.price}`;
  if (needsStop && !(Number.isFinite(req.stopPrice) && req.stopPrice! > 0)) return `${req.type} order needs a positive finite stop price, got ${req.stopPrice}`;
  return null;
}
