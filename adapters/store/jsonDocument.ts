/**
 * One JSON document on disk, validated by a zod schema, persisted with lowdb.
 *
 * lowdb's node adapters write through steno: the text goes to `.<name>.tmp` beside the
 * file, then `rename` replaces the file. A process killed at any instant therefore leaves
 * either the previous or the next complete document, never a torn one. Concurrent writes
 * are serialised by steno and coalesced to the most recent data, so the last state wins.
 * (There is no fsync: this survives a process crash, not a power cut.)
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { z } from 'zod';
import { MiaError } from '../../core/errors.ts';

/** A stored state file exists but cannot be trusted; MIA refuses to start over it. */
export class CorruptStateError extends MiaError<'STATE_CORRUPT'> {
  override readonly name = 'CorruptStateError';
  constructor(
    /** The file that was refused; it is left untouched. */
    readonly path: string,
    /** What is wrong with it: the JSON parse error or the failing schema paths. */
    readonly reason: string,
  ) {
    super('STATE_CORRUPT', `corrupt state file ${path}: ${reason} (left untouched: repair or move it away, then restart)`);
  }
}

/** Read-only view of a document: the stored value is replaced on update, never mutated. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export interface JsonDocument<T> {
  /** Absolute or relative path of the file as opened. */
  readonly path: string;
  /**
   * The current value. It is a stable snapshot: later updates replace it with a new
   * object rather than mutating it.
   */
  view(): DeepReadonly<T>;
  /**
   * Applies `fn` to a copy of the current value, validates the result against the schema
   * and persists it atomically. If `fn` throws or the result fails the schema, nothing
   * changes (in memory or on disk) and the error propagates. Resolves with `fn`'s result
   * once a write containing this change is on disk.
   */
  update<R>(fn: (draft: T) => R): Promise<R>;
  /** Resolves once every write requested so far is on disk (rejects if the last one failed). */
  flush(): Promise<void>;
  /** Refuses further updates, then flushes. Idempotent. */
  close(): Promise<void>;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => {
    const at = i.path.length > 0 ? i.path.map(String).join('.') : '(root)';
    return `at ${at}: ${i.message}`;
  });
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
  return `schema mismatch ${shown.join('; ')}${more}`;
}

/**
 * Opens the document at `path`. A missing file yields `initial` (the file is created at
 * the first update). A file that is not valid JSON or fails `schema` throws
 * `CorruptStateError` and is never written or renamed over.
 */
export async function openDocument<T>(path: string, schema: z.ZodType<T>, initial: T): Promise<JsonDocument<T>> {
  const parse = (text: string): T => {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new CorruptStateError(path, `invalid JSON: ${(e as Error).message}`);
    }
    const result = schema.safeParse(raw);
    if (!result.success) throw new CorruptStateError(path, describeIssues(result.error.issues));
    return result.data;
  };
  const adapter = new DataFile<T>(path, { parse, stringify: (data) => `${JSON.stringify(data, null, 2)}\n` });
  // The initial value goes through the schema too: a bad default is a programming error.
  const db = new Low<T>(adapter, schema.parse(initial));
  await db.read();
  // steno renames into the directory, so it must exist before the first write.
  await mkdir(dirname(path), { recursive: true });

  let lastWrite: Promise<void> = Promise.resolve();
  let closed = false;

  return {
    path,
    view: () => db.data as DeepReadonly<T>,
    update<R>(fn: (draft: T) => R): Promise<R> {
      if (closed) return Promise.reject(new Error(`state document ${path} is closed`));
      let result: R;
      let next: T;
      try {
        const draft = structuredClone(db.data);
        result = fn(draft);
        next = schema.parse(draft);
      } catch (e) {
        return Promise.reject(e);
      }
      db.data = next;
      const write = db.write();
      lastWrite = write;
      return write.then(() => result);
    },
    flush: () => lastWrite,
    async close() {
      closed = true;
      await lastWrite;
    },
  };
}
