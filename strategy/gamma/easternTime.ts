/**
 * US/Eastern wall-clock time <-> UTC instants through the IANA zone (DST handled by
 * Intl). Option settlement times and CBOE download stamps are Eastern wall-clock times.
 */

const easternParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface EasternFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function easternFields(ms: number): EasternFields {
  const f: Record<string, string> = {};
  for (const p of easternParts.formatToParts(ms)) f[p.type] = p.value;
  return {
    year: Number(f.year),
    month: Number(f.month),
    day: Number(f.day),
    hour: Number(f.hour),
    minute: Number(f.minute),
    second: Number(f.second),
  };
}

/** UTC offset of US/Eastern at the instant `ms`, in minutes (-300 in winter, -240 in summer). */
export function easternOffsetMinutes(ms: number): number {
  const f = easternFields(ms);
  const asUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * The instant of an Eastern wall-clock time. In the skipped spring-forward hour the time
 * is read with the standard offset; in the repeated autumn hour, the first occurrence.
 */
export function easternWallTimeToUtc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  // The offset at the naive instant can be an hour off around a DST switch: iterate once.
  const first = naive - easternOffsetMinutes(naive) * 60_000;
  return naive - easternOffsetMinutes(first) * 60_000;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The Eastern calendar date (YYYY-MM-DD) of an instant. */
export function easternDate(ms: number): string {
  const f = easternFields(ms);
  return `${f.year}-${pad(f.month)}-${pad(f.day)}`;
}

/** Whole calendar days from date `from` to date `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function calendarDaysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
