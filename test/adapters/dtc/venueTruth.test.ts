import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../../core/types.ts';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { BuySell, OrderStatus, OrderUpdateReason } from '../../../adapters/dtc/enums.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { HistoricalOrderFillResponse, OrderUpdate, PositionUpdate } from '../../../adapters/dtc/messages.ts';
import { venueTruth, type VenueTruthParams } from '../../../adapters/dtc/venueTruth.ts';
import type { ReconcileHint } from '../../../machines/orchestratorEvents.ts';

const T0 = Date.UTC(2025, 10, 4, 15, 0);
const SEC = 1000;

const request = (clientOrderId: string, over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId, symbol: 'ESZ25', side: 'buy', qty: 1, type: 'market', tif: 'ioc', purpose: 'entry', createdAt: T0, ...over,
});
const hint = (clientOrderId: string, over: Partial<OrderRequest> = {}, serverOrderId?: string): ReconcileHint => ({
  request: request(clientOrderId, over), filledQty: 0, ...(serverOrderId ? { serverOrderId } : {}),
});
const open = (clientOrderId: string, serverOrderId: string, over: Partial<OrderUpdate> = {}): OrderUpdate =>
  createDtcMessage(MessageType.ORDER_UPDATE, {
    Symbol: 'ESZ25', ClientOrderID: clientOrderId, ServerOrderID: serverOrderId, OrderStatus: OrderStatus.OPEN,
    OrderUpdateReason: OrderUpdateReason.OPEN_ORDERS_REQUEST_RESPONSE, BuySell: BuySell.SELL, ...over,
  });
const fill = (serverOrderId: string, qty: number, price: number, at: number, side: number = BuySell.BUY, id = `${serverOrderId}-x`): HistoricalOrderFillResponse =>
  createDtcMessage(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, {
    Symbol: 'ESZ25', ServerOrderID: serverOrderId, BuySell: side, Quantity: qty, Price: price, DateTime: Math.floor(at / SEC), UniqueExecutionID: id,
  });
const position = (qty: number, avg: number): PositionUpdate =>
  createDtcMessage(MessageType.POSITION_UPDATE, { Symbol: 'ESZ25', Quantity: qty, AveragePrice: avg });

const params = (over: Partial<VenueTruthParams> = {}): VenueTruthParams => ({
  venueSymbol: 'ESZ25', miaSymbol: 'ESZ25', commissionPerContract: 2.25, clientIdOf: () => undefined, knownExecution: () => false, ...over,
});

describe('venueTruth', () => {
  it('a still-open order is working; an order filled during the outage is filled, and its fill is reported once', () => {
    const live = { e1: hint('e1', {}, 'P-1'), s1: hint('s1', { side: 'sell', type: 'stop', stopPrice: 5990 }, 'P-2') };
    const records = { openOrders: [open('s1', 'P-2')], fills: [fill('P-1', 1, 6000.25, T0 + 5 * SEC)], positions: [position(1, 6000.25)] };
    const truth = venueTruth(live, records, params());
    expect(truth.orders).toEqual({
      s1: { status: 'working', serverOrderId: 'P-2', filledQty: 0 },
      e1: { status: 'filled', serverOrderId: 'P-1', filledQty: 1, avgFillPrice: 6000.25 },
    });
    expect(truth.missedFills).toEqual([{ clientOrderId: 'e1', executionId: 'P-1-x', symbol: 'ESZ25', side: 'buy', qty: 1, price: 6000.25, time: T0 + 5 * SEC, commission: 2.25 }]);
    expect(truth).toMatchObject({ position: 1, avgPrice: 6000.25 });

    // Already journaled: the fill is not reported again, the order is still known filled.
    const again = venueTruth(live, records, params({ knownExecution: (id) => id.executionId === 'P-1-x' }));
    expect(again.missedFills).toEqual([]);
    expect(again.orders.e1?.status).toBe('filled');
  });

  it('ties the fill of an order never acknowledged to it only when exactly one candidate matches', () => {
    const one = venueTruth({ e1: hint('e1') }, { openOrders: [], fills: [fill('P-9', 1, 6001, T0 + SEC)], positions: [position(1, 6001)] }, params());
    expect(one.missedFills[0]?.clientOrderId).toBe('e1');
    expect(one.orders.e1).toMatchObject({ status: 'filled', serverOrderId: 'P-9' });

    const two = venueTruth(
      { e1: hint('e1'), e2: hint('e2') },
      { openOrders: [], fills: [fill('P-9', 1, 6001, T0 + SEC)], positions: [position(1, 6001)] },
      params(),
    );
    expect(two.missedFills[0]?.clientOrderId).toBe('venue:P-9');
    expect(two.orders).toEqual({});

    // Wrong side, or a fill older than the order: not ours.
    const side = venueTruth({ e1: hint('e1', { side: 'sell' }) }, { openOrders: [], fills: [fill('P-9', 1, 6001, T0 + SEC)], positions: [] }, params());
    expect(side.orders).toEqual({});
    const early = venueTruth({ e1: hint('e1') }, { openOrders: [], fills: [fill('P-9', 1, 6001, T0 - 10 * SEC)], positions: [] }, params());
    expect(early.orders).toEqual({});
  });

  it('an order the venue neither works nor filled is left out (the orchestrator declares it lost); other symbols are ignored', () => {
    const nqFill = { ...fill('P-7', 1, 21000, T0), Symbol: 'NQZ25' };
    const truth = venueTruth(
      { e1: hint('e1', {}, 'P-1') },
      { openOrders: [open('x', 'P-7', { Symbol: 'NQZ25' })], fills: [nqFill], positions: [createDtcMessage(MessageType.POSITION_UPDATE, { NoPositions: 1 })] },
      params(),
    );
    expect(truth).toEqual({ missedFills: [], orders: {}, position: 0 });
  });

  it('a partially filled order that left the book is cancelled with its filled quantity; fills come oldest first', () => {
    const truth = venueTruth(
      { e1: hint('e1', { qty: 2, type: 'limit', price: 6000 }, 'P-1') },
      { openOrders: [], fills: [fill('P-1', 1, 5999.75, T0 + 9 * SEC, BuySell.BUY, 'b'), fill('P-1', 0, 6000, T0), fill('P-1', 1, 6000, T0 + 2 * SEC, BuySell.BUY, 'a')], positions: [position(2, 5999.875)] },
      params(),
    );
    expect(truth.missedFills.map((f) => f.executionId)).toEqual(['a', 'b']);
    expect(truth.orders.e1).toEqual({ status: 'filled', serverOrderId: 'P-1', filledQty: 2, avgFillPrice: 5999.875 });
    const partial = venueTruth({ e1: hint('e1', { qty: 2 }, 'P-1') }, { openOrders: [], fills: [fill('P-1', 1, 6000, T0 + SEC)], positions: [] }, params());
    expect(partial.orders.e1).toMatchObject({ status: 'cancelled', filledQty: 1 });
  });

  it('a fill of an unacknowledged bracket is tied to the leg whose price it fits (the stop, not the target)', () => {
    const live = {
      st: hint('st', { side: 'sell', type: 'stop', stopPrice: 5992.25, purpose: 'bracket-stop', ocoGroup: 'g' }),
      tg: hint('tg', { side: 'sell', type: 'limit', price: 6012.25, purpose: 'bracket-target', ocoGroup: 'g' }),
    };
    const truth = venueTruth(live, { openOrders: [], fills: [fill('P-9', 1, 5990.75, T0 + SEC, BuySell.SELL)], positions: [] }, params());
    expect(truth.missedFills.map((f) => f.clientOrderId)).toEqual(['st']);
    expect(truth.orders.st).toMatchObject({ status: 'filled', filledQty: 1, avgFillPrice: 5990.75 });
    // A fill that fits both legs stays untied: no guess.
    const both = venueTruth(
      { a: hint('a', { side: 'sell', type: 'market' }), b: hint('b', { side: 'sell', type: 'market' }) },
      { openOrders: [], fills: [fill('P-8', 1, 6000, T0 + SEC, BuySell.SELL)], positions: [] },
      params(),
    );
    expect(both.missedFills.map((f) => f.clientOrderId)).toEqual(['venue:P-8']);
  });

  it('an order no longer open that the venue describes by its ServerOrderID takes the venue\'s final word', () => {
    const live = { c1: hint('c1', { side: 'sell', type: 'limit', price: 6010 }, 'P-5') };
    const answer = open('c1', 'P-5', { OrderStatus: OrderStatus.CANCELED, InfoText: 'OCO sibling filled' });
    const truth = venueTruth(live, { openOrders: [], orderAnswers: [answer], fills: [], positions: [] }, params());
    expect(truth.orders.c1).toEqual({ status: 'cancelled', serverOrderId: 'P-5', filledQty: 0, reason: 'OCO sibling filled' });
  });

  it('an OCO leg the venue neither works nor filled is cancelled when its sibling filled, not lost; alone it stays unknown', () => {
    const leg = (id: string, over: Partial<OrderRequest>) => hint(id, { side: 'sell', qty: 1, tif: 'gtc', purpose: 'bracket-target', ocoGroup: 'oco-e1', ...over });
    const live = { s1: leg('s1', { type: 'stop', stopPrice: 5990, purpose: 'bracket-stop' }), t1: leg('t1', { type: 'limit', price: 6010 }) };
    // The target's fill is history (tied to it by side, quantity, time and price); the stop is gone without a word.
    const filled = venueTruth(live, { openOrders: [], fills: [fill('P-9', 1, 6010, T0 + 5 * SEC, BuySell.SELL)], positions: [] }, params());
    expect(filled.orders.t1).toMatchObject({ status: 'filled', filledQty: 1 });
    expect(filled.orders.s1).toMatchObject({ status: 'cancelled', filledQty: 0 });
    // Without a filled sibling nothing is inferred: the orchestrator decides (lost).
    const none = venueTruth(live, { openOrders: [], fills: [], positions: [] }, params());
    expect(none.orders).toEqual({});
  });
});
