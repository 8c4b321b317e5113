/**
 * Zoned time, the one home for it: UTC instants <-> wall-clock time in an IANA zone
 * (America/Chicago for the CME day and sessions, America/New_York for session multipliers,
 * option settlement and naive file timestamps). DST comes from the zone through Intl, never
 * from fixed offsets.
 *
 * Intl costs microseconds per call, so a ZoneClock caches the zone's offset: offsets change
 * a couple of times a year and never twice within a week, so each zone's changes are found
 * once per UTC year (module-wide), and a read is plain arithmetic (nanoseconds) in a bar
 * loop, in order or not.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** No zone is further than 14 h from UTC. */
const MAX_OFFSET_MS = 14 * HOUR_MS;

export const CHICAGO = 'America/Chicago';
export const NEW_YORK = 'America/New_York';

/** Wall-clock fields of an instant in a zone. */
export interface ZonedFields {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday ... 6 = Saturday */
  weekday: number;
}

/** True when `tz` is an IANA zone Intl knows (or 'UTC'). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds of wall-clock fields read as if they were UTC: the "naive" time. */
export const naiveMs = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number => Date.UTC(y, mo - 1, d, h, mi, s, ms);

/** One formatter per zone: building an Intl.DateTimeFormat costs more than a day of rows. */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let fmt = FORMATTERS.get(tz);
  if (!fmt) {
    // Throws RangeError for an unknown zone.
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

const UTC_NAMES = /^(utc|etc\/utc|gmt|z)$/i;

/** A zone's offsets over one UTC year: the offset from each start on (starts[0] = the year's start). */
interface YearOffsets {
  starts: number[];
  offsets: number[];
}

/** Per zone, per UTC year, computed once per process: any instant is then arithmetic, in any order. */
const YEAR_OFFSETS = new Map<string, Map<number, YearOffsets>>();

/**
 * The offset changes of a zone within a UTC year: sampled weekly (offsets never change twice
 * within a week), each change then found to the second by bisection. About a hundred Intl
 * calls per zone and year, once.
 */
function yearOffsets(tz: string, year: number, offsetAt: (utc: number) => number): YearOffsets {
  let years = YEAR_OFFSETS.get(tz);
  if (!years) YEAR_OFFSETS.set(tz, (years = new Map()));
  const known = years.get(year);
  if (known) return known;
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const table: YearOffsets = { starts: [start], offsets: [offsetAt(start)] };
  for (let lo = start; lo < end; lo += WEEK_MS) {
    const hi = Math.min(lo + WEEK_MS, end - 1000);
    const before = table.offsets[table.offsets.length - 1]!;
    const after = offsetAt(hi);
    if (after === before) continue;
    let a = lo;
    let b = hi;
    while (b - a > 1000) {
      const mid = a + Math.floor((b - a) / 2000) * 1000;
      if (offsetAt(mid) === before) a = mid;
      else b = mid;
    }
    table.starts.push(b);
    table.offsets.push(after);
  }
  years.set(year, table);
  return table;
}

/**
 * A zone's clock for hot loops. Instant -> local: the offset comes from the zone's yearly
 * table of changes, and the span between two changes is cached on the instance.
 * Local -> instant (naive timestamps from files): cached per wall-clock day, per hour on a
 * switch day, and the switching hour itself is resolved row by row.
 */
export class ZoneClock {
  private readonly fmt: Intl.DateTimeFormat | null;
  /** Instant -> offset cache. */
  private from = Number.NaN;
  private to = Number.NaN;
  private offset = 0;
  /** Naive -> offset cache. */
  private naiveFrom = Number.NaN;
  private naiveTo = Number.NaN;
  private naiveOffset = 0;
  /** The wall-clock day last examined, with the offsets 14 h before and after it. */
  private naiveDay = Number.NaN;
  private dayBefore = 0;
  private dayAfter = 0;

  /** Throws RangeError for an unknown zone. */
  constructor(readonly timeZone: string) {
    this.fmt = UTC_NAMES.test(timeZone) ? null : formatterFor(timeZone);
  }

  /** Local time minus UTC at `ms`, in ms (New York in winter: -5 h). Cached. */
  offsetMs(ms: number): number {
    if (ms >= this.from && ms < this.to) return this.offset;
    if (!Number.isFinite(ms)) throw new RangeError(`ZoneClock needs a finite time, got ${ms}`);
    if (!this.fmt) return this.set(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 0);
    const year = new Date(ms).getUTCFullYear();
    const table = yearOffsets(this.timeZone, year, (t) => this.offsetAt(t));
    let i = table.starts.length - 1;
    while (table.starts[i]! > ms) i--;
    return this.set(table.starts[i]!, table.starts[i + 1] ?? Date.UTC(year + 1, 0, 1), table.offsets[i]!);
  }

  private set(from: number, to: number, offset: number): number {
    this.from = from;
    this.to = to;
    this.offset = offset;
    return offset;
  }

  /** Minutes since local midnight (0..1439). */
  minuteOfDay(ms: number): number {
    const local = ms + this.offsetMs(ms);
    return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / 60_000);
  }

  /** The local calendar date as days since 1970-01-01 (weekday: (n + 4) % 7, 0 = Sunday). */
  dayNumber(ms: number): number {
    return Math.floor((ms + this.offsetMs(ms)) / DAY_MS);
  }

  /** Wall-clock fields of `ms`, from the cached offset. */
  fields(ms: number): ZonedFields {
    const local = new Date(ms + this.offsetMs(ms));
    return {
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hour: local.getUTCHours(),
      minute: local.getUTCMinutes(),
      second: local.getUTCSeconds(),
      weekday: local.getUTCDay(),
    };
  }

  /** The local calendar date of `ms`, YYYY-MM-DD. */
  date(ms: number): string {
    return isoDate(this.dayNumber(ms));
  }

  /** Offset of the zone from UTC at instant `utc`, in ms, straight from Intl (uncached). */
  offsetAt(utc: number): number {
    if (!this.fmt) return 0;
    const f: Record<string, number> = {};
    for (const p of this.fmt.formatToParts(utc)) if (p.type !== 'literal') f[p.type] = Number(p.value);
    const wall = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
    return wall - Math.floor(utc / 1000) * 1000;
  }

  /**
   * The UTC instant of a naive wall-clock time (strict, for data rows). NaN when that wall
   * time does not exist (skipped by a spring-forward). When it exists twice (fall-back), the
   * earlier instant, unless it would be before `notBefore` (the previous row), then the later
   * one: a file that runs through the repeated hour in order keeps its order.
   */
  toUtc(naive: number, notBefore = -Infinity): number {
    if (!this.fmt) return naive;
    if (naive >= this.naiveFrom && naive < this.naiveTo) return naive - this.naiveOffset;
    const day = Math.floor(naive / DAY_MS) * DAY_MS;
    if (day !== this.naiveDay) {
      this.naiveDay = day;
      this.dayBefore = this.offsetAt(day - MAX_OFFSET_MS);
      this.dayAfter = this.offsetAt(day + DAY_MS + MAX_OFFSET_MS);
    }
    const before = this.dayBefore;
    const after = this.dayAfter;
    // Same offset 14 h before and after the wall-clock day: it holds for the whole day.
    if (before === after) return this.cacheNaive(day, day + DAY_MS, before, naive);
    // A transition day: an hour that exactly one of the two offsets fits from start to end is cached.
    const hour = Math.floor(naive / HOUR_MS) * HOUR_MS;
    const fits = (off: number) => this.offsetAt(hour - off) === off && this.offsetAt(hour + HOUR_MS - 1 - off) === off;
    const fitsBefore = fits(before);
    if (fitsBefore !== fits(after)) return this.cacheNaive(hour, hour + HOUR_MS, fitsBefore ? before : after, naive);
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

  private cacheNaive(from: number, to: number, offset: number, naive: number): number {
    this.naiveFrom = from;
    this.naiveTo = to;
    this.naiveOffset = offset;
    return naive - offset;
  }

  /**
   * The instant of a wall-clock time (lenient, for schedules such as settlement times, which
   * always exist): the offset at the naive instant is corrected once, so a time in the
   * skipped spring-forward hour still gets an instant, and a time in the repeated autumn hour
   * gets the first occurrence.
   */
  wallTimeToUtc(year: number, month: number, day: number, hour = 0, minute = 0): number {
    const naive = naiveMs(year, month, day, hour, minute);
    const first = naive - this.offsetAt(naive);
    return naive - this.offsetAt(first);
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Days since 1970-01-01 -> YYYY-MM-DD. */
export function isoDate(dayNumber: number): string {
  const d = new Date(dayNumber * DAY_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** YYYY-MM-DD -> days since 1970-01-01. */
export const dayNumberOf = (date: string): number => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

/** Whole calendar days from date `from` to date `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function calendarDaysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

// Shared clocks for the module-level helpers below: their caches depend only on the input.
// Made on first use, not at import: the process's first Intl.DateTimeFormat loads ICU's
// locale and zone data (~20-30 ms), which a command that formats no time (`mia status`) skips.
let chicagoClock: ZoneClock | undefined;
let easternClock: ZoneClock | undefined;
const chicago = (): ZoneClock => (chicagoClock ??= new ZoneClock(CHICAGO));
const eastern = (): ZoneClock => (easternClock ??= new ZoneClock(NEW_YORK));

/** Wall-clock fields of an instant in America/Chicago (the CME's zone). */
export function chicagoTime(ms: number): ZonedFields {
  return chicago().fields(ms);
}

/** UTC offset of US/Eastern at the instant `ms`, in minutes (-300 in winter, -240 in summer). */
export function easternOffsetMinutes(ms: number): number {
  return Math.round(eastern().offsetMs(ms) / 60_000);
}

/** The instant of an Eastern wall-clock time (see ZoneClock.wallTimeToUtc). */
export function easternWallTimeToUtc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  return eastern().wallTimeToUtc(year, month, day, hour, minute);
}

/** The Eastern calendar date (YYYY-MM-DD) of an instant. */
export function easternDate(ms: number): string {
  return eastern().date(ms);
}
