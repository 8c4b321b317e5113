/**
 * Supervision of the orchestrator's I/O children (market data, scoring, execution).
 * XState leaves restarts to us (ARCHITECTURE.md): on a child error the orchestrator
 * stops it, waits a backoff, and spawns it again with the same id and a new generation.
 * Failures are counted in a sliding window (each one decays after `windowMs`); past
 * `maxRestarts` in the window the failure escalates to risk instead of looping:
 * losing the venue kills trading, losing data or scoring makes it reduce-only.
 */
import { errorMessage, failureCodeOf, type FailureCode } from '../core/errors.ts';
import { SUPERVISED_CHILDREN, type SupervisedChild } from './orchestratorEvents.ts';
import type { Tx } from './orchestratorTx.ts';

export interface SupervisionRecord {
  generation: number;
  recentFailures: number;
  totalFailures: number;
  escalated: boolean;
  lastError: string | null;
  /** The typed reason of the last failure (absent in snapshots saved before codes existed). */
  lastCode?: FailureCode | null;
}

/**
 * Failures a restart cannot fix: the peer refused us for good. Restarting would only knock
 * on the same door again, so they escalate at once and an operator must act.
 */
export const PERMANENT_FAILURES: ReadonlySet<FailureCode> = new Set(['LOGON_REFUSED', 'PROTOCOL_UNSUPPORTED', 'LOGGED_OFF']);

export const initialSupervision = (): Record<SupervisedChild, SupervisionRecord> =>
  Object.fromEntries(
    SUPERVISED_CHILDREN.map((c) => [c, { generation: 0, recentFailures: 0, totalFailures: 0, escalated: false, lastError: null, lastCode: null }]),
  ) as Record<SupervisedChild, SupervisionRecord>;

/** The supervised child an error event is about, or null for anything else. */
export function failedChild(event: { type: string; child?: unknown }): SupervisedChild | null {
  const id = event.type === 'CHILD.FAILED' ? String(event.child) : event.type.startsWith('xstate.error.actor.') ? event.type.slice(19) : null;
  return id !== null && (SUPERVISED_CHILDREN as readonly string[]).includes(id) ? (id as SupervisedChild) : null;
}

/**
 * A child failed (`code` from its CHILD.FAILED; an error thrown out of a child is INTERNAL
 * unless it is a MiaError that says otherwise): restart it after a backoff, or escalate.
 */
export function onChildFailure(tx: Tx, child: SupervisedChild, error: unknown, code: FailureCode = failureCodeOf(error)): void {
  const rec = tx.ctx.supervision[child];
  const recentFailures = rec.recentFailures + 1;
  const escalate = recentFailures > tx.ctx.settings.supervision.maxRestarts || PERMANENT_FAILURES.has(code);
  const message = errorMessage(error);
  tx.update({
    supervision: {
      ...tx.ctx.supervision,
      [child]: { ...rec, recentFailures, totalFailures: rec.totalFailures + 1, escalated: rec.escalated || escalate, lastError: message, lastCode: code },
    },
  });
  if (tx.child(child)) tx.stop(child);
  tx.emit({ type: 'audit', who: 'supervisor', action: escalate ? 'escalate' : 'restart', detail: `${child}: ${message} (${code})`, time: tx.ctx.lastTime });
  tx.raise({ type: 'SUPERVISION.DECAY', child }, 'supervisionWindow');
  if (escalate) {
    tx.send('risk', {
      type: 'SUPERVISOR_ESCALATE',
      time: tx.ctx.lastTime,
      level: child === 'execution' ? 'killed' : 'limited',
      reason: child,
    });
    return;
  }
  tx.raise({ type: 'SUPERVISION.RESTART', child }, 'restartBackoff');
}

export function restartChild(tx: Tx, child: SupervisedChild): void {
  const rec = tx.ctx.supervision[child];
  const generation = rec.generation + 1;
  tx.update({ supervision: { ...tx.ctx.supervision, [child]: { ...rec, generation } } });
  tx.spawn(child, child, { generation }, child);
  // A new execution actor knows nothing yet: trade nothing until it has reconciled.
  if (child === 'execution') tx.send('risk', { type: 'RECONCILE_START', time: tx.ctx.lastTime });
}

export function decayFailure(tx: Tx, child: SupervisedChild): void {
  const rec = tx.ctx.supervision[child];
  tx.update({ supervision: { ...tx.ctx.supervision, [child]: { ...rec, recentFailures: Math.max(0, rec.recentFailures - 1) } } });
}
