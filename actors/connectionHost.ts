/**
 * Where a connection machine runs for an I/O adapter (see core/connection.ts):
 *
 * - `withConnection`: inside the session's actor tree. The execution or market-data actor
 *   becomes a small machine with two children, `connection` (the connection statechart,
 *   referenced by name so a persisted snapshot restores it) and `io` (the adapter's
 *   callback actor). The inspector shows `execution > connection` live, the orchestrator
 *   persists it with the rest, and the machine's side effects reach the adapter as
 *   `CONNECTION.EFFECT` events routed by the parent; the adapter's reports go up to the
 *   orchestrator unchanged.
 * - `standaloneConnection`: a root actor of its own, for tools and tests that use an
 *   adapter outside a session (`mia dtc check`, `mia data download`, benches).
 */
import {
  createActor,
  sendParent,
  sendTo,
  setup,
  type ActorSystem,
  type AnyActorLogic,
  type AnyActorRef,
  type EventObject,
  type InspectionEvent,
} from 'xstate';
import type { ConnectionDriver, ConnectionEffect, ConnectionHost, ConnectionInput, ConnectionLink } from '../core/connection.ts';
import { connectionMachine, connectionStatus, type ConnectionSnapshot } from '../machines/connection.ts';
import type { ChildInput } from '../machines/orchestrator.ts';

/** A side effect of the connection child, on its way to the I/O child. */
export interface ConnectionEffectEvent {
  type: 'CONNECTION.EFFECT';
  effect: ConnectionEffect;
}

/** The connection machine's effect actions, each handing its effect to `perform`. */
function effectActions(perform: (effect: ConnectionEffect) => void) {
  return {
    openTransport: () => perform({ type: 'openTransport' }),
    closeTransport: () => perform({ type: 'closeTransport' }),
    sendNegotiation: () => perform({ type: 'sendNegotiation' }),
    sendLogon: () => perform({ type: 'sendLogon' }),
    sendHeartbeat: () => perform({ type: 'sendHeartbeat' }),
    sendLogoff: () => perform({ type: 'sendLogoff' }),
    onConnected: () => perform({ type: 'onConnected' }),
    onDisconnected: (_: unknown, params: { reason: string }) => perform({ type: 'onDisconnected', reason: params.reason }),
  };
}

const isActive = (ref: AnyActorRef): boolean => ref.getSnapshot().status === 'active';

function linkTo(ref: AnyActorRef, driver: ConnectionDriver, release: () => void): ConnectionLink {
  const sub = ref.subscribe({
    next: (snapshot) => driver.settled(connectionStatus(snapshot as ConnectionSnapshot)),
    // The machine's own actions never throw (adapters guard their effects): report it as failed.
    error: () => driver.settled({ ...connectionStatus(ref.getSnapshot() as ConnectionSnapshot), state: 'failed' }),
  });
  return {
    send: (event) => {
      if (isActive(ref)) ref.send(event);
    },
    status: () => connectionStatus(ref.getSnapshot() as ConnectionSnapshot),
    active: () => isActive(ref),
    release: () => {
      sub.unsubscribe();
      release();
    },
  };
}

/** The connection machine as a root actor of its own, one per call. */
export const standaloneConnection: ConnectionHost = (driver, input) => {
    const actor = createActor(connectionMachine.provide({ actions: effectActions((effect) => driver.perform(effect)) }), { input });
    const link = linkTo(actor, driver, () => actor.stop());
    actor.start();
    return link;
};

/** The connection child's logic: every effect goes to the parent, which routes it to `io`. */
export const connectionChildLogic = connectionMachine.provide({
  actions: {
    openTransport: sendParent({ type: 'CONNECTION.EFFECT', effect: { type: 'openTransport' } }),
    closeTransport: sendParent({ type: 'CONNECTION.EFFECT', effect: { type: 'closeTransport' } }),
    sendNegotiation: sendParent({ type: 'CONNECTION.EFFECT', effect: { type: 'sendNegotiation' } }),
    sendLogon: sendParent({ type: 'CONNECTION.EFFECT', effect: { type: 'sendLogon' } }),
    sendHeartbeat: sendParent({ type: 'CONNECTION.EFFECT', effect: { type: 'sendHeartbeat' } }),
    sendLogoff: sendParent({ type: 'CONNECTION.EFFECT', effect: { type: 'sendLogoff' } }),
    onConnected: sendParent({ type: 'CONNECTION.EFFECT', effect: { type: 'onConnected' } }),
    onDisconnected: sendParent((_, params: { reason: string }) => ({ type: 'CONNECTION.EFFECT', effect: { type: 'onDisconnected', reason: params.reason } })),
  },
});

/**
 * A connection child's step on MESSAGE (the peer is alive): it restarts the dead-peer
 * timer and changes nothing a persisted snapshot holds, so persistence can skip it.
 */
export function isLivenessOnly(event: InspectionEvent): boolean {
  return event.type === '@xstate.snapshot' && event.event.type === 'MESSAGE' && (event.actorRef as { systemId?: string }).systemId?.endsWith('.connection') === true;
}

/** The system id of the connection child of the actor `parentId` ('execution.connection', ...). */
export const connectionSystemId = (parentId: string): string => `${parentId}.connection`;

/**
 * Inside an `io` callback: the host binding the adapter to its sibling connection child,
 * and `deliver`, to call with every event the callback receives (true when it was an effect).
 */
export function treeConnection(system: ActorSystem<any>, parentId: string): { host: ConnectionHost; deliver(event: EventObject): boolean } {
  let driver: ConnectionDriver | null = null;
  return {
    host: (d) => {
      const ref = system.get(connectionSystemId(parentId)) as AnyActorRef | undefined;
      if (!ref) throw new Error(`no connection child ${connectionSystemId(parentId)} in the actor system`);
      driver = d;
      // The machine belongs to the parent: releasing only stops listening.
      return linkTo(ref, d, () => {
        if (driver === d) driver = null;
      });
    },
    deliver: (event) => {
      if (event.type !== 'CONNECTION.EFFECT') return false;
      driver?.perform((event as ConnectionEffectEvent).effect);
      return true;
    },
  };
}

export interface WithConnectionSpec {
  /** The actor's id in the orchestrator ('execution', 'marketData'): its connection child is `<id>.connection`. */
  id: string;
  connection: ConnectionInput;
  /** The adapter's callback actor; it finds its connection with `treeConnection(system, id)`. */
  io: AnyActorLogic;
  /** Events from the orchestrator for `io` (VENUE.SUBMIT, MD.STOP, ...). */
  commands: readonly string[];
  /** Events from `io` for the orchestrator (VENUE.*, MD.*, CHILD.FAILED). */
  reports: readonly string[];
}

/**
 * A supervised child that owns its connection machine: `<id> > connection` and `<id> > io`
 * in the actor tree. An error thrown out of either child is not handled here: it puts this
 * actor in error, which the orchestrator's supervisor sees and restarts.
 */
export function withConnection(spec: WithConnectionSpec) {
  const forwardToIo = { actions: sendTo('io', ({ event }: { event: EventObject }) => event) };
  const forwardUp = { actions: sendParent(({ event }: { event: EventObject }) => event) };
  // Built as a plain table: XState cannot type a transition map assembled from lists.
  const on = {
    'CONNECTION.EFFECT': forwardToIo,
    ...Object.fromEntries(spec.commands.map((type) => [type, forwardToIo])),
    ...Object.fromEntries(spec.reports.map((type) => [type, forwardUp])),
  } as never;
  const machine = setup({
    types: {} as { input: ChildInput; context: { generation: number }; events: EventObject },
    actors: { connection: connectionChildLogic, io: spec.io },
  }).createMachine({
    id: spec.id,
    context: ({ input }) => ({ generation: input.generation }),
    invoke: [
      { id: 'connection', systemId: connectionSystemId(spec.id), src: 'connection', input: spec.connection },
      { id: 'io', src: 'io', input: ({ context }: { context: { generation: number } }) => ({ generation: context.generation }) },
    ],
    on,
  });
  // A snapshot saved before this actor had children (a plain callback actor then) holds
  // nothing to restore: start afresh rather than come back without a connection.
  const restore = machine.restoreSnapshot.bind(machine);
  machine.restoreSnapshot = (snapshot, scope) => {
    const saved = snapshot as { value?: unknown; input?: ChildInput };
    return saved.value !== undefined ? restore(snapshot, scope) : machine.getInitialSnapshot(scope, saved.input ?? { generation: 0 });
  };
  return machine;
}
