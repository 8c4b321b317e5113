/**
 * A file holding one machine's persisted XState snapshot (`actor.getPersistedSnapshot()`),
 * kept opaque: the machine that restores it owns its shape.
 */
import * as z from 'zod';
import type { Clock } from '../../core/clock.ts';
import { jsonValueSchema, type JsonValue } from './domainSchemas.ts';
import { existsSync } from 'node:fs';
import { CorruptStateError, openDocument } from './jsonDocument.ts';

const snapshotDocumentSchema = z.object({
  snapshot: jsonValueSchema,
  /** Clock time of the last save; null until the first save. */
  savedAt: z.number().finite().nullable(),
});

export interface SavedSnapshot {
  snapshot: JsonValue;
  savedAt: number;
}

export interface SnapshotSlot {
  readonly path: string;
  /** The last saved snapshot, or undefined if none was ever saved. */
  load(): SavedSnapshot | undefined;
  /**
   * Persists `snapshot` as JSON would (undefined fields dropped), stamped with the clock.
   * Throws on a value JSON cannot hold faithfully (cycles, NaN, functions at the top).
   */
  save(snapshot: unknown): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the snapshot file at `path` (see `openDocument` for missing and corrupt files). */
export async function openSnapshotSlot(path: string, clock: Clock): Promise<SnapshotSlot> {
  const existed = existsSync(path);
  const doc = await openDocument(path, snapshotDocumentSchema, { snapshot: null, savedAt: null });
  // MIA only writes a slot when it saves: a file that holds nothing was not written by it
  // (a hand edit, a truncation): starting fresh over it would drop the kill latch and the phase.
  const held = doc.view();
  if (existed && (held.savedAt === null || held.snapshot === null)) {
    await doc.close();
    throw new CorruptStateError(path, `it holds no snapshot (snapshot ${JSON.stringify(held.snapshot)}, savedAt ${JSON.stringify(held.savedAt)})`);
  }
  return {
    path,
    load() {
      const { snapshot, savedAt } = doc.view();
      return savedAt === null ? undefined : { snapshot: structuredClone(snapshot) as JsonValue, savedAt };
    },
    async save(snapshot) {
      // The JSON round trip is what the file will hold; validating it refuses NaN or
      // Infinity (which JSON would silently turn into null) before anything is written.
      const text = JSON.stringify(snapshot, (_k, v: unknown) => {
        if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError(`snapshot holds a non-finite number ${v}`);
        return v;
      });
      if (text === undefined) throw new TypeError('snapshot is not JSON-serialisable');
      const json = jsonValueSchema.parse(JSON.parse(text));
      const savedAt = clock.now();
      await doc.update((d) => {
        d.snapshot = json;
        d.savedAt = savedAt;
      });
    },
    flush: () => doc.flush(),
    close: () => doc.close(),
  };
}
