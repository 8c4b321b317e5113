/**
 * Walk-forward windows over a range of trading days: in-sample N, then out-of-sample M
 * right after it, stepping by M so that out-of-sample windows tile the range without
 * overlap. Rolling (the in-sample window slides) or anchored (it always starts on the
 * first day and grows). Spans count trading days (Monday to Friday, the days the metrics
 * count) or calendar months. The last out-of-sample window is cut at the range's end.
 */
import { SPAN_PATTERN } from '../config/backtestSchema.ts';

export interface Span {
  count: number;
  unit: 'days' | 'months';
}

export interface DayRange {
  from: string;
  to: string;
}

export interface WalkForwardWindow {
  index: number;
  inSample: DayRange;
  outOfSample: DayRange;
}

export interface WindowOptions {
  /** Range of trading days, `YYYY-MM-DD` inclusive. */
  from: string;
  to: string;
  inSample: Span;
  outOfSample: Span;
  anchored?: boolean;
}

/** `20d` (trading days) or `6m` (calendar months); throws a RangeError naming the text. */
export function parseSpan(text: string, name = 'span'): Span {
  const m = SPAN_PATTERN.exec(text);
  if (!m) throw new RangeError(`${name} must be a count of trading days or months such as 20d or 6m, got "${text}"`);
  return { count: Number(m[1]), unit: m[2] === 'd' ? 'days' : 'months' };
}

export const formatSpan = (s: Span): string => `${s.count}${s.unit === 'days' ? 'd' : 'm'}`;

const DAY_MS = 86_400_000;

/** Monday-to-Friday days from `from` to `to` inclusive. */
export function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(from), end = Date.parse(to); ms <= end; ms += DAY_MS) {
    const wd = new Date(ms).getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(new Date(ms).toISOString().slice(0, 10));
  }
  return out;
}

export function walkForwardWindows(options: WindowOptions): WalkForwardWindow[] {
  const days = weekdays(options.from, options.to);
  if (days.length === 0) throw new RangeError(`walk-forward: no trading day between ${options.from} and ${options.to}`);
  // Each day's position in span units: its index for day spans, its month number for month spans.
  const position = (unit: Span['unit']) => (unit === 'days' ? days.map((_, i) => i) : days.map(monthNumber));
  const isPos = position(options.inSample.unit);
  const oosPos = position(options.outOfSample.unit);
  const windows: WalkForwardWindow[] = [];
  // The first out-of-sample day follows a full in-sample span from the first day; each later
  // one is the day after the previous out-of-sample window (the step is the OOS span).
  let oosStart = firstAtOrAfter(isPos, 0, isPos[0]! + options.inSample.count);
  while (oosStart < days.length) {
    const next = firstAtOrAfter(oosPos, oosStart, oosPos[oosStart]! + options.outOfSample.count);
    const isStart = options.anchored ? 0 : rollingStart(isPos, oosStart, options.inSample.count);
    windows.push({
      index: windows.length,
      inSample: { from: days[isStart]!, to: days[oosStart - 1]! },
      outOfSample: { from: days[oosStart]!, to: days[next - 1]! },
    });
    oosStart = next;
  }
  if (windows.length === 0) {
    throw new RangeError(
      `walk-forward: ${options.from} .. ${options.to} (${days.length} trading days) is too short for ${formatSpan(options.inSample)} in sample plus ${formatSpan(options.outOfSample)} out of sample`,
    );
  }
  return windows;
}

/** Calendar month number of a day (year * 12 + month). */
const monthNumber = (day: string): number => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;

/** First index >= start whose position is >= target (positions ascend); days.length when none. */
function firstAtOrAfter(pos: readonly number[], start: number, target: number): number {
  let i = start;
  while (i < pos.length && pos[i]! < target) i++;
  return i;
}

/** The in-sample start whose window of `count` units ends right before index `oosStart`. */
function rollingStart(pos: readonly number[], oosStart: number, count: number): number {
  const target = pos[oosStart]! - count;
  let i = oosStart;
  while (i > 0 && pos[i - 1]! >= target) i--;
  return i;
}
