/**
 * CME Globex calendar (DOMAIN.md): trading day D runs from 17:00 America/Chicago on D-1
 * to 16:00 on D. Daily loss limits, trade counts and daily P&L reset at that boundary,
 * never at UTC or local midnight. Weekend hours (Fri 16:00 -> Sun 17:00 CT) belong to
 * the next Monday. A CME holiday (core/cmeCalendar.ts: closed, or a holiday halt) is not a
 * trading day: its hours belong to the next trading day, as CME books them.
 */
import { isCmeTradeDate, nextCmeTradeDate } from './cmeCalendar.ts';
import { CHICAGO, DAY_MS, HOUR_MS, ZoneClock, chicagoTime, isoDate } from './zonedTime.ts';

const chicago = new ZoneClock(CHICAGO);

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
  return isoDate(tradingDayNumber(ms, chicago));
}

/**
 * The trading day of `ms` as days since 1970-01-01: the Chicago date, the next one from
 * 17:00 on, then on to the next trade date (weekends, CME closures and holiday halts).
 */
function tradingDayNumber(ms: number, clock: ZoneClock): number {
  const local = ms + clock.offsetMs(ms);
  let day = Math.floor(local / DAY_MS);
  if (local - day * DAY_MS >= 17 * HOUR_MS) day++;
  return isCmeTradeDate(day) ? day : nextCmeTradeDate(day);
}

/** Regular trading hours: 08:30-15:00 America/Chicago on weekdays. */
export function isRth(ms: number): boolean {
  const t = chicagoTime(ms);
  if (t.weekday === 0 || t.weekday === 6) return false;
  const minutes = t.hour * 60 + t.minute;
  return minutes >= 8 * 60 + 30 && minutes < 15 * 60;
}

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
 * Globex's weekly hours: Sunday 17:00 CT to Friday 16:00 CT, except the daily 16:00-17:00 CT
 * maintenance break. The CME holiday calendar is not applied here (so a data gap on a
 * holiday is reported, never hidden); the session exits apply it (strategy/sessionClose.ts).
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

/**
 * Session tags for hot loops and long gap walks. Chicago's offset comes from a cached
 * ZoneClock, so the local hour and weekday are plain arithmetic. The trading day is
 * computed once per hour, and only when asked for.
 */
export class SessionTagger {
  private readonly chicago = new ZoneClock(CHICAGO);
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
    const local = new Date(hour * HOUR_MS + this.chicago.offsetMs(hour * HOUR_MS));
    this.weekday = local.getUTCDay();
    this.localHour = local.getUTCHours();
  }
}

/** Session tags of every bar (or event) time, in order. */
export function tagSessions(times: readonly { time: number }[]): SessionTag[] {
  const tagger = new SessionTagger();
  return times.map((e) => tagger.tag(e.time));
}

/**
 * The CME trading day of tradingDay() as a day number (days since 1970-01-01 of the
 * trading day's date), by arithmetic on a cached America/Chicago offset: for hot loops
 * that only need to see the day change (a session VWAP reset), without an Intl call.
 */
export class TradingDayCounter {
  private readonly chicago = new ZoneClock(CHICAGO);
  /** The session date (Chicago date, +1 from 17:00) last seen, and its trading day. */
  private sessionDay = Number.NaN;
  private day = Number.NaN;

  dayNumber(ms: number): number {
    const local = ms + this.chicago.offsetMs(ms);
    let day = Math.floor(local / DAY_MS);
    if (local - day * DAY_MS >= 17 * HOUR_MS) day++;
    if (day !== this.sessionDay) {
      this.sessionDay = day;
      this.day = isCmeTradeDate(day) ? day : nextCmeTradeDate(day);
    }
    return this.day;
  }
}
