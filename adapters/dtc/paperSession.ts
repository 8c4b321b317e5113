/**
 * One client connected to the paper DTC server: encoding negotiation, logon, heartbeats
 * both ways, the request handlers (accounts, balances, open orders, positions, fills
 * history, market data snapshots) and the translation of order messages to the engine.
 * Order updates are not answered here but broadcast from the engine's events (every
 * logged-on client sees every change), so a reconnecting client hears what happened.
 *
 * A bad frame is logged and costs its client the connection, never the server; an
 * unknown message type is only logged (a newer client may speak more of DTC).
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { rateLimitedReport } from '../../core/rateLimitedReport.ts';
import { systemClock } from '../../core/clock.ts';
import type { Clock } from '../../core/clock.ts';
import type { OrderRequest } from '../../core/types.ts';
import type { ReplaceTerms, SimulatedVenue, VenueEvent, VenueOrder } from '../simulated/simulatedVenue.ts';
import { createDtcMessage } from './createMessage.ts';
import { encodeMessage, SUPPORTED_ENCODINGS } from './encodeMessage.ts';
import { EncodingEnum, LogonStatus, OrderStatus, OrderUpdateReason, RequestAction } from './enums.ts';
import { DtcFrameDecoder, type DtcFrameResult } from './frameDecoder.ts';
import { DTC_PROTOCOL_VERSION, MessageType } from './messageType.ts';
import type * as M from './messages.ts';
import type { PaperFaults } from './paperFaults.ts';
import { instrumentKey, type PaperMarketData } from './paperMarket.ts';
import {
  balanceUpdateFor,
  fillResponseFor,
  marketSnapshotFor,
  noOrdersUpdate,
  ocoOrderFromDtc,
  orderUpdateFor,
  positionUpdateFor,
  singleOrderFromDtc,
  tifFromDtc,
  type OrderContext,
  type OrderUpdateExtras,
} from './paperMessages.ts';

/** What every session of one server shares. */
export interface PaperSessionContext {
  venue: SimulatedVenue;
  market: PaperMarketData;
  faults: PaperFaults;
  clock: Clock;
  logger: Logger;
  serverName: string;
  /** When either is set, LOGON_REQUEST must carry both exactly. */
  username?: string;
  password?: string;
  /** Heartbeat interval when the client asks for none, seconds; also the logon deadline (x2). */
  heartbeatSeconds: number;
  /** Accept a client that starts speaking JSON without an ENCODING_REQUEST. */
  detectEncoding: boolean;
  tickSize: number;
  /** Called for each message written except the session ones (heartbeat, encoding, logon, logoff). */
  onMessageSent?: (type: number) => void;
  /** The session is gone (socket closed). */
  onClose(session: PaperSession): void;
}

/** Session-level messages: the rest is what a client reports to its owner. */
const SESSION_TYPES: ReadonlySet<number> = new Set([
  MessageType.HEARTBEAT,
  MessageType.ENCODING_RESPONSE,
  MessageType.LOGON_RESPONSE,
  MessageType.LOGOFF,
]);

const DAY_MS = 86_400_000;
const MAX_HEARTBEAT_SECONDS = 3_600;
/** A client that lets this much pile up unread is not reading: drop it rather than grow without bound. */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

type Phase = 'start' | 'negotiated' | 'loggedOn' | 'closed';

export class PaperSession {
  private phase: Phase = 'start';
  private encoding: number = EncodingEnum.BINARY;
  // The largest DTC message is 720 bytes binary (a few KB as JSON): a bigger Size is garbage.
  private readonly decoder = new DtcFrameDecoder({ maxMessageSize: 8_192 });
  private readonly timers = new Set<NodeJS.Timeout>();
  private heartbeat: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private sawBytes = false;
  private heartbeatMs = 0;
  /** The account named at logon, else the engine's default: orders without TradeAccount go there. */
  private account: string;
  private readonly log: Logger;
  /**
   * Warnings a client can trigger at will (unknown or early messages, refused logons) go
   * through a per-connection limit: 200k junk frames cost a few lines, not 42 MB of log.
   */
  private readonly warnLimited = rateLimitedReport<[object, string]>(
    ([obj, msg], suppressedBefore) => this.log.warn(suppressedBefore > 0 ? { ...obj, suppressedBefore } : obj, msg),
    { clock: systemClock, burst: 20, windowMs: 10_000 },
  );
  private warn(obj: object | string, msg?: string): void {
    if (typeof obj === 'string') this.warnLimited([{}, obj]);
    else this.warnLimited([obj, msg ?? '']);
  }

  constructor(
    private readonly socket: Socket,
    private readonly ctx: PaperSessionContext,
    readonly id: number,
  ) {
    this.account = ctx.venue.defaultAccount;
    this.log = ctx.logger.child({ dtcClient: id, remote: `${socket.remoteAddress}:${socket.remotePort}` });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug({ err }, 'DTC client socket error'));
    socket.on('close', () => this.cleanup('socket closed'));
    // A client that never logs on is dropped, like a silent one.
    this.armIdle(2 * ctx.heartbeatSeconds * 1000, 'no logon');
    this.log.info('DTC client connected');
  }

  get loggedOn(): boolean {
    return this.phase === 'loggedOn';
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  /** The encoding the session speaks now. */
  get currentEncoding(): number {
    return this.encoding;
  }

  /** Drops the connection at once (no LOGOFF). */
  destroy(reason: string): void {
    if (this.phase === 'closed') return;
    this.log.info({ reason }, 'dropping DTC client');
    this.socket.destroy();
    this.cleanup(reason);
  }

  /** Sends LOGOFF, then closes the connection once it is written. */
  logoff(doNotReconnect: boolean, reason: string): void {
    if (this.phase === 'closed') return;
    this.send(createDtcMessage(MessageType.LOGOFF, { Reason: reason, DoNotReconnect: doNotReconnect ? 1 : 0 }));
    this.end(`logoff: ${reason}`);
  }

  // ---------------------------------------------------------------- engine events

  /** Translates one engine event to the messages a logged-on client receives. */
  onVenueEvent(e: VenueEvent): void {
    if (this.phase !== 'loggedOn') return;
    switch (e.type) {
      case 'accepted':
        return this.sendUpdate(e.order, OrderUpdateReason.NEW_ORDER_ACCEPTED);
      case 'rejected':
        return this.sendUpdate(e.order, OrderUpdateReason.NEW_ORDER_REJECTED, { infoText: e.order.reason ?? 'rejected' });
      case 'duplicate':
        return this.sendUpdate(e.order, OrderUpdateReason.GENERAL_ORDER_UPDATE, {
          infoText: 'duplicate ClientOrderID: no new order; this is the existing order',
        });
      case 'activated':
        return this.sendUpdate(e.order, OrderUpdateReason.GENERAL_ORDER_UPDATE, { infoText: 'parent filled: order working' });
      case 'filled':
        return this.sendUpdate(e.order, OrderUpdateReason.ORDER_FILLED);
      case 'cancelled':
        return this.sendUpdate(e.order, OrderUpdateReason.ORDER_CANCELED);
      case 'replaced':
        return this.sendUpdate(e.order, OrderUpdateReason.ORDER_CANCEL_REPLACE_COMPLETE);
      case 'cancelRejected':
        if (e.order) this.sendUpdate(e.order, OrderUpdateReason.ORDER_CANCEL_REJECTED, { infoText: e.reason });
        else this.sendUnknownOrderUpdate('', e.clientOrderId, OrderUpdateReason.ORDER_CANCEL_REJECTED, e.reason);
        return;
      case 'replaceRejected':
        if (e.order) this.sendUpdate(e.order, OrderUpdateReason.ORDER_CANCEL_REPLACE_REJECTED, { infoText: e.reason });
        else this.sendUnknownOrderUpdate('', e.clientOrderId, OrderUpdateReason.ORDER_CANCEL_REPLACE_REJECTED, e.reason);
        return;
      case 'account': {
        const position = this.ctx.venue.positionOf(e.account, e.symbol);
        if (position) this.send(positionUpdateFor(position, { unsolicited: true }));
        const balance = this.ctx.venue.balance(e.account, e.time);
        if (balance) this.send(balanceUpdateFor(balance, { unsolicited: true }));
        return;
      }
    }
  }

  // ---------------------------------------------------------------- incoming

  private onData(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    if (!this.sawBytes) {
      this.sawBytes = true;
      if (this.ctx.detectEncoding && chunk[0] === 0x7b) this.adoptJsonWithoutRequest(chunk);
    }
    // Any bytes prove the client alive.
    if (this.phase === 'loggedOn') this.idle?.refresh();
    try {
      this.decoder.push(chunk, this.onFrame);
    } catch (err) {
      this.log.error({ err }, 'DTC client message handling failed');
      this.destroy('message handling failed');
    }
  }

  /** --encoding-any: a client opening with `{` speaks JSON (compact when its first message has "F"). */
  private adoptJsonWithoutRequest(chunk: Buffer): void {
    const end = chunk.indexOf(0);
    const first = chunk.toString('utf8', 0, end === -1 ? chunk.length : end);
    this.encoding = /"F"\s*:\s*\[/.test(first) ? EncodingEnum.JSON_COMPACT : EncodingEnum.JSON;
    this.decoder.setEncoding(EncodingEnum.JSON);
    this.phase = 'negotiated';
    this.log.info({ encoding: this.encoding }, 'DTC client speaks JSON without an encoding request');
  }

  private readonly onFrame = (result: DtcFrameResult): void => {
    if (this.phase === 'closed') return;
    if (!result.ok) {
      const { error } = result;
      if (error.code === 'UNKNOWN_TYPE') {
        this.warn({ messageType: error.messageType }, 'ignoring a DTC message type the paper server does not handle');
        return;
      }
      this.warn({ code: error.code, error: error.message }, 'bad DTC frame from client');
      this.destroy(`bad frame: ${error.code}`);
      return;
    }
    this.dispatch(result.message);
  };

  private dispatch(m: M.DtcMessage): void {
    switch (m.Type) {
      case MessageType.ENCODING_REQUEST:
        return this.onEncodingRequest(m);
      case MessageType.LOGON_REQUEST:
        return this.onLogon(m);
      case MessageType.HEARTBEAT:
        return;
      case MessageType.LOGOFF:
        this.log.info({ reason: m.Reason }, 'DTC client logged off');
        return this.end('client logoff');
      default:
        break;
    }
    if (this.phase !== 'loggedOn') {
      this.warn({ messageType: m.Type }, 'DTC request before logon ignored');
      return;
    }
    const now = this.ctx.clock.now();
    switch (m.Type) {
      case MessageType.TRADE_ACCOUNTS_REQUEST:
        return this.onTradeAccounts(m);
      case MessageType.ACCOUNT_BALANCE_REQUEST:
        return this.onBalance(m, now);
      case MessageType.OPEN_ORDERS_REQUEST:
        return this.onOpenOrders(m);
      case MessageType.CURRENT_POSITIONS_REQUEST:
        return this.onPositions(m);
      case MessageType.HISTORICAL_ORDER_FILLS_REQUEST:
        return this.onFills(m, now);
      case MessageType.MARKET_DATA_REQUEST:
        return this.onMarketData(m);
      case MessageType.SUBMIT_NEW_SINGLE_ORDER:
        return this.onNewOrder(m, now);
      case MessageType.SUBMIT_NEW_OCO_ORDER:
        return this.onNewOco(m, now);
      case MessageType.CANCEL_ORDER:
        return this.onCancel(m, now);
      case MessageType.CANCEL_REPLACE_ORDER:
        return this.onReplace(m, now);
      case MessageType.SUBMIT_FLATTEN_POSITION_ORDER:
        return this.onFlatten(m.TradeAccount, m.Symbol, m.ClientOrderID, now, { exchange: m.Exchange, freeFormText: m.FreeFormText });
      case MessageType.FLATTEN_POSITIONS_FOR_TRADE_ACCOUNT:
        return this.onFlatten(m.TradeAccount, null, m.ClientOrderID, now, { freeFormText: m.FreeFormText });
      default:
        this.warn({ messageType: m.Type }, 'DTC message not expected from a client ignored');
    }
  }

  // ---------------------------------------------------------------- session

  private onEncodingRequest(m: M.EncodingRequest): void {
    if (this.phase !== 'start') {
      this.warn('ENCODING_REQUEST after the start of the session ignored');
      return;
    }
    const forced = this.ctx.faults.forceEncoding;
    const chosen = forced ?? (SUPPORTED_ENCODINGS.has(m.Encoding) ? m.Encoding : EncodingEnum.BINARY);
    // The answer goes out in the encoding the request came in (binary, per the protocol).
    this.send(createDtcMessage(MessageType.ENCODING_RESPONSE, { ProtocolVersion: DTC_PROTOCOL_VERSION, Encoding: chosen, ProtocolType: 'DTC' }));
    this.log.info({ requested: m.Encoding, chosen }, 'DTC encoding negotiated');
    if (!SUPPORTED_ENCODINGS.has(chosen)) {
      this.end(`forced encoding ${chosen} is not implemented`);
      return;
    }
    this.decoder.setEncoding(chosen);
    this.encoding = chosen;
    this.phase = 'negotiated';
  }

  private onLogon(m: M.LogonRequest): void {
    if (this.phase === 'loggedOn') {
      this.warn('second LOGON_REQUEST ignored');
      return;
    }
    const refuse = (text: string) => {
      this.warn({ username: m.Username, reason: text }, 'DTC logon refused');
      this.send(createDtcMessage(MessageType.LOGON_RESPONSE, { Result: LogonStatus.ERROR_NO_RECONNECT, ResultText: text, ServerName: this.ctx.serverName }));
      this.end(`logon refused: ${text}`);
    };
    const { username, password } = this.ctx;
    if ((username !== undefined || password !== undefined) && (m.Username !== (username ?? '') || m.Password !== (password ?? ''))) {
      return refuse('invalid username or password');
    }
    if (m.TradeAccount !== '' && !this.ctx.venue.hasAccount(m.TradeAccount)) return refuse(`unknown trade account "${m.TradeAccount}"`);
    if (m.TradeAccount !== '') this.account = m.TradeAccount;
    // Bounded: a timer beyond 2^31 ms would fire at once (and flood the client).
    const asked = m.HeartbeatIntervalInSeconds > 0 ? m.HeartbeatIntervalInSeconds : this.ctx.heartbeatSeconds;
    const seconds = Math.min(Math.max(asked, 1), MAX_HEARTBEAT_SECONDS);
    this.heartbeatMs = seconds * 1000;
    this.phase = 'loggedOn';
    this.send(
      createDtcMessage(MessageType.LOGON_RESPONSE, {
        ProtocolVersion: DTC_PROTOCOL_VERSION,
        Result: LogonStatus.SUCCESS,
        ResultText: 'paper trading: simulated fills',
        ServerName: this.ctx.serverName,
        TradingIsSupported: 1,
        OCOOrdersSupported: 1,
        OrderCancelReplaceSupported: 1,
        BracketOrdersSupported: 1,
        MarketDataSupported: 1,
        MarketDepthIsSupported: 0,
        SecurityDefinitionsSupported: 0,
        HistoricalPriceDataSupported: 0,
        UsesMultiplePositionsPerSymbolAndTradeAccount: 0,
      }),
    );
    this.log.info({ client: m.ClientName, heartbeatSeconds: seconds, account: this.account }, 'DTC client logged on');
    this.heartbeat = setInterval(() => this.send(createDtcMessage(MessageType.HEARTBEAT, { CurrentDateTime: Math.floor(this.ctx.clock.now() / 1000) })), this.heartbeatMs);
    this.armIdle(this.idleMs, 'silent for twice the heartbeat interval');
  }

  private get idleMs(): number {
    return 2 * this.heartbeatMs;
  }

  // ---------------------------------------------------------------- requests

  /** The account a request names, '' meaning all; false (after sending `reject`) when unknown. */
  private accountsFor(named: string, reject: () => void): string[] | false {
    if (named === '') return this.ctx.venue.accounts();
    if (!this.ctx.venue.hasAccount(named)) {
      reject();
      return false;
    }
    return [named];
  }

  private onTradeAccounts(m: M.TradeAccountsRequest): void {
    const accounts = this.ctx.venue.accounts();
    accounts.forEach((TradeAccount, i) =>
      this.send(createDtcMessage(MessageType.TRADE_ACCOUNT_RESPONSE, { RequestID: m.RequestID, TotalNumberMessages: accounts.length, MessageNumber: i + 1, TradeAccount })),
    );
  }

  private onBalance(m: M.AccountBalanceRequest, now: number): void {
    const reject = () =>
      this.send(createDtcMessage(MessageType.ACCOUNT_BALANCE_REJECT, { RequestID: m.RequestID, RejectText: `unknown trade account "${m.TradeAccount}"` }));
    const accounts = this.accountsFor(m.TradeAccount, reject);
    if (!accounts) return;
    accounts.forEach((account, i) => {
      const balance = this.ctx.venue.balance(account, now)!;
      this.send(balanceUpdateFor(balance, { requestId: m.RequestID, total: accounts.length, number: i + 1 }));
    });
  }

  private onOpenOrders(m: M.OpenOrdersRequest): void {
    const reject = () => this.send(createDtcMessage(MessageType.OPEN_ORDERS_REJECT, { RequestID: m.RequestID, RejectText: `unknown trade account "${m.TradeAccount}"` }));
    const accounts = this.accountsFor(m.TradeAccount, reject);
    if (!accounts) return;
    const reason = OrderUpdateReason.OPEN_ORDERS_REQUEST_RESPONSE;
    let orders: VenueOrder[];
    if (m.RequestAllOrders === 0 && m.ServerOrderID !== '') {
      const one = this.ctx.venue.orderByServerId(m.ServerOrderID);
      orders = one && accounts.includes(one.account) ? [one] : [];
    } else {
      orders = this.ctx.venue.listOrders({ open: true }).filter((o) => accounts.includes(o.account));
    }
    if (orders.length === 0) {
      this.sendOrderUpdate(noOrdersUpdate(m.RequestID, reason));
      return;
    }
    orders.forEach((o, i) => this.sendUpdate(o, reason, { requestId: m.RequestID, total: orders.length, number: i + 1 }));
  }

  private onPositions(m: M.CurrentPositionsRequest): void {
    const reject = () => this.send(createDtcMessage(MessageType.CURRENT_POSITIONS_REJECT, { RequestID: m.RequestID, RejectText: `unknown trade account "${m.TradeAccount}"` }));
    const accounts = this.accountsFor(m.TradeAccount, reject);
    if (!accounts) return;
    const positions = this.ctx.venue.positions().filter((p) => accounts.includes(p.account));
    if (positions.length === 0) {
      this.send(positionUpdateFor(null, { requestId: m.RequestID, ...(m.TradeAccount !== '' ? { account: m.TradeAccount } : {}) }));
      return;
    }
    positions.forEach((p, i) => this.send(positionUpdateFor(p, { requestId: m.RequestID, total: positions.length, number: i + 1 })));
  }

  private onFills(m: M.HistoricalOrderFillsRequest, now: number): void {
    const reject = () => this.send(createDtcMessage(MessageType.HISTORICAL_ORDER_FILLS_REJECT, { RequestID: m.RequestID, RejectText: `unknown trade account "${m.TradeAccount}"` }));
    const accounts = this.accountsFor(m.TradeAccount, reject);
    if (!accounts) return;
    let since = Number.NEGATIVE_INFINITY;
    if (m.NumberOfDays > 0) since = now - m.NumberOfDays * DAY_MS;
    if (m.StartDateTime > 0) since = Math.max(since, m.StartDateTime * 1000);
    const fills = this.ctx.venue
      .fills({ ...(m.ServerOrderID !== '' ? { serverOrderId: m.ServerOrderID } : {}), ...(Number.isFinite(since) ? { since } : {}) })
      .filter((f) => accounts.includes(f.account));
    if (fills.length === 0) {
      this.send(fillResponseFor(null, { requestId: m.RequestID }));
      return;
    }
    fills.forEach((f, i) => this.send(fillResponseFor(f, { requestId: m.RequestID, total: fills.length, number: i + 1 })));
  }

  /** Subscribed instruments (paperMarket's instrumentKey) and the SymbolID each was asked with. */
  private readonly subscriptions = new Map<string, number>();

  /**
   * A trade print or a bar's close for a subscribed instrument: MARKET_DATA_UPDATE_TRADE.
   * `time` is ms; DTC carries seconds with a fractional part.
   */
  onMarketTrade(symbol: string, price: number, volume: number, time: number): void {
    const id = this.phase === 'loggedOn' ? this.subscriptions.get(instrumentKey(symbol)) : undefined;
    if (id === undefined || !(Number.isFinite(price) && price > 0)) return;
    this.send(createDtcMessage(MessageType.MARKET_DATA_UPDATE_TRADE, { SymbolID: id, AtBidOrAsk: 0, Price: price, Volume: Number.isFinite(volume) && volume >= 0 ? volume : 0, DateTime: time / 1000 }));
  }

  /** A new best bid and ask for a subscribed instrument: MARKET_DATA_UPDATE_BID_ASK (quantities are float32, time whole seconds). */
  onMarketQuote(q: { symbol: string; bid: number; ask: number; bidSize: number; askSize: number; time: number }): void {
    const id = this.phase === 'loggedOn' ? this.subscriptions.get(instrumentKey(q.symbol)) : undefined;
    if (id === undefined || !(Number.isFinite(q.bid) && Number.isFinite(q.ask) && q.bid > 0 && q.ask >= q.bid)) return;
    const size = (x: number) => (Number.isFinite(x) && x >= 0 ? Math.fround(x) : 0);
    this.send(
      createDtcMessage(MessageType.MARKET_DATA_UPDATE_BID_ASK, { SymbolID: id, BidPrice: q.bid, BidQuantity: size(q.bidSize), AskPrice: q.ask, AskQuantity: size(q.askSize), DateTime: Math.floor(q.time / 1000) }),
    );
  }

  private onMarketData(m: M.MarketDataRequest): void {
    if (m.RequestAction === RequestAction.UNSUBSCRIBE) {
      for (const [key, id] of this.subscriptions) if (id === m.SymbolID) this.subscriptions.delete(key);
      return;
    }
    const known = m.Symbol === '' ? undefined : this.ctx.market.lookup(m.Symbol);
    if (!known) {
      const why = m.Symbol === '' ? 'Symbol is required' : `no market data for ${m.Symbol}${m.Exchange ? ` (${m.Exchange})` : ''} yet`;
      this.send(createDtcMessage(MessageType.MARKET_DATA_REJECT, { SymbolID: m.SymbolID, RejectText: why }));
      return;
    }
    this.send(marketSnapshotFor(m.SymbolID, known));
    // A subscription (not a one-off snapshot) then streams the updates.
    if (m.RequestAction !== RequestAction.SNAPSHOT) this.subscriptions.set(instrumentKey(m.Symbol), m.SymbolID);
  }

  // ---------------------------------------------------------------- orders

  private orderContext(now: number): OrderContext {
    return { time: now, defaultAccount: this.account, tickSize: this.ctx.tickSize };
  }

  /** The fault switch's rejection for a new ClientOrderID (a known one is a resend, not new). */
  private faultFor(clientOrderIds: readonly string[]): string | null {
    if (clientOrderIds.some((id) => this.ctx.venue.order(id) !== undefined)) return null;
    return this.ctx.faults.takeReject();
  }

  private onNewOrder(m: M.SubmitNewSingleOrder, now: number): void {
    if (m.ClientOrderID === '') {
      // Without an id nothing can be recorded: answer this client only.
      this.sendUnknownOrderUpdate('', '', OrderUpdateReason.NEW_ORDER_REJECTED, 'ClientOrderID is required', OrderStatus.REJECTED, m);
      return;
    }
    const t = singleOrderFromDtc(m, this.orderContext(now));
    const problem = this.faultFor([m.ClientOrderID]) ?? t.problem;
    this.ctx.venue.submit(t.request, now, { ...t.options, ...(problem !== null ? { forceReject: problem } : {}) });
  }

  private onNewOco(m: M.SubmitNewOCOOrder, now: number): void {
    if (m.ClientOrderID_1 === '' || m.ClientOrderID_2 === '') {
      this.sendUnknownOrderUpdate('', m.ClientOrderID_1, OrderUpdateReason.NEW_ORDER_REJECTED, 'both OCO legs need a ClientOrderID', OrderStatus.REJECTED, m);
      if (m.ClientOrderID_2 !== m.ClientOrderID_1) {
        this.sendUnknownOrderUpdate('', m.ClientOrderID_2, OrderUpdateReason.NEW_ORDER_REJECTED, 'both OCO legs need a ClientOrderID', OrderStatus.REJECTED, m);
      }
      return;
    }
    const t = ocoOrderFromDtc(m, this.orderContext(now));
    const problem = this.faultFor([m.ClientOrderID_1, m.ClientOrderID_2]) ?? t.problem;
    this.ctx.venue.submitOco(t.legs, now, { ...t.options, ...(problem !== null ? { forceReject: problem } : {}) });
  }

  /** The order a cancel or replace addresses: by ServerOrderID, else by ClientOrderID. */
  private addressed(serverOrderId: string, clientOrderId: string): VenueOrder | undefined {
    return this.ctx.venue.orderByServerId(serverOrderId) ?? (clientOrderId !== '' ? this.ctx.venue.order(clientOrderId) : undefined);
  }

  private onCancel(m: M.CancelOrder, now: number): void {
    const order = this.addressed(m.ServerOrderID, m.ClientOrderID);
    if (!order) {
      this.sendUnknownOrderUpdate(m.ServerOrderID, m.ClientOrderID, OrderUpdateReason.ORDER_CANCEL_REJECTED, 'no order with that ServerOrderID or ClientOrderID');
      return;
    }
    this.ctx.venue.cancel(order.clientOrderId, now);
  }

  private onReplace(m: M.CancelReplaceOrder, now: number): void {
    const reason = OrderUpdateReason.ORDER_CANCEL_REPLACE_REJECTED;
    const order = this.addressed(m.ServerOrderID, m.ClientOrderID);
    if (!order) {
      this.sendUnknownOrderUpdate(m.ServerOrderID, m.ClientOrderID, reason, 'no order with that ServerOrderID or ClientOrderID');
      return;
    }
    const terms: ReplaceTerms = {};
    // 0 means "unchanged" (no ES price or quantity is 0); Price*IsSet=0 says the same explicitly.
    const changed = (isSet: number, value: number) => isSet !== 0 && value !== 0;
    if (order.type !== 'market') {
      if (changed(m.Price1IsSet, m.Price1)) {
        if (order.type === 'limit') terms.price = m.Price1;
        else terms.stopPrice = m.Price1;
      }
      if (order.type === 'stopLimit' && changed(m.Price2IsSet, m.Price2)) terms.price = m.Price2;
    }
    if (m.Quantity !== 0) terms.qty = m.Quantity;
    if (m.TimeInForce !== 0) {
      const tif = tifFromDtc(m.TimeInForce);
      if (tif === null) return this.sendUpdate(order, reason, { infoText: `unsupported TimeInForce ${m.TimeInForce}` });
      terms.tif = tif;
    }
    for (const price of [terms.price, terms.stopPrice]) {
      if (price !== undefined && Number.isFinite(price) && Math.abs(price / this.ctx.tickSize - Math.round(price / this.ctx.tickSize)) > 1e-6) {
        return this.sendUpdate(order, reason, { infoText: `price ${price} is not on the ${this.ctx.tickSize} tick grid` });
      }
    }
    this.ctx.venue.replace(order.clientOrderId, terms, now);
  }

  private onFlatten(named: string, symbol: string | null, clientOrderId: string, now: number, opts: { exchange?: string; freeFormText?: string }): void {
    const account = named || this.account;
    const refuse = (text: string) => this.sendUnknownOrderUpdate('', clientOrderId, OrderUpdateReason.NEW_ORDER_REJECTED, text, OrderStatus.REJECTED);
    if (clientOrderId === '') return refuse('ClientOrderID is required');
    if (symbol === '') return refuse('Symbol is required');
    const free = opts.freeFormText ? { freeFormText: opts.freeFormText } : {};
    const fault = this.faultFor([clientOrderId]);
    if (fault !== null) {
      const request: OrderRequest = { clientOrderId, symbol: symbol ?? 'ES', side: 'sell', qty: 1, type: 'market', tif: 'day', purpose: 'flatten', createdAt: now };
      this.ctx.venue.submit(request, now, { account, ...(opts.exchange !== undefined ? { exchange: opts.exchange } : {}), ...free, forceReject: fault });
      return;
    }
    this.ctx.venue.flatten(account, symbol, clientOrderId, now, { ...(opts.exchange ? { exchange: opts.exchange } : {}), ...free });
  }

  // ---------------------------------------------------------------- outgoing

  private sendUpdate(order: VenueOrder, reason: number, extras: OrderUpdateExtras = {}): void {
    const links = this.ctx.venue.linksOf(order.clientOrderId);
    this.sendOrderUpdate(
      orderUpdateFor(order, reason, {
        ...(links.ocoSibling?.serverOrderId ? { ocoLinkedServerOrderId: links.ocoSibling.serverOrderId } : {}),
        ...(links.parent?.serverOrderId ? { parentServerOrderId: links.parent.serverOrderId } : {}),
        ...extras,
      }),
    );
  }

  /** An ORDER_UPDATE about an order the engine has no record of (answered to this client only). */
  private sendUnknownOrderUpdate(
    serverOrderId: string,
    clientOrderId: string,
    reason: number,
    infoText: string,
    status: number = OrderStatus.UNSPECIFIED,
    echo?: { Symbol: string; Exchange: string; TradeAccount: string },
  ): void {
    this.sendOrderUpdate(
      createDtcMessage(MessageType.ORDER_UPDATE, {
        TotalNumMessages: 1,
        MessageNumber: 1,
        ServerOrderID: serverOrderId,
        ClientOrderID: clientOrderId,
        OrderStatus: status,
        OrderUpdateReason: reason,
        InfoText: infoText,
        ...(echo ? { Symbol: echo.Symbol, Exchange: echo.Exchange, TradeAccount: echo.TradeAccount || this.account } : { TradeAccount: this.account }),
      }),
    );
  }

  /** ORDER_UPDATEs go through the fault switches: delayed, duplicated. */
  private sendOrderUpdate(m: M.OrderUpdate): void {
    const { delayUpdatesMs, duplicateUpdates } = this.ctx.faults;
    const go = () => {
      this.send(m);
      if (duplicateUpdates) this.send(m);
    };
    if (delayUpdatesMs <= 0) return go();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      go();
    }, delayUpdatesMs);
    this.timers.add(timer);
  }

  private send(m: M.DtcMessage): void {
    if (this.phase === 'closed' || this.ctx.faults.silent || this.socket.destroyed || !this.socket.writable) return;
    let bytes: Buffer;
    try {
      bytes = encodeMessage(m, this.encoding);
    } catch (err) {
      this.log.error({ err, messageType: m.Type }, 'cannot encode a DTC message: not sent');
      return;
    }
    this.socket.write(bytes);
    if (!SESSION_TYPES.has(m.Type)) this.ctx.onMessageSent?.(m.Type);
    if (this.socket.writableLength > MAX_UNREAD_BYTES) this.destroy('client is not reading');
  }

  // ---------------------------------------------------------------- lifecycle

  private armIdle(ms: number, why: string): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.destroy(why), ms);
  }

  /** Closes after what is written has gone out. */
  private end(reason: string): void {
    if (this.phase === 'closed') return;
    this.log.info({ reason }, 'closing DTC client');
    this.socket.end();
    this.cleanup(reason);
    // A peer that never reads must not hold the socket open.
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  private cleanup(reason: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.idle) clearTimeout(this.idle);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.log.info({ reason }, 'DTC client gone');
    this.ctx.onClose(this);
  }
}
