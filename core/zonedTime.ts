/**
 * Zoned time, the one home for it: UTC instants <-> wall-clock time in an IANA zone
 * (America/Chicago for the CME day and sessions, America/New_York for session multipliers,
 * option settlement and naive file timestamps). DST comes from the zone through Intl, never
 * from fixed offsets.
 *
 * Intl costs microseconds per call, so a ZoneClock caches the zone's offset: offsets change
 * a couple of times a year, never twice within a week, and always on whole UTC hours in the
 * zones we trade, so a cached read is plain arithmetic (nanoseconds) in a bar loop.
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

/**
 * A zone's clock for hot loops. Instant -> local: the offset is looked up with Intl at the
 * start of a UTC day and a week later and reused for the whole week when both agree; else
 * for the day when the day's two ends agree; else (a switch day) once per UTC hour.
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
    const day = Math.floor(ms / DAY_MS) * DAY_MS;
    const start = this.offsetAt(day);
    if (start === this.offsetAt(day + WEEK_MS)) {
      this.set(day, day + WEEK_MS, start);
    } else if (start === this.offsetAt(day + DAY_MS)) {
      this.set(day, day + DAY_MS, start);
    } else {
      const hour = Math.floor(ms / HOUR_MS) * HOUR_MS;
      this.set(hour, hour + HOUR_MS, this.offsetAt(hour));
    }
    return this.offset;
  }

  private set(from: number, to: number, offset: number): void {
    this.from = from;
    this.to = to;
    this.offset = offset;
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
const chicagoClock = new ZoneClock(CHICAGO);
const easternClock = new ZoneClock(NEW_YORK);

/** Wall-clock fields of an instant in America/Chicago (the CME's zone). */
export function chicagoTime(ms: number): ZonedFields {
  return chicagoClock.fields(ms);
}

/** UTC offset of US/Eastern at the instant `ms`, in minutes (-300 in winter, -240 in summer). */
export function easternOffsetMinutes(ms: number): number {
  return Math.round(easternClock.offsetMs(ms) / 60_000);
}

/** The instant of an Eastern wall-clock time (see ZoneClock.wallTimeToUtc). */
export function easternWallTimeToUtc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  return easternClock.wallTimeToUtc(year, month, day, hour, minute);
}

/** The Eastern calendar date (YYYY-MM-DD) of an instant. */
export function easternDate(ms: number): string {
  return easternClock.date(ms);
}
