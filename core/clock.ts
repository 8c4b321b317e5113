/**
 * Time enters MIA's logic only through a Clock, so that a backtest, a replay and a live
 * run agree bar for bar. Live code passes `systemClock`; tests and replays pass a
 * `ManualClock` driven by event timestamps.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (UTC). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to: replay and tests drive it from event times. */
export class ManualClock implements Clock {
  constructor(private ms = 0) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`clock time must be finite, got ${ms}`);
    this.ms = ms;
  }
  advance(ms: number): void {
    this.set(this.ms + ms);
  }
}
