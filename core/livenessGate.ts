/**
 * Coalesces a peer's signs of life before they reach its connection machine. A MESSAGE is a
 * full statechart step (dead-peer timer cancelled and re-armed, snapshot, inspection), as
 * costly as the rest of an order's round trip, and the dead-peer timer (2 heartbeat
 * intervals) cannot tell a sign of life from one a sixteenth of an interval older: a silent
 * peer is still declared dead after 2 intervals, at most 1/16 interval early.
 *
 * The machine's timers run on real time, so does this gate (not a clock of the domain).
 */
export const LIVENESS_FRACTION = 16;

export class LivenessGate {
  readonly #everyMs: number;
  readonly #now: () => number;
  /** When the machine last heard of the peer's life; -Infinity: at the next sign. */
  #toldAt = Number.NEGATIVE_INFINITY;

  constructor(heartbeatMs: number, now: () => number = () => performance.now()) {
    this.#everyMs = heartbeatMs / LIVENESS_FRACTION;
    this.#now = now;
  }

  /** A new connection: its first sign of life is told at once. */
  reset(): void {
    this.#toldAt = Number.NEGATIVE_INFINITY;
  }

  /** True when this sign of life should be told to the machine (and counts it as told). */
  due(): boolean {
    const now = this.#now();
    if (now - this.#toldAt < this.#everyMs) return false;
    this.#toldAt = now;
    return true;
  }
}
