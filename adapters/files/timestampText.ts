/**
 * Timestamp text as vendors write it. A parsed stamp is either an instant (the text says
 * its zone, or is an epoch number) or a naive wall-clock time that the loader resolves
 * with the series' zone (core/zonedTime.ts).
 *
 * Accepted: `YYYY-MM-DD[ T]HH:MM[:SS[.fraction]]` with optional `Z`/`±HH:MM`, `-` or `/`
 * date separators and 1-digit months/days (Sierra's `2026-5-7`); `MM/DD/YYYY[ HH:MM[:SS]]`;
 * `YYYYMMDD[ HH:MM[:SS]]` (Lean); and epoch numbers in s (10 digits), ms (13), us (16),
 * ns (19). Fractions beyond milliseconds are truncated.
 */

export interface ParsedStamp {
  /** ms: UTC instant when `instant`, else the wall-clock fields read as UTC. */
  ms: number;
  instant: boolean;
}

const ISO = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:[ T]+(\d{1,2}):?(\d{2})(?::?(\d{2}))?)?$/;

const fractionMs = (f: string | undefined): number => (f ? Number(f.slice(0, 3).padEnd(3, '0')) : 0);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Wall-clock fields as ms (read as UTC); NaN for an impossible date such as 2023-02-30. */
function fields(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return Number.NaN;
  if (d > DAYS_IN_MONTH[mo - 1]! && !(mo === 2 && d === 29 && isLeap(y))) return Number.NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}


/** The last date the fast path saw: consecutive rows almost always share it. */
let lastDateKey = -1;
let lastDateMs = 0;

/** The digit at `s[i]`, or a large negative number that makes any sum it enters negative. */
const dig = (s: string, i: number): number => {
  const v = s.charCodeAt(i) - 48;
  return v >= 0 && v <= 9 ? v : -1e9;
};

/** `YYYY-MM-DD HH:MM:SS` (or with a T) exactly, at `s[at, at+19)`: naive ms parsed without a regex or a substring; NaN otherwise. */
export function fastIsoAt(s: string, at = 0): number {
  if (s.charCodeAt(at + 4) !== 45 || s.charCodeAt(at + 7) !== 45 || s.charCodeAt(at + 13) !== 58 || s.charCodeAt(at + 16) !== 58) return Number.NaN;
  const sep = s.charCodeAt(at + 10);
  if (sep !== 32 && sep !== 84) return Number.NaN;
  const y = dig(s, at) * 1000 + dig(s, at + 1) * 100 + dig(s, at + 2) * 10 + dig(s, at + 3);
  const mo = dig(s, at + 5) * 10 + dig(s, at + 6);
  const d = dig(s, at + 8) * 10 + dig(s, at + 9);
  const h = dig(s, at + 11) * 10 + dig(s, at + 12);
  const mi = dig(s, at + 14) * 10 + dig(s, at + 15);
  const sec = dig(s, at + 17) * 10 + dig(s, at + 18);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return Number.NaN;
  const key = y * 10_000 + mo * 100 + d;
  if (key !== lastDateKey) {
    const day = fields(y, mo, d, 0, 0, 0, 0);
    if (Number.isNaN(day)) return day;
    lastDateKey = key;
    lastDateMs = day;
  }
  return lastDateMs + h * 3_600_000 + mi * 60_000 + sec * 1000;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.sss]Z` exactly (what toISOString() writes), at `s[at, at+len)`
 * with len 20 or 24: the UTC instant parsed without a regex or a substring; NaN otherwise.
 */
export function fastUtcIsoAt(s: string, at: number, len: number): number {
  let frac = 0;
  if (len === 24) {
    if (s.charCodeAt(at + 19) !== 46) return Number.NaN;
    frac = dig(s, at + 20) * 100 + dig(s, at + 21) * 10 + dig(s, at + 22);
    if (frac < 0) return Number.NaN;
  } else if (len !== 20) {
    return Number.NaN;
  }
  const z = s.charCodeAt(at + len - 1);
  if ((z !== 90 && z !== 122) || s.charCodeAt(at + 10) !== 84) return Number.NaN;
  return fastIsoAt(s, at) + frac;
}

/** parseStamp() of `s[start, end)`, without a substring in the common 19-, 20- and 24-character cases. */
export function parseStampAt(s: string, start: number, end: number): ParsedStamp | null {
  const len = end - start;
  if (len === 19) {
    const fast = fastIsoAt(s, start);
    if (!Number.isNaN(fast)) return { ms: fast, instant: false };
  } else if (len === 24 || len === 20) {
    const fast = fastUtcIsoAt(s, start, len);
    if (!Number.isNaN(fast)) return { ms: fast, instant: true };
  }
  return parseStamp(s.slice(start, end));
}

/** Parses a timestamp; null when the text is none of the accepted forms or names an impossible date. */
export function parseStamp(raw: string): ParsedStamp | null {
  if (raw.length === 19) {
    const fast = fastIsoAt(raw);
    if (!Number.isNaN(fast)) return { ms: fast, instant: false };
  } else if (raw.length === 24 || raw.length === 20) {
    const fast = fastUtcIsoAt(raw, 0, raw.length);
    if (!Number.isNaN(fast)) return { ms: fast, instant: true };
  }
  const s = raw.trim();
  if (/^\d+$/.test(s)) {
    if (s.length === 8) {
      const t = fields(Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6)), 0, 0, 0, 0);
      return Number.isNaN(t) ? null : { ms: t, instant: false };
    }
    // Epoch numbers: the digit count says the unit (BigInt keeps ns exact beyond 2^53).
    if (s.length === 10) return { ms: Number(s) * 1000, instant: true };
    if (s.length === 13) return { ms: Number(s), instant: true };
    if (s.length === 16) return { ms: Number(BigInt(s) / 1000n), instant: true };
    if (s.length === 19) return { ms: Number(BigInt(s) / 1_000_000n), instant: true };
    return null;
  }
  let m = ISO.exec(s);
  if (m) {
    const t = fields(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), fractionMs(m[7]));
    if (Number.isNaN(t)) return null;
    const zone = m[8];
    if (!zone) return { ms: t, instant: false };
    if (zone.toUpperCase() === 'Z') return { ms: t, instant: true };
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    return { ms: t - offset, instant: true };
  }
  m = US.exec(s);
  if (m) {
    const t = fields(+m[3]!, +m[1]!, +m[2]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), fractionMs(m[7]));
    return Number.isNaN(t) ? null : { ms: t, instant: false };
  }
  m = COMPACT.exec(s);
  if (m) {
    const t = fields(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), 0);
    return Number.isNaN(t) ? null : { ms: t, instant: false };
  }
  return null;
}

/** Parses a date and a separate time-of-day column (`2026-5-7` + `00:00:04.000000`). */
export function parseDateAndTime(date: string, time: string): ParsedStamp | null {
  return parseStamp(`${date.trim()} ${time.trim()}`);
}
