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
