/**
 * `<home>/evidence/`: the evidence the deployment gates judge (config/gates.ts), one JSON
 * file per piece, written atomically (jsonDocument.ts: temporary file + rename) and
 * validated with zod on every read. A file that does not parse or validate is reported
 * with its path and never used: `latest()` refuses to pick while one is there, so a gate
 * is never judged on an older piece because a newer one became unreadable.
 *
 * `producedAt` is an operator fact: the caller stamps it with its clock. `latest(t)` picks
 * the most recent by producedAt (not by file time or name). Reads are synchronous so the
 * control handler's `evidence` hook can call them while it judges an advance.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { gateTransitions, setupChecks, type Evidence, type GateTransition } from '../../config/gates.ts';
import { jsonValueSchema, type JsonValue } from './domainSchemas.ts';
import { openDocument } from './jsonDocument.ts';
import { MiaError } from '../../core/errors.ts';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a YYYY-MM-DD day');

const provenanceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('simulated'), seed: z.number().int() }),
  z.object({ kind: z.literal('replay'), file: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex') }),
  z.object({ kind: z.literal('polygon') }),
  z.object({ kind: z.literal('dtc-paper') }),
  z.object({ kind: z.literal('live') }),
]);

const evidenceSchema = z.object({
  metrics: z.record(z.string(), z.number().finite()),
  provenance: z.array(provenanceSchema),
  period: z.object({ from: isoDay, to: isoDay }),
  checks: z.partialRecord(z.enum(setupChecks), z.boolean()).optional(),
  producedAt: z.iso.datetime(),
  source: z.string().min(1),
});

const storedEvidenceSchema = z.object({
  transition: z.enum(gateTransitions),
  evidence: evidenceSchema,
  /** What a reader wants to know beyond the numbers (config hash, files, windows ...). */
  detail: z.record(z.string(), jsonValueSchema).optional(),
});

/** One piece of evidence for one gate, as stored. */
export interface StoredEvidence {
  transition: GateTransition;
  evidence: Evidence;
  detail?: Record<string, JsonValue>;
}

/** A stored piece with the file it came from. */
export interface EvidenceEntry extends StoredEvidence {
  file: string;
}

/** A file under evidence/ that could not be trusted, and why. */
export interface CorruptEvidence {
  file: string;
  reason: string;
}

/** Raised by `latest()` while a corrupt evidence file is present. */
export class CorruptEvidenceError extends MiaError<'EVIDENCE_CORRUPT'> {
  override readonly name = 'CorruptEvidenceError';
  constructor(readonly corrupt: readonly CorruptEvidence[]) {
    super('EVIDENCE_CORRUPT', 
      `evidence cannot be judged while ${corrupt.length === 1 ? 'a file is' : `${corrupt.length} files are`} corrupt: ${corrupt
        .map((c) => `${c.file}: ${c.reason}`)
        .join('; ')} (repair or move it away, then retry)`,
    );
  }
}

export interface EvidenceStore {
  /** `<home>/evidence`. */
  readonly dir: string;
  /** Writes `piece` as a new file (atomically) and returns its path. */
  record(piece: StoredEvidence): Promise<string>;
  /** Every valid piece (oldest first by producedAt) and every corrupt file. */
  list(): { entries: EvidenceEntry[]; corrupt: CorruptEvidence[] };
  /** The most recent piece for `transition`, undefined when none; throws CorruptEvidenceError. */
  latest(transition: GateTransition): EvidenceEntry | undefined;
}

/** `backtest->simulation` -> `backtest-to-simulation` (file names stay portable). */
const slug = (transition: GateTransition) => transition.replace('->', '-to-');

/** A file name that sorts by time and differs for different content. */
function fileName(piece: StoredEvidence): string {
  const hash = createHash('sha256').update(JSON.stringify(piece)).digest('hex').slice(0, 12);
  const stamp = piece.evidence.producedAt.replace(/:/g, '-');
  return `${stamp}_${slug(piece.transition)}_${piece.evidence.source.replace(/[^A-Za-z0-9-]/g, '-')}_${hash}.json`;
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `at ${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Opens (without creating) the evidence folder of `home`. */
export function openEvidenceStore(home: string): EvidenceStore {
  const dir = join(home, 'evidence');

  const list = () => {
    const entries: EvidenceEntry[] = [];
    const corrupt: CorruptEvidence[] = [];
    if (!existsSync(dir)) return { entries, corrupt };
    // Dot files are the atomic writer's temporaries, never evidence.
    const names = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
    for (const name of names) {
      const file = join(dir, name);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        corrupt.push({ file, reason: `invalid JSON: ${(e as Error).message}` });
        continue;
      }
      const parsed = storedEvidenceSchema.safeParse(raw);
      if (!parsed.success) corrupt.push({ file, reason: `schema mismatch ${describe(parsed.error)}` });
      else entries.push({ ...(parsed.data as StoredEvidence), file });
    }
    // Stable: equal producedAt keeps file-name order.
    entries.sort((a, b) => Date.parse(a.evidence.producedAt) - Date.parse(b.evidence.producedAt));
    return { entries, corrupt };
  };

  return {
    dir,
    async record(piece) {
      const valid = storedEvidenceSchema.parse(piece) as StoredEvidence;
      const file = join(dir, fileName(valid));
      const doc = await openDocument(file, storedEvidenceSchema, valid);
      // The document starts as `valid` (or as the identical file already there): one write puts it on disk.
      await doc.update(() => undefined);
      await doc.close();
      return file;
    },
    list,
    latest(transition) {
      const { entries, corrupt } = list();
      if (corrupt.length > 0) throw new CorruptEvidenceError(corrupt);
      return entries.filter((e) => e.transition === transition).at(-1);
    },
  };
}
