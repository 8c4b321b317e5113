/**
 * The deployment plan's phase-0 check ("send paper orders, receive confirmations") over a
 * real DTC session: connect, negotiate, log on, list accounts, balance and positions,
 * send one test order (a 1-lot limit far from the market, or a market order), follow its
 * updates, cancel it if still working, and report the whole round trip. A market fill is
 * offset by an opposite market order unless asked not to, so the check leaves the
 * account as it found it.
 *
 * Never throws for what the server or the network does: every failure lands in `errors`
 * and `ok` is false.
 */
import type { Logger } from 'pino';
import type { ConnectionHost } from '../../core/connection.ts';
import type { Clock } from '../../core/clock.ts';
import { instrumentFor } from '../../config/instruments.ts';
import { createDtcMessage } from './createMessage.ts';
import { DtcClient, encodingName, type DtcEncodingName } from './dtcClient.ts';
import { BuySell, OrderStatus, OrderType, OrderUpdateReason, TimeInForce } from './enums.ts';
import { MessageType } from './messageType.ts';
import type { DtcMessage, LogonResponse, MarketDataSnapshot, OrderUpdate } from './messages.ts';

export interface DtcCheckOptions {
  host: string;
  port: number;
  encoding: DtcEncodingName;
  symbol: string;
  exchange?: string;
  account: string;
  username?: string;
  /** Sent in the logon only; never in the result or the logs. */
  password?: string;
  /** Send a market order (it fills) instead of a limit far from the market. */
  market: boolean;
  side: 'buy' | 'sell';
  /** Price of the test limit; without it the market is asked for a snapshot. */
  limitPrice?: number;
  /** With `market`: leave the fill in place instead of offsetting it. */
  keepPosition?: boolean;
  /** How long to wait for the logon and for each answer or order update. */
  timeoutMs: number;
  heartbeatSeconds?: number;
  clock: Clock;
  /** Where the client's connection machine runs (actors/connectionHost.ts standaloneConnection). */
  connection: ConnectionHost;
  logger?: Logger;
}

export interface DtcCheckUpdate {
  status: string;
  reason: string;
  /** When the client received it (ISO 8601, from the clock). */
  time: string;
  /** Milliseconds since the order was sent. */
  elapsedMs: number;
  text: string;
  filledQuantity: number | null;
  averageFillPrice: number | null;
}

export interface DtcCheckOrder {
  clientOrderId: string;
  serverOrderId: string;
  type: 'limit' | 'market';
  side: 'buy' | 'sell';
  quantity: number;
  price: number | null;
  updates: DtcCheckUpdate[];
  finalStatus: string | null;
  cancelled: boolean;
}

export interface DtcCheckResult {
  ok: boolean;
  host: string;
  port: number;
  encoding: { requested: string; negotiated: string | null };
  logon: {
    serverName: string;
    result: number;
    resultText: string;
    tradingSupported: boolean;
    orderCancelReplaceSupported: boolean;
    ocoSupported: boolean;
    bracketSupported: boolean;
  } | null;
  accounts: string[];
  positions: Array<{ account: string; symbol: string; quantity: number; averagePrice: number }>;
  balance: { account: string; cashBalance: number; availableForNewPositions: number; currency: string } | null;
  marketData: { bid: number | null; ask: number | null; last: number | null } | null;
  order: DtcCheckOrder | null;
  /** The opposite market order that flattened a `--market` fill. */
  offset: DtcCheckOrder | null;
  /** From sending the test order to its last expected update (cancel confirmed, or fill). */
  roundTripMs: number | null;
  errors: string[];
}

/** A failed step: its message goes to `errors`, the check stops there. */
class CheckFailed extends Error {}

const nameOf = (table: Record<string, number>, value: number): string =>
  Object.entries(table).find(([, v]) => v === value)?.[0] ?? `UNKNOWN_${value}`;

const WORKING: ReadonlySet<number> = new Set([
  OrderStatus.ORDER_SENT,
  OrderStatus.PENDING_OPEN,
  OrderStatus.PENDING_CHILD,
  OrderStatus.OPEN,
  OrderStatus.PENDING_CANCEL_REPLACE,
  OrderStatus.PENDING_CANCEL,
  OrderStatus.PARTIALLY_FILLED,
]);
const FINAL: ReadonlySet<number> = new Set([OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED]);

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs the check; resolves with the result whatever happens, the client stopped. */
export async function runDtcCheck(options: DtcCheckOptions): Promise<DtcCheckResult> {
  const result: DtcCheckResult = {
    ok: false,
    host: options.host,
    port: options.port,
    encoding: { requested: options.encoding, negotiated: null },
    logon: null,
    accounts: [],
    positions: [],
    balance: null,
    marketData: null,
    order: null,
    offset: null,
    roundTripMs: null,
    errors: [],
  };
  const client = new DtcClient({
    host: options.host,
    port: options.port,
    encoding: options.encoding,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    clientName: 'MIA dtc check',
    heartbeatSeconds: options.heartbeatSeconds ?? 10,
    // A check reports what it finds: no reconnecting around a failure.
    maxReconnectAttempts: 0,
    backoffBaseMs: 0,
    backoffMaxMs: 0,
    requestTimeoutMs: options.timeoutMs,
    clock: options.clock,
    connection: options.connection,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const watch = new OrderWatch(client, options.clock);
  try {
    const logon = await connected(client, options.timeoutMs);
    result.encoding.negotiated = encodingName(client.encoding);
    result.logon = {
      serverName: logon.ServerName,
      result: logon.Result,
      resultText: logon.ResultText,
      tradingSupported: logon.TradingIsSupported !== 0,
      orderCancelReplaceSupported: logon.OrderCancelReplaceSupported !== 0,
      ocoSupported: logon.OCOOrdersSupported !== 0,
      bracketSupported: logon.BracketOrdersSupported !== 0,
    };
    result.accounts = await step('trade accounts', client.tradeAccounts());
    if (!result.accounts.includes(options.account)) {
      throw new CheckFailed(`account ${options.account} is not one of the server's accounts (${result.accounts.join(', ') || 'none'})`);
    }
    const balance = await step('account balance', client.accountBalance(options.account));
    if (balance !== null) {
      result.balance = {
        account: balance.TradeAccount,
        cashBalance: balance.CashBalance,
        availableForNewPositions: balance.BalanceAvailableForNewPositions,
        currency: balance.AccountCurrency,
      };
    }
    const positions = await step('positions', client.positions(options.account));
    result.positions = positions.map((p) => ({ account: p.TradeAccount, symbol: p.Symbol, quantity: p.Quantity, averagePrice: p.AveragePrice }));

    let price: number | null = null;
    if (!options.market) {
      price = options.limitPrice ?? (await farLimitPrice(client, options, result));
    }
    const sentAt = options.clock.now();
    const order = await roundTrip(client, watch, options, price, sentAt, 'order', (o) => (result.order = o));
    result.roundTripMs = options.clock.now() - sentAt;
    if (order.finalStatus === 'FILLED' && options.market && !options.keepPosition) {
      const opposite = options.side === 'buy' ? 'sell' : 'buy';
      await roundTrip(client, watch, { ...options, side: opposite }, null, options.clock.now(), 'offset', (o) => (result.offset = o));
    }
  } catch (error) {
    result.errors.push(errorText(error));
  } finally {
    watch.close();
    await client.stop();
  }
  result.ok = result.errors.length === 0;
  return result;
}

/** Awaits a request, naming the step in the error. */
async function step<T>(name: string, pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    throw new CheckFailed(`${name}: ${errorText(error)}`);
  }
}

/** Starts the client and resolves with the logon, or rejects with why it could not. */
function connected(client: DtcClient, timeoutMs: number): Promise<LogonResponse> {
  return new Promise<LogonResponse>((resolve, reject) => {
    const timer = setTimeout(() => finish(new CheckFailed(`no logon within ${timeoutMs} ms (${client.state}: ${client.lastError ?? 'no answer'})`)), timeoutMs);
    const onConnected = (logon: LogonResponse) => finish(undefined, logon);
    const onFailed = (error: Error) => finish(new CheckFailed(`connect: ${error.message}`));
    const onStopped = (reason: string) => finish(new CheckFailed(`connect: the server logged us off: ${reason}`));
    function finish(error: Error | undefined, logon?: LogonResponse) {
      clearTimeout(timer);
      client.off('connected', onConnected);
      client.off('failed', onFailed);
      client.off('stopped', onStopped);
      if (error !== undefined) reject(error);
      else resolve(logon!);
    }
    client.on('connected', onConnected);
    client.on('failed', onFailed);
    client.on('stopped', onStopped);
    client.start();
  });
}

/** A limit 10% through the market on the passive side, on the tick grid. */
async function farLimitPrice(client: DtcClient, options: DtcCheckOptions, result: DtcCheckResult): Promise<number> {
  let snapshot: MarketDataSnapshot;
  try {
    snapshot = await client.marketDataSnapshot(options.symbol, options.exchange ?? '');
  } catch (error) {
    throw new CheckFailed(`no market price for ${options.symbol} (${errorText(error)}): pass --limit-price P or --market`);
  }
  const bid = snapshot.BidPrice ?? null;
  const ask = snapshot.AskPrice ?? null;
  const last = snapshot.LastTradePrice ?? null;
  result.marketData = { bid, ask, last };
  const reference = last ?? (bid !== null && ask !== null ? (bid + ask) / 2 : (bid ?? ask ?? snapshot.SessionSettlementPrice ?? null));
  if (reference === null || !(reference > 0)) {
    throw new CheckFailed(`the market data snapshot for ${options.symbol} has no price: pass --limit-price P or --market`);
  }
  let tick = 0.01;
  try {
    tick = instrumentFor(options.symbol).tickSize;
  } catch {
    // Not a contract MIA knows: a cent grid is the safe fallback for a far-away price.
  }
  const far = options.side === 'buy' ? Math.floor((reference * 0.9) / tick) * tick : Math.ceil((reference * 1.1) / tick) * tick;
  return Number(far.toFixed(8));
}

/**
 * Sends one order, follows it to a final or working state, and cancels it if still
 * working. `record` receives the order's record before it is sent, so a failure later
 * still reports what happened to it.
 */
async function roundTrip(
  client: DtcClient,
  watch: OrderWatch,
  options: DtcCheckOptions,
  price: number | null,
  sentAt: number,
  label: 'order' | 'offset',
  record: (order: DtcCheckOrder) => void,
): Promise<DtcCheckOrder> {
  const clientOrderId = `mia-check-${label === 'order' ? '' : 'x-'}${options.clock.now().toString(36)}`;
  const order: DtcCheckOrder = {
    clientOrderId,
    serverOrderId: '',
    type: price === null ? 'market' : 'limit',
    side: options.side,
    quantity: 1,
    price,
    updates: [],
    finalStatus: null,
    cancelled: false,
  };
  record(order);
  watch.follow(order, sentAt);
  const message = createDtcMessage(MessageType.SUBMIT_NEW_SINGLE_ORDER, {
    Symbol: options.symbol,
    Exchange: options.exchange ?? '',
    TradeAccount: options.account,
    ClientOrderID: clientOrderId,
    OrderType: price === null ? OrderType.MARKET : OrderType.LIMIT,
    BuySell: options.side === 'buy' ? BuySell.BUY : BuySell.SELL,
    Price1: price ?? 0,
    Quantity: 1,
    TimeInForce: TimeInForce.DAY,
    IsAutomatedOrder: 1,
    FreeFormText: 'mia dtc check',
  });
  await step(`send ${label}`, client.send(message));

  // A market order must end; a limit far away must at least be accepted.
  const settled = (u: OrderUpdate) => FINAL.has(u.OrderStatus) || (price !== null && WORKING.has(u.OrderStatus) && u.OrderStatus !== OrderStatus.ORDER_SENT && u.OrderStatus !== OrderStatus.PENDING_OPEN);
  const first = await watch.until(clientOrderId, settled, options.timeoutMs, `${label} ${clientOrderId}: no accept, fill or reject`);
  if (first.OrderStatus === OrderStatus.REJECTED) {
    throw new CheckFailed(`${label} ${clientOrderId} rejected: ${first.InfoText || 'no reason given'}`);
  }
  if (WORKING.has(first.OrderStatus)) {
    const cancel = createDtcMessage(MessageType.CANCEL_ORDER, {
      ServerOrderID: order.serverOrderId,
      ClientOrderID: clientOrderId,
      TradeAccount: options.account,
    });
    await step(`cancel ${label}`, client.send(cancel));
    const done = await watch.until(
      clientOrderId,
      (u) => FINAL.has(u.OrderStatus) || u.OrderUpdateReason === OrderUpdateReason.ORDER_CANCEL_REJECTED,
      options.timeoutMs,
      `${label} ${clientOrderId}: cancel not confirmed`,
    );
    if (done.OrderStatus === OrderStatus.CANCELED) order.cancelled = true;
    else if (done.OrderUpdateReason === OrderUpdateReason.ORDER_CANCEL_REJECTED) {
      throw new CheckFailed(`${label} ${clientOrderId}: cancel rejected: ${done.InfoText || 'no reason given'}`);
    } else throw new CheckFailed(`${label} ${clientOrderId} ended ${nameOf(OrderStatus, done.OrderStatus)} instead of being cancelled`);
  }
  return order;
}

/** Follows the order updates of the check's orders, and wakes whoever waits on them. */
class OrderWatch {
  readonly #orders = new Map<string, { order: DtcCheckOrder; sentAt: number; updates: OrderUpdate[] }>();
  readonly #waiters = new Set<() => void>();
  #ended: string | null = null;
  readonly #onMessage = (m: DtcMessage) => this.#update(m);
  readonly #onDisconnected = (reason: string) => this.#end(`the session ended: ${reason}`);

  constructor(
    private readonly client: DtcClient,
    private readonly clock: Clock,
  ) {
    client.on('message', this.#onMessage);
    client.on('disconnected', this.#onDisconnected);
  }

  follow(order: DtcCheckOrder, sentAt: number): void {
    this.#orders.set(order.clientOrderId, { order, sentAt, updates: [] });
  }

  /** The first update of `clientOrderId` (past or future) matching `test`, after the ones already consumed. */
  until(clientOrderId: string, test: (u: OrderUpdate) => boolean, timeoutMs: number, what: string): Promise<OrderUpdate> {
    return new Promise<OrderUpdate>((resolve, reject) => {
      const check = () => {
        const found = this.#orders.get(clientOrderId)?.updates.find(test);
        if (found !== undefined) return done(undefined, found);
        if (this.#ended !== null) done(new CheckFailed(`${what}: ${this.#ended}`));
      };
      const timer = setTimeout(() => done(new CheckFailed(`${what} within ${timeoutMs} ms`)), timeoutMs);
      const done = (error: Error | undefined, update?: OrderUpdate) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (error !== undefined) reject(error);
        else resolve(update!);
      };
      this.#waiters.add(check);
      check();
    });
  }

  close(): void {
    this.client.off('message', this.#onMessage);
    this.client.off('disconnected', this.#onDisconnected);
    this.#end('the check ended');
  }

  #update(m: DtcMessage): void {
    if (m.Type !== MessageType.ORDER_UPDATE || m.RequestID !== 0) return;
    const followed = this.#orders.get(m.ClientOrderID);
    if (followed === undefined) return;
    const now = this.clock.now();
    const { order } = followed;
    if (m.ServerOrderID !== '') order.serverOrderId = m.ServerOrderID;
    order.updates.push({
      status: nameOf(OrderStatus, m.OrderStatus),
      reason: nameOf(OrderUpdateReason, m.OrderUpdateReason),
      time: new Date(now).toISOString(),
      elapsedMs: now - followed.sentAt,
      text: m.InfoText,
      filledQuantity: m.FilledQuantity ?? null,
      averageFillPrice: m.AverageFillPrice ?? null,
    });
    order.finalStatus = nameOf(OrderStatus, m.OrderStatus);
    followed.updates.push(m);
    for (const wake of [...this.#waiters]) wake();
  }

  #end(reason: string): void {
    this.#ended ??= reason;
    for (const wake of [...this.#waiters]) wake();
  }
}
