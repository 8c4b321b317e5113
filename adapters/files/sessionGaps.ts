/**
 * Gap reporting: a gap is a stretch of open Globex time with no row. The daily
 * 16:00-17:00 CT break and the weekend close are not gaps; holidays and exchange halts
 * are not modelled, so they are reported (gaps are informational, never a rejection).
 */
import { SessionTagger } from '../../core/tradingDay.ts';
import type { IssueLog } from './issueLog.ts';

const MINUTE = 60_000;
/** Never walk more slots than this for one gap (a multi-year hole in minute data). */
const MAX_SLOTS = 2_000_000;

/** Anything with an event time. */
export interface Timed {
  time: number;
}

/** The most common positive step between the first items: the bar period of a series that does not state it. */
export function inferPeriod(items: readonly Timed[], sample = 2_000): number | null {
  const counts = new Map<number, number>();
  const n = Math.min(items.length, sample + 1);
  for (let i = 1; i < n; i++) {
    const d = items[i]!.time - items[i - 1]!.time;
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best: number | null = null;
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount || (c === bestCount && best !== null && d < best)) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

const describe = (ms: number): string => {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE}m`;
  return `${ms / 1000}s`;
};

/**
 * Notes one `gap` issue for every pair of consecutive rows between which at least one
 * slot of `slotMs` (the bar period; at least a minute) falls in open Globex hours.
 * `rows[i]` is the source row of `items[i]`, `entryOf(i)` its file when there are several.
 */
export function reportGaps(
  items: readonly Timed[],
  rows: ArrayLike<number>,
  slotMs: number,
  log: IssueLog,
  entryOf?: (i: number) => string | undefined,
): void {
  const slot = Math.max(slotMs, MINUTE);
  const tagger = new SessionTagger();
  const saved = log.entry;
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1]!.time;
    const next = items[i]!.time;
    if (next - prev <= slot) continue;
    let missing = 0;
    let walked = 0;
    for (let t = prev + slot; t < next && walked < MAX_SLOTS; t += slot, walked++) if (tagger.isOpen(t)) missing++;
    if (missing === 0) continue;
    if (entryOf) log.entry = entryOf(i);
    log.note(
      rows[i]!,
      'gap',
      `${missing} open ${describe(slot)} slot${missing === 1 ? '' : 's'} without data between ${new Date(prev).toISOString()} and ${new Date(next).toISOString()}`,
    );
  }
  log.entry = saved;
}
