/**
 * Session multiplier of the confluence score (DOMAIN.md), by US/Eastern event time:
 * 04:00-09:30 pre-market 0.8, 09:30-11:00 opening 1.2, 11:00-14:00 midday 1.0,
 * 14:00-16:00 power hour 1.2, 16:00-20:00 after hours 0.8, 20:00-04:00 overnight 0.5.
 * Uses the event timestamp, never the wall clock, so a backtest and a live run agree.
 */
import { ZoneClock } from '../../core/zonedTime.ts';

export interface SessionMultipliers {
  preMarket: number;
  opening: number;
  midday: number;
  powerHour: number;
  afterHours: number;
  overnight: number;
}

export type SessionName = keyof SessionMultipliers;

/** The session a US/Eastern minute of the day (0..1439) belongs to. */
export function sessionAt(minuteOfDay: number): SessionName {
  if (minuteOfDay < 4 * 60) return 'overnight';
  if (minuteOfDay < 9 * 60 + 30) return 'preMarket';
  if (minuteOfDay < 11 * 60) return 'opening';
  if (minuteOfDay < 14 * 60) return 'midday';
  if (minuteOfDay < 16 * 60) return 'powerHour';
  if (minuteOfDay < 20 * 60) return 'afterHours';
  return 'overnight';
}

/** Multiplier by event time, O(1): a table by Eastern minute of the day (the offset is cached, see ZoneClock). */
export class SessionMultiplier {
  private readonly byMinute = new Float64Array(24 * 60);

  /** `eastern` may be shared with other America/New_York users of the same event times. */
  constructor(
    m: SessionMultipliers,
    private readonly eastern = new ZoneClock('America/New_York'),
  ) {
    if (eastern.timeZone !== 'America/New_York') throw new RangeError(`session multipliers need an America/New_York clock, got ${eastern.timeZone}`);
    for (let i = 0; i < this.byMinute.length; i++) this.byMinute[i] = m[sessionAt(i)];
  }

  /** The session of the instant `ms` (UTC). */
  sessionOf(ms: number): SessionName {
    return sessionAt(this.eastern.minuteOfDay(ms));
  }

  /** The multiplier at the instant `ms` (UTC). */
  at(ms: number): number {
    return this.byMinute[this.eastern.minuteOfDay(ms)]!;
  }
}
