/**
 * The drills in `npm test`: the table's arithmetic on recorded traffic, and a 5-kill crash
 * drill against a real `mia dtc-server --state` through the recording proxy. The full
 * drill (`npm run drill`) is not part of the suite.
 */
import { describe, expect, it } from 'vitest';
import { compare, runCrashDrill, unprotectedEpisodes } from '../../drill/crashDrill.ts';
import type { RecordedMessage } from '../../drill/recordingProxy.ts';

const at = (t: number, dir: RecordedMessage['dir'], msg: Record<string, unknown>): RecordedMessage => ({ t, dir, conn: 1, msg });
const fillUpdate = (t: number, id: string, exec: string, side: 1 | 2) => at(t, 'toClient', { Type: 301, ClientOrderID: id, OrderType: 1, OrderStatus: 7, OrderUpdateReason: 4, BuySell: side, LastFillQuantity: 1, LastFillExecutionID: exec });
const stopUpdate = (t: number, id: string, status: number) => at(t, 'toClient', { Type: 301, ClientOrderID: id, OrderType: 3, OrderStatus: status, OrderUpdateReason: 2, BuySell: 2 });

describe('drill table', () => {
  const logon = (t: number, conn: number) => ({ t, dir: 'toClient' as const, conn, msg: { Type: 2, Result: 1 } });
  const closed = (t: number, conn: number) => ({ t, dir: 'link' as const, conn, msg: { Type: 'closed' } });
  const on = (conn: number, m: RecordedMessage): RecordedMessage => ({ ...m, conn });

  it('measures each stretch without a working stop, split by whether MIA was connected', () => {
    const log = [
      logon(0, 1),
      fillUpdate(1_000, 'e', 'x1', 1),
      stopUpdate(3_000, 's', 4), // 2 s unprotected, connected
      stopUpdate(5_000, 's', 8),
      stopUpdate(11_500, 's2', 4), // 6.5 s unprotected, connected: over the limit
      fillUpdate(12_000, 'x', 'x2', 2),
      fillUpdate(13_000, 'e2', 'x3', 2), // short: a buy stop protects it
      closed(14_000, 1), // MIA killed with the short unprotected: 1 s connected, then down
      on(2, logon(20_000, 2)), // 6 s down
      on(2, stopUpdate(20_500, 'sb', 4)),
    ];
    const stopBuy = log[9]!;
    (stopBuy.msg as Record<string, unknown>).BuySell = 1;
    const m = unprotectedEpisodes(log);
    expect(m.connected).toEqual({ episodes: 4, maxSeconds: 6.5, overLimit: 1, totalSeconds: 10 });
    expect(m.down).toEqual({ episodes: 1, maxSeconds: 6, overLimit: 1, totalSeconds: 6 });
  });

  it('takes a fill once, the venue position when it comes, and a stop on the wrong side as no protection', () => {
    // A fill seen twice (a resend) moves the position once.
    const twice = unprotectedEpisodes([logon(0, 1), fillUpdate(0, 'e', 'x1', 1), fillUpdate(1_000, 'e', 'x1', 1), fillUpdate(1_000, 'x', 'x2', 2)]);
    expect(twice.connected).toMatchObject({ episodes: 1, maxSeconds: 1 });
    // A buy stop does not protect a long.
    const wrongSide = [logon(0, 1), fillUpdate(0, 'e', 'x1', 1), { ...stopUpdate(100, 's', 4), msg: { ...stopUpdate(100, 's', 4).msg, BuySell: 1 } }, fillUpdate(3_000, 'x', 'x2', 2)];
    expect(unprotectedEpisodes(wrongSide).connected.maxSeconds).toBe(3);
    // The venue's position (a stop filled while MIA was away) ends the episode.
    const flatAtVenue = [logon(0, 1), fillUpdate(0, 'e', 'x1', 1), at(2_000, 'toClient', { Type: 306, NoPositions: 1 })];
    expect(unprotectedEpisodes(flatAtVenue).connected.maxSeconds).toBe(2);
  });

  it('forgets stops the venue no longer lists when a new connection asks for open orders', () => {
    const log = [
      logon(0, 1),
      fillUpdate(0, 'e', 'x1', 1),
      stopUpdate(100, 's', 4),
      closed(1_000, 1),
      on(2, logon(2_000, 2)),
      // Open orders answer (RequestID set) without the stop: cancelled while MIA was away.
      on(2, at(2_100, 'toClient', { Type: 301, RequestID: 7, NoOrders: 1 })),
      on(2, stopUpdate(4_100, 's3', 4)),
    ];
    const m = unprotectedEpisodes(log);
    expect(m.connected).toMatchObject({ episodes: 2, maxSeconds: 2 });
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
    const none = { episodes: 0, maxSeconds: 0, overLimit: 0, totalSeconds: 0 };
    expect(compare(journal, venue, log)).toEqual({ venueFills: 2, lost: 1, duplicate: 1, stale: 1, foreign: 1, unprotected: { connected: none, down: none }, ordersSent: 4 });
  });
});

describe('crash drill, 5 kills', () => {
  it('kills mia run and the dtc-server; no ClientOrderID goes out twice and the journal reads after every kill', { timeout: 600_000 }, async () => {
    const lines: string[] = [];
    const table = await runCrashDrill({ clientKills: 4, serverKills: 1, roundMs: 3000, say: (l) => lines.push(l) });
    expect(table.clientKills + table.serverKills).toBe(5);
    expect(lines.filter((l) => l.startsWith('round') && l.includes('killed'))).toHaveLength(5);
    expect(lines).toContain('final run exited 0');
    expect(table.duplicate).toBe(0);
    expect(table.venueFills).toBeGreaterThanOrEqual(0);
  });
});
