/**
 * One orchestrator transition as a transaction: logic reads and updates a draft of the
 * context and queues effects (sends, spawns, emits), then everything is applied in order
 * through XState's `enqueue` at the end. Two orders placed in one transition therefore
 * see each other (sequence numbers, working quantity) without re-reading child actors.
 *
 * The order machine (order.ts) is the only truth about an order. Each order is stepped
 * once per event, as a pure function (orderStep.ts), and its state is kept in the routing
 * table (`live[id].state`): no actor per order recomputes the same steps. `order()`
 * answers with the state as of this point of the transaction; the table takes the new
 * states at commit.
 */
import { stateIn, type AnyActorRef, type EventObject } from 'xstate';
import type { OrderRequest } from '../core/types.ts';
import type { OrderAnomaly, OrderEvent, OrderSnapshot } from './order.ts';
import { initialOrderSnapshot, nextOrderSnapshot, orderSnapshotFrom, orderStateOf } from './orderStep.ts';

/** An event with its payload (the `EventObject` of XState has only `type`). */
export type Message = EventObject & Record<string, unknown>;
import type { OrchestratorContext, OrchestratorEmitted } from './orchestrator.ts';

/**
 * The id an order's actor had among the orchestrator's children (snapshots saved before
 * orders were stepped in place: `upgradeSnapshot`), and the id the inspector shows it under.
 */
export const orderActorId = (clientOrderId: string) => `order:${clientOrderId}`;

/** The subset of XState's `enqueue` that a transaction uses. */
export interface Enqueue {
  assign(values: Partial<OrchestratorContext>): void;
  sendTo(to: string, event: EventObject): void;
  emit(event: OrchestratorEmitted): void;
  spawnChild(src: string, options: { id: string; systemId?: string; input: unknown }): void;
  stopChild(id: string): void;
  raise(event: EventObject, options?: { delay: string }): void;
}

/** What the closing order waiting in the exit protocol is for: `flatten` outranks `exit`. */
export type ExitPurpose = 'exit' | 'flatten';

/** The session region's states. */
export type SessionState = 'trading' | 'stopping' | 'flattening' | 'ended';

/**
 * XState's `check` of an enqueueActions action: evaluates a guard against the state being
 * taken. With `stateIn`, it reads the orchestrator's regions as of this microstep.
 */
export type Check = (guard: never) => boolean;

const inState = (id: string) => stateIn(id) as never;
const IN = {
  exit: inState('#orchestrator.running.exit.pending.exit'),
  flatten: inState('#orchestrator.running.exit.pending.flatten'),
  killHandled: inState('#orchestrator.running.kill.handled'),
  session: {
    trading: inState('#orchestrator.running.session.trading'),
    stopping: inState('#orchestrator.running.session.stopping'),
    flattening: inState('#orchestrator.running.session.flattening'),
    ended: inState('#orchestrator.running.session.ended'),
  } satisfies Record<SessionState, never>,
};

/**
 * The events a transaction raises to move the protocol regions, processed in the same
 * macrostep (before any other event reaches the orchestrator). Internal: nothing else sends them.
 */
export type ProtocolEvent =
  | { type: 'EXIT.PENDING'; purpose: ExitPurpose }
  | { type: 'EXIT.DONE' }
  | { type: 'KILL.HANDLED' }
  | { type: 'KILL.CLEARED' };

type Effect = (enqueue: Enqueue) => void;

export class Tx {
  /**
   * The draft, changed only through `update`: a copy of the context made at the first
   * update, whose top-level fields are then replaced in place (the values themselves stay
   * immutable: a caller holding `tx.ctx.book` keeps the book it read). Re-read `tx.ctx`
   * after an `update` rather than keep it: a context held from before the first update is
   * the transition's start, not the draft.
   */
  ctx: OrchestratorContext;
  private readonly effects: Effect[] = [];
  /** Children spawned or stopped by this transaction's own effects, to answer `has`. */
  private spawned: Set<string> | null = null;
  private stopped: Set<string> | null = null;
  /** Orders stepped by this transaction, as of this point, by ClientOrderID (the table takes them at commit). */
  private readonly orders = new Map<string, OrderSnapshot>();
  /** Anomalies the order machines recorded during this transaction (for risk). */
  readonly anomalies: Array<OrderAnomaly & { clientOrderId: string }> = [];

  /** The protocol states as of this point of the transaction (undefined: not read yet). */
  private exitDraft: ExitPurpose | null | undefined;
  private exitAtStart: ExitPurpose | null | undefined;
  private killDraft: boolean | undefined;
  private killAtStart: boolean | undefined;

  /** Children this transaction has sent something to (a held mark is only held when risk has nothing on its way). */
  private sentTo: Set<string> | null = null;

  constructor(
    /** The context as the transition found it. */
    readonly atStart: OrchestratorContext,
    /** The orchestrator itself, to look up children that existed before this transition. */
    readonly self: AnyActorRef,
    /** Reads the protocol regions as of this microstep (lazily: most transitions never look). */
    private readonly check: Check,
  ) {
    this.ctx = atStart;
  }

  private exitInState(): ExitPurpose | null {
    return this.check(IN.flatten) ? 'flatten' : this.check(IN.exit) ? 'exit' : null;
  }

  /** The session region is in `state` (as of this microstep). */
  inSession(state: SessionState): boolean {
    return this.check(IN.session[state]);
  }

  /** The closing order the exit protocol waits to send (running.exit.pending), or null (running.exit.idle). */
  get pendingExit(): ExitPurpose | null {
    if (this.exitDraft === undefined) this.exitDraft = this.exitAtStart = this.exitInState();
    return this.exitDraft;
  }

  /** Moves the exit protocol; the region follows at commit. */
  setPendingExit(purpose: ExitPurpose | null): void {
    if (this.exitAtStart === undefined) this.exitAtStart = this.exitInState();
    this.exitDraft = purpose;
  }

  /** The current kill was acted upon (running.kill.handled). */
  get killHandled(): boolean {
    if (this.killDraft === undefined) this.killDraft = this.killAtStart = this.check(IN.killHandled);
    return this.killDraft;
  }

  setKillHandled(handled: boolean): void {
    if (this.killAtStart === undefined) this.killAtStart = this.check(IN.killHandled);
    this.killDraft = handled;
  }

  update(values: Partial<OrchestratorContext>): void {
    if (this.ctx === this.atStart) this.ctx = { ...this.atStart, ...values };
    else Object.assign(this.ctx, values);
  }

  /** Sends risk the mark it was spared, if any (cleared first: the send below cannot come back here). */
  flushEquity(): void {
    const held = this.ctx.pendingEquity;
    if (!held) return;
    this.update({ pendingEquity: null });
    this.send('risk', { type: 'EQUITY', ...held });
  }

  /**
   * Sends to a child. A send to an id that does not exist would put the orchestrator itself
   * in error (XState), so a child that is down (backoff, escalated) gets nothing: the drop
   * is audited instead.
   */
  send(to: string, event: Message): void {
    // Risk takes the mark it was spared (riskMarks.ts) before anything else it is told.
    if (to === 'risk') this.flushEquity();
    (this.sentTo ??= new Set()).add(to);
    if (!this.has(to)) {
      this.emit({ type: 'audit', who: 'orchestrator', action: 'send-dropped', detail: `${event.type} for ${to}: no such child`, time: this.ctx.lastTime });
      return;
    }
    this.effects.push((q) => q.sendTo(to, event));
  }

  /** This transaction sent something to `to` already (delivered at commit). */
  hasSent(to: string): boolean {
    return this.sentTo?.has(to) ?? false;
  }

  emit(event: OrchestratorEmitted): void {
    this.effects.push((q) => q.emit(event));
  }

  spawn(src: string, id: string, input: unknown, systemId?: string): void {
    (this.spawned ??= new Set()).add(id);
    this.stopped?.delete(id);
    this.effects.push((q) => q.spawnChild(src, { id, input, ...(systemId ? { systemId } : {}) }));
  }

  stop(id: string): void {
    (this.stopped ??= new Set()).add(id);
    this.spawned?.delete(id);
    this.effects.push((q) => q.stopChild(id));
  }

  raise(event: Message, delay: string): void {
    this.effects.push((q) => q.raise(event, { delay }));
  }

  /** A child that existed when the transition started (never sendTo an unknown id). */
  child(id: string): AnyActorRef | undefined {
    // `children` is absent when the graph tools run transitions with a stand-in `self`.
    return (this.self.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children?.[id];
  }

  /** The child exists at this point of the transaction: it existed before or was spawned since, and was not stopped. */
  has(id: string): boolean {
    return !this.stopped?.has(id) && (this.spawned?.has(id) === true || this.child(id) !== undefined);
  }

  /**
   * The order's snapshot as of now: the table's, advanced by the events this transaction
   * sent it. Undefined for an order this orchestrator does not hold.
   */
  order(clientOrderId: string): OrderSnapshot | undefined {
    const cached = this.orders.get(clientOrderId);
    if (cached) return cached;
    const live = this.ctx.live[clientOrderId];
    if (!live) return undefined;
    if (live.state) return orderSnapshotFrom(live.state);
    // A table entry without its state (contexts written by hand for the graph tools): the order as it was sent.
    return nextOrderSnapshot(initialOrderSnapshot(live.request), { type: 'SUBMIT', time: live.request.createdAt });
  }

  /** Starts the order's machine (one per order, keyed by its ClientOrderID); the caller enters it in the table. */
  spawnOrder(request: OrderRequest): void {
    this.orders.set(request.clientOrderId, initialOrderSnapshot(request));
  }

  /** Steps the order's machine with `event`, once; what it changes is visible to `order()` at once. */
  sendOrder(clientOrderId: string, event: OrderEvent): OrderSnapshot | undefined {
    const current = this.order(clientOrderId);
    if (!current) return undefined;
    const next = nextOrderSnapshot(current, event);
    this.orders.set(clientOrderId, next);
    const found = next.context.anomalies;
    for (let i = current.context.anomalies.length; i < found.length; i++) this.anomalies.push({ ...found[i]!, clientOrderId });
    return next;
  }

  /** The table takes the states of the orders this transaction stepped (retired ones have left it). */
  private settleOrders(): void {
    if (this.orders.size === 0) return;
    let live: OrchestratorContext['live'] | null = null;
    for (const [clientOrderId, snapshot] of this.orders) {
      const entry = (live ?? this.ctx.live)[clientOrderId];
      if (!entry || (entry.state && orderSnapshotFrom(entry.state) === snapshot)) continue;
      live ??= { ...this.ctx.live };
      live[clientOrderId] = { request: entry.request, state: orderStateOf(snapshot) };
    }
    if (live) this.update({ live });
  }

  /** Applies the draft, then the effects, in the order they were queued. */
  commit(enqueue: Enqueue, original: OrchestratorContext): void {
    this.settleOrders();
    // Only the fields that changed: XState copies every field it is given into the new context.
    if (this.ctx !== original) {
      const changed: Partial<Record<keyof OrchestratorContext, unknown>> = {};
      let any = false;
      for (const key in this.ctx) {
        const k = key as keyof OrchestratorContext;
        if (this.ctx[k] !== original[k]) {
          changed[k] = this.ctx[k];
          any = true;
        }
      }
      if (any) enqueue.assign(changed as Partial<OrchestratorContext>);
    }
    for (const effect of this.effects) effect(enqueue);
    // The protocol regions take what this transaction left (only a change raises an event).
    if (this.exitDraft !== undefined && this.exitDraft !== this.exitAtStart) {
      const event: ProtocolEvent = this.exitDraft === null ? { type: 'EXIT.DONE' } : { type: 'EXIT.PENDING', purpose: this.exitDraft };
      enqueue.raise(event);
    }
    if (this.killDraft !== undefined && this.killDraft !== this.killAtStart) {
      const event: ProtocolEvent = { type: this.killDraft ? 'KILL.HANDLED' : 'KILL.CLEARED' };
      enqueue.raise(event);
    }
  }
}
