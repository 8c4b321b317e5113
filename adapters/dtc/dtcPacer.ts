/**
 * Outgoing pacing for orders and requests: a token bucket refilled by a timer, so a
 * burst (a bracket's parent and OCO, the start-up requests) leaves at once but a
 * sustained flood is spread at `ratePerSecond`. Sierra Chart rejects requests that come
 * too fast (claiming RequestID 0), and a runaway loop must not flood a live venue.
 *
 * Only timers, no clock reads: with `burst` tokens in hand an item is written
 * synchronously; otherwise it waits for the refill tick. Items leave in FIFO order.
 */

/** The timer functions the pacer uses (injectable for tests; defaults to the globals). */
export interface PacerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: PacerTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface DtcPacerOptions<T> {
  /** Sustained rate, items per second (> 0). */
  ratePerSecond: number;
  /** Items that may leave back to back before the rate applies (integer >= 1). */
  burst: number;
  /** Writes one item; a throw rejects that item's promise. */
  write: (item: T) => void;
  timers?: PacerTimers;
}

interface Queued<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class DtcPacer<T> {
  readonly #write: (item: T) => void;
  readonly #timers: PacerTimers;
  readonly #burst: number;
  readonly #intervalMs: number;
  #tokens: number;
  #queue: Queued<T>[] = [];
  #refill: unknown = undefined;

  constructor(options: DtcPacerOptions<T>) {
    const { ratePerSecond, burst } = options;
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
      throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
    }
    if (!(Number.isInteger(burst) && burst >= 1)) throw new RangeError(`burst must be an integer >= 1, got ${burst}`);
    this.#write = options.write;
    this.#timers = options.timers ?? globalTimers;
    this.#burst = burst;
    // Whole milliseconds, rounded up: timers truncate, and the rate is a ceiling.
    this.#intervalMs = Math.ceil(1000 / ratePerSecond);
    this.#tokens = burst;
  }

  /** Items waiting for a token. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Writes `item` now if a token is free and nothing waits, else queues it.
   * @returns resolves once written; rejects if the write throws or `clear` drops it.
   */
  enqueue(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#drain();
      this.#armRefill();
    });
  }

  /** Drops every queued item, rejecting each with `error` (the tokens are kept). */
  clear(error: unknown): void {
    for (const queued of this.#queue.splice(0)) queued.reject(error);
  }

  /** Drops the queue and stops the refill timer: no handle is left behind. */
  dispose(error: unknown): void {
    this.clear(error);
    if (this.#refill !== undefined) this.#timers.clearTimeout(this.#refill);
    this.#refill = undefined;
    this.#tokens = this.#burst;
  }

  #drain(): void {
    while (this.#tokens > 0 && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      this.#tokens -= 1;
      try {
        this.#write(next.item);
        next.resolve();
      } catch (error) {
        next.reject(error);
      }
    }
  }

  /** Keeps one refill timer running while tokens are missing or items wait. */
  #armRefill(): void {
    if (this.#refill !== undefined) return;
    if (this.#tokens >= this.#burst && this.#queue.length === 0) return;
    this.#refill = this.#timers.setTimeout(() => {
      this.#refill = undefined;
      this.#tokens = Math.min(this.#burst, this.#tokens + 1);
      this.#drain();
      this.#armRefill();
    }, this.#intervalMs);
  }
}
