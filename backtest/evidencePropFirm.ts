/**
 * The prop-firm account's own record as evidence for `propFirm->ownAccount` (DOMAIN.md:
 * monthly return > 3%, win rate > 55%, zero risk-limit breaches; issue 14: >= 20 trading
 * days). Only sessions whose log names a `propFirm` account count; their closed trades
 * (by entry time inside a session's bars) make the metrics, and every kill by risk inside
 * those sessions is a breach: a breach is evidence against promotion.
 */
import type { StoredEvidence } from '../adapters/store/evidenceStore.ts';
import type { Trade } from '../core/types.ts';
import { tradingDay } from '../core/tradingDay.ts';
import { computeMetrics, gateMetrics } from './metrics.ts';
import { distinctProvenance, provenanceFromLabel } from './evidenceProvenance.ts';
import { PaperEvidenceError, type PaperSession } from './evidencePaper.ts';

/** A risk kill as the audit trail holds it (`who: risk`, `risk-state`, `... -> killed`), event time ms. */
export interface RiskBreach {
  time: number;
  detail: string;
}

export interface PropFirmEvidenceInput {
  trades: readonly Trade[];
  sessions: readonly PaperSession[];
  breaches: readonly RiskBreach[];
  startingEquity: number;
  producedAt: string;
}

/** [from, to] data-time windows of the sessions that traded a prop-firm account. */
function propFirmWindows(sessions: readonly PaperSession[]): Array<{ id: string; account: string; from: number; to: number; label: string | null }> {
  const out: Array<{ id: string; account: string; from: number; to: number; label: string | null }> = [];
  sessions.forEach((start, i) => {
    if (start.account?.kind !== 'propFirm') return;
    const end = sessions.slice(i + 1).find((e) => e.sessionId === start.sessionId && e.from !== null && e.to !== null);
    if (!end) return;
    out.push({ id: start.sessionId, account: start.account.id, from: Date.parse(end.from!), to: Date.parse(end.to!), label: start.provenance });
  });
  return out;
}

export function propFirmEvidence({ trades, sessions, breaches, startingEquity, producedAt }: PropFirmEvidenceInput): StoredEvidence {
  const windows = propFirmWindows(sessions);
  if (windows.length === 0) throw new PaperEvidenceError('no session on a propFirm account found in the logs: nothing to judge');
  const inside = (t: number) => windows.some((w) => t >= w.from && t <= w.to);
  const own = trades.filter((t) => inside(t.entryTime));
  const from = Math.min(...windows.map((w) => w.from));
  const to = Math.max(...windows.map((w) => w.to));
  const period = { from: tradingDay(from), to: tradingDay(to) };
  const performance = computeMetrics({ trades: own, startingEquity, period });
  const kills = breaches.filter((b) => inside(b.time));
  const labels = windows.map((w) => w.label).filter((l): l is string => l !== null);
  return {
    transition: 'propFirm->ownAccount',
    evidence: {
      metrics: { ...gateMetrics(performance), riskBreaches: kills.length, tradingDays: new Set(own.map((t) => tradingDay(t.entryTime))).size, trades: own.length },
      provenance: distinctProvenance(labels.map(provenanceFromLabel)),
      period,
      producedAt,
      source: 'prop-firm-journal',
    },
    detail: {
      accounts: [...new Set(windows.map((w) => w.account))],
      sessions: windows.map((w) => w.id),
      breaches: kills.map((k) => ({ time: new Date(k.time).toISOString(), detail: k.detail })),
      netProfit: performance.netProfit,
    },
  };
}
