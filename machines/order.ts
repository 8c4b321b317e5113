/**
 * One order's life, one machine per order keyed by its ClientOrderID, following DTC
 * OrderStatus semantics: created -> submitted (in flight) -> working (open /
 * partiallyFilled) <-> pendingCancel / pendingReplace -> filled | cancelled | rejected |
 * expired. An order in flight when the link drops becomes `unknown` and only
 * reconciliation with the venue's records moves it on: it is never resubmitted.
 *
 * Pure: every time comes from the event payload. Bad input from the venue (duplicate,
 * invalid or excess fills, contradictory reconciliation) never throws; it is ignored or
 * recorded in `anomalies`.
 */
import { assign, setup, type SnapshotFrom } from 'xstate';
import type { OrderRequest } from '../core/types.ts';
import type { VenueOrderState } from '../core/venue.ts';

export type { VenueOrderState } from '../core/venue.ts';

/** New terms asked for, or confirmed by, a cancel/replace. */
export interface ReplaceTerms {
  price?: number;
  stopPrice?: number;
  qty?: number;
}

/** Something the venue said that could not be applied as is. */
export interface OrderAnomaly {
  kind: 'overfill' | 'invalidFill' | 'replace' | 'reconciliation';
  message: string;
  executionId?: string;
  time: number;
}

export type OrderEvent =
  | { type: 'SUBMIT'; time: number }
  /** Pre-trade risk refused the order: it never leaves MIA. */
  | { type: 'RISK_REJECTED'; reason: string }
  | { type: 'ACCEPTED'; serverOrderId: string; time: number }
  | { type: 'FILL'; executionId: string; qty: number; price: number; time: number }
  | { type: 'CANCEL_REQUESTED'; time: number }
  | { type: 'CANCELED'; time: number }
  | { type: 'CANCEL_REJECTED'; reason: string }
  | ({ type: 'REPLACE_REQUESTED'; time: number } & ReplaceTerms)
  | ({ type: 'REPLACED'; serverOrderId?: string; time: number } & ReplaceTerms)
  | { type: 'REPLACE_REJECTED'; reason: string }
  | { type: 'REJECTED'; reason: string; time: number }
  | { type: 'EXPIRED'; time: number }
  | { type: 'LINK_LOST'; time: number }
  /** The venue's record of this order after a reconnect; null = the venue never saw it. */
  | { type: 'RECONCILED'; venue: VenueOrderState | null; time: number };

export interface OrderContext {
  /** The order's current terms: the original request, updated by confirmed replaces. */
  request: OrderRequest;
  serverOrderId: string | null;
  filledQty: number;
  /** Volume-weighted average of the applied fills; null before the first fill. */
  avgFillPrice: number | null;
  /** Execution ids already applied (the de-duplication set). */
  fills: string[];
  /** Why the order was rejected, or why the last cancel/replace was refused. */
  reason: string | null;
  anomalies: OrderAnomaly[];
  /** Terms of the cancel/replace in flight, applied when REPLACED confirms it. */
  pendingReplace: ReplaceTerms | null;
  /** Event time of the last event that changed this order. */
  lastUpdate: number;
}

/** Reason given to an order the venue has no record of after a reconnect. */
export const NOT_AT_VENUE = 'not at venue after reconciliation';

type FillEvent = Extract<OrderEvent, { type: 'FILL' }>;
type FillVerdict = 'duplicate' | 'invalid' | 'overfill' | 'completes' | 'partial';

function classifyFill(context: OrderContext, fill: FillEvent): FillVerdict {
  if (context.fills.includes(fill.executionId)) return 'duplicate';
  if (!(Number.isFinite(fill.qty) && fill.qty > 0 && Number.isFinite(fill.price))) return 'invalid';
  const remaining = context.request.qty - context.filledQty;
  if (fill.qty > remaining) return 'overfill';
  return fill.qty === remaining ? 'completes' : 'partial';
}

function applyFill(context: OrderContext, fill: FillEvent): Partial<OrderContext> {
  const filledQty = context.filledQty + fill.qty;
  const avgFillPrice = ((context.avgFillPrice ?? 0) * context.filledQty + fill.price * fill.qty) / filledQty;
  return { filledQty, avgFillPrice, fills: [...context.fills, fill.executionId], lastUpdate: fill.time };
}

function fillAnomaly(context: OrderContext, fill: FillEvent, verdict: FillVerdict): OrderAnomaly | null {
  const base = { executionId: fill.executionId, time: fill.time };
  if (verdict === 'overfill') {
    const remaining = context.request.qty - context.filledQty;
    return { ...base, kind: 'overfill', message: `fill of ${fill.qty} exceeds the ${remaining} remaining; ignored` };
  }
  if (verdict === 'invalid') {
    return { ...base, kind: 'invalidFill', message: `fill qty ${fill.qty} @ ${fill.price} is not valid; ignored` };
  }
  return null;
}

type ReplacedEvent = Extract<OrderEvent, { type: 'REPLACED' }>;

/** New terms after a confirmed replace: the venue's values, else those we asked for. */
function applyReplace(context: OrderContext, event: ReplacedEvent): Partial<OrderContext> {
  const asked = context.pendingReplace ?? {};
  const request = { ...context.request };
  const price = event.price ?? asked.price;
  const stopPrice = event.stopPrice ?? asked.stopPrice;
  const qty = event.qty ?? asked.qty;
  if (price !== undefined) request.price = price;
  if (stopPrice !== undefined) request.stopPrice = stopPrice;
  const anomalies = [...context.anomalies];
  const flag = (message: string) => anomalies.push({ kind: 'replace', message, time: event.time });
  if (qty !== undefined && !(Number.isFinite(qty) && qty > 0)) {
    flag(`replaced qty ${qty} is not valid; quantity kept at ${request.qty}`);
  } else if (qty !== undefined) {
    // The quantity can never drop below what already filled, whatever the venue says.
    request.qty = Math.max(qty, context.filledQty);
    if (qty < context.filledQty) flag(`replaced qty ${qty} is below the ${context.filledQty} filled`);
  }
  return {
    request,
    serverOrderId: event.serverOrderId ?? context.serverOrderId,
    pendingReplace: null,
    anomalies,
    lastUpdate: event.time,
  };
}

type ReconciledEvent = Extract<OrderEvent, { type: 'RECONCILED' }>;
type VenueOutcome = 'missing' | 'open' | 'partiallyFilled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

/** The venue's filled quantity when usable, else 0. */
const venueFilledQty = (venue: VenueOrderState): number =>
  Number.isFinite(venue.filledQty) && venue.filledQty > 0 ? venue.filledQty : 0;

/** Where the venue's record puts this order. */
function venueOutcome(context: OrderContext, venue: VenueOrderState | null): VenueOutcome {
  if (venue === null) return 'missing';
  if (venue.status !== 'working') return venue.status;
  const filled = Math.max(context.filledQty, venueFilledQty(venue));
  if (filled >= context.request.qty) return 'filled';
  return filled > 0 ? 'partiallyFilled' : 'open';
}

/** Context after adopting the venue's truth (the larger filled quantity wins, capped at qty). */
function applyReconciliation(context: OrderContext, event: ReconciledEvent): Partial<OrderContext> {
  const { venue, time } = event;
  const anomalies = [...context.anomalies];
  const flag = (message: string) => anomalies.push({ kind: 'reconciliation', message, time });
  const { qty } = context.request;
  if (venue === null) {
    if (context.filledQty > 0) flag(`venue has no record of an order with ${context.filledQty} filled`);
    return { reason: NOT_AT_VENUE, pendingReplace: null, anomalies, lastUpdate: time };
  }
  let { filledQty, avgFillPrice } = context;
  const venueFilled = venueFilledQty(venue);
  if (venueFilled > qty) flag(`venue reports ${venueFilled} filled of ${qty}`);
  if (venueFilled < filledQty) flag(`venue reports ${venueFilled} filled, ${filledQty} applied here`);
  if (venueFilled > filledQty) {
    filledQty = Math.min(venueFilled, qty);
    avgFillPrice = venue.avgFillPrice ?? avgFillPrice;
  }
  if (venue.status === 'filled' && filledQty < qty) flag(`venue reports filled with ${filledQty} of ${qty}`);
  const reason = venue.status === 'rejected' ? (venue.reason ?? 'rejected at venue') : (venue.reason ?? context.reason);
  return {
    serverOrderId: venue.serverOrderId ?? context.serverOrderId,
    filledQty,
    avgFillPrice,
    reason,
    pendingReplace: null,
    anomalies,
    lastUpdate: time,
  };
}

/** RECONCILED moves the order wherever the venue's record puts it. */
const reconciled = [
  { guard: { type: 'venueSays', params: { outcome: 'missing' } }, target: '#order.rejected', actions: 'reconcile' },
  { guard: { type: 'venueSays', params: { outcome: 'filled' } }, target: '#order.filled', actions: 'reconcile' },
  { guard: { type: 'venueSays', params: { outcome: 'partiallyFilled' } }, target: '#order.working.partiallyFilled', actions: 'reconcile' },
  { guard: { type: 'venueSays', params: { outcome: 'open' } }, target: '#order.working.open', actions: 'reconcile' },
  { guard: { type: 'venueSays', params: { outcome: 'cancelled' } }, target: '#order.cancelled', actions: 'reconcile' },
  { guard: { type: 'venueSays', params: { outcome: 'rejected' } }, target: '#order.rejected', actions: 'reconcile' },
  { guard: { type: 'venueSays', params: { outcome: 'expired' } }, target: '#order.expired', actions: 'reconcile' },
] as const;

/** A refused cancel or replace leaves the order working as it was. */
const backToWorking = [
  { guard: 'hasFills', target: '#order.working.partiallyFilled', actions: 'recordRefusal' },
  { target: '#order.working.open', actions: 'recordRefusal' },
] as const;

/** A fill in a pending state: completes the order, or applies and keeps waiting. */
const fillWhilePending = [
  { guard: { type: 'fillIs', params: { verdict: 'completes' } }, target: '#order.filled', actions: 'applyFill' },
  { guard: { type: 'fillIs', params: { verdict: 'partial' } }, actions: 'applyFill' },
  { actions: 'flagFill' },
] as const;

/**
 * Order statechart. Input: `{ request }`. Feed it the venue's answers as events; read
 * `isTerminal` / `isInFlight` / `remainingQty` from its snapshots.
 */
export const orderMachine = setup({
  types: {} as {
    input: { request: OrderRequest };
    context: OrderContext;
    events: OrderEvent;
  },
  actions: {
    stamp: assign(({ event, context }) => ({ lastUpdate: 'time' in event ? event.time : context.lastUpdate })),
    recordRiskReject: assign(({ event }) => (event.type === 'RISK_REJECTED' ? { reason: event.reason } : {})),
    recordAcceptance: assign(({ event }) =>
      event.type === 'ACCEPTED' ? { serverOrderId: event.serverOrderId, lastUpdate: event.time } : {},
    ),
    applyFill: assign(({ context, event }) => (event.type === 'FILL' ? applyFill(context, event) : {})),
    /** Duplicates are expected (replays after a reconnect) and dropped silently; the rest is flagged. */
    flagFill: assign(({ context, event }) => {
      if (event.type !== 'FILL') return {};
      const anomaly = fillAnomaly(context, event, classifyFill(context, event));
      return anomaly ? { anomalies: [...context.anomalies, anomaly] } : {};
    }),
    recordReplaceRequest: assign(({ event }) => {
      if (event.type !== 'REPLACE_REQUESTED') return {};
      const { type: _type, time, ...terms } = event;
      return { pendingReplace: terms, lastUpdate: time };
    }),
    applyReplace: assign(({ context, event }) => (event.type === 'REPLACED' ? applyReplace(context, event) : {})),
    recordRefusal: assign(({ event }) =>
      event.type === 'CANCEL_REJECTED' || event.type === 'REPLACE_REJECTED' || event.type === 'REJECTED'
        ? { reason: event.reason, pendingReplace: null }
        : {},
    ),
    reconcile: assign(({ context, event }) => (event.type === 'RECONCILED' ? applyReconciliation(context, event) : {})),
  },
  guards: {
    fillIs: ({ context, event }, params: { verdict: FillVerdict }) =>
      event.type === 'FILL' && classifyFill(context, event) === params.verdict,
    hasFills: ({ context }) => context.filledQty > 0,
    /** After the confirmed replace, nothing is left to fill. */
    replaceCompletes: ({ context, event }) =>
      event.type === 'REPLACED' && (applyReplace(context, event).request?.qty ?? Infinity) <= context.filledQty,
    venueSays: ({ context, event }, params: { outcome: VenueOutcome }) =>
      event.type === 'RECONCILED' && venueOutcome(context, event.venue) === params.outcome,
  },
}).createMachine({
  id: 'order',
  context: ({ input }) => {
    const { request } = input;
    if (!(Number.isFinite(request.qty) && request.qty > 0)) {
      throw new RangeError(`order ${request.clientOrderId}: qty must be > 0, got ${request.qty}`);
    }
    return {
      request,
      serverOrderId: null,
      filledQty: 0,
      avgFillPrice: null,
      fills: [],
      reason: null,
      anomalies: [],
      pendingReplace: null,
      lastUpdate: request.createdAt,
    };
  },
  initial: 'created',
  states: {
    created: {
      on: {
        SUBMIT: { target: 'submitted', actions: 'stamp' },
        RISK_REJECTED: { target: 'rejected', actions: 'recordRiskReject' },
      },
    },
    /** Sent, no answer yet. */
    submitted: {
      on: {
        ACCEPTED: { target: 'working.open', actions: 'recordAcceptance' },
        // Market orders may skip the acknowledgement: a fill implies acceptance.
        FILL: [
          { guard: { type: 'fillIs', params: { verdict: 'completes' } }, target: 'filled', actions: 'applyFill' },
          { guard: { type: 'fillIs', params: { verdict: 'partial' } }, target: 'working.partiallyFilled', actions: 'applyFill' },
          { actions: 'flagFill' },
        ],
        REJECTED: { target: 'rejected', actions: ['recordRefusal', 'stamp'] },
        // IOC / FOK / day orders can die before any acknowledgement.
        CANCELED: { target: 'cancelled', actions: 'stamp' },
        EXPIRED: { target: 'expired', actions: 'stamp' },
        LINK_LOST: { target: 'unknown', actions: 'stamp' },
        // A restart reconciles orders restored in flight: the venue's record decides.
        RECONCILED: reconciled,
      },
    },
    /** Resting at the venue. A dropped link does not change that: reconciliation will. */
    working: {
      initial: 'open',
      states: {
        open: {},
        partiallyFilled: {},
      },
      on: {
        // A late acknowledgement after a fill that implied it: keep its id for cancels.
        ACCEPTED: { actions: 'recordAcceptance' },
        FILL: [
          { guard: { type: 'fillIs', params: { verdict: 'completes' } }, target: 'filled', actions: 'applyFill' },
          { guard: { type: 'fillIs', params: { verdict: 'partial' } }, target: '.partiallyFilled', actions: 'applyFill' },
          { actions: 'flagFill' },
        ],
        CANCEL_REQUESTED: { target: 'pendingCancel', actions: 'stamp' },
        REPLACE_REQUESTED: { target: 'pendingReplace', actions: 'recordReplaceRequest' },
        // Modified at the venue without our asking (e.g. from Sierra Chart's own UI).
        REPLACED: [
          { guard: 'replaceCompletes', target: 'filled', actions: 'applyReplace' },
          { guard: 'hasFills', target: '.partiallyFilled', actions: 'applyReplace' },
          { target: '.open', actions: 'applyReplace' },
        ],
        CANCELED: { target: 'cancelled', actions: 'stamp' },
        EXPIRED: { target: 'expired', actions: 'stamp' },
        RECONCILED: reconciled,
      },
    },
    pendingCancel: {
      on: {
        // The fill wins the race with our cancel.
        FILL: fillWhilePending,
        CANCELED: { target: 'cancelled', actions: 'stamp' },
        CANCEL_REJECTED: backToWorking,
        EXPIRED: { target: 'expired', actions: 'stamp' },
        LINK_LOST: { target: 'unknown', actions: 'stamp' },
        RECONCILED: reconciled,
      },
    },
    pendingReplace: {
      on: {
        FILL: fillWhilePending,
        REPLACED: [
          { guard: 'replaceCompletes', target: 'filled', actions: 'applyReplace' },
          { guard: 'hasFills', target: 'working.partiallyFilled', actions: 'applyReplace' },
          { target: 'working.open', actions: 'applyReplace' },
        ],
        REPLACE_REJECTED: backToWorking,
        // Getting out takes precedence over amending (kill switch, flatten).
        CANCEL_REQUESTED: { target: 'pendingCancel', actions: 'stamp' },
        CANCELED: { target: 'cancelled', actions: 'stamp' },
        EXPIRED: { target: 'expired', actions: 'stamp' },
        LINK_LOST: { target: 'unknown', actions: 'stamp' },
        RECONCILED: reconciled,
      },
    },
    /** In flight when the link dropped: only the venue's records can say what happened. */
    unknown: {
      on: { RECONCILED: reconciled },
    },
    filled: { type: 'final' },
    cancelled: { type: 'final' },
    rejected: { type: 'final' },
    expired: { type: 'final' },
  },
});

export type OrderSnapshot = SnapshotFrom<typeof orderMachine>;

/** The order has reached filled, cancelled, rejected or expired. */
export const isTerminal = (snapshot: OrderSnapshot): boolean => snapshot.status === 'done';

/** Waiting for the venue's answer (or, in `unknown`, for reconciliation): its fate is open. */
export const isInFlight = (snapshot: OrderSnapshot): boolean =>
  snapshot.matches('submitted') || snapshot.matches('pendingCancel') || snapshot.matches('pendingReplace') || snapshot.matches('unknown');

/** Quantity that can still fill: 0 once the order is terminal. */
export const remainingQty = (snapshot: OrderSnapshot): number =>
  isTerminal(snapshot) ? 0 : snapshot.context.request.qty - snapshot.context.filledQty;
