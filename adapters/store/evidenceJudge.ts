/**
 * What a gate is judged on, read from the home's evidence chain (evidenceStore.ts): the
 * chain must verify as a whole (any edited or hand-added record refuses every advance),
 * the data files the evidence names are hashed again where present (a difference
 * refuses), and the evidence must be admissible (config/evidenceAdmission.ts: producer,
 * configuration, ML training window). The setup gate merges its checklist from the latest
 * record of each producer (`mia dtc check`, `mia data check`, `mia kill --drill`, logs).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { admissionRefusals } from '../../config/evidenceAdmission.ts';
import { setupChecks, type Evidence, type GateTransition } from '../../config/gates.ts';
import type { Provenance } from '../../core/types.ts';
import { CorruptEvidenceError, verifyEvidence, type EvidenceEntry } from './evidenceStore.ts';

export interface GateEvidence {
  transition: GateTransition;
  /** What the gate judges (for setup, the merged checklist). */
  evidence: Evidence;
  /** The records it rests on (content hashes). */
  ids: string[];
  /** Why it must not pass whatever its numbers (empty: none). */
  refusals: string[];
  /** What could not be re-checked (a data file absent here), said but not refused. */
  notes: string[];
}

/** sha256 of a file, read in chunks (data files run to gigabytes). */
export function sha256OfFile(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Re-hashes every replay file the evidence names that is present; a difference is a refusal. */
export function dataFileRefusals(provenance: readonly Provenance[]): { refusals: string[]; notes: string[] } {
  const refusals: string[] = [];
  const notes: string[] = [];
  for (const p of provenance) {
    if (p.kind !== 'replay') continue;
    if (!existsSync(p.file)) {
      notes.push(`data file ${p.file} is not on this machine: its sha256 was not checked again`);
      continue;
    }
    const now = sha256OfFile(p.file);
    if (now !== p.sha256) refusals.push(`data file ${p.file} changed since the evidence was produced (sha256 ${p.sha256.slice(0, 12)}, now ${now.slice(0, 12)})`);
  }
  return { refusals, notes };
}

const byProducedAt = (a: EvidenceEntry, b: EvidenceEntry) => Date.parse(a.evidence.producedAt) - Date.parse(b.evidence.producedAt);

/** The setup checklist from the latest record that states each check. */
function mergeSetup(entries: EvidenceEntry[]): { evidence: Evidence; used: EvidenceEntry[] } | null {
  if (entries.length === 0) return null;
  const sorted = [...entries].sort(byProducedAt);
  const checks: NonNullable<Evidence['checks']> = {};
  const used = new Set<EvidenceEntry>();
  for (const name of setupChecks) {
    const latest = sorted.filter((e) => e.evidence.checks?.[name] !== undefined).at(-1);
    if (latest) {
      checks[name] = latest.evidence.checks![name]!;
      used.add(latest);
    }
  }
  const pieces = [...used].sort(byProducedAt);
  if (pieces.length === 0) return null;
  const provenance: Provenance[] = [];
  const seen = new Set<string>();
  for (const p of pieces.flatMap((e) => e.evidence.provenance)) {
    const key = JSON.stringify(p);
    if (!seen.has(key)) (seen.add(key), provenance.push(p));
  }
  const from = pieces.map((e) => e.evidence.period.from).sort()[0]!;
  const to = pieces.map((e) => e.evidence.period.to).sort().at(-1)!;
  return {
    evidence: { metrics: {}, provenance, period: { from, to }, checks, producedAt: pieces.at(-1)!.evidence.producedAt, source: pieces.map((e) => e.evidence.source).join('+') },
    used: pieces,
  };
}

/**
 * The evidence `transition` is judged on, or null when the home has none for it. Throws
 * CorruptEvidenceError while the chain does not verify (every bad file named).
 */
export function evidenceForGate(home: string, transition: GateTransition, configHash: string): GateEvidence | null {
  const { entries, corrupt } = verifyEvidence(home);
  if (corrupt.length > 0) throw new CorruptEvidenceError(corrupt);
  const ofGate = entries.filter((e) => e.transition === transition);
  let evidence: Evidence;
  let used: EvidenceEntry[];
  if (transition === 'setup->calibration') {
    const merged = mergeSetup(ofGate);
    if (!merged) return null;
    ({ evidence, used } = merged);
  } else {
    const latest = [...ofGate].sort(byProducedAt).at(-1);
    if (!latest) return null;
    evidence = latest.evidence;
    used = [latest];
  }
  const refusals: string[] = [];
  const notes: string[] = [];
  for (const e of used) {
    refusals.push(...admissionRefusals({ transition, evidence: e.evidence, detail: e.detail, configHash }));
    const files = dataFileRefusals(e.evidence.provenance);
    refusals.push(...files.refusals);
    notes.push(...files.notes);
  }
  return { transition, evidence, ids: used.map((e) => e.id), refusals, notes };
}
