/**
 * Follows a session's journal events and says what the signal log should record: a
 * signal when MIA sends the entry order it triggered, and that signal's outcome when the
 * round trip it opened closes (or `void` when the entry never filled). Pure: it returns
 * log bodies and keeps only the signals still open.
 *
 * A scorer signal that MIA does not act on (already in a position, refused by risk) is
 * not a published signal: subscribers see what MIA itself trades.
 */
import type { Fill, OrderRequest, Side, Trade } from '../../core/types.ts';
import type { SignalLogBody } from './signalLog.ts';

export interface ScoredSignalLike {
  side: Side;
  score: number;
  /** Event time (the signal bar's close), ms UTC. */
  time: number;
  price: number;
}

export interface SignalTrackerParams {
  symbol: string;
  /** Protective stop and target distances, index points. */
  stopPoints: number;
  targetPoints: number;
}

interface OpenSignal {
  id: string;
  side: 'long' | 'short';
  entryTime: number | null;
  entryPrice: number | null;
}

/** Order statuses after which an unfilled entry will never fill. */
const deadStatuses = new Set(['rejected', 'cancelled', 'expired', 'lost']);

export class SignalTracker {
  private readonly scored = new Map<number, ScoredSignalLike>();
  private readonly open = new Map<string, OpenSignal>();

  constructor(private readonly params: SignalTrackerParams) {}

  /** A scorer signal (kept until its entry order shows up, or it ages out). */
  onSignal(signal: ScoredSignalLike): void {
    this.scored.set(signal.time, signal);
    // Only recent signals can still become entries: keep the map small.
    if (this.scored.size > 64) this.scored.delete(this.scored.keys().next().value!);
  }

  /** A journal order record; returns the bodies to append. */
  onOrder(clientOrderId: string, request: OrderRequest, status: string): SignalLogBody[] {
    if (request.purpose !== 'entry') return [];
    if (status === 'submitted' && !this.open.has(clientOrderId)) {
      const scored = this.scored.get(request.createdAt);
      if (!scored || scored.side !== request.side) return [];
      this.scored.delete(request.createdAt);
      const long = request.side === 'buy';
      const dir = long ? 1 : -1;
      this.open.set(clientOrderId, { id: clientOrderId, side: long ? 'long' : 'short', entryTime: null, entryPrice: null });
      return [
        {
          kind: 'signal',
          signal: {
            id: clientOrderId,
            symbol: this.params.symbol,
            side: long ? 'long' : 'short',
            price: scored.price,
            stop: scored.price - dir * this.params.stopPoints,
            target: scored.price + dir * this.params.targetPoints,
            score: Math.round(scored.score * 1e4) / 1e4,
            signalTime: scored.time,
          },
        },
      ];
    }
    const open = this.open.get(clientOrderId);
    if (open && open.entryTime === null && deadStatuses.has(status)) {
      this.open.delete(clientOrderId);
      return [{ kind: 'outcome', outcome: { signalId: open.id, result: 'void', points: 0, pnl: 0, note: `entry ${status} before any fill` } }];
    }
    return [];
  }

  /** A fill: the entry of an open signal sets its entry time and price. */
  onFill(fill: Fill): void {
    const open = this.open.get(fill.clientOrderId);
    if (open && open.entryTime === null) {
      open.entryTime = fill.time;
      open.entryPrice = fill.price;
    }
  }

  /** A closed round trip: the outcome of the signal that opened it. */
  onTrade(trade: Trade): SignalLogBody[] {
    for (const open of this.open.values()) {
      if (open.entryTime !== trade.entryTime || open.side !== trade.side) continue;
      this.open.delete(open.id);
      const dir = trade.side === 'long' ? 1 : -1;
      const pnl = trade.qty > 0 ? trade.pnl / trade.qty : 0;
      return [
        {
          kind: 'outcome',
          outcome: {
            signalId: open.id,
            result: pnl > 0 ? 'win' : pnl < 0 ? 'loss' : 'flat',
            entryPrice: trade.entryPrice,
            exitPrice: trade.exitPrice,
            exitTime: trade.exitTime,
            points: Math.round((trade.exitPrice - trade.entryPrice) * dir * 1e4) / 1e4,
            pnl: Math.round(pnl * 100) / 100,
          },
        },
      ];
    }
    return [];
  }

  /** Signals published and not resolved yet. */
  openSignals(): string[] {
    return [...this.open.keys()];
  }
}
