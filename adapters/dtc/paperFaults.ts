/**
 * Fault switches of the paper DTC server, for tests of a client's resilience: drop the
 * connection, delay or duplicate order updates, reject orders, answer the encoding
 * request with another encoding, go silent, log clients off. All off by default; the
 * switches act on the live sessions at once.
 */

/** What the server lets the switches do to its sessions. */
export interface PaperFaultTargets {
  /** Destroys every client socket. */
  dropAll(): void;
  /** Sends LOGOFF to every logged-on client, then closes them. */
  logoffAll(doNotReconnect: boolean, reason: string): void;
}

export class PaperFaults {
  /** Hold each ORDER_UPDATE this long (ms) before sending it; 0 sends at once. */
  delayUpdatesMs = 0;
  /** Send every ORDER_UPDATE twice. */
  duplicateUpdates = false;
  /** Answer ENCODING_REQUEST with this encoding instead of the one asked for. */
  forceEncoding: number | null = null;
  /** Send nothing at all (heartbeats included) while keeping the sockets open. */
  silent = false;
  private rejects: { left: number; reason: string } = { left: 0, reason: '' };

  constructor(private readonly targets: PaperFaultTargets) {}

  /** Destroys every client socket now (no LOGOFF: the link just drops). */
  dropConnections(): void {
    this.targets.dropAll();
  }

  /** The next `count` new orders are rejected with `reason` (a resubmitted known order is not new). */
  rejectNext(count: number, reason: string): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`rejectNext needs a whole count >= 0, got ${count}`);
    this.rejects = { left: count, reason };
  }

  /** Orders still to be rejected by `rejectNext`. */
  get pendingRejects(): number {
    return this.rejects.left;
  }

  /** The rejection reason for the next new order, consuming one, or null. */
  takeReject(): string | null {
    if (this.rejects.left <= 0) return null;
    this.rejects.left--;
    return this.rejects.reason;
  }

  /** Sends LOGOFF (with DoNotReconnect and Reason) to the connected clients now, then closes them. */
  logoffNext(doNotReconnect: boolean, reason: string): void {
    this.targets.logoffAll(doNotReconnect, reason);
  }

  /** Every switch back off. */
  reset(): void {
    this.delayUpdatesMs = 0;
    this.duplicateUpdates = false;
    this.forceEncoding = null;
    this.silent = false;
    this.rejects = { left: 0, reason: '' };
  }
}
