/**
 * Request/answer correlation for the DTC client: allocates request ids, routes each
 * incoming message to the pending request it answers (by RequestID, or SymbolID for market
 * data), collects multi-message answers (TotalNumberMessages / MessageNumber, or the
 * single "none" message flagged NoOrders / NoPositions / NoOrderFills /
 * NoAccountBalances), and settles with the result, a REJECTED error carrying the
 * server's RejectText, or a TIMEOUT. No I/O: the client sends, this only listens.
 */
import { DtcClientError } from './dtcClientError.ts';
import { MessageType } from './messageType.ts';
import type {
  AccountBalanceUpdate,
  DtcMessage,
  DtcMessageOf,
  HistoricalOrderFillResponse,
  MarketDataSnapshot,
  OrderUpdate,
  PositionUpdate,
  TradeAccountResponse,
} from './messages.ts';
import type { PacerTimers } from './dtcPacer.ts';

/** How one kind of request is answered. `R` is the answering message type. */
export interface DtcRequestKind<R extends DtcMessage, T> {
  /** For error messages: 'open orders', 'positions', ... */
  readonly name: string;
  readonly responseType: R['Type'];
  /** The reject message for this request, keyed like the answers. */
  readonly rejectType?: MessageType;
  /** The request id an answer or reject carries. */
  idOf(message: R): number;
  /** True for the message that says "nothing to report" (not part of the result). */
  isEmpty(message: R): boolean;
  /** True when this message completes the answer. */
  isLast(message: R): boolean;
  finish(answers: R[]): T;
}

/** Last of a numbered series; a server that numbers nothing (0 / 0) sends one message. */
const lastOfSeries = (messageNumber: number, total: number): boolean => total <= 1 || messageNumber >= total;

const defineKind = <R extends DtcMessage, T>(kind: DtcRequestKind<R, T>): DtcRequestKind<R, T> => kind;

/** The request kinds the client asks after every logon, and market data snapshots. */
export const requestKinds = {
  tradeAccounts: defineKind<TradeAccountResponse, string[]>({
    name: 'trade accounts',
    responseType: MessageType.TRADE_ACCOUNT_RESPONSE,
    idOf: (m) => m.RequestID,
    // Sierra sends one empty response when the user has no account.
    isEmpty: (m) => m.TradeAccount === '',
    isLast: (m) => lastOfSeries(m.MessageNumber, m.TotalNumberMessages),
    finish: (answers) => answers.map((m) => m.TradeAccount),
  }),
  accountBalance: defineKind<AccountBalanceUpdate, AccountBalanceUpdate | null>({
    name: 'account balance',
    responseType: MessageType.ACCOUNT_BALANCE_UPDATE,
    rejectType: MessageType.ACCOUNT_BALANCE_REJECT,
    idOf: (m) => m.RequestID,
    isEmpty: (m) => m.NoAccountBalances !== 0,
    isLast: (m) => m.NoAccountBalances !== 0 || lastOfSeries(m.MessageNumber, m.TotalNumberMessages),
    finish: (answers) => answers[0] ?? null,
  }),
  openOrders: defineKind<OrderUpdate, OrderUpdate[]>({
    name: 'open orders',
    responseType: MessageType.ORDER_UPDATE,
    rejectType: MessageType.OPEN_ORDERS_REJECT,
    idOf: (m) => m.RequestID,
    isEmpty: (m) => m.NoOrders !== 0,
    isLast: (m) => m.NoOrders !== 0 || lastOfSeries(m.MessageNumber, m.TotalNumMessages),
    finish: (answers) => answers,
  }),
  positions: defineKind<PositionUpdate, PositionUpdate[]>({
    name: 'current positions',
    responseType: MessageType.POSITION_UPDATE,
    rejectType: MessageType.CURRENT_POSITIONS_REJECT,
    idOf: (m) => m.RequestID,
    isEmpty: (m) => m.NoPositions !== 0,
    isLast: (m) => m.NoPositions !== 0 || lastOfSeries(m.MessageNumber, m.TotalNumberMessages),
    finish: (answers) => answers,
  }),
  fills: defineKind<HistoricalOrderFillResponse, HistoricalOrderFillResponse[]>({
    name: 'historical order fills',
    responseType: MessageType.HISTORICAL_ORDER_FILL_RESPONSE,
    rejectType: MessageType.HISTORICAL_ORDER_FILLS_REJECT,
    idOf: (m) => m.RequestID,
    isEmpty: (m) => m.NoOrderFills !== 0,
    isLast: (m) => m.NoOrderFills !== 0 || lastOfSeries(m.MessageNumber, m.TotalNumberMessages),
    finish: (answers) => answers,
  }),
  marketDataSnapshot: defineKind<MarketDataSnapshot, MarketDataSnapshot>({
    name: 'market data',
    responseType: MessageType.MARKET_DATA_SNAPSHOT,
    rejectType: MessageType.MARKET_DATA_REJECT,
    idOf: (m) => m.SymbolID,
    isEmpty: () => false,
    isLast: () => true,
    finish: (answers) => answers[0]!,
  }),
} as const;

interface Pending {
  readonly kind: DtcRequestKind<DtcMessage, unknown>;
  readonly answers: DtcMessage[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: DtcClientError) => void;
  timer: unknown;
}

const MAX_ID = 0x7fffffff;

export class DtcRequestTracker {
  readonly #timers: PacerTimers;
  readonly #pending = new Map<number, Pending>();
  #lastId = 0;

  /**
   * @param options.lastId the id before the first one allocated (tests of the wrap)
   */
  constructor(options: { timers?: PacerTimers; lastId?: number } = {}) {
    this.#lastId = options.lastId ?? 0;
    this.#timers = options.timers ?? {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
  }

  /** Requests awaiting their answer. */
  get pending(): number {
    return this.#pending.size;
  }

  /** A fresh id in [1, 2^31-1] that no pending request uses (RequestID is an int32). */
  nextId(): number {
    do {
      this.#lastId = this.#lastId >= MAX_ID ? 1 : this.#lastId + 1;
    } while (this.#pending.has(this.#lastId));
    return this.#lastId;
  }

  /**
   * Waits for the answer to request `id` (already allocated, about to be sent).
   * @returns the kind's result; rejects with DtcClientError TIMEOUT, REJECTED, or the
   *   error given to `failAll` / `fail`.
   */
  track<R extends DtcMessage, T>(id: number, kind: DtcRequestKind<R, T>, timeoutMs: number): Promise<T> {
    if (this.#pending.has(id)) throw new Error(`request id ${id} is already pending`);
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        kind: kind as unknown as DtcRequestKind<DtcMessage, unknown>,
        answers: [],
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: undefined,
      };
      pending.timer = this.#timers.setTimeout(() => {
        this.#pending.delete(id);
        const got = pending.answers.length;
        reject(new DtcClientError('TIMEOUT', `${kind.name} request ${id}: no complete answer within ${timeoutMs} ms (${got} message(s) received)`));
      }, timeoutMs);
      this.#pending.set(id, pending);
    });
  }

  /** Abandons one request (e.g. its message could not be sent). */
  fail(id: number, error: DtcClientError): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#settle(id, pending);
    pending.reject(error);
  }

  /** Rejects every pending request with `error` (session lost, client stopped). */
  failAll(error: DtcClientError): void {
    for (const [id, pending] of [...this.#pending]) {
      this.#settle(id, pending);
      pending.reject(error);
    }
  }

  /**
   * Routes one incoming message.
   * @returns true when it answered (or rejected) a pending request.
   */
  handle(message: DtcMessage): boolean {
    if (this.#pending.size === 0) return false;
    const id = idCarried(message);
    if (id === undefined || id === 0) return false;
    const pending = this.#pending.get(id);
    if (pending === undefined) return false;
    const { kind } = pending;
    if (message.Type === kind.rejectType) {
      this.#settle(id, pending);
      const text = 'RejectText' in message ? message.RejectText : '';
      pending.reject(new DtcClientError('REJECTED', `${kind.name} request ${id} rejected: ${text || '(no reason given)'}`));
      return true;
    }
    if (message.Type !== kind.responseType) return false;
    if (!kind.isEmpty(message)) pending.answers.push(message);
    if (kind.isLast(message)) {
      this.#settle(id, pending);
      try {
        pending.resolve(kind.finish(pending.answers));
      } catch (error) {
        pending.reject(new DtcClientError('REJECTED', `${kind.name} request ${id}: unusable answer`, { cause: error }));
      }
    }
    return true;
  }

  #settle(id: number, pending: Pending): void {
    this.#timers.clearTimeout(pending.timer);
    this.#pending.delete(id);
  }
}

/** The request id a message answers, if it is an answer or a reject at all. */
function idCarried(message: DtcMessage): number | undefined {
  switch (message.Type) {
    case MessageType.MARKET_DATA_SNAPSHOT:
    case MessageType.MARKET_DATA_REJECT:
      return message.SymbolID;
    default:
      return 'RequestID' in message ? (message as DtcMessageOf<typeof MessageType.ORDER_UPDATE>).RequestID : undefined;
  }
}
