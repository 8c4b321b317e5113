/**
 * HTTP `Retry-After` (RFC 9110 §10.2.3): either a number of seconds or an HTTP date.
 */

/**
 * The wait a `Retry-After` header asks for, in ms (never negative).
 * @param nowMs the current time, for the HTTP-date form
 * @returns undefined when the header is absent or unreadable
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // An HTTP date names its day and month in letters; anything else (e.g. '-3') is not one.
  if (!/[A-Za-z]/.test(value)) return undefined;
  const date = Date.parse(value);
  if (!Number.isFinite(date)) return undefined;
  return Math.max(0, date - nowMs);
}
