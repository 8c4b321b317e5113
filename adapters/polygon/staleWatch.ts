/**
 * Stale-data detection: market data counts as stale once no data message has arrived for
 * `staleAfterMs` of clock time, and fresh again at the next one. Transitions are reported
 * once each (edge-triggered), so risk is told "stale" once per silence, not once per check.
 * Pure: the caller supplies the times (a Clock in live use, a ManualClock in tests).
 */
export type StaleTransition = 'stale' | 'fresh';

export class StaleWatch {
  private lastDataAt: number;
  private stale = false;

  /** @param startAt counting starts here: a stream that never delivers goes stale too */
  constructor(
    readonly staleAfterMs: number,
    startAt: number,
  ) {
    if (!(Number.isFinite(staleAfterMs) && staleAfterMs > 0)) throw new RangeError(`staleAfterMs must be > 0, got ${staleAfterMs}`);
    this.lastDataAt = startAt;
  }

  get isStale(): boolean {
    return this.stale;
  }

  /** Time of the latest data message (or of the start). */
  get lastDataTime(): number {
    return this.lastDataAt;
  }

  /** A data message arrived at `now`; 'fresh' when this ends a stale period. */
  touch(now: number): StaleTransition | null {
    this.lastDataAt = Math.max(this.lastDataAt, now);
    if (!this.stale) return null;
    this.stale = false;
    return 'fresh';
  }

  /** 'stale' when the silence has just reached `staleAfterMs` at `now`; null otherwise. */
  check(now: number): StaleTransition | null {
    if (this.stale || now - this.lastDataAt < this.staleAfterMs) return null;
    this.stale = true;
    return 'stale';
  }
}
