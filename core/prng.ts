/**
 * Seeded pseudo-random numbers (mulberry32). Logic that must replay identically never
 * calls Math.random(); it keeps a 32-bit state and draws from it.
 */

/** One draw: `value` uniform in [0, 1) and the state to keep for the next draw. */
export interface RandomDraw {
  value: number;
  state: number;
}

/**
 * One step of mulberry32: pure, and its whole state is one uint32, so it can live in a
 * machine's context and survive a JSON round trip. Not for cryptography.
 * @param state any uint32 (a seed the first time, then the previous draw's `state`)
 */
export function nextRandom(state: number): RandomDraw {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296, state: next };
}

/** A stateful generator for hot loops (simulated feeds); same sequence as nextRandom. */
export class Prng {
  constructor(private state: number) {}
  next(): number {
    const r = nextRandom(this.state);
    this.state = r.state;
    return r.value;
  }
  /** Standard normal draw (Box-Muller). */
  normal(): number {
    let u = this.next();
    while (u <= Number.EPSILON) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}
