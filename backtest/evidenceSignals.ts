/**
 * The signal log (adapters/signals/signalLog.ts, hash-chained) as evidence for the signals
 * gate (phase 6): signal win rate over the logged signals' closed outcomes (phase 5 logs them
 * unpublished as the track record, phase 6 publishes them; void ones,
 * never traded, do not count) and their number. A log that does not verify is no evidence.
 */
import type { StoredEvidence } from '../adapters/store/evidenceStore.ts';
import type { SignalRecord } from '../adapters/signals/signalLog.ts';
import type { Provenance } from '../core/types.ts';
import { tradingDay } from '../core/tradingDay.ts';
import { PaperEvidenceError } from './evidencePaper.ts';

export function signalsEvidence(records: readonly SignalRecord[], provenance: Provenance[], producedAt: string): StoredEvidence {
  const outcomes = records.flatMap((r) => (r.kind === 'outcome' && r.outcome.result !== 'void' ? [r] : []));
  if (outcomes.length === 0) throw new PaperEvidenceError('the signal log holds no closed signal: nothing to judge');
  const wins = outcomes.filter((r) => r.kind === 'outcome' && r.outcome.result === 'win').length;
  const times = records.map((r) => r.time);
  return {
    transition: 'signals',
    evidence: {
      metrics: { signalWinRate: wins / outcomes.length, signals: outcomes.length },
      provenance,
      period: { from: tradingDay(Math.min(...times)), to: tradingDay(Math.max(...times)) },
      producedAt,
      source: 'signal-log',
    },
    detail: { head: records.at(-1)?.hash ?? null, records: records.length, wins },
  };
}
