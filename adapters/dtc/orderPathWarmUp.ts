/**
 * Runs the DTC order path's pure code (translation of MIA orders to DTC messages, encoding
 * in the session's encoding) on sample orders whose bytes go nowhere. Live, a decision comes
 * every few minutes: without this the first orders of a session meet interpreted code, and
 * a first order paid ~1 ms more between its journal record and the wire. Called after logon,
 * where nothing waits on it; it sends, records and tracks nothing.
 */
import type { OrderRequest } from '../../core/types.ts';
import { createDtcMessage } from './createMessage.ts';
import { encodeMessage } from './encodeMessage.ts';
import { MessageType } from './messageType.ts';
import { toDtcBracket, toDtcOrder, type DtcRoute } from './orderTranslation.ts';

/** Enough rounds for V8 to compile the path past its interpreter. */
const ROUNDS = 200;

/** Returns the number of bytes encoded (nothing is written anywhere). */
export function warmOrderPath(route: DtcRoute, encoding: number, rounds = ROUNDS): number {
  let bytes = 0;
  for (let i = 0; i < rounds; i++) {
    const price = 4_000 + i / 4;
    const entry: OrderRequest = { clientOrderId: `warm-${i}-e`, symbol: 'ES', side: i % 2 === 0 ? 'buy' : 'sell', qty: 1, type: i % 3 === 0 ? 'market' : 'limit', price, tif: 'day', purpose: 'entry', createdAt: i };
    const stop: OrderRequest = { ...entry, clientOrderId: `warm-${i}-s`, side: entry.side === 'buy' ? 'sell' : 'buy', type: 'stop', stopPrice: price - 4, purpose: 'stop' };
    const target: OrderRequest = { ...stop, clientOrderId: `warm-${i}-t`, type: 'limit', price: price + 8, purpose: 'target' };
    bytes += encodeMessage(toDtcOrder(entry, route), encoding).length;
    for (const m of toDtcBracket({ entry, stop, target }, route)) bytes += encodeMessage(m, encoding).length;
    const cancel = createDtcMessage(MessageType.CANCEL_ORDER, { ServerOrderID: `${i}`, ClientOrderID: stop.clientOrderId, TradeAccount: route.account });
    bytes += encodeMessage(cancel, encoding).length;
  }
  return bytes;
}
