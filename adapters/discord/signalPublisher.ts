/**
 * Publishes each signal to the premium channel at once and to the public channel
 * `publicDelayMs` later, each at most once per signal id. Publications already made (read
 * back from the signal log after a restart) are never repeated, and a public post still
 * owed is rescheduled from its premium time. A failed post is retried a few times, then
 * reported; `onPublished` is called only for posts that went out.
 */
import type { Clock } from '../../core/clock.ts';
import type { SignalAudience } from '../signals/signalLog.ts';
import { globalTimers, type Timers } from './timers.ts';

export interface PublishableSignal {
  id: string;
  /** The message text (the same on both channels). */
  text: string;
}

export interface SignalPublisherOptions {
  post(audience: SignalAudience, text: string): Promise<unknown>;
  publicDelayMs: number;
  clock: Clock;
  timers?: Timers;
  /** Called once per successful post (the caller appends it to the signal log). */
  onPublished?(signalId: string, audience: SignalAudience, at: number): void;
  onError?(err: unknown, signalId: string, audience: SignalAudience): void;
  /** Attempts per post (default 3), `retryMs` apart (default 2 s, doubling). */
  attempts?: number;
  retryMs?: number;
}

export class SignalPublisher {
  private readonly timers: Timers;
  /** `${id}/${audience}` posted or being posted. */
  private readonly claimed = new Set<string>();
  private readonly handles = new Set<unknown>();
  private closed = false;

  constructor(private readonly o: SignalPublisherOptions) {
    this.timers = o.timers ?? globalTimers;
  }

  /** Marks publications that already happened (from the log): they are never made again. */
  alreadyPublished(signalId: string, audience: SignalAudience): void {
    this.claimed.add(`${signalId}/${audience}`);
  }

  /**
   * Premium now, public after the delay. Returns false (and does nothing) for a signal
   * whose premium post was already made or is under way.
   */
  publish(signal: PublishableSignal): boolean {
    if (this.closed || this.claimed.has(`${signal.id}/premium`)) return false;
    this.post(signal, 'premium', 0);
    this.schedulePublic(signal, this.o.clock.now());
    return true;
  }

  /**
   * Schedules the public post of a signal whose premium post went out at `premiumAt`
   * (restart recovery); at once if the delay has already passed.
   */
  schedulePublic(signal: PublishableSignal, premiumAt: number): boolean {
    const key = `${signal.id}/public`;
    if (this.closed || this.claimed.has(key)) return false;
    this.claimed.add(key);
    this.later(() => this.post(signal, 'public', 0, true), premiumAt + this.o.publicDelayMs - this.o.clock.now());
    return true;
  }

  /** Public posts still waiting for their delay. */
  pending(): number {
    return this.handles.size;
  }

  /** Cancels every pending post. */
  close(): void {
    this.closed = true;
    for (const h of this.handles) this.timers.clearTimeout(h);
    this.handles.clear();
  }

  private later(fn: () => void, ms: number): void {
    const handle = this.timers.setTimeout(() => {
      this.handles.delete(handle);
      fn();
    }, Math.max(0, ms));
    this.handles.add(handle);
  }

  private post(signal: PublishableSignal, audience: SignalAudience, attempt: number, claimed = false): void {
    if (this.closed) return;
    if (!claimed && attempt === 0) this.claimed.add(`${signal.id}/${audience}`);
    const attempts = this.o.attempts ?? 3;
    Promise.resolve()
      .then(() => this.o.post(audience, signal.text))
      .then(
        () => {
          try {
            this.o.onPublished?.(signal.id, audience, this.o.clock.now());
          } catch (err) {
            this.o.onError?.(err, signal.id, audience);
          }
        },
        (err: unknown) => {
          if (attempt + 1 < attempts) this.later(() => this.post(signal, audience, attempt + 1, true), (this.o.retryMs ?? 2_000) * 2 ** attempt);
          else this.o.onError?.(err, signal.id, audience);
        },
      );
  }
}
