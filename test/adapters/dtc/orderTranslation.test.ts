import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { OrderRequest } from '../../../core/types.ts';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { BuySell, OrderStatus, OrderType, OrderUpdateReason, TimeInForce } from '../../../adapters/dtc/enums.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { OrderUpdate } from '../../../adapters/dtc/messages.ts';
import { OrderUpdateTranslator, toDtcOco, toDtcOrder } from '../../../adapters/dtc/orderTranslation.ts';

const T0 = Date.UTC(2025, 10, 4, 15, 0);
const route = { account: 'PAPER1', symbol: 'ESZ25', exchange: 'CME' };

const req = (over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: 'S1-1',
  symbol: 'ESZ25',
  side: 'buy',
  qty: 1,
  type: 'market',
  tif: 'ioc',
  purpose: 'entry',
  createdAt: T0,
  ...over,
});

const update = (over: Partial<OrderUpdate>): OrderUpdate =>
  createDtcMessage(MessageType.ORDER_UPDATE, {
    Symbol: 'ESZ25',
    Exchange: 'CME',
    ClientOrderID: 'S1-1',
    ServerOrderID: 'P-1',
    BuySell: BuySell.BUY,
    TradeAccount: 'PAPER1',
    ...over,
  });

const translator = () => new OrderUpdateTranslator({ commissionPerContract: 2.25, miaSymbol: 'ESZ25' });

describe('toDtcOrder / toDtcOco', () => {
  it('maps every order type to DTC prices: a stop trigger in Price1, a stop-limit limit in Price2', () => {
    expect(toDtcOrder(req(), route)).toMatchObject({ OrderType: OrderType.MARKET, BuySell: BuySell.BUY, Quantity: 1, TimeInForce: TimeInForce.IMMEDIATE_OR_CANCEL, ClientOrderID: 'S1-1', TradeAccount: 'PAPER1', IsAutomatedOrder: 1 });
    expect(toDtcOrder(req({ type: 'limit', price: 6001.25, side: 'sell', tif: 'day' }), route)).toMatchObject({ OrderType: OrderType.LIMIT, Price1: 6001.25, BuySell: BuySell.SELL, TimeInForce: TimeInForce.DAY });
    expect(toDtcOrder(req({ type: 'stop', stopPrice: 5990, tif: 'gtc' }), route)).toMatchObject({ OrderType: OrderType.STOP, Price1: 5990, TimeInForce: TimeInForce.GOOD_TILL_CANCELED });
    expect(toDtcOrder(req({ type: 'stopLimit', stopPrice: 5990, price: 5989.5 }), route)).toMatchObject({ OrderType: OrderType.STOP_LIMIT, Price1: 5990, Price2: 5989.5 });
  });

  it('puts both bracket legs in one OCO message', () => {
    const stop = req({ clientOrderId: 'S1-2', side: 'sell', type: 'stop', stopPrice: 5992, purpose: 'bracket-stop', tif: 'gtc' });
    const target = req({ clientOrderId: 'S1-3', side: 'sell', type: 'limit', price: 6012, purpose: 'bracket-target', tif: 'gtc' });
    expect(toDtcOco(stop, target, route)).toMatchObject({
      Type: MessageType.SUBMIT_NEW_OCO_ORDER,
      ClientOrderID_1: 'S1-2', OrderType_1: OrderType.STOP, Price1_1: 5992, BuySell_1: BuySell.SELL,
      ClientOrderID_2: 'S1-3', OrderType_2: OrderType.LIMIT, Price1_2: 6012, BuySell_2: BuySell.SELL,
      TradeAccount: 'PAPER1', Symbol: 'ESZ25',
    });
  });
});

describe('OrderUpdateTranslator', () => {
  it('reports acceptance, the fill and nothing more, whatever the duplicates', () => {
    const t = translator();
    const accepted = update({ OrderStatus: OrderStatus.OPEN, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_ACCEPTED });
    const filled = update({
      OrderStatus: OrderStatus.FILLED, OrderUpdateReason: OrderUpdateReason.ORDER_FILLED,
      LastFillPrice: 6000.5, LastFillQuantity: 1, FilledQuantity: 1, LastFillExecutionID: 'X-1', LastFillDateTime: T0 + 60_000,
    });
    const events = [accepted, accepted, filled, filled].flatMap((u) => t.translate(u, T0));
    expect(events).toEqual([
      { type: 'VENUE.ACCEPTED', clientOrderId: 'S1-1', serverOrderId: 'P-1', time: T0 },
      { type: 'VENUE.FILL', fill: { clientOrderId: 'S1-1', executionId: 'X-1', symbol: 'ESZ25', side: 'buy', qty: 1, price: 6000.5, time: T0 + 60_000, commission: 2.25 } },
    ]);
    expect(t.working()).toEqual([]);
    expect(t.clientIdOf('P-1')).toBe('S1-1');
  });

  it('a fill first (no acceptance seen) reports the acceptance before it; partial fills without ids are keyed by cumulative quantity', () => {
    const t = translator();
    const part = (filled: number) =>
      update({ OrderStatus: filled < 2 ? OrderStatus.PARTIALLY_FILLED : OrderStatus.FILLED, OrderUpdateReason: OrderUpdateReason.ORDER_FILLED_PARTIALLY, FilledQuantity: filled, LastFillPrice: 6000 + filled });
    const events = [part(1), part(1), part(2)].flatMap((u) => t.translate(u, T0));
    expect(events.map((e) => e.type)).toEqual(['VENUE.ACCEPTED', 'VENUE.FILL', 'VENUE.FILL']);
    const fills = events.flatMap((e) => (e.type === 'VENUE.FILL' ? [e.fill] : []));
    expect(fills.map((f) => [f.executionId, f.qty, f.price, f.time])).toEqual([['P-1:1', 1, 6001, T0], ['P-1:2', 1, 6002, T0]]);
    expect(t.order('S1-1')).toMatchObject({ filledQty: 2, avgFillPrice: 6001.5, final: 'filled' });
  });

  it('reports a rejection with the venue text, a cancel once, a refused cancel each time', () => {
    const t = translator();
    expect(t.translate(update({ ClientOrderID: 'A', ServerOrderID: '', OrderStatus: OrderStatus.REJECTED, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_REJECTED, InfoText: 'no margin' }), T0)).toEqual([
      { type: 'VENUE.REJECTED', clientOrderId: 'A', reason: 'no margin', time: T0 },
    ]);
    expect(t.translate(update({ ClientOrderID: 'A', OrderStatus: OrderStatus.REJECTED, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_REJECTED }), T0)).toEqual([]);
    const canceled = update({ ClientOrderID: 'B', ServerOrderID: 'P-2', OrderStatus: OrderStatus.CANCELED, OrderUpdateReason: OrderUpdateReason.ORDER_CANCELED });
    expect([canceled, canceled].flatMap((u) => t.translate(u, T0)).map((e) => e.type)).toEqual(['VENUE.ACCEPTED', 'VENUE.CANCELED']);
    const refused = update({ ClientOrderID: 'C', ServerOrderID: 'P-3', OrderStatus: OrderStatus.OPEN, OrderUpdateReason: OrderUpdateReason.ORDER_CANCEL_REJECTED, InfoText: 'too late' });
    expect(t.translate(refused, T0).map((e) => e.type)).toEqual(['VENUE.ACCEPTED', 'VENUE.CANCEL_REJECTED']);
  });

  it('ignores open-orders answers and updates without a ClientOrderID', () => {
    const t = translator();
    expect(t.translate(update({ OrderStatus: OrderStatus.OPEN, OrderUpdateReason: OrderUpdateReason.OPEN_ORDERS_REQUEST_RESPONSE }), T0)).toEqual([]);
    expect(t.translate(update({ ClientOrderID: '', OrderStatus: OrderStatus.FILLED, LastFillPrice: 1, LastFillQuantity: 1 }), T0)).toEqual([]);
  });

  it('property: any sequence of (possibly repeated) updates reports each execution at most once and never more than one final state', () => {
    const kinds = fc.constantFrom('accept', 'fill1', 'fill2', 'cancel', 'reject', 'cancelRejected');
    fc.assert(
      fc.property(fc.array(kinds, { maxLength: 30 }), (seq) => {
        const t = translator();
        const make = (k: string): OrderUpdate => {
          switch (k) {
            case 'accept': return update({ OrderStatus: OrderStatus.OPEN, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_ACCEPTED });
            case 'fill1': return update({ OrderStatus: OrderStatus.PARTIALLY_FILLED, OrderUpdateReason: OrderUpdateReason.ORDER_FILLED_PARTIALLY, LastFillQuantity: 1, LastFillPrice: 6000, LastFillExecutionID: 'E1' });
            case 'fill2': return update({ OrderStatus: OrderStatus.FILLED, OrderUpdateReason: OrderUpdateReason.ORDER_FILLED, LastFillQuantity: 1, LastFillPrice: 6001, LastFillExecutionID: 'E2' });
            case 'cancel': return update({ OrderStatus: OrderStatus.CANCELED, OrderUpdateReason: OrderUpdateReason.ORDER_CANCELED });
            case 'reject': return update({ OrderStatus: OrderStatus.REJECTED, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_REJECTED });
            default: return update({ OrderStatus: OrderStatus.OPEN, OrderUpdateReason: OrderUpdateReason.ORDER_CANCEL_REJECTED });
          }
        };
        const events = seq.flatMap((k) => t.translate(make(k), T0));
        const fills = events.flatMap((e) => (e.type === 'VENUE.FILL' ? [e.fill.executionId] : []));
        expect(new Set(fills).size).toBe(fills.length);
        expect(events.filter((e) => e.type === 'VENUE.ACCEPTED').length).toBeLessThanOrEqual(1);
        expect(events.filter((e) => e.type === 'VENUE.CANCELED' || e.type === 'VENUE.REJECTED').length).toBeLessThanOrEqual(1);
        // A rejection only ever comes before any acceptance.
        const firstAccept = events.findIndex((e) => e.type === 'VENUE.ACCEPTED');
        const reject = events.findIndex((e) => e.type === 'VENUE.REJECTED');
        if (reject >= 0) expect(firstAccept === -1 || reject < firstAccept).toBe(true);
      }),
    );
  });
});
