/**
 * When a SIGNAL can only be refused or skipped: the orchestrator is trading, flat, with no
 * order working, and risk is not `normal`. Then `routing.onSignal` counts the signal, and
 * either skips the entry (blocked, sized to 0) or has `placeOrder` refused by the pre-trade
 * check (killed: only flatten orders; limited: reduce-only, and flat reduces nothing;
 * reconciling: nothing). Either way it only updates counters, the order sequence and
 * `lastTime` and journals the refusal: no send, no spawn, nothing another actor sees. So a
 * run of such signals, with no other event between them, gives the same context and the
 * same journal whether each takes its own step or all take one step (the SIGNALS event).
 * 107k signals refused while killed took ~14 KB and a full XState step each.
 */
import { riskStatus, type RiskSnapshot } from './risk.ts';
import type { OrchestratorSnapshot } from './orchestrator.ts';

export function signalOnlyCounts(snap: OrchestratorSnapshot): boolean {
  // Read off the value (this runs for every signal; `matches` on the parallel value costs more).
  const running = (snap.value as { running?: { session?: string; exit?: unknown } }).running;
  if (snap.status !== 'active' || running?.session !== 'trading' || running.exit !== 'idle') return false;
  const c = snap.context;
  if (c.book.qty !== 0) return false;
  for (const _ in c.live) return false;
  const risk = snap.children.risk?.getSnapshot() as RiskSnapshot | undefined;
  if (!risk) return true; // placeOrder refuses: 'risk machine unavailable'
  const status = riskStatus(risk);
  return status === 'killed' || status === 'limited' || status === 'reconciling';
}
