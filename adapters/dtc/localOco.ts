/**
 * One-cancels-other kept by MIA when the DTC server has no OCO (LOGON_RESPONSE
 * OCOOrdersSupported = 0, or BracketOrdersSupported = 0 for a bracket): the two legs go
 * out as single orders, and when one of them fills (even partly) or ends, the other is
 * cancelled once. Pure bookkeeping: it says what to cancel; the caller sends it.
 */
import type { LogonResponse } from './messages.ts';

/** Whether the server manages OCO pairs itself (absent flags default to 0: unsupported). */
export function serverSupportsOco(logon: Pick<LogonResponse, 'OCOOrdersSupported'> | undefined): boolean {
  return logon?.OCOOrdersSupported === 1;
}

export class LocalOcoBook {
  /** ClientOrderID -> its sibling's, both ways, while both may still work. */
  readonly #sibling = new Map<string, string>();

  /** Records a pair sent as two single orders. */
  link(a: string, b: string): void {
    if (a === b) throw new Error(`an OCO pair needs two ClientOrderIDs, got ${a} twice`);
    this.#sibling.set(a, b);
    this.#sibling.set(b, a);
  }

  /**
   * `clientOrderId` filled (partly or fully): returns the sibling to cancel, once; null
   * when there is none (not a pair, or already handled).
   */
  onFill(clientOrderId: string): string | null {
    return this.#unlink(clientOrderId);
  }

  /**
   * `clientOrderId` ended without a fill (cancelled, rejected, expired): the sibling is
   * left working (a stop whose target was cancelled must still protect), and the pair is
   * forgotten.
   */
  onEnded(clientOrderId: string): void {
    this.#unlink(clientOrderId);
  }

  /** Pairs still linked (both legs may work). */
  get size(): number {
    return this.#sibling.size / 2;
  }

  #unlink(id: string): string | null {
    const other = this.#sibling.get(id);
    if (other === undefined) return null;
    this.#sibling.delete(id);
    this.#sibling.delete(other);
    return other;
  }
}
