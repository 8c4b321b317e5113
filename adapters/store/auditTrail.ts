/**
 * The operator audit trail: who did what, with which arguments, and what came of it
 * (kill switch, flatten, phase overrides...). Append-only JSON lines in `audit.jsonl`
 * (ledger-style: one write per entry, never a rewrite, so every earlier version of the
 * file is a prefix of the current one and a refused request costs one line, not the
 * whole file). A torn last line from a crash is set aside, like the ledger's.
 */
import { appendFileSync, closeSync, existsSync, fdatasyncSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import type { Clock } from '../../core/clock.ts';
import { jsonValueSchema, type JsonValue } from './domainSchemas.ts';
import { CorruptStateError, openDocument, type DeepReadonly } from './jsonDocument.ts';

const auditEntrySchema = z.object({
  /** Clock time of the append. */
  at: z.number().finite(),
  who: z.string().min(1),
  action: z.string().min(1),
  args: jsonValueSchema,
  result: jsonValueSchema,
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;

const legacySchema = z.object({ entries: z.array(auditEntrySchema) });

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

/**
 * The entries of `<state>/audit.jsonl` for a reader that does not own the home (a running
 * session may be appending): a last line still being written is left alone, nothing is
 * changed on disk. A former `audit.json` not yet imported is read as well.
 */
export function readAuditTrail(path: string): AuditEntry[] {
  const legacy = join(dirname(path), 'audit.json');
  const old = existsSync(legacy) ? legacySchema.parse(JSON.parse(readFileSync(legacy, 'utf8'))).entries : [];
  return [...old, ...readEntries(path, false)];
}

function readEntries(path: string, setAsideTorn = true): AuditEntry[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const tail = lines.pop()!;
  const entries = lines.map((line, i) => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new CorruptStateError(path, `line ${i + 1} is not JSON (${(e as Error).message})`);
    }
    const parsed = auditEntrySchema.safeParse(raw);
    if (!parsed.success) throw new CorruptStateError(path, `line ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ')}`);
    return parsed.data;
  });
  if (tail.length > 0 && setAsideTorn) {
    // A crash mid-append: keep the bytes aside, cut them off, go on.
    appendFileSync(`${path}.torn`, `${tail}\n`);
    truncateSync(path, Buffer.byteLength(text) - Buffer.byteLength(tail));
  }
  return entries;
}

/**
 * Opens the audit trail at `path` (`<state>/audit.jsonl`). A former `audit.json` beside it
 * is imported once and renamed `audit.json.imported`.
 */
export async function openAuditTrail(path: string, clock: Clock): Promise<AuditTrail> {
  const entries = readEntries(path);
  const legacy = join(dirname(path), 'audit.json');
  let imported: AuditEntry[] = [];
  if (existsSync(legacy)) {
    const doc = await openDocument(legacy, legacySchema, { entries: [] });
    imported = structuredClone(doc.view().entries) as AuditEntry[];
    await doc.close();
  }
  const fd = openSync(path, 'a');
  let closed = false;
  const write = (entry: AuditEntry) => {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    for (let off = 0; off < line.length; ) off += writeSync(fd, line, off);
    fdatasyncSync(fd);
    entries.push(entry);
  };
  if (imported.length > 0) {
    for (const e of imported) write(e);
    renameSync(legacy, `${legacy}.imported`);
  }
  return {
    path,
    async append({ who, action, args, result }) {
      if (closed) throw new Error(`audit trail ${path} is closed`);
      const entry = auditEntrySchema.parse({ at: clock.now(), who, action, args: asJson(args), result: asJson(result) });
      write(entry);
      return entry;
    },
    entries: () => entries,
    flush: async () => {},
    async close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
