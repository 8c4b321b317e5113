/**
 * Expiry-cycle factor of the confluence score (DOMAIN.md): dealer hedging flows change as
 * the monthly expiry (third Friday) approaches. Days are US/Eastern calendar days from the
 * event's date to the next monthly expiry, 0 on the expiry day itself:
 * <= 2 days -> 0.7, 3-5 -> 1.3, 6-10 -> 1.1, else 1.0.
 * Exchange holidays that move an expiry (Good Friday) are not modelled.
 */
import { calendarDaysBetween, easternDate } from '../../core/zonedTime.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** The third Friday of a month (1-12), YYYY-MM-DD. */
export function thirdFriday(year: number, month: number): string {
  const firstWeekday = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const firstFriday = 1 + ((5 - firstWeekday + 7) % 7);
  return `${year}-${pad(month)}-${pad(firstFriday + 14)}`;
}

/** The monthly expiry on or after the Eastern date of `time`. */
export function nextMonthlyExpiry(time: number): string {
  const today = easternDate(time);
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const thisMonth = thirdFriday(year, month);
  if (thisMonth >= today) return thisMonth;
  return month === 12 ? thirdFriday(year + 1, 1) : thirdFriday(year, month + 1);
}

/** Calendar days from the Eastern date of `time` to the next monthly expiry (0 on the day). */
export function daysToMonthlyExpiry(time: number): number {
  return calendarDaysBetween(easternDate(time), nextMonthlyExpiry(time));
}

/** The factor for a number of days to the monthly expiry. */
export function expiryCycleFactorForDays(days: number): number {
  if (days <= 2) return 0.7;
  if (days <= 5) return 1.3;
  if (days <= 10) return 1.1;
  return 1.0;
}

/** The expiry-cycle factor at an event time. */
export function expiryCycleFactor(time: number): number {
  return expiryCycleFactorForDays(daysToMonthlyExpiry(time));
}
