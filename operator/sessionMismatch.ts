/**
 * Whether a session's data and venue fit its deployment phase. Phase 3 (simulation) is
 * paper trading that counts as gate evidence only on live data; phases 4 and 5 (and 6
 * beside 5) trade a real account through a real DTC server on live data. A session that
 * shows "5 ownAccount" beside simulated data or the embedded paper server is a setup
 * mistake the operator must see at a glance (the inspector's banner).
 */

export interface SessionFacts {
  phase: { id: number; name: string };
  /** Provenance label: `simulated:seed=42`, `replay:<file>#<sha>`, `polygon`, `live`, ... */
  provenance: string;
  /** Venue label: `simulated (in-process paper venue)`, `dtc binary -> embedded paper server (127.0.0.1)`, `dtc json -> host:port`. */
  venue: string;
}

const isPaperVenue = (venue: string) => venue.startsWith('simulated') || venue.includes('embedded paper server');
const isLiveData = (provenance: string) => provenance === 'polygon' || provenance === 'live' || provenance.startsWith('polygon');

/** A sentence saying what disagrees with the phase, or null when the session fits it. */
export function phaseMismatch({ phase, provenance, venue }: SessionFacts): string | null {
  const problems: string[] = [];
  const dataKind = provenance.split(':')[0];
  if (phase.id >= 3 && !isLiveData(provenance)) problems.push(`${dataKind} data (${provenance})`);
  if (phase.id >= 4 && isPaperVenue(venue)) problems.push(`a paper venue (${venue})`);
  if (problems.length === 0) return null;
  const expects = phase.id >= 4 ? 'live data and a real DTC account' : 'live data (paper trading is evidence only on live data)';
  return `phase ${phase.id} ${phase.name} expects ${expects}, but this session runs on ${problems.join(' and ')}`;
}
