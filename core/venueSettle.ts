/**
 * The meeting point between market data at max speed and a venue behind a socket. In
 * process, an order sent on a bar's close meets the next bar at the venue; over TCP the
 * order and the venue's answers travel asynchronously, so at max speed market data asks
 * `wait()` before each bar and goes on only when the venue owes nothing:
 * - no order or cancel sent by the execution actor is still unanswered, and
 * - every message the embedded paper server sent has been received (the server counts
 *   with `sentByServer`, the execution actor with `received`).
 * Before the first bar it waits for the venue's first logon and reconciliation.
 * A link change (`reset`) forgives what was lost with it. A guard time ends any wait, so
 * a venue that never answers slows a replay down but cannot hang it.
 */
export class VenueSettle {
  private unanswered: (() => number) | null = null;
  private sent = 0;
  private got = 0;
  private waiters: Array<() => void> = [];
  /** Until the venue is first ready (logged on and reconciled), market data waits. */
  private starting = false;

  constructor(private readonly guardMs = 5_000) {}

  /**
   * The execution actor's count of unanswered orders and cancels. Market data then waits
   * for `started()`: bars published before the venue is reconciled would be lost to it.
   */
  attach(unanswered: () => number): void {
    this.unanswered = unanswered;
    this.starting = true;
  }

  /** The venue is ready, or gave up: market data goes on either way. */
  started(): void {
    this.starting = false;
    this.release();
  }

  detach(): void {
    this.unanswered = null;
    this.starting = false;
    this.release();
  }

  /** The embedded server wrote one message the client will report. */
  sentByServer(): void {
    this.sent++;
  }

  /** The client received one (non-session) message. */
  received(): void {
    this.got++;
    this.release();
  }

  /** A new or lost link: messages in flight are not coming. */
  reset(): void {
    this.got = this.sent;
    this.release();
  }

  /** True while the venue owes an answer. */
  owed(): boolean {
    return this.starting || (this.unanswered?.() ?? 0) > 0 || this.got < this.sent;
  }

  /** Null when nothing is owed, else a promise resolved when nothing is (or after the guard time). */
  wait(): Promise<void> | null {
    if (!this.owed()) return null;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, this.guardMs);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
    });
  }

  /** Wakes the waiters when nothing is owed any more. */
  release(): void {
    if (this.owed() || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
