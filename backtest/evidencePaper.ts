/**
 * A paper session's journal as evidence for `simulation->propFirm` (DOMAIN.md: >= 3
 * months of paper trading with return, win rate, profit factor and monthly stability).
 *
 * Metrics come from the journal's closed trades through computeMetrics (the one metrics
 * module), over the period the sessions covered: from the earliest session start (or
 * trade entry) to the latest session end (or trade exit), as CME trading days. Times are
 * the sessions' event times (a replay's are the replayed data's). `months` is left to the
 * gate, which reads it from that period. Provenance is the sessions' market data, as each
 * session labelled it: a simulated session makes the evidence fail its gate, and a home
 * whose logs name no data gives empty provenance, which fails too (unknown source).
 */
import type { StoredEvidence } from '../adapters/store/evidenceStore.ts';
import type { Trade } from '../core/types.ts';
import { tradingDay } from '../core/tradingDay.ts';
import { computeMetrics, gateMetrics } from './metrics.ts';
import { distinctProvenance, provenanceFromLabel } from './evidenceProvenance.ts';
import { MiaError, type MiaErrorOptions } from '../core/errors.ts';

/** One run of `mia run` on the home, as its log says (label and ISO times, null when unknown). */
export interface PaperSession {
  sessionId: string;
  provenance: string | null;
  from: string | null;
  to: string | null;
}

export interface PaperEvidenceInput {
  trades: readonly Trade[];
  sessions: readonly PaperSession[];
  /** The configuration's starting equity, dollars (returns are fractions of it). */
  startingEquity: number;
  /** ISO time from the caller's clock. */
  producedAt: string;
}

export class PaperEvidenceError extends MiaError<'PAPER_EVIDENCE_MISSING'> {
  override readonly name = 'PaperEvidenceError';
  constructor(message: string, options?: MiaErrorOptions) {
    super('PAPER_EVIDENCE_MISSING', message, options);
  }
}

/** The journal's evidence for `simulation->propFirm`; see the module comment. */
export function paperEvidence({ trades, sessions, startingEquity, producedAt }: PaperEvidenceInput): StoredEvidence {
  const times: number[] = [];
  for (const s of sessions) for (const t of [s.from, s.to]) if (t !== null) times.push(Date.parse(t));
  for (const t of trades) times.push(t.entryTime, t.exitTime);
  const finite = times.filter(Number.isFinite);
  if (finite.length === 0) throw new PaperEvidenceError('no paper session and no trade found: nothing to judge');
  const period = { from: tradingDay(Math.min(...finite)), to: tradingDay(Math.max(...finite)) };
  const performance = computeMetrics({ trades, startingEquity, period });
  const labels = sessions.map((s) => s.provenance).filter((p): p is string => p !== null);
  return {
    transition: 'simulation->propFirm',
    evidence: {
      metrics: gateMetrics(performance),
      provenance: distinctProvenance(labels.map(provenanceFromLabel)),
      period,
      producedAt,
      source: 'paper-journal',
    },
    detail: {
      sessions: [...new Set(sessions.map((s) => s.sessionId))],
      data: [...new Set(labels)],
      trades: performance.trades,
      netProfit: performance.netProfit,
      ...(labels.length === 0 ? { warning: 'the logs name no market data for these sessions: provenance unknown' } : {}),
    },
  };
}
