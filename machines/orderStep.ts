/**
 * The order machine stepped as a pure function, over one actor scope shared by every call.
 *
 * XState's `getInitialSnapshot` / `getNextSnapshot` build a throwaway actor (and a system)
 * on each call, and that actor runs the order's context factory without input, which
 * throws and is caught: about 20-90 us per step, most of an order's cost in a backtest.
 * The order machine only assigns (no actions that spawn, send, emit or read `self`), so one
 * inert scope serves every step and the snapshots are the same.
 */
import { createActor, type AnyActorScope } from 'xstate';
import type { OrderRequest } from '../core/types.ts';
import { orderMachine, type OrderEvent, type OrderSnapshot } from './order.ts';

let shared: AnyActorScope | undefined;

/** The inert scope: a never-started actor stands for `self`; effects go nowhere. */
function scope(): AnyActorScope {
  if (shared) return shared;
  const placeholder: OrderRequest = { clientOrderId: 'step', symbol: 'step', side: 'buy', qty: 1, type: 'market', tif: 'ioc', purpose: 'step', createdAt: 0 };
  const self = createActor(orderMachine, { input: { request: placeholder } });
  shared = {
    self,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor: () => {},
  } as unknown as AnyActorScope;
  return shared;
}

/** The order's snapshot as its actor starts (`getInitialSnapshot(orderMachine, { request })`). */
export function initialOrderSnapshot(request: OrderRequest): OrderSnapshot {
  return orderMachine.getInitialSnapshot(scope(), { request });
}

/** The snapshot after `event` (`getNextSnapshot(orderMachine, snapshot, event)`). */
export function nextOrderSnapshot(snapshot: OrderSnapshot, event: OrderEvent): OrderSnapshot {
  return orderMachine.transition(snapshot, event, scope());
}

/**
 * An order as the orchestrator's context holds it: plain data, persisted with the
 * orchestrator's snapshot (an XState snapshot object carries its machine and cannot be).
 * It is what the order actor used to persist: its state value, context and status.
 */
export interface OrderState {
  value: OrderSnapshot['value'];
  context: OrderSnapshot['context'];
  status: OrderSnapshot['status'];
}

/** The snapshot each state was taken from (or rebuilt into), so that stepping never rebuilds it. */
const snapshots = new WeakMap<OrderState, OrderSnapshot>();

/** The plain state of a stepped snapshot. */
export function orderStateOf(snapshot: OrderSnapshot): OrderState {
  const state: OrderState = { value: snapshot.value, context: snapshot.context, status: snapshot.status };
  snapshots.set(state, snapshot);
  return state;
}

/**
 * The snapshot of a plain state: the one it was taken from, or, for a state restored from a
 * persisted snapshot, the snapshot XState restores an order actor to from the same data.
 */
export function orderSnapshotFrom(state: OrderState): OrderSnapshot {
  let snapshot = snapshots.get(state);
  if (!snapshot) {
    snapshot = orderMachine.resolveState({ value: state.value, context: state.context, status: state.status } as Parameters<typeof orderMachine.resolveState>[0]);
    snapshots.set(state, snapshot);
  }
  return snapshot;
}
