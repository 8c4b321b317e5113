/**
 * Tick positions and labels for the report charts: round values on the y axis and round
 * instants (UTC) on the time axis, about `target` of each.
 */

export interface Tick {
  value: number;
  label: string;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Round y-axis values covering [min, max]: steps of 1, 2 or 5 times a power of ten. */
export function valueTicks(min: number, max: number, target: number, label: (v: number) => string): Tick[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || max < min) return [];
  if (max === min) return [{ value: min, label: label(min) }];
  const raw = (max - min) / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: Tick[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    const value = Math.abs(v) < step * 1e-9 ? 0 : v;
    ticks.push({ value, label: label(value) });
  }
  return ticks;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const ymd = (d: Date): string => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Fixed-length steps (below a month) and the label each step's ticks get. */
const FIXED_STEPS: ReadonlyArray<{ ms: number; label: (d: Date) => string }> = [
  ...[1, 5, 15, 30].map((m) => ({ ms: m * MIN, label: (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` })),
  ...[1, 3, 6, 12].map((h) => ({ ms: h * HOUR, label: (d: Date) => `${ymd(d).slice(5)} ${pad(d.getUTCHours())}:00` })),
  ...[1, 2, 7, 14].map((days) => ({ ms: days * DAY, label: ymd })),
];
/** Calendar steps in months (1 month .. 10 years). */
const MONTH_STEPS = [1, 2, 3, 6, 12, 24, 60, 120];

/** Round UTC instants (ms) within [from, to], labelled at the step's resolution. */
export function timeTicks(from: number, to: number, target: number): Tick[] {
  if (!(Number.isFinite(from) && Number.isFinite(to)) || to < from) return [];
  if (to === from) return [{ value: from, label: new Date(from).toISOString().slice(0, 16).replace('T', ' ') }];
  const raw = (to - from) / Math.max(1, target);
  const fixed = FIXED_STEPS.find((s) => s.ms >= raw);
  if (fixed) {
    const ticks: Tick[] = [];
    // Weekly steps start on a Monday (1970-01-05 was one), the others on the epoch grid.
    const origin = fixed.ms >= 7 * DAY ? 4 * DAY : 0;
    for (let t = Math.ceil((from - origin) / fixed.ms) * fixed.ms + origin; t <= to; t += fixed.ms) {
      ticks.push({ value: t, label: fixed.label(new Date(t)) });
    }
    return ticks;
  }
  const months = MONTH_STEPS.find((m) => m * 30.44 * DAY >= raw) ?? Math.ceil(raw / (365.25 * DAY)) * 12;
  const start = new Date(from);
  let index = start.getUTCFullYear() * 12 + start.getUTCMonth();
  index = Math.ceil(index / months) * months;
  const ticks: Tick[] = [];
  for (;; index += months) {
    const t = Date.UTC(Math.floor(index / 12), index % 12, 1);
    if (t < from) continue;
    if (t > to) break;
    const d = new Date(t);
    ticks.push({ value: t, label: months % 12 === 0 ? String(d.getUTCFullYear()) : ymd(d).slice(0, 7) });
  }
  return ticks;
}
