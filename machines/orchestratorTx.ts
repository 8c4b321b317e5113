/**
 * One orchestrator transition as a transaction: logic reads and updates a draft of the
 * context and queues effects (sends, spawns, emits), then everything is applied in order
 * through XState's `enqueue` at the end. Two orders placed in one transition therefore
 * see each other (sequence numbers, working quantity) without re-reading child actors.
 */
import type { AnyActorRef, EventObject } from 'xstate';

/** An event with its payload (the `EventObject` of XState has only `type`). */
export type Message = EventObject & Record<string, unknown>;
import type { OrchestratorContext, OrchestratorEmitted } from './orchestrator.ts';

/** The subset of XState's `enqueue` that a transaction uses. */
export interface Enqueue {
  assign(values: Partial<OrchestratorContext>): void;
  sendTo(to: string, event: EventObject): void;
  emit(event: OrchestratorEmitted): void;
  spawnChild(src: string, options: { id: string; systemId?: string; input: unknown }): void;
  stopChild(id: string): void;
  raise(event: EventObject, options: { delay: string }): void;
}

type Effect = (enqueue: Enqueue) => void;

export class Tx {
  /** The draft: replace fields immutably (`tx.ctx = { ...tx.ctx, x }`). */
  ctx: OrchestratorContext;
  private readonly effects: Effect[] = [];
  /** Children spawned or stopped by this transaction's own effects, to answer `has`. */
  private readonly spawned = new Set<string>();
  private readonly stopped = new Set<string>();

  constructor(
    ctx: OrchestratorContext,
    /** The orchestrator itself, to look up children that existed before this transition. */
    readonly self: AnyActorRef,
  ) {
    this.ctx = ctx;
  }

  update(values: Partial<OrchestratorContext>): void {
    this.ctx = { ...this.ctx, ...values };
  }

  /**
   * Sends to a child. A send to an id that does not exist would put the orchestrator itself
   * in error (XState), so a child that is down (backoff, escalated) gets nothing: the drop
   * is audited instead.
   */
  send(to: string, event: Message): void {
    if (!this.has(to)) {
      this.emit({ type: 'audit', who: 'orchestrator', action: 'send-dropped', detail: `${event.type} for ${to}: no such child`, time: this.ctx.lastTime });
      return;
    }
    this.effects.push((q) => q.sendTo(to, event));
  }

  emit(event: OrchestratorEmitted): void {
    this.effects.push((q) => q.emit(event));
  }

  spawn(src: string, id: string, input: unknown, systemId?: string): void {
    this.spawned.add(id);
    this.stopped.delete(id);
    this.effects.push((q) => q.spawnChild(src, { id, input, ...(systemId ? { systemId } : {}) }));
  }

  stop(id: string): void {
    this.stopped.add(id);
    this.spawned.delete(id);
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
    return !this.stopped.has(id) && (this.spawned.has(id) || this.child(id) !== undefined);
  }

  /** Applies the draft, then the effects, in the order they were queued. */
  commit(enqueue: Enqueue, original: OrchestratorContext): void {
    if (this.ctx !== original) enqueue.assign(this.ctx);
    for (const effect of this.effects) effect(enqueue);
  }
}
