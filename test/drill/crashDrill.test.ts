/**
 * The drills in `npm test`: the table's arithmetic on recorded traffic, and a 5-kill crash
 * drill against a real `mia dtc-server --state` through the recording proxy. The full
 * drill (`npm run drill`) is not part of the suite.
 */
import { describe, expect, it } from 'vitest';
import { compare, runCrashDrill, unprotectedSeconds } from '../../drill/crashDrill.ts';
import type { RecordedMessage } from '../../drill/recordingProxy.ts';

const at = (t: number, dir: RecordedMessage['dir'], msg: Record<string, unknown>): RecordedMessage => ({ t, dir, conn: 1, msg });
const fillUpdate = (t: number, id: string, exec: string, side: 1 | 2) => at(t, 'toClient', { Type: 301, ClientOrderID: id, OrderType: 1, OrderStatus: 7, OrderUpdateReason: 4, BuySell: side, LastFillQuantity: 1, LastFillExecutionID: exec });
const stopUpdate = (t: number, id: string, status: number) => at(t, 'toClient', { Type: 301, ClientOrderID: id, OrderType: 3, OrderStatus: status, OrderUpdateReason: 2, BuySell: 2 });

describe('drill table', () => {
  it('counts the seconds a position had no working stop', () => {
    const log = [fillUpdate(0, 'e', 'x1', 1), stopUpdate(2_000, 's', 4), stopUpdate(5_000, 's', 8), stopUpdate(6_500, 's2', 4), fillUpdate(7_000, 'x', 'x2', 2)];
    // 0..2 s unprotected, 5..6.5 s unprotected: 3.5 s.
    expect(unprotectedSeconds(log)).toBe(3.5);
    // A fill seen twice (a resend) moves the position once.
    expect(unprotectedSeconds([fillUpdate(0, 'e', 'x1', 1), fillUpdate(1_000, 'e', 'x1', 1), fillUpdate(1_000, 'x', 'x2', 2)])).toBe(1);
  });

  it('finds lost, duplicate, stale and foreign against the venue', () => {
    const log = [
      at(0, 'toVenue', { Type: 208, ClientOrderID: 'a' }),
      at(1, 'toVenue', { Type: 208, ClientOrderID: 'b' }),
      at(2, 'toVenue', { Type: 208, ClientOrderID: 'b' }),
      at(3, 'toVenue', { Type: 201, ClientOrderID_1: 'c1', ClientOrderID_2: 'c2' }),
    ];
    const journal = {
      orders: [
        { clientOrderId: 'a', status: 'filled' },
        { clientOrderId: 'b', status: 'sent' },
        { clientOrderId: 'c1', status: 'canceled' },
        { clientOrderId: 'c2', status: 'open' },
      ],
      fills: [{ executionId: 'xa', clientOrderId: 'a' }],
    };
    const venue = {
      orders: [
        { clientOrderId: 'a', status: 'filled', account: 'PAPER1' },
        { clientOrderId: 'b', status: 'filled', account: 'PAPER1' },
        { clientOrderId: 'c1', status: 'canceled', account: 'PAPER1' },
        { clientOrderId: 'c2', status: 'open', account: 'PAPER1' },
        { clientOrderId: 'theirs', status: 'filled', account: 'PAPER1' },
      ],
      fills: [
        { executionId: 'xa', clientOrderId: 'a', account: 'PAPER1' },
        { executionId: 'xb', clientOrderId: 'b', account: 'PAPER1' },
      ],
    };
    expect(compare(journal, venue, log)).toEqual({ venueFills: 2, lost: 1, duplicate: 1, stale: 1, foreign: 1, secondsUnprotected: 0, ordersSent: 4 });
  });
});

describe('crash drill, 5 kills', () => {
  it('kills mia run and the dtc-server; no ClientOrderID goes out twice and the journal reads after every kill', { timeout: 600_000 }, async () => {
    const lines: string[] = [];
    const table = await runCrashDrill({ clientKills: 4, serverKills: 1, roundMs: 3000, say: (l) => lines.push(l) });
    expect(table.clientKills + table.serverKills).toBe(5);
    expect(lines.filter((l) => l.includes('killed'))).toHaveLength(5);
    expect(lines.at(-1)).toBe('final run exited 0');
    expect(table.duplicate).toBe(0);
    expect(table.venueFills).toBeGreaterThanOrEqual(0);
  });
});
