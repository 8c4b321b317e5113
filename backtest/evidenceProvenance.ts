/**
 * Data provenance for gate evidence. Sessions and backtests record their data as a label
 * (`provenanceLabel`: `replay:<file>#<sha256>`, `simulated:seed=N`, `polygon` ...); the gates
 * judge the structured form, so the label is read back here, strictly: a label this does
 * not recognise is an error, never a guess (a guess could turn simulated data into real).
 */
import type { Provenance } from '../core/types.ts';
import type { DataProvenance } from './result.ts';
import { MiaError, type MiaErrorOptions } from '../core/errors.ts';

export class ProvenanceLabelError extends MiaError<'PROVENANCE_LABEL_UNKNOWN'> {
  override readonly name = 'ProvenanceLabelError';
  constructor(message: string, options?: MiaErrorOptions) {
    super('PROVENANCE_LABEL_UNKNOWN', message, options);
  }
}

/** The Provenance a label stands for; throws ProvenanceLabelError on an unknown label. */
export function provenanceFromLabel(label: string): Provenance {
  const simulated = /^simulated:seed=(-?\d+)$/.exec(label);
  if (simulated) return { kind: 'simulated', seed: Number(simulated[1]) };
  if (label.startsWith('replay:')) {
    // The file may contain '#': the sha256 is what follows the last one.
    const at = label.lastIndexOf('#');
    const file = label.slice('replay:'.length, at);
    const sha256 = label.slice(at + 1);
    if (at > 'replay:'.length && /^[0-9a-f]{64}$/.test(sha256)) return { kind: 'replay', file, sha256 };
  }
  if (label === 'polygon' || label === 'dtc-paper' || label === 'live') return { kind: label };
  throw new ProvenanceLabelError(`unknown data provenance label '${label}'`);
}

/** A backtest's data file as gate provenance: the label when it says more (simulated), else the file and its sha256. */
export function provenanceOfData(data: DataProvenance): Provenance {
  try {
    return provenanceFromLabel(data.label);
  } catch {
    return { kind: 'replay', file: data.file, sha256: data.sha256 };
  }
}

/** Distinct entries, first occurrence order (a session restarted on the same file counts once). */
export function distinctProvenance(list: readonly Provenance[]): Provenance[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
