/**
 * Bounded reporting for things a peer can make happen at will (unknown frames, refused
 * requests): at most `burst` reports per `windowMs`, then silence, and the next report
 * after the window says how many were suppressed. Log growth is then bounded by time, not
 * by how fast the peer sends. The clock is passed in (no wall time in logic).
 */
import type { Clock } from './clock.ts';

export interface RateLimitedReport<T> {
  /** Reports `item` unless over the limit; returns true when it was reported. */
  (item: T): boolean;
  /** Reports dropped since the last one that went through. */
  readonly suppressed: number;
}

export function rateLimitedReport<T>(
  report: (item: T, suppressedBefore: number) => void,
  { clock, burst = 5, windowMs = 60_000 }: { clock: Clock; burst?: number; windowMs?: number },
): RateLimitedReport<T> {
  let windowStart = Number.NEGATIVE_INFINITY;
  let inWindow = 0;
  let suppressed = 0;
  const fn = ((item: T) => {
    const now = clock.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      inWindow = 0;
    }
    if (inWindow >= burst) {
      suppressed++;
      return false;
    }
    inWindow++;
    const before = suppressed;
    suppressed = 0;
    report(item, before);
    return true;
  }) as RateLimitedReport<T>;
  Object.defineProperty(fn, 'suppressed', { get: () => suppressed });
  return fn;
}
