/**
 * The venue seam: what MIA asks of a venue (`VenueCommand`) and what a venue says back
 * (`VenueReport`), whatever the venue is (a DTC server over a socket, the in-process
 * simulated venue). Adapters and the execution actors speak these types; the statecharts
 * import them from here, so no adapter ever needs a statechart.
 *
 * Plain data only: every report carries its event time (ms UTC).
 */
import type { Fill, OrderRequest } from './types.ts';

/** What the venue reports about an order during reconciliation. */
export interface VenueOrderState {
  status: 'working' | 'filled' | 'cancelled' | 'rejected' | 'expired';
  serverOrderId?: string;
  filledQty: number;
  avgFillPrice?: number;
  reason?: string;
}

/** An order MIA believes is live, as a venue actor needs it to reconcile. */
export interface ReconcileHint {
  request: OrderRequest;
  serverOrderId?: string;
  filledQty: number;
}

/**
 * A bracket as one venue command: a protective stop and a profit target that cancel each
 * other (OCO), optionally held until an entry order fills. Without `entry` the two legs
 * work at once (the position already exists). Both legs leave together or not at all.
 */
export interface BracketOrder {
  /** The parent: when present, the legs wait at the venue until it fills. */
  entry?: OrderRequest;
  stop: OrderRequest;
  target: OrderRequest;
}

/** Sent by the orchestrator to the execution actor. */
export type VenueCommand =
  | { type: 'VENUE.SUBMIT'; request: OrderRequest }
  /** Entry (optional), stop and target as one command: one OCO submission at the venue. */
  | { type: 'VENUE.SUBMIT_BRACKET'; bracket: BracketOrder }
  | { type: 'VENUE.CANCEL'; clientOrderId: string }
  /**
   * Report the venue's truth. `live` is what the orchestrator believes is still open, so
   * that a venue actor that lost its memory (restart) can tie venue records to them.
   */
  | { type: 'VENUE.RECONCILE'; live: Record<string, ReconcileHint> };

/** Sent by a venue (through its execution actor) to the orchestrator. */
export type VenueReport =
  | { type: 'VENUE.UP'; time: number }
  | { type: 'VENUE.DOWN'; reason: string; time: number }
  | { type: 'VENUE.ACCEPTED'; clientOrderId: string; serverOrderId: string; time: number }
  | { type: 'VENUE.FILL'; fill: Fill }
  | { type: 'VENUE.REJECTED'; clientOrderId: string; reason: string; time: number }
  | { type: 'VENUE.CANCELED'; clientOrderId: string; time: number }
  | { type: 'VENUE.CANCEL_REJECTED'; clientOrderId: string; reason: string; time: number }
  /**
   * The venue's truth: every order it knows, its position and that position's average price.
   * `incomplete` says what the venue could not give (fills history): then risk goes limited.
   */
  | {
      type: 'VENUE.RECONCILED';
      orders: Record<string, VenueOrderState>;
      position: number;
      avgPrice?: number;
      incomplete?: string;
      /**
       * Orders the ledger holds as in flight that the orchestrator did not ask about (it
       * restored a snapshot saved before they were journaled): their venue state is in
       * `orders`, and the orchestrator adopts them.
       */
      orphans?: Record<string, ReconcileHint>;
      time: number;
    }
  /** An update, open order or fill for a ClientOrderID MIA never sent; `fill` when it moved the position. */
  | { type: 'VENUE.FOREIGN'; clientOrderId: string; serverOrderId: string; detail: string; fill?: Fill; time: number }
  | { type: 'VENUE.MARK'; price: number; time: number }
  /** The venue account's balance: what risk's margin rule checks entries against. */
  | { type: 'VENUE.ACCOUNT'; availableFunds: number; marginPerContract?: number; time: number };

/** The legs of a bracket in the order they leave: entry first, then stop and target. */
export function bracketLegs(bracket: BracketOrder): OrderRequest[] {
  return bracket.entry ? [bracket.entry, bracket.stop, bracket.target] : [bracket.stop, bracket.target];
}
