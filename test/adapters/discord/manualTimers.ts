/** Timers driven by a ManualClock: `advance(ms)` moves the clock and fires what fell due, in order. */
import { ManualClock } from '../../../core/clock.ts';
import type { Timers } from '../../../adapters/discord/timers.ts';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

export class ManualTimers implements Timers {
  readonly clock: ManualClock;
  private pending: Pending[] = [];
  private next = 0;

  constructor(start = 0) {
    this.clock = new ManualClock(start);
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const t = { id: ++this.next, at: this.clock.now() + Math.max(0, ms), fn: callback };
    this.pending.push(t);
    return t.id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((t) => t.id !== handle);
  }

  /** Timers waiting. */
  get size(): number {
    return this.pending.length;
  }

  /** Moves time forward by `ms`, firing due timers (and letting their promises settle) in time order. */
  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    for (;;) {
      await flush();
      const due = this.pending.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.pending = this.pending.filter((t) => t !== due);
      this.clock.set(due.at);
      due.fn();
    }
    this.clock.set(end);
    await flush();
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
