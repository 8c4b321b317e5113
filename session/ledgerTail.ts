/**
 * The ledger's tail over a restored snapshot. Restore replays the ledger's tail over the
 * snapshot: a fill ledgered after the snapshot was saved (a crash between the two) is not
 * yet counted by the restored machine, so the venue's reconciliation must report it again
 * (the journal keeps it once either way). The venue sees the journal through this view.
 */
import type { Logger } from 'pino';
import type { Journal } from '../adapters/store/journal.ts';
import { fillKey } from '../core/fillIdentity.ts';

/**
 * Fills the ledger wrote after the snapshot was saved that the snapshot does not count
 * (not among its seen executions), by executionId with their venue time.
 */
export function uncountedFills(journal: Journal, saved: { snapshot: unknown; savedAt: number }): Map<string, number> {
  const out = new Map<string, number>();
  const written = journal.replay?.fillsWritten;
  if (!written) return out;
  const ctx = (saved.snapshot as { context?: { seenExecutions?: unknown; live?: Record<string, { executions?: unknown }> } } | null)?.context;
  const counted = new Set<string>(Array.isArray(ctx?.seenExecutions) ? (ctx.seenExecutions as string[]) : []);
  for (const o of Object.values(ctx?.live ?? {})) if (Array.isArray(o?.executions)) for (const x of o.executions as string[]) counted.add(x);
  // The snapshot remembers fills by fillKey (account- or order-scoped; bare ids in older snapshots).
  const byId = new Map<string, Array<{ key: string; time: number }>>();
  for (const f of journal.fills()) byId.set(f.executionId, [...(byId.get(f.executionId) ?? []), { key: fillKey(f), time: f.time }]);
  for (const w of written) {
    if (w.at < saved.savedAt || counted.has(w.executionId)) continue;
    const fills = byId.get(w.executionId) ?? [];
    if (fills.length > 0 && fills.every((f) => counted.has(f.key))) continue;
    out.set(w.executionId, fills[0]?.time ?? 0);
  }
  return out;
}

/** What the venue asks the journal, with the fills the restored snapshot does not count left out. */
export type VenueJournal = Pick<Journal, 'hasFill' | 'lastFillTime' | 'order' | 'orders'> & {
  /** The session journaled this fill again (the restored machine now counts it). */
  recounted(executionId: string): void;
};

export function venueJournalView(journal: Journal, saved: { snapshot: unknown; savedAt: number } | null, logger: Logger): VenueJournal {
  const uncounted = saved ? uncountedFills(journal, saved) : new Map<string, number>();
  if (uncounted.size > 0) logger.warn({ fills: [...uncounted.keys()] }, 'ledgered fills the restored snapshot does not count: reconciliation reports them again');
  return {
    hasFill: (fill) => journal.hasFill(fill) && !uncounted.has(fill.executionId),
    lastFillTime: () => {
      const last = journal.lastFillTime();
      if (uncounted.size === 0 || last === undefined) return last;
      return Math.min(last, ...uncounted.values()) - 1;
    },
    order: (id: string) => journal.order(id),
    orders: () => journal.orders(),
    recounted: (executionId: string) => void uncounted.delete(executionId),
  };
}
