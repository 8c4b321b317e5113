/**
 * A scripted DTC server on 127.0.0.1 for the client's tests: raw socket plus the codec,
 * doing exactly what a test tells it (answer another encoding, refuse or truncate the
 * logon, stay silent, log off, drop, dribble bytes), and recording what the client sent.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { encodeMessage } from '../../../adapters/dtc/encodeMessage.ts';
import { EncodingEnum, LogonStatus, OrderStatus, OrderType, OrderUpdateReason } from '../../../adapters/dtc/enums.ts';
import { DtcFrameDecoder } from '../../../adapters/dtc/frameDecoder.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { DtcMessage, LogonRequest, LogonResponse, SubmitNewSingleOrder } from '../../../adapters/dtc/messages.ts';

export interface FakeServerScript {
  /** Encoding announced in the ENCODING_RESPONSE (default: the one requested). */
  answerEncoding?: (requested: number) => number;
  /**
   * The logon answer: members over a successful LOGON_RESPONSE, or raw bytes to send
   * instead (for truncated responses), or 'none' to never answer.
   */
  logon?: (request: LogonRequest, connection: FakeConnection) => Partial<LogonResponse> | Buffer | 'none';
  /**
   * 'coalesced': answer the ENCODING_REQUEST with the ENCODING_RESPONSE and a successful
   * LOGON_RESPONSE in one write (then ignore the LOGON_REQUEST); 'manual': answer neither,
   * the test writes the bytes. Default: answer each request in turn.
   */
  handshake?: 'coalesced' | 'manual';
  /** Answer every client heartbeat with one (default true): keeps the client's dead-peer timer quiet. */
  echoHeartbeats?: boolean;
  /** Called for every message after the logon. */
  onMessage?: (message: DtcMessage, connection: FakeConnection) => void;
}

export class FakeConnection {
  readonly received: DtcMessage[] = [];
  encoding: number = EncodingEnum.BINARY;
  silent = false;
  readonly closed: Promise<void>;
  readonly #decoder = new DtcFrameDecoder();
  readonly #waiters: Array<{ test: (m: DtcMessage) => boolean; resolve: (m: DtcMessage) => void }> = [];

  constructor(
    readonly socket: Socket,
    readonly script: FakeServerScript,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#decoder.push(chunk, (result) => {
          if (result.ok) this.#onMessage(result.message);
        });
      } catch {
        socket.destroy();
      }
    });
  }

  /** Encodes and writes `message` in the session's encoding (unless silent). */
  send(message: DtcMessage): void {
    this.writeRaw(encodeMessage(message, this.encoding));
  }

  writeRaw(bytes: Buffer): void {
    if (!this.silent && !this.socket.destroyed) this.socket.write(bytes);
  }

  /** The next (or an already received) message matching `test`. */
  waitFor(test: (m: DtcMessage) => boolean, timeoutMs = 5_000): Promise<DtcMessage> {
    const seen = this.received.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake server: message not received in time')), timeoutMs);
      this.#waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  count(type: number): number {
    return this.received.filter((m) => m.Type === type).length;
  }

  /** Drops the connection abruptly. */
  drop(): void {
    this.socket.destroy();
  }

  #onMessage(message: DtcMessage): void {
    this.received.push(message);
    for (const waiter of [...this.#waiters]) {
      if (waiter.test(message)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
    switch (message.Type) {
      case MessageType.ENCODING_REQUEST: {
        const chosen = this.script.answerEncoding?.(message.Encoding) ?? message.Encoding;
        const response = encodeMessage(createDtcMessage(MessageType.ENCODING_RESPONSE, { Encoding: chosen }), EncodingEnum.BINARY);
        // The client's next bytes come in the announced encoding (if the codec knows it).
        if (chosen === EncodingEnum.BINARY || chosen === EncodingEnum.JSON || chosen === EncodingEnum.JSON_COMPACT) {
          this.#decoder.setEncoding(chosen);
          this.encoding = chosen;
        }
        if (this.script.handshake === 'manual') return;
        if (this.script.handshake === 'coalesced') {
          const logon = createDtcMessage(MessageType.LOGON_RESPONSE, { Result: LogonStatus.SUCCESS, ServerName: 'fake-dtc' });
          this.writeRaw(Buffer.concat([response, encodeMessage(logon, this.encoding)]));
          return;
        }
        this.writeRaw(response);
        return;
      }
      case MessageType.LOGON_REQUEST: {
        if (this.script.handshake !== undefined) return;
        const answer = this.script.logon?.(message, this) ?? {};
        if (answer === 'none') return;
        const bytes = Buffer.isBuffer(answer)
          ? answer
          : encodeMessage(
              createDtcMessage(MessageType.LOGON_RESPONSE, {
                Result: LogonStatus.SUCCESS,
                ServerName: 'fake-dtc',
                TradingIsSupported: 1,
                ...answer,
              }),
              this.encoding,
            );
        this.writeRaw(bytes);
        return;
      }
      case MessageType.HEARTBEAT:
        if (this.script.echoHeartbeats ?? true) this.send(createDtcMessage(MessageType.HEARTBEAT, {}));
        return;
      default:
        this.script.onMessage?.(message, this);
    }
  }
}

export interface FakeDtcServer {
  readonly port: number;
  readonly connections: FakeConnection[];
  /** Resolves with connection number `index` (0-based) once the client has opened it. */
  connection(index: number, timeoutMs?: number): Promise<FakeConnection>;
  close(): Promise<void>;
}

export async function startFakeDtcServer(script: FakeServerScript = {}): Promise<FakeDtcServer> {
  const connections: FakeConnection[] = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    connections.push(new FakeConnection(socket, script));
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake server has no port');
  return {
    port: address.port,
    connections,
    connection(index, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`fake server: connection ${index} not opened in time`)), timeoutMs);
        const check = () => {
          const found = connections[index];
          if (found === undefined) {
            waiters.push(check);
            return;
          }
          clearTimeout(deadline);
          resolve(found);
        };
        check();
      });
    },
    async close() {
      for (const c of connections) c.socket.destroy();
      await Promise.all(connections.map((c) => c.closed));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How the scripted venue behaves. */
export interface Venue {
  reject?: string;
  /** Never answer a cancel. */
  ignoreCancel?: boolean;
  last?: number | null;
}

/** A tiny order-handling server: limits rest, markets fill at 5000.25, cancels confirm. */
export function venueAnswers(venue: Venue): FakeServerScript['onMessage'] {
  const orders = new Map<string, SubmitNewSingleOrder>();
  let serverIds = 0;
  const update = (c: FakeConnection, o: SubmitNewSingleOrder, members: Record<string, unknown>) =>
    c.send(
      createDtcMessage(MessageType.ORDER_UPDATE, {
        RequestID: 0,
        TotalNumMessages: 1,
        MessageNumber: 1,
        Symbol: o.Symbol,
        TradeAccount: o.TradeAccount,
        ClientOrderID: o.ClientOrderID,
        OrderType: o.OrderType,
        BuySell: o.BuySell,
        OrderQuantity: o.Quantity,
        ...members,
      }),
    );
  return (m: DtcMessage, c: FakeConnection) => {
    switch (m.Type) {
      case MessageType.TRADE_ACCOUNTS_REQUEST:
        c.send(createDtcMessage(MessageType.TRADE_ACCOUNT_RESPONSE, { RequestID: m.RequestID, TotalNumberMessages: 1, MessageNumber: 1, TradeAccount: 'PAPER1' }));
        return;
      case MessageType.ACCOUNT_BALANCE_REQUEST:
        c.send(createDtcMessage(MessageType.ACCOUNT_BALANCE_UPDATE, { RequestID: m.RequestID, TotalNumberMessages: 1, MessageNumber: 1, TradeAccount: 'PAPER1', CashBalance: 50_000, BalanceAvailableForNewPositions: 45_000, AccountCurrency: 'USD' }));
        return;
      case MessageType.CURRENT_POSITIONS_REQUEST:
        c.send(createDtcMessage(MessageType.POSITION_UPDATE, { RequestID: m.RequestID, TotalNumberMessages: 1, MessageNumber: 1, TradeAccount: 'PAPER1', Symbol: 'ESZ25', Quantity: 2, AveragePrice: 4990.5 }));
        return;
      case MessageType.MARKET_DATA_REQUEST:
        if (m.RequestAction !== 1) return;
        if (venue.last === null) c.send(createDtcMessage(MessageType.MARKET_DATA_REJECT, { SymbolID: m.SymbolID, RejectText: 'no data for symbol' }));
        else c.send(createDtcMessage(MessageType.MARKET_DATA_SNAPSHOT, { SymbolID: m.SymbolID, LastTradePrice: venue.last ?? 5000.25, BidPrice: 5000, AskPrice: 5000.5 }));
        return;
      case MessageType.SUBMIT_NEW_SINGLE_ORDER: {
        if (venue.reject !== undefined) {
          update(c, m, { OrderStatus: OrderStatus.REJECTED, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_REJECTED, InfoText: venue.reject });
          return;
        }
        const serverOrderId = `S${++serverIds}`;
        orders.set(serverOrderId, m);
        update(c, m, { ServerOrderID: serverOrderId, OrderStatus: OrderStatus.OPEN, OrderUpdateReason: OrderUpdateReason.NEW_ORDER_ACCEPTED, Price1: m.Price1 });
        if (m.OrderType === OrderType.MARKET) {
          update(c, m, {
            ServerOrderID: serverOrderId,
            OrderStatus: OrderStatus.FILLED,
            OrderUpdateReason: OrderUpdateReason.ORDER_FILLED,
            FilledQuantity: 1,
            AverageFillPrice: 5000.25,
            LastFillExecutionID: `E${serverIds}`,
          });
        }
        return;
      }
      case MessageType.CANCEL_ORDER: {
        const o = orders.get(m.ServerOrderID);
        if (o === undefined || venue.ignoreCancel) return;
        update(c, o, { ServerOrderID: m.ServerOrderID, OrderStatus: OrderStatus.CANCELED, OrderUpdateReason: OrderUpdateReason.ORDER_CANCELED });
        return;
      }
      default:
    }
  };
}
