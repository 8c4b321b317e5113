/** Request/answer correlation: ids, multi-message answers, "none" flags, rejects, timeouts. */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { DtcClientError } from '../../../adapters/dtc/dtcClientError.ts';
import { DtcRequestTracker, requestKinds } from '../../../adapters/dtc/dtcRequests.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { DtcMessage } from '../../../adapters/dtc/messages.ts';

afterEach(() => {
  vi.useRealTimers();
});

const order = (RequestID: number, total: number, n: number, id: string) =>
  createDtcMessage(MessageType.ORDER_UPDATE, { RequestID, TotalNumMessages: total, MessageNumber: n, ClientOrderID: id });

describe('DtcRequestTracker', () => {
  it('collects each numbered answer whatever the interleaving with other requests and unsolicited messages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 }),
        fc.integer(),
        async (sizes, seed) => {
          const tracker = new DtcRequestTracker();
          const ids = sizes.map(() => tracker.nextId());
          const answers = ids.map((id, k) => tracker.track(id, requestKinds.openOrders, 10_000).then((r) => [k, r] as const));
          // Each request's messages, in order; "none" is one NoOrders message.
          const streams: DtcMessage[][] = ids.map((id, k) => {
            const size = sizes[k]!;
            if (size === 0) return [createDtcMessage(MessageType.ORDER_UPDATE, { RequestID: id, TotalNumMessages: 1, MessageNumber: 1, NoOrders: 1 })];
            return Array.from({ length: size }, (_, i) => order(id, size, i + 1, `r${k}-${i}`));
          });
          // Interleave deterministically from the seed, with unsolicited updates between.
          let state = seed >>> 0;
          const merged: DtcMessage[] = [];
          const cursors = streams.map(() => 0);
          while (cursors.some((c, k) => c < streams[k]!.length)) {
            state = (state * 1103515245 + 12345) >>> 0;
            const open = cursors.flatMap((c, k) => (c < streams[k]!.length ? [k] : []));
            const k = open[state % open.length]!;
            merged.push(streams[k]![cursors[k]!]!);
            cursors[k]! += 1;
            merged.push(order(0, 1, 1, 'unsolicited'));
          }
          const routed = merged.map((m) => tracker.handle(m));
          expect(routed.filter(Boolean)).toHaveLength(merged.length / 2);
          const results = await Promise.all(answers);
          for (const [k, result] of results) {
            expect(result.map((o) => o.ClientOrderID)).toEqual(Array.from({ length: sizes[k]! }, (_, i) => `r${k}-${i}`));
          }
          expect(tracker.pending).toBe(0);
        },
      ),
    );
  });

  it('answers the single-answer kinds and their "none" flags', async () => {
    const tracker = new DtcRequestTracker();
    const balance = tracker.track(1, requestKinds.accountBalance, 1_000);
    const noBalance = tracker.track(2, requestKinds.accountBalance, 1_000);
    const positions = tracker.track(3, requestKinds.positions, 1_000);
    const fills = tracker.track(4, requestKinds.fills, 1_000);
    const accounts = tracker.track(5, requestKinds.tradeAccounts, 1_000);
    const snapshot = tracker.track(6, requestKinds.marketDataSnapshot, 1_000);
    tracker.handle(createDtcMessage(MessageType.ACCOUNT_BALANCE_UPDATE, { RequestID: 1, TotalNumberMessages: 1, MessageNumber: 1, CashBalance: 7 }));
    tracker.handle(createDtcMessage(MessageType.ACCOUNT_BALANCE_UPDATE, { RequestID: 2, NoAccountBalances: 1 }));
    tracker.handle(createDtcMessage(MessageType.POSITION_UPDATE, { RequestID: 3, TotalNumberMessages: 1, MessageNumber: 1, NoPositions: 1 }));
    tracker.handle(createDtcMessage(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, { RequestID: 4, TotalNumberMessages: 1, MessageNumber: 1, NoOrderFills: 1 }));
    // A server that numbers nothing (0 / 0) sends one message.
    tracker.handle(createDtcMessage(MessageType.TRADE_ACCOUNT_RESPONSE, { RequestID: 5, TradeAccount: 'ONLY' }));
    tracker.handle(createDtcMessage(MessageType.MARKET_DATA_SNAPSHOT, { SymbolID: 6, LastTradePrice: 5000.25 }));
    expect((await balance)?.CashBalance).toBe(7);
    expect(await noBalance).toBeNull();
    expect(await positions).toEqual([]);
    expect(await fills).toEqual([]);
    expect(await accounts).toEqual(['ONLY']);
    expect((await snapshot).LastTradePrice).toBe(5000.25);
  });

  it('rejects with the RejectText of the matching reject message only', async () => {
    const tracker = new DtcRequestTracker();
    const positions = tracker.track(1, requestKinds.positions, 1_000);
    const market = tracker.track(2, requestKinds.marketDataSnapshot, 1_000);
    // A reject of another kind for the same id is not this request's answer.
    expect(tracker.handle(createDtcMessage(MessageType.OPEN_ORDERS_REJECT, { RequestID: 1, RejectText: 'nope' }))).toBe(false);
    expect(tracker.handle(createDtcMessage(MessageType.CURRENT_POSITIONS_REJECT, { RequestID: 1, RejectText: 'no such account' }))).toBe(true);
    expect(tracker.handle(createDtcMessage(MessageType.MARKET_DATA_REJECT, { SymbolID: 2, RejectText: '' }))).toBe(true);
    await expect(positions).rejects.toMatchObject({ code: 'REJECTED', message: expect.stringContaining('no such account') });
    await expect(market).rejects.toMatchObject({ code: 'REJECTED', message: expect.stringContaining('no reason given') });
  });

  it('times out, and fails everything pending on failAll', async () => {
    vi.useFakeTimers();
    const tracker = new DtcRequestTracker();
    const slow = tracker.track(1, requestKinds.tradeAccounts, 500).catch((e: unknown) => e);
    tracker.handle(createDtcMessage(MessageType.TRADE_ACCOUNT_RESPONSE, { RequestID: 1, TotalNumberMessages: 2, MessageNumber: 1, TradeAccount: 'A' }));
    await vi.advanceTimersByTimeAsync(499);
    expect(tracker.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const error = (await slow) as DtcClientError;
    expect(error.code).toBe('TIMEOUT');
    expect(tracker.pending).toBe(0);
    // A late answer is not routed anywhere.
    expect(tracker.handle(createDtcMessage(MessageType.TRADE_ACCOUNT_RESPONSE, { RequestID: 1, TotalNumberMessages: 2, MessageNumber: 2 }))).toBe(false);

    const a = tracker.track(2, requestKinds.positions, 500).catch((e: unknown) => e);
    const b = tracker.track(3, requestKinds.fills, 500).catch((e: unknown) => e);
    tracker.failAll(new DtcClientError('DISCONNECTED', 'gone'));
    expect(((await a) as DtcClientError).code).toBe('DISCONNECTED');
    expect(((await b) as DtcClientError).code).toBe('DISCONNECTED');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('allocates positive int32 ids, skipping those still pending, and wraps', () => {
    const tracker = new DtcRequestTracker();
    expect([tracker.nextId(), tracker.nextId()]).toEqual([1, 2]);
    void tracker.track(3, requestKinds.positions, 60_000).catch(() => {});
    expect(tracker.nextId()).toBe(4);
    for (let i = 0; i < 5; i++) tracker.nextId();
    tracker.failAll(new DtcClientError('STOPPED', 'end'));
    // At the top of the int32 range the counter wraps to 1, never 0 or negative.
    const wrapping = new DtcRequestTracker({ lastId: 0x7fffffff - 1 });
    expect([wrapping.nextId(), wrapping.nextId(), wrapping.nextId()]).toEqual([0x7fffffff, 1, 2]);
  });
});
