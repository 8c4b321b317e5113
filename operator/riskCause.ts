/**
 * The risk state in words, with its cause: `limited (3 consecutive losses)`, `killed by
 * risk: daily loss limit ...`. Summaries and status lines print it so that an operator
 * need not open the log to learn why trading stopped.
 */
import { riskStatus, type LimitReason, type RiskSnapshot } from '../machines/risk.ts';

type RiskView = Pick<RiskSnapshot, 'value' | 'context'>;

function reasonText(reason: LimitReason, ctx: RiskView['context']): string {
  switch (reason) {
    case 'consecutive-losses':
      return `${ctx.consecutiveLosses} consecutive losses, limit ${ctx.limits.maxConsecutiveLosses}`;
    case 'rejects':
      return `${ctx.rejectStreak} rejects in a row, limit ${ctx.limits.rejectsToLimited}`;
    case 'operator-pause':
      return 'operator pause (mia resume lifts it)';
    case 'stale-data':
      return 'market data stale';
    case 'venue-down':
      return 'venue disconnected';
    default:
      return reason.startsWith('supervisor:') ? `${reason.slice('supervisor:'.length)} restarted too often (supervisor)` : reason;
  }
}

/** `normal`, `reconciling`, `limited (<cause>; <cause>)` or `killed by <who>: <why>`. */
export function describeRisk(risk: RiskView): string {
  const status = riskStatus(risk);
  const ctx = risk.context;
  if (status === 'killed') return `killed by ${ctx.killedBy ?? 'unknown'}: ${ctx.killReason ?? 'no reason recorded'}`;
  if (status === 'limited' && ctx.reasons.length > 0) return `limited (${ctx.reasons.map((r) => reasonText(r, ctx)).join('; ')})`;
  return status;
}
