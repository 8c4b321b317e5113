/** Human-readable session summary for the terminal. */
import type { SessionSummary } from '../session/session.ts';
import type { StreamsCoverage } from './replayInputs.ts';

const money = (n: number) => `${n < 0 ? '-' : ''}$${Math.abs(n).toFixed(2)}`;

/** What `mia run` prints: the session's summary and the risk state's cause in words. */
export type RunSummary = SessionSummary & {
  riskCause?: string;
  featureAvailability?: Record<string, number>;
  /** Milliseconds from the process start to the first bar reaching the session (a start-up figure, issue 16). */
  firstBarMs?: number | null;
  /** With --chains, --vix or --stream beside a replay: what each covers of its bars (as mia backtest's `streams`). */
  streams?: StreamsCoverage;
};

/** `4 of 11 had data (none: gammaLevels, ...)`: what the confluence score could use. */
function featuresLine(shares: Record<string, number>): string {
  const all = Object.entries(shares);
  const none = all.filter(([, v]) => v === 0).map(([k]) => k);
  return `${all.length - none.length} of ${all.length} had data${none.length > 0 ? ` (none: ${none.join(', ')})` : ''}`;
}

export function formatSummary(s: RunSummary): string {
  const lines = [
    `MIA session ${s.sessionId}${s.restored ? ' (state restored from a previous run)' : ''}`,
    `  data        ${s.provenance}  ${s.from ?? '-'} -> ${s.to ?? '-'}`,
    `  venue       ${s.venue}`,
    `  bars        ${s.bars}`,
    `  signals     ${s.signals.long} long, ${s.signals.short} short`,
    `  orders      ${s.orders} sent, ${s.riskRefusals} refused by risk, ${s.rejects} rejected by the venue`,
    `  fills       ${s.fills}   trades ${s.trades}`,
    `  P&L         ${money(s.pnl)} (realised, after commissions)`,
    `  position    ${s.openPosition === 0 ? 'flat' : `${s.openPosition} contracts STILL OPEN`}`,
    `  risk        ${s.riskCause ?? s.riskState}`,
    `  phase       ${s.phase.id} ${s.phase.name}`,
  ];
  if (s.featureAvailability && Object.keys(s.featureAvailability).length > 0) lines.push(`  features    ${featuresLine(s.featureAvailability)}`);
  if (s.persistenceErrors > 0) lines.push(`  WARNING     ${s.persistenceErrors} state writes failed: see the log`);
  if (s.provenance.startsWith('simulated')) lines.push('  note        simulated market data: this session is not evidence for any phase gate');
  return lines.join('\n');
}
