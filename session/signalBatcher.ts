/**
 * Delivers the SIGNAL events that can only be counted (machines/signalBatch.ts) in one
 * orchestrator step instead of one each. A signal is held only while the orchestrator is
 * idle and `signalOnlyCounts` holds; whatever else is about to reach the orchestrator (any
 * event, from any actor, timer or caller) first has the held signals delivered ahead of
 * it, and they are delivered at the latest at the end of the current event-loop turn. So
 * the orchestrator sees the same events in the same order, some of them grouped.
 *
 * "Whatever else" is caught at the orchestrator's `_send`, the one door every event of an
 * XState v5 actor goes through (actor.send, sendBack, sendTo, delayed events, onSnapshot).
 * It is internal to XState: when it is not there, nothing is ever held.
 */
import type { OrchestratorActor, OrchestratorEvent } from '../machines/orchestrator.ts';
import type { ChildEvent } from '../machines/orchestratorEvents.ts';
import { signalOnlyCounts } from '../machines/signalBatch.ts';

type SignalEvent = Extract<ChildEvent, { type: 'SIGNAL' }>;

interface ActorInternals {
  _send(event: OrchestratorEvent): void;
  mailbox?: { _current: unknown };
}

export class SignalBatcher {
  private held: { signal: SignalEvent['signal']; entryBlocked?: SignalEvent['entryBlocked'] }[] = [];
  private scheduled = false;
  private deliver: ((event: OrchestratorEvent) => void) | null = null;
  private internals: ActorInternals | null = null;
  /** SIGNAL events delivered inside a SIGNALS event so far. */
  batched = 0;

  /** Hooks the orchestrator's door; call once, before it starts. */
  attach(actor: OrchestratorActor): void {
    const internals = actor as unknown as ActorInternals;
    if (typeof internals._send !== 'function' || !internals.mailbox || !('_current' in internals.mailbox)) return;
    const send = internals._send.bind(actor);
    this.deliver = send;
    this.internals = internals;
    internals._send = (event: OrchestratorEvent) => {
      this.flush();
      send(event);
    };
    this.snapshot = () => actor.getSnapshot();
  }

  private snapshot: (() => ReturnType<OrchestratorActor['getSnapshot']>) | null = null;

  /** True when it holds `event` (the caller must not send it), false to send it now. */
  offer = (event: SignalEvent): boolean => {
    if (!this.deliver || !this.snapshot || this.internals!.mailbox!._current !== null) return false;
    if (!signalOnlyCounts(this.snapshot())) return false;
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
    if (this.held.length === 0 || !this.deliver) return;
    const signals = this.held;
    this.held = [];
    // A stopped orchestrator takes no event (signals are only held while it trades).
    if (this.snapshot?.().status !== 'active') return;
    this.batched += signals.length;
    this.deliver({ type: 'SIGNALS', signals });
  };
}
