/**
 * Keeps each symbol's bars strictly increasing in time: the one rule that makes live bars,
 * REST backfill and their overlap after a reconnect merge into one series with no
 * duplicate (a bar at or before the last delivered one of its symbol is dropped).
 */
import type { Bar } from '../../core/types.ts';

export class BarSequencer {
  private readonly last = new Map<string, number>();

  /** True (and remembered) when `bar` is newer than its symbol's last bar; false for a repeat. */
  accept(bar: Bar): boolean {
    const last = this.last.get(bar.symbol);
    if (last !== undefined && bar.time <= last) return false;
    this.last.set(bar.symbol, bar.time);
    return true;
  }

  /** Open time of the symbol's last accepted bar. */
  lastTime(symbol: string): number | undefined {
    return this.last.get(symbol);
  }

  symbols(): string[] {
    return [...this.last.keys()];
  }
}
