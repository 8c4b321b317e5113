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
