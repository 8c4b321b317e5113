/**
 * Exits before the session ends (DOMAIN.md "Instruments and calendar"): ES trades on
 * Globex Sunday 17:00 CT to Friday 16:00 CT with a daily 16:00-17:00 CT halt, and RTH
 * ends at 15:00 CT. A position is closed `flattenBeforeCloseMinutes` before the end of
 * the segment it was opened in, and no entry is taken `noEntryBeforeCloseMinutes` before
 * an end (nor while the market is closed). Everything is judged on event times, never
 * the wall clock, so `mia run` and the backtest agree.
 *
 * CME holidays and early closes come from core/cmeCalendar.ts: a segment that ends at an
 * early close or a holiday halt (e.g. 12:15 CT the day after Thanksgiving, 12:00 CT on
 * Labor Day) is flattened before that time and refuses entries before it, and there is no
 * segment on a closed day (nor in the evening before it). RTH does not exist on a holiday
 * halt and ends at an early close. A bar that arrives after the segment's end with a
 * position still open triggers the exit at once, so a gap never carries a position over a
 * halt silently.
 */
import { cmeSpecialDay, weekdayOf } from '../core/cmeCalendar.ts';
import { CHICAGO, DAY_MS, ZoneClock } from '../core/zonedTime.ts';

/** 'globex': flat before the daily halt / Friday close; 'rth': flat by 15:00 CT and no trading outside RTH; 'none': off. */
export type ExitSession = 'globex' | 'rth' | 'none';

export interface SessionExitSettings {
  session: ExitSession;
  flattenBeforeCloseMinutes: number;
  noEntryBeforeCloseMinutes: number;
}

const MINUTE_MS = 60_000;
const HALT = 16 * 60;
const REOPEN = 17 * 60;
const RTH_OPEN = 8 * 60 + 30;
const RTH_CLOSE = 15 * 60;

function globexOpen(weekday: number, minute: number): boolean {
  if (weekday === 6) return false;
  if (weekday === 0) return minute >= REOPEN;
  if (weekday === 5) return minute < HALT;
  return minute < HALT || minute >= REOPEN;
}

/**
 * Where the trading segments of a session kind end. Uses a cached Chicago offset
 * (ZoneClock) and a map lookup in the CME calendar, so it costs a few arithmetic
 * operations per call in a bar loop.
 */
export class SessionCalendar {
  private readonly chicago = new ZoneClock(CHICAGO);
  /** A segment is open without a break from `openFrom` to its end `openEnd`: calls in between are answered at once. */
  private openFrom = Number.NaN;
  private openEnd = Number.NaN;

  constructor(readonly session: Exclude<ExitSession, 'none'>) {}

  /** End (ms UTC) of the trading segment that contains `ms`; `ms` itself when the market is closed at `ms`. */
  endOf(ms: number): number {
    if (ms >= this.openFrom && ms < this.openEnd) return this.openEnd;
    const end = this.segmentEnd(ms);
    if (end > ms) {
      this.openFrom = ms;
      this.openEnd = end;
    }
    return end;
  }

  private segmentEnd(ms: number): number {
    const minute = this.chicago.minuteOfDay(ms);
    const day = this.chicago.dayNumber(ms);
    const weekday = weekdayOf(day);
    if (this.session === 'rth') {
      if (weekday === 0 || weekday === 6 || minute < RTH_OPEN || minute >= RTH_CLOSE) return ms;
      const special = cmeSpecialDay(day);
      if (special === undefined) return this.toUtc(day * DAY_MS + RTH_CLOSE * MINUTE_MS, ms);
      // No RTH on a holiday (closed or halted); an early close ends it.
      const close = special.kind === 'early' ? Math.min(RTH_CLOSE, special.closeMinute) : 0;
      return minute >= close ? ms : this.toUtc(day * DAY_MS + close * MINUTE_MS, ms);
    }
    if (!globexOpen(weekday, minute)) return ms;
    // Evening hours belong to the segment that ends the next day.
    const closeDay = minute >= REOPEN ? day + 1 : day;
    const special = cmeSpecialDay(closeDay);
    if (special === undefined) return this.toUtc(closeDay * DAY_MS + HALT * MINUTE_MS, ms);
    // A closed day has no segment, not even the evening before it.
    if (special.kind === 'closed') return ms;
    // Halted or closed early: the segment ends then, and nothing trades until 17:00.
    if (closeDay === day && minute >= special.closeMinute) return ms;
    return this.toUtc(closeDay * DAY_MS + special.closeMinute * MINUTE_MS, ms);
  }

  /** Chicago wall time (ms since the epoch, as if UTC) -> ms UTC. */
  private toUtc(local: number, near: number): number {
    // DST switches at 02:00 on a Sunday, when Globex is closed: the offset at `near` is
    // the segment's; the second lookup only confirms it.
    const guess = local - this.chicago.offsetMs(near);
    return local - this.chicago.offsetMs(guess);
  }
}

/** The two decisions the scoring actor takes from the calendar. */
export class SessionCloseRule {
  private readonly calendar: SessionCalendar | null;
  private readonly flattenMs: number;
  /** An entry is never allowed where it would have to be flattened at once. */
  private readonly noEntryMs: number;

  constructor(settings: SessionExitSettings) {
    for (const key of ['flattenBeforeCloseMinutes', 'noEntryBeforeCloseMinutes'] as const) {
      const v = settings[key];
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`strategy.exits.${key} must be a non-negative number of minutes, got ${v}`);
    }
    this.calendar = settings.session === 'none' ? null : new SessionCalendar(settings.session);
    this.flattenMs = settings.flattenBeforeCloseMinutes * MINUTE_MS;
    this.noEntryMs = Math.max(settings.noEntryBeforeCloseMinutes, settings.flattenBeforeCloseMinutes) * MINUTE_MS;
  }

  get enabled(): boolean {
    return this.calendar !== null;
  }

  /** The instant a position opened at `since` must be flat by (its segment's end); Infinity when off. */
  deadline(since: number): number {
    return this.calendar ? this.calendar.endOf(since) : Number.POSITIVE_INFINITY;
  }

  /** At `time`, a position that must be flat by `deadline` has to be closed now. */
  mustExit(time: number, deadline: number): boolean {
    return this.calendar !== null && time >= deadline - this.flattenMs;
  }

  /** An entry at `time` is refused: too close to the segment's end, or the market is closed. */
  blocksEntry(time: number): boolean {
    if (!this.calendar) return false;
    return time >= this.calendar.endOf(time) - this.noEntryMs;
  }
}
