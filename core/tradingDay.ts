/**
 * CME Globex calendar (DOMAIN.md): trading day D runs from 17:00 America/Chicago on D-1
 * to 16:00 on D. Daily loss limits, trade counts and daily P&L reset at that boundary,
 * never at UTC or local midnight. Weekend hours (Fri 16:00 -> Sun 17:00 CT) belong to
 * the next Monday. Holidays are not modelled here: they only shorten a session.
 */

const chicagoParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Chicago',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  weekday: 'short',
});

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday ... 6 = Saturday */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Wall-clock fields of an instant in America/Chicago (DST handled by the IANA zone). */
export function chicagoTime(ms: number): LocalTime {
  const f: Record<string, string> = {};
  for (const p of chicagoParts.formatToParts(ms)) f[p.type] = p.value;
  return {
    year: Number(f.year),
    month: Number(f.month),
    day: Number(f.day),
    hour: Number(f.hour),
    minute: Number(f.minute),
    weekday: WEEKDAYS[f.weekday!]!,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The CME trading day (YYYY-MM-DD) an event at `ms` (UTC) belongs to. */
export function tradingDay(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`tradingDay needs a finite time, got ${ms}`);
  // Chicago's UTC offset is a whole number of hours and the day rolls on the hour, so the
  // answer holds for the whole UTC hour: risk asks on every event, Intl is slow.
  const hour = Math.floor(ms / HOUR_MS);
  if (hour === lastHour) return lastDay;
  lastDay = tradingDayUncached(ms);
  lastHour = hour;
  return lastDay;
}

let lastHour = Number.NaN;
let lastDay = '';

function tradingDayUncached(ms: number): string {
  const t = chicagoTime(ms);
  // Calendar arithmetic on a UTC date avoids DST surprises: only the date moves.
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day));
  let add = t.hour >= 17 ? 1 : 0;
  const weekday = (t.weekday + add) % 7;
  if (weekday === 6) add += 2; // Friday evening / Saturday -> Monday
  else if (weekday === 0) add += 1; // Sunday before the 17:00 open -> Monday
  d.setUTCDate(d.getUTCDate() + add);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Regular trading hours: 08:30-15:00 America/Chicago on weekdays. */
export function isRth(ms: number): boolean {
  const t = chicagoTime(ms);
  if (t.weekday === 0 || t.weekday === 6) return false;
  const minutes = t.hour * 60 + t.minute;
  return minutes >= 8 * 60 + 30 && minutes < 15 * 60;
}

const HOUR_MS = 3_600_000;

/**
 * tradingDay() for hot loops: the CME day changes only at 17:00 Chicago, always on a
 * whole UTC hour, so the day is recomputed once per hour of event time, not per bar.
 */
export class TradingDayTracker {
  private hour = Number.NaN;
  private day = '';

  /** The trading day of `ms`; cheap when called with increasing times. */
  dayOf(ms: number): string {
    const hour = Math.floor(ms / HOUR_MS);
    if (hour !== this.hour) {
      this.hour = hour;
      this.day = tradingDay(ms);
    }
    return this.day;
  }
}

/**
 * Globex is open: Sunday 17:00 CT to Friday 16:00 CT, except the daily 16:00-17:00 CT
 * maintenance break. Holidays and exchange halts are not modelled (they only shorten a
 * session), so a data gap on a holiday is reported, never hidden.
 */
export function isGlobexOpen(ms: number): boolean {
  const t = chicagoTime(ms);
  return globexOpenAt(t.weekday, t.hour);
}

function globexOpenAt(weekday: number, hour: number): boolean {
  if (weekday === 6) return false;
  if (weekday === 0) return hour >= 17;
  if (weekday === 5) return hour < 16;
  return hour !== 16;
}

/** What a bar (or any event) is, session-wise. */
export interface SessionTag {
  /** CME trading day, YYYY-MM-DD (see tradingDay). */
  tradingDay: string;
  /** Regular trading hours, 08:30-15:00 CT on weekdays. */
  rth: boolean;
  /** Globex is open (see isGlobexOpen). */
  open: boolean;
}

const UTC_DAY_MS = 24 * HOUR_MS;

/** Chicago's offset from UTC at `ms` (whole hours; -6 h in winter, -5 h in summer). */
function chicagoOffset(ms: number): number {
  const t = chicagoTime(ms);
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  return Math.round((wall - ms) / HOUR_MS) * HOUR_MS;
}

/**
 * Session tags for hot loops and long gap walks. Chicago's offset is looked up twice per
 * UTC day (start and end; a day whose offset changes falls back to one lookup per hour),
 * then the local hour and weekday are plain arithmetic. The trading day is computed once
 * per hour, and only when asked for.
 */
export class SessionTagger {
  private offsetDay = Number.NaN;
  private dayOffset = Number.NaN;
  private hour = Number.NaN;
  private weekday = 0;
  private localHour = 0;
  private dayHour = Number.NaN;
  private day = '';

  /** Tags `ms` (UTC); cheap when called with increasing times. */
  tag(ms: number): SessionTag {
    this.load(ms);
    return { tradingDay: this.tradingDayOf(ms), rth: this.rthAt(ms), open: globexOpenAt(this.weekday, this.localHour) };
  }

  /** isGlobexOpen(ms), cached. */
  isOpen(ms: number): boolean {
    this.load(ms);
    return globexOpenAt(this.weekday, this.localHour);
  }

  /** isRth(ms), cached. */
  isRth(ms: number): boolean {
    this.load(ms);
    return this.rthAt(ms);
  }

  /** tradingDay(ms), cached per UTC hour. */
  tradingDayOf(ms: number): string {
    const hour = Math.floor(ms / HOUR_MS);
    if (hour !== this.dayHour) {
      this.dayHour = hour;
      this.day = tradingDay(hour * HOUR_MS);
    }
    return this.day;
  }

  private rthAt(ms: number): boolean {
    if (this.weekday === 0 || this.weekday === 6) return false;
    const minutes = this.localHour * 60 + Math.floor((ms - this.hour * HOUR_MS) / 60_000);
    return minutes >= 8 * 60 + 30 && minutes < 15 * 60;
  }

  private load(ms: number): void {
    const hour = Math.floor(ms / HOUR_MS);
    if (hour === this.hour) return;
    this.hour = hour;
    const day = Math.floor(ms / UTC_DAY_MS);
    if (day !== this.offsetDay) {
      this.offsetDay = day;
      const first = chicagoOffset(day * UTC_DAY_MS);
      this.dayOffset = first === chicagoOffset(day * UTC_DAY_MS + UTC_DAY_MS - HOUR_MS) ? first : Number.NaN;
    }
    const offset = Number.isNaN(this.dayOffset) ? chicagoOffset(hour * HOUR_MS) : this.dayOffset;
    const local = new Date(hour * HOUR_MS + offset);
    this.weekday = local.getUTCDay();
    this.localHour = local.getUTCHours();
  }
}

/** Session tags of every bar (or event) time, in order. */
export function tagSessions(times: readonly { time: number }[]): SessionTag[] {
  const tagger = new SessionTagger();
  return times.map((e) => tagger.tag(e.time));
}

const ZONE_DAY_MS = 86_400_000;

/**
 * A time zone's UTC offset for hot loops (sessions by US/Eastern event time, expiry
 * calendars). Offsets change a couple of times a year, never twice within a week, so the
 * offset is looked up with Intl at the start of a UTC day and a week later and reused for
 * the whole week when both agree; else for the day when the day's two ends agree; else
 * (a switch day) once per UTC hour (US and EU switches fall on whole UTC hours). An Intl
 * lookup costs microseconds; a cached read costs nanoseconds.
 */
export class ZoneClock {
  private readonly parts: Intl.DateTimeFormat;
  private from = Number.NaN;
  private to = Number.NaN;
  private offset = 0;

  constructor(readonly timeZone: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** Local time minus UTC at `ms`, in ms (New York in winter: -5 h). */
  offsetMs(ms: number): number {
    if (ms >= this.from && ms < this.to) return this.offset;
    if (!Number.isFinite(ms)) throw new RangeError(`ZoneClock needs a finite time, got ${ms}`);
    const day = Math.floor(ms / ZONE_DAY_MS) * ZONE_DAY_MS;
    const start = this.lookup(day);
    if (start === this.lookup(day + 7 * ZONE_DAY_MS)) {
      this.set(day, day + 7 * ZONE_DAY_MS, start);
    } else if (start === this.lookup(day + ZONE_DAY_MS)) {
      this.set(day, day + ZONE_DAY_MS, start);
    } else {
      const hour = Math.floor(ms / HOUR_MS) * HOUR_MS;
      this.set(hour, hour + HOUR_MS, this.lookup(hour));
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
    return Math.floor((local - Math.floor(local / ZONE_DAY_MS) * ZONE_DAY_MS) / 60_000);
  }

  /** The local calendar date as days since 1970-01-01 (weekday: (n + 4) % 7, 0 = Sunday). */
  dayNumber(ms: number): number {
    return Math.floor((ms + this.offsetMs(ms)) / ZONE_DAY_MS);
  }

  private lookup(ms: number): number {
    const f: Record<string, string> = {};
    for (const p of this.parts.formatToParts(ms)) f[p.type] = p.value;
    const local = Date.UTC(Number(f.year), Number(f.month) - 1, Number(f.day), Number(f.hour), Number(f.minute), Number(f.second));
    return local - Math.floor(ms / 1000) * 1000;
  }
}

/**
 * The CME trading day of tradingDay() as a day number (days since 1970-01-01 of the
 * trading day's date), by arithmetic on a cached America/Chicago offset: for hot loops
 * that only need to see the day change (a session VWAP reset), without an Intl call.
 */
export class TradingDayCounter {
  private readonly chicago = new ZoneClock('America/Chicago');

  dayNumber(ms: number): number {
    const local = ms + this.chicago.offsetMs(ms);
    let day = Math.floor(local / ZONE_DAY_MS);
    if (local - day * ZONE_DAY_MS >= 17 * HOUR_MS) day++;
    const weekday = (((day + 4) % 7) + 7) % 7;
    if (weekday === 6) day += 2; // Friday evening / Saturday -> Monday
    else if (weekday === 0) day += 1; // Sunday -> Monday
    return day;
  }
}
