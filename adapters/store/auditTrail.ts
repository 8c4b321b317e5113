/**
 * The operator audit trail: who did what, with which arguments, and what came of it
 * (kill switch, flatten, phase overrides...). The only write is an append, so every
 * earlier version of the file is a prefix of the current one.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { jsonValueSchema, type JsonValue } from './domainSchemas.ts';
import { openDocument, type DeepReadonly } from './jsonDocument.ts';

const auditEntrySchema = z.object({
  /** Clock time of the append. */
  at: z.number().finite(),
  who: z.string().min(1),
  action: z.string().min(1),
  args: jsonValueSchema,
  result: jsonValueSchema,
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;

const auditSchema = z.object({ entries: z.array(auditEntrySchema) });

export interface AuditRecord {
  who: string;
  action: string;
  /** Stored as JSON stores them (undefined fields dropped). */
  args: unknown;
  result: unknown;
}

export interface AuditTrail {
  readonly path: string;
  /** Stamps `record` with the clock and appends it. */
  append(record: AuditRecord): Promise<AuditEntry>;
  /** Entries oldest first. */
  entries(): ReadonlyArray<DeepReadonly<AuditEntry>>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** JSON's view of a value: what the file will hold. `undefined` becomes null. */
function asJson(value: unknown): JsonValue {
  const text = JSON.stringify(value);
  return text === undefined ? null : jsonValueSchema.parse(JSON.parse(text));
}

/** Opens the audit trail at `path` (see `openDocument` for missing and corrupt files). */
export async function openAuditTrail(path: string, clock: Clock): Promise<AuditTrail> {
  const doc = await openDocument(path, auditSchema, { entries: [] });
  return {
    path,
    async append({ who, action, args, result }) {
      const entry = auditEntrySchema.parse({ at: clock.now(), who, action, args: asJson(args), result: asJson(result) });
      await doc.update((d) => {
        d.entries.push(entry);
      });
      return entry;
    },
    entries: () => doc.view().entries,
    flush: () => doc.flush(),
    close: () => doc.close(),
  };
}
