/**
 * Equity marks that risk only needs to hear about later. A position open through a backtest
 * brings a mark on every bar, and each one took three XState steps (the orchestrator's,
 * risk's, and risk's snapshot back to the orchestrator) to move two numbers, `equity` and
 * `openPnl`. A mark that would change nothing else (same trading day, no new equity peak
 * or high-water mark, no breach, the same reasons and log) is held in the orchestrator's
 * context instead (`pendingEquity`, the latest one replacing the one before), and goes to
 * risk ahead of whatever is sent to risk next (orchestratorTx.ts `send`). Risk ends with the
 * same context and state, event for event of everything else, as if it had taken every
 * mark; whoever reads risk's equity in between reads it through `riskContextNow`.
 */
import type { OrchestratorSnapshot } from './orchestrator.ts';
import { applyRiskEvent, lossBreach, type RiskContext, type RiskSnapshot } from './risk.ts';

/** A mark held for risk (an EQUITY event's payload). */
export interface PendingEquity {
  time: number;
  equity: number;
  openPnl: number;
}

/**
 * True when the EQUITY event `mark` would only move `equity` and `openPnl` of this risk
 * snapshot: the status, the day, the peaks, the account rules' state, the reasons and the
 * log all stay as they are. Anything else (or any doubt) sends it at once.
 */
export function markOnlyMoves(risk: Pick<RiskSnapshot, 'context'>, mark: PendingEquity): boolean {
  const ctx = risk.context;
  if (ctx.day === null) return false;
  const next = applyRiskEvent(ctx, { type: 'EQUITY', ...mark });
  if (next.day !== ctx.day || next.peakEquity !== ctx.peakEquity || next.reasons !== ctx.reasons || next.log !== ctx.log) return false;
  const before = ctx.account ?? null;
  const after = next.account ?? null;
  if (before !== after && (before === null || after === null || after.highWater !== before.highWater)) return false;
  // A breach kills (active) and is recorded; killed, it changes nothing, but one rule is simpler.
  return lossBreach(next) === null;
}

/**
 * True when ORDER_ACCEPTED would leave risk exactly as it is: no reject streak to reset,
 * no `rejects` reason to drop, the same trading day. Its only handler records facts (no
 * state of its own), so risk need not take the step, nor the orchestrator the snapshot
 * risk would send back.
 */
export function acceptChangesNothing(risk: Pick<RiskSnapshot, 'context'>, time: number): boolean {
  const ctx = risk.context;
  if (ctx.day === null || ctx.rejectStreak !== 0) return false;
  const next = applyRiskEvent(ctx, { type: 'ORDER_ACCEPTED', time });
  return next.day === ctx.day && next.reasons === ctx.reasons && next.log === ctx.log && next.account === ctx.account && next.peakEquity === ctx.peakEquity && next.orderTimes === ctx.orderTimes && next.tradesToday === ctx.tradesToday && next.realizedPnlToday === ctx.realizedPnlToday;
}

/** Risk's context with the held mark applied (what the actor will hold once it has it). */
export function withPendingEquity(ctx: RiskContext, pending: PendingEquity | null | undefined): RiskContext {
  return pending ? applyRiskEvent(ctx, { type: 'EQUITY', ...pending }) : ctx;
}

/** Risk's context as of the orchestrator's snapshot, held mark included; undefined without a risk actor. */
export function riskContextNow(snapshot: OrchestratorSnapshot): RiskContext | undefined {
  const risk = snapshot.children.risk?.getSnapshot() as RiskSnapshot | undefined;
  return risk ? withPendingEquity(risk.context, snapshot.context.pendingEquity) : undefined;
}
