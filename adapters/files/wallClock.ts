/**
 * Naive wall-clock timestamps (no zone in the text, e.g. FirstRate's US/Eastern) to UTC
 * with the IANA zone, DST included, through Intl (no fixed offsets). A zone's offset is
 * looked up twice per wall-clock day and reused for the rows of that day; on a day with
 * a transition, per wall-clock hour, and every row of the switching hour itself is
 * resolved on its own.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** No zone is further than 14 h from UTC. */
const MAX_OFFSET_MS = 14 * HOUR_MS;

/** True when `tz` is an IANA zone Intl knows (or 'UTC'). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds of the wall-clock fields read as if they were UTC: the "naive" time. */
export const naiveMs = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number => Date.UTC(y, mo - 1, d, h, mi, s, ms);

/** One formatter per zone: building an Intl.DateTimeFormat costs more than a whole day of rows. */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let fmt = FORMATTERS.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    FORMATTERS.set(tz, fmt);
  }
  return fmt;
}

export class WallClockZone {
  private readonly fmt: Intl.DateTimeFormat | null;
  private cacheFrom = Number.NaN;
  private cacheTo = Number.NaN;
  private cachedOffset = 0;
  /** The wall-clock day last examined, with the offsets 14 h before and after it. */
  private day = Number.NaN;
  private dayBefore = 0;
  private dayAfter = 0;

  /** Throws RangeError for an unknown zone. */
  constructor(readonly tz: string) {
    this.fmt = /^(utc|etc\/utc|gmt|z)$/i.test(tz) ? null : formatterFor(tz);
  }

  /** Offset of the zone from UTC at instant `utc`, in ms (New York in winter: -5 h). */
  offsetAt(utc: number): number {
    if (!this.fmt) return 0;
    const f: Record<string, number> = {};
    for (const p of this.fmt.formatToParts(utc)) if (p.type !== 'literal') f[p.type] = Number(p.value);
    const wall = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
    return wall - Math.floor(utc / 1000) * 1000;
  }

  /**
   * The UTC instant of a naive wall-clock time. NaN when that wall time does not exist
   * (skipped by a spring-forward). When it exists twice (fall-back), the earlier instant,
   * unless it would be before `notBefore` (the previous row), then the later one: a file
   * that runs through the repeated hour in order keeps its order.
   */
  toUtc(naive: number, notBefore = -Infinity): number {
    if (!this.fmt) return naive;
    if (naive >= this.cacheFrom && naive < this.cacheTo) return naive - this.cachedOffset;
    const day = Math.floor(naive / DAY_MS) * DAY_MS;
    if (day !== this.day) {
      this.day = day;
      this.dayBefore = this.offsetAt(day - MAX_OFFSET_MS);
      this.dayAfter = this.offsetAt(day + DAY_MS + MAX_OFFSET_MS);
    }
    const before = this.dayBefore;
    const after = this.dayAfter;
    // Same offset 14 h before and after the wall-clock day: it holds for the whole day.
    if (before === after) return this.cache(day, day + DAY_MS, before, naive);
    // A transition day: an hour that exactly one of the two offsets fits from start to end is cached.
    const hour = Math.floor(naive / HOUR_MS) * HOUR_MS;
    const fits = (off: number) => this.offsetAt(hour - off) === off && this.offsetAt(hour + HOUR_MS - 1 - off) === off;
    const fitsBefore = fits(before);
    if (fitsBefore !== fits(after)) return this.cache(hour, hour + HOUR_MS, fitsBefore ? before : after, naive);
    // The switching hour itself: this row alone.
    const candidates: number[] = [];
    for (const off of [before, after]) {
      const t = naive - off;
      if (this.offsetAt(t) === off && !candidates.includes(t)) candidates.push(t);
    }
    candidates.sort((a, b) => a - b);
    if (candidates.length === 0) return Number.NaN;
    return candidates.find((t) => t >= notBefore) ?? candidates[0]!;
  }

  private cache(from: number, to: number, offset: number, naive: number): number {
    this.cacheFrom = from;
    this.cacheTo = to;
    this.cachedOffset = offset;
    return naive - offset;
  }
}
