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
  /** Data (event) times of the first and last bar. */
  from: string | null;
  to: string | null;
  /** Wall-clock start (on a start line) and end (on an end line), ISO. */
  startedAt?: string | null;
  endedAt?: string | null;
  /** The account traded and its kind (on a start line). */
  account?: { id: string; kind: string | null };
}

/** Market data that is live (a replay or a simulation never counts as paper trading time). */
const LIVE_DATA = new Set(['polygon', 'live']);
/** An average calendar month, ms (365.25 / 12 days). */
const MONTH_MS = (365.25 / 12) * 86_400_000;

/** A live-data session on a paper account that ran from `startedAt` to `endedAt` (wall clock). */
export interface QualifyingSession {
  sessionId: string;
  startedAt: number;
  endedAt: number;
  from: number | null;
  to: number | null;
}

/**
 * Sessions that count toward paper months: a start line on live data and a paper account,
 * and its end line (same session id, after it). A session that never ended (crash) counts
 * nothing: its wall-clock length is unknown.
 */
export function qualifyingSessions(sessions: readonly PaperSession[]): QualifyingSession[] {
  const out: QualifyingSession[] = [];
  sessions.forEach((start, i) => {
    if (start.startedAt === undefined || start.startedAt === null) return;
    if (!start.provenance || !LIVE_DATA.has(start.provenance)) return;
    if (start.account?.kind !== 'paper') return;
    const end = sessions.slice(i + 1).find((e) => e.sessionId === start.sessionId && e.endedAt);
    if (!end) return;
    const startedAt = Date.parse(start.startedAt);
    const endedAt = Date.parse(end.endedAt!);
    if (!Number.isFinite(startedAt) || !Number.isFinite(endedAt) || endedAt <= startedAt) return;
    const t = (v: string | null) => (v === null ? null : Date.parse(v));
    out.push({ sessionId: start.sessionId, startedAt, endedAt, from: t(end.from), to: t(end.to) });
  });
  return out;
}

/** Wall-clock months across qualifying sessions (overlaps counted once). */
export function paperMonths(sessions: readonly QualifyingSession[]): number {
  const spans = [...sessions].sort((a, b) => a.startedAt - b.startedAt);
  let total = 0;
  let reach = -Infinity;
  for (const s of spans) {
    const from = Math.max(s.startedAt, reach);
    if (s.endedAt > from) total += s.endedAt - from;
    reach = Math.max(reach, s.endedAt);
  }
  return total / MONTH_MS;
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

/**
 * The data labels the evidence rests on: those of the sessions that count as paper time and
 * of every session whose bars hold one of the journal's trades. A session that left nothing
 * in this journal (the kill drill keeps its own state in memory) says nothing about it.
 */
function evidenceLabels(sessions: readonly PaperSession[], qualifying: readonly QualifyingSession[], trades: PaperEvidenceInput['trades']): string[] {
  const used = new Set(qualifying.map((q) => q.sessionId));
  for (const end of sessions) {
    if (end.from === null || end.to === null) continue;
    const [from, to] = [Date.parse(end.from), Date.parse(end.to)];
    if (trades.some((t) => t.entryTime >= from && t.entryTime <= to)) used.add(end.sessionId);
  }
  return sessions.filter((s) => used.has(s.sessionId) && s.provenance !== null).map((s) => s.provenance!);
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
  const qualifying = qualifyingSessions(sessions);
  const labels = evidenceLabels(sessions, qualifying, trades);
  return {
    transition: 'simulation->propFirm',
    evidence: {
      // paperMonths: wall-clock time on live data and a paper account; trades: the journal's closed trades.
      metrics: { ...gateMetrics(performance), paperMonths: Math.round(paperMonths(qualifying) * 10_000) / 10_000, trades: performance.trades },
      provenance: distinctProvenance(labels.map(provenanceFromLabel)),
      period,
      producedAt,
      source: 'paper-journal',
    },
    detail: {
      sessions: [...new Set(sessions.map((s) => s.sessionId))],
      liveDataPaperSessions: qualifying.map((q) => ({ sessionId: q.sessionId, startedAt: new Date(q.startedAt).toISOString(), endedAt: new Date(q.endedAt).toISOString() })),
      data: [...new Set(labels)],
      trades: performance.trades,
      netProfit: performance.netProfit,
      ...(labels.length === 0 ? { warning: 'the logs name no market data for these sessions: provenance unknown' } : {}),
    },
  };
}
