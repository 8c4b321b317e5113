/**
 * Operator alerts to one Discord channel (fills, risk and phase changes, errors,
 * disconnections), batched and rate-limited: alerts arriving within `batchMs` go out as
 * one message, at most `maxPerMinute` messages leave in any rolling minute, and while
 * limited the alerts wait in a bounded queue (the oldest dropped first, and counted in
 * the next message). One message is in flight at a time; a failed send is retried.
 */
import type { Clock } from '../../core/clock.ts';
import { globalTimers, type Timers } from './timers.ts';

export type AlertKind = 'fill' | 'risk' | 'phase' | 'error' | 'disconnect' | 'signal' | 'info';

export interface Alert {
  kind: AlertKind;
  text: string;
  /** When it happened, ms UTC (operator clock). */
  time: number;
}

export interface AlertQueueOptions {
  /** Posts one message to the channel. */
  send(text: string): Promise<unknown>;
  clock: Clock;
  timers?: Timers;
  batchMs: number;
  maxPerMinute: number;
  maxQueued: number;
  /** Discord's limit is 2000 characters. */
  maxMessageChars?: number;
  /** Delay before a failed send is tried again, ms (default 5 s). */
  retryMs?: number;
  onError?(err: unknown): void;
}

const MINUTE = 60_000;

const icon: Record<AlertKind, string> = {
  fill: '💱',
  risk: '🛡️',
  phase: '🧭',
  error: '❗',
  disconnect: '🔌',
  signal: '📣',
  info: 'ℹ️',
};

/** One line of an alert message. */
export const alertLine = (a: Alert): string => `${icon[a.kind]} ${new Date(a.time).toISOString().slice(11, 19)}Z ${a.text}`;

export class AlertQueue {
  private readonly timers: Timers;
  private readonly maxChars: number;
  private readonly queue: Alert[] = [];
  private readonly sentAt: number[] = [];
  private dropped = 0;
  private timer: unknown = null;
  private sending = false;
  private closed = false;

  constructor(private readonly o: AlertQueueOptions) {
    this.timers = o.timers ?? globalTimers;
    this.maxChars = o.maxMessageChars ?? 2000;
  }

  /** Queues an alert; the first of a batch opens the batch window. */
  push(alert: Alert): void {
    if (this.closed) return;
    this.queue.push({ ...alert, text: alert.text.slice(0, this.maxChars - 40) });
    while (this.queue.length > this.o.maxQueued) {
      this.queue.shift();
      this.dropped++;
    }
    if (this.timer === null && !this.sending) this.arm(this.o.batchMs);
  }

  /** Alerts waiting, and how many were dropped since the last message. */
  stats(): { queued: number; dropped: number; sentLastMinute: number } {
    this.forgetOld();
    return { queued: this.queue.length, dropped: this.dropped, sentLastMinute: this.sentAt.length };
  }

  /** Stops the timer; what is still queued is discarded. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(ms: number): void {
    if (this.closed) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, Math.max(0, ms));
  }

  private forgetOld(): void {
    const now = this.o.clock.now();
    while (this.sentAt.length > 0 && now - this.sentAt[0]! >= MINUTE) this.sentAt.shift();
  }

  /** Takes as many queued lines as fit in one message. */
  private takeBatch(): { text: string; taken: Alert[]; dropped: number } {
    const dropped = this.dropped;
    const lines: string[] = dropped > 0 ? [`(${dropped} older alert(s) dropped while rate-limited)`] : [];
    let size = lines[0]?.length ?? 0;
    const taken: Alert[] = [];
    while (this.queue.length > 0) {
      const line = alertLine(this.queue[0]!);
      if (taken.length > 0 && size + 1 + line.length > this.maxChars) break;
      size += (lines.length > 0 ? 1 : 0) + line.length;
      lines.push(line);
      taken.push(this.queue.shift()!);
    }
    this.dropped = 0;
    return { text: lines.join('\n'), taken, dropped };
  }

  private async drain(): Promise<void> {
    if (this.closed || this.sending || this.queue.length === 0) return;
    this.forgetOld();
    if (this.sentAt.length >= this.o.maxPerMinute) {
      // Wait until the oldest message of the window leaves it.
      this.arm(this.sentAt[0]! + MINUTE - this.o.clock.now());
      return;
    }
    const batch = this.takeBatch();
    this.sending = true;
    this.sentAt.push(this.o.clock.now());
    try {
      await this.o.send(batch.text);
    } catch (err) {
      // Put the batch back in front: nothing is lost to a failed send (the bound still applies).
      this.queue.unshift(...batch.taken);
      this.dropped += batch.dropped;
      while (this.queue.length > this.o.maxQueued) {
        this.queue.shift();
        this.dropped++;
      }
      this.o.onError?.(err);
      this.sending = false;
      this.arm(this.o.retryMs ?? 5_000);
      return;
    }
    this.sending = false;
    if (this.queue.length > 0) this.arm(this.o.batchMs);
  }
}
