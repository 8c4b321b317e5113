/**
 * Delivers the SIGNAL events that can only be counted (machines/signalBatch.ts) in one
 * orchestrator step instead of one each. A signal is held only while the orchestrator is
 * idle and `signalOnlyCounts` holds; whatever else is about to reach the orchestrator (any
 * event, from any actor, timer or caller) first has the held signals delivered ahead of
 * it, and they are delivered at the latest at the end of the current event-loop turn. So
 * the orchestrator sees the same events in the same order, some of them grouped.
 *
 * Both are seen through XState's public inspection API (`actor.system.inspect`):
 * - "whatever else": an `@xstate.event` for the orchestrator is reported before the event
 *   enters its mailbox, for every way an event reaches an actor (actor.send, sendBack,
 *   sendTo, delayed events, onSnapshot, done and error events). The held signals are
 *   delivered right there, so they enter the mailbox first;
 * - "idle": every event the orchestrator takes (its `@xstate.event`) ends with one
 *   `@xstate.snapshot` of it once processed; none outstanding means its mailbox is empty
 *   and it is not in a step (its snapshot is current).
 *
 * Inspection costs on every action of every actor, so it is on only while signals can be
 * held at all: while risk is not `normal` (a cheap look at each orchestrator snapshot,
 * through `actor.subscribe`). Turned on in the middle of a step, the count of outstanding
 * events starts unknown; at the next turn of the event loop the orchestrator is idle (its
 * steps are synchronous), so from then on the count is exact. Until then nothing is held:
 * holding or not never changes what the orchestrator ends with, only how many steps it takes.
 */
import type { InspectionEvent, Subscription } from 'xstate';
import type { OrchestratorActor } from '../machines/orchestrator.ts';
import type { ChildEvent } from '../machines/orchestratorEvents.ts';
import { signalOnlyCounts } from '../machines/signalBatch.ts';

type SignalEvent = Extract<ChildEvent, { type: 'SIGNAL' }>;

export class SignalBatcher {
  private held: { signal: SignalEvent['signal']; entryBlocked?: SignalEvent['entryBlocked'] }[] = [];
  private scheduled = false;
  private actor: OrchestratorActor | null = null;
  /** Events reported for the orchestrator and not processed yet; exact once `counting`. */
  private outstanding = 0;
  private counting = false;
  /** The inspection observer while it is on. */
  private inspection: Subscription | null = null;
  /** SIGNAL events delivered inside a SIGNALS event so far. */
  batched = 0;

  /** Watches the orchestrator; call once, before it starts (nothing is outstanding yet). */
  attach(actor: OrchestratorActor): void {
    this.actor = actor;
    this.inspect(true);
    this.counting = true;
    actor.subscribe({ next: this.onSnapshot, error: () => undefined });
  }

  /** Signals can be held only while risk is not normal: inspection is on then, off otherwise. */
  private readonly onSnapshot = (snap: ReturnType<OrchestratorActor['getSnapshot']>): void => {
    const wanted = snap.status === 'active' && snap.context.riskState !== 'normal';
    if (wanted && !this.inspection) {
      this.inspect(true);
      this.counting = false;
      this.outstanding = 0;
      setImmediate(this.startCounting);
    } else if (!wanted && this.inspection && this.held.length === 0) {
      this.inspect(false);
    }
  };

  private inspect(on: boolean): void {
    if (on) this.inspection ??= this.actor!.system.inspect(this.observe);
    else {
      this.inspection?.unsubscribe();
      this.inspection = null;
      this.counting = false;
    }
  }

  /** At a turn of the event loop the orchestrator is idle: nothing outstanding. */
  private readonly startCounting = (): void => {
    if (!this.inspection) return;
    this.outstanding = 0;
    this.counting = true;
  };

  private readonly observe = (e: InspectionEvent): void => {
    if (e.actorRef !== this.actor) return;
    if (e.type === '@xstate.event') {
      // Another event is on its way in: what is held goes first (a no-op for our own SIGNALS, held is empty then).
      if (this.held.length > 0) this.flush();
      this.outstanding++;
    } else if (e.type === '@xstate.snapshot') {
      // xstate.stop enters the mailbox without an @xstate.event.
      if (this.outstanding > 0) this.outstanding--;
    }
  };

  /** True when it holds `event` (the caller must not send it), false to send it now. */
  offer = (event: SignalEvent): boolean => {
    const actor = this.actor;
    if (!actor || !this.counting || this.outstanding !== 0) return false;
    if (!signalOnlyCounts(actor.getSnapshot())) return false;
    this.held.push(event.entryBlocked ? { signal: event.signal, entryBlocked: event.entryBlocked } : { signal: event.signal });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    return true;
  };

  /** Delivers what is held (one SIGNALS event). */
  flush = (): void => {
    this.scheduled = false;
    if (this.held.length === 0 || !this.actor) return;
    const signals = this.held;
    this.held = [];
    // A stopped orchestrator takes no event (signals are only held while it trades).
    if (this.actor.getSnapshot().status !== 'active') return;
    this.batched += signals.length;
    this.actor.send({ type: 'SIGNALS', signals });
  };
}
