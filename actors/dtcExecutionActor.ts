/**
 * Execution over DTC: the orchestrator's orders go to a DTC server through DtcClient,
 * the server's order updates come back as venue reports, and after every logon the
 * venue's open orders, fills and positions are reconciled with what MIA believes live.
 *
 * Safety rules it keeps:
 * - A ClientOrderID leaves at most once per actor; an order asked for while the link is
 *   down is rejected here ('not sent'), never queued for later: the orchestrator decides
 *   again once risk has seen the reconciliation.
 * - Reconciliation reports the fills missed during an outage (tied to their orders when
 *   the venue's ids allow it) before the reconciled state, so the fill journal loses
 *   nothing and the position is the venue's.
 * - A bracket (VENUE.SUBMIT_BRACKET) leaves as one OCO message (after its parent entry,
 *   when it has one): its legs leave together or not at all.
 *
 * In the actor tree this is `execution` with two children (actors/connectionHost.ts):
 * `connection`, the connection statechart the DTC client is driven by (inspected,
 * persisted, its failures typed), and `io`, the callback below that owns the client.
 */
import type { FillIdentity } from '../core/fillIdentity.ts';
import { fromCallback } from 'xstate';
import type { Logger } from 'pino';
import type { ConnectionHost, ConnectionInput } from '../core/connection.ts';
import type { Clock } from '../core/clock.ts';
import type { MarketBus } from '../core/marketBus.ts';
import type { Fill, OrderRequest } from '../core/types.ts';
import { createDtcMessage } from '../adapters/dtc/createMessage.ts';
import type { DtcClient } from '../adapters/dtc/dtcClient.ts';
import { MessageType } from '../adapters/dtc/messageType.ts';
import type { AccountBalanceUpdate, DtcMessage } from '../adapters/dtc/messages.ts';
import { OrderUpdateTranslator, toDtcBracket, toDtcOrder, type DtcRoute } from '../adapters/dtc/orderTranslation.ts';
import { venueTruth } from '../adapters/dtc/venueTruth.ts';
import { MiaError } from '../core/errors.ts';
import { bracketLegs, type BracketOrder, type ReconcileHint, type VenueCommand, type VenueReport } from '../core/venue.ts';
import { childFailed, type ChildEvent } from '../machines/orchestratorEvents.ts';
import { LocalOcoBook, serverSupportsOco } from '../adapters/dtc/localOco.ts';
import { warmOrderPath } from '../adapters/dtc/orderPathWarmUp.ts';
import type { ChildInput } from '../machines/orchestrator.ts';
import type { VenueSettle } from '../core/venueSettle.ts';
import { treeConnection, withConnection, type ConnectionEffectEvent } from './connectionHost.ts';

/** What the orchestrator sends the execution actor, and what it hears back. */
const COMMANDS = ['VENUE.SUBMIT', 'VENUE.SUBMIT_BRACKET', 'VENUE.CANCEL', 'VENUE.RECONCILE'] as const satisfies readonly VenueCommand['type'][];
/** Every venue report goes up: a Record over the union, so a new report type cannot be forgotten here (it would be dropped silently). */
const REPORTED: Record<VenueReport['type'] | 'CHILD.FAILED', true> = {
  'VENUE.UP': true,
  'VENUE.DOWN': true,
  'VENUE.ACCEPTED': true,
  'VENUE.FILL': true,
  'VENUE.REJECTED': true,
  'VENUE.CANCELED': true,
  'VENUE.CANCEL_REJECTED': true,
  'VENUE.RECONCILED': true,
  'VENUE.FOREIGN': true,
  'VENUE.MARK': true,
  'VENUE.ACCOUNT': true,
  'CHILD.FAILED': true,
};
const REPORTS = Object.keys(REPORTED);

export interface DtcExecutionDeps {
  /**
   * A new, not yet started client on `connection` (one per actor instance: a restart
   * reconnects afresh); a promise when the server it talks to is still starting (the
   * embedded paper server).
   */
  createClient(connection: ConnectionHost): DtcClient | Promise<DtcClient>;
  /** The connection machine's settings: the client's (dtcConnectionInput of its options). */
  connection: ConnectionInput;
  clock: Clock;
  /** MIA's symbol and how the server names it; `account` null takes the server's first. */
  miaSymbol: string;
  route: { account: string | null; symbol: string; exchange: string };
  commissionPerContract: number;
  /** True when the fill journal already holds this execution (survives restarts). */
  knownExecution(fill: FillIdentity): boolean;
  /**
   * True when MIA sent (and journaled) this ClientOrderID, in this run or an earlier one:
   * reports about any other order are foreign. Absent: only this run's orders are known.
   */
  knownOrder?(clientOrderId: string): boolean;
  /**
   * Orders the ledger holds as sent or working (not finished): reconciliation asks the
   * venue about those the orchestrator does not know (journaled after the snapshot it
   * restored), so that their fills are theirs, never foreign, and their fate is known.
   */
  ledgerOrders?(): ReconcileHint[];
  /**
   * The ClientOrderID the ledger holds for a venue order id: a fill the history gives
   * again (ledgered after the restored snapshot) belongs to its order, never foreign.
   */
  ledgerClientIdOf?(serverOrderId: string): string | undefined;
  /** Time of the newest journaled fill, ms: fills history is asked from there. */
  lastFillTime(): number | undefined;
  /**
   * How many days of fills history the venue can give (Sierra Chart keeps what its trade
   * activity holds). A longer outage is reconciled with what it gives, and reported as
   * incomplete: risk goes limited instead of guessing. Default 30.
   */
  maxFillHistoryDays?: number;
  /** Marks open positions at each bar's close, as the in-process venue does. */
  bus?: MarketBus;
  barMs: number;
  /** Lets market data wait for this actor at max speed (see VenueSettle). */
  settle?: VenueSettle;
  logger?: Logger;
}

type Report = ChildEvent;

const DAY_MS = 86_400_000;

/**
 * The fills history to ask for: from the oldest of the last journaled fill and the oldest
 * order believed live (a fill can only be missing since then), however long ago; only today
 * when nothing is known. Days are whole and inclusive, so the start is always covered.
 */
export function fillsWindow(lastFill: number | undefined, oldestLive: number | undefined, now: number, maxDays: number): { days: number; startSeconds: number; incomplete: string | null } {
  const known = [lastFill, oldestLive].filter((t): t is number => t !== undefined && Number.isFinite(t));
  if (known.length === 0) return { days: 1, startSeconds: 0, incomplete: null };
  const since = Math.min(...known);
  const wanted = Math.max(1, Math.ceil((now - since) / DAY_MS) + 1);
  const days = Math.min(wanted, maxDays);
  const incomplete =
    wanted > maxDays ? `fills since ${new Date(since).toISOString()} are needed (${wanted} days) but the venue keeps ${maxDays} days of fills history` : null;
  return { days, startSeconds: Math.max(0, Math.floor(since / 1000) - 1), incomplete };
}

export function dtcExecutionActor(deps: DtcExecutionDeps) {
  return withConnection({ id: 'execution', connection: deps.connection, io: dtcIo(deps), commands: COMMANDS, reports: REPORTS });
}

/** The I/O child: the DTC client and the order bookkeeping around it. */
function dtcIo(deps: DtcExecutionDeps) {
  return fromCallback<VenueCommand | ConnectionEffectEvent, ChildInput>(({ sendBack, receive, system }) => {
    const connection = treeConnection(system, 'execution');
    const log = deps.logger?.child({ component: 'dtc-execution' });
    let client: DtcClient | null = null;
    const translator = new OrderUpdateTranslator({ commissionPerContract: deps.commissionPerContract, miaSymbol: deps.miaSymbol });
    const report = (e: Report) => sendBack(e);
    const now = () => deps.clock.now();

    let route: DtcRoute | null = null;
    let ready = false; // logged on and reconciled
    let stopped = false;
    let position = 0;
    /** What the orchestrator last said it believes live (restart memory). */
    let hints: Record<string, ReconcileHint> = {};
    /** Requests sent by this actor, by ClientOrderID: the idempotency record. */
    const sent = new Map<string, OrderRequest>();
    /** Orders or cancels sent and not yet answered. */
    const awaiting = new Set<string>();
    /** OCO pairs MIA keeps itself when the server has no OCO (adapters/dtc/localOco.ts). */
    const localOco = new LocalOcoBook();

    const fail = (error: unknown) => {
      if (stopped) return;
      const failed = childFailed('execution', error, now());
      log?.error({ err: failed.error, code: failed.code }, 'dtc execution failed');
      sendBack(failed);
    };

    const settleIfIdle = () => deps.settle?.release();

    const write = (message: DtcMessage, ids: string[]) => {
      for (const id of ids) awaiting.add(id);
      client!.send(message).catch((error: unknown) => {
        // Nothing was written: the order never reached the venue.
        for (const id of ids) {
          awaiting.delete(id);
          if (id.startsWith('cancel:')) {
            report({ type: 'VENUE.CANCEL_REJECTED', clientOrderId: id.slice(7), reason: `not sent: ${String((error as Error).message ?? error)}`, time: now() });
          } else {
            sent.delete(id);
            report({ type: 'VENUE.REJECTED', clientOrderId: id, reason: `not sent: ${String((error as Error).message ?? error)}`, time: now() });
          }
        }
        settleIfIdle();
      });
    };

    const notConnected = 'not sent: the DTC venue is not connected';

    const submit = (request: OrderRequest) => {
      if (sent.has(request.clientOrderId)) {
        log?.warn({ clientOrderId: request.clientOrderId }, 'duplicate submit ignored: a ClientOrderID leaves once');
        return;
      }
      if (!ready || !route) {
        report({ type: 'VENUE.REJECTED', clientOrderId: request.clientOrderId, reason: notConnected, time: now() });
        return;
      }
      track(request);
      write(toDtcOrder(request, route), [request.clientOrderId]);
    };

    /** The whole bracket leaves, or none of it. */
    const submitBracket = (bracket: BracketOrder) => {
      const legs = bracketLegs(bracket);
      const known = legs.filter((leg) => sent.has(leg.clientOrderId));
      if (known.length > 0) {
        log?.warn({ clientOrderIds: known.map((l) => l.clientOrderId) }, 'duplicate bracket ignored: a ClientOrderID leaves once');
        return;
      }
      if (!ready || !route) {
        for (const leg of legs) report({ type: 'VENUE.REJECTED', clientOrderId: leg.clientOrderId, reason: notConnected, time: now() });
        return;
      }
      if (!serverSupportsOco(client?.logon)) {
        if (bracket.entry) {
          // Legs working before their entry fills would be orders of their own: refuse, never improvise.
          for (const leg of legs) report({ type: 'VENUE.REJECTED', clientOrderId: leg.clientOrderId, reason: 'the DTC server supports no OCO orders: a bracket with its entry cannot be placed', time: now() });
          return;
        }
        // LOGON_RESPONSE said OCOOrdersSupported=0: the legs leave as two single orders, paired here.
        for (const leg of legs) track(leg);
        localOco.link(bracket.stop.clientOrderId, bracket.target.clientOrderId);
        for (const leg of legs) write(toDtcOrder(leg, route), [leg.clientOrderId]);
        return;
      }
      for (const leg of legs) track(leg);
      const messages = toDtcBracket(bracket, route);
      if (bracket.entry) write(messages[0]!, [bracket.entry.clientOrderId]);
      write(messages.at(-1)!, [bracket.stop.clientOrderId, bracket.target.clientOrderId]);
    };

    const track = (request: OrderRequest) => {
      sent.set(request.clientOrderId, request);
      translator.track(request.clientOrderId, deps.route.symbol, request.side);
    };

    const cancel = (clientOrderId: string) => {
      const order = translator.order(clientOrderId);
      if (!ready || !route) {
        report({ type: 'VENUE.CANCEL_REJECTED', clientOrderId, reason: 'not sent: the DTC venue is not connected', time: now() });
        return;
      }
      const serverOrderId = order?.serverOrderId ?? hints[clientOrderId]?.serverOrderId ?? '';
      write(createDtcMessage(MessageType.CANCEL_ORDER, { ServerOrderID: serverOrderId, ClientOrderID: clientOrderId, TradeAccount: route.account }), [`cancel:${clientOrderId}`]);
    };

    const onBalance = (b: AccountBalanceUpdate) => {
      if (b.NoAccountBalances === 1 || (route && b.TradeAccount && b.TradeAccount !== route.account)) return;
      if (!Number.isFinite(b.BalanceAvailableForNewPositions)) return;
      report({ type: 'VENUE.ACCOUNT', availableFunds: b.BalanceAvailableForNewPositions, time: now() });
    };

    const onMessage = (m: DtcMessage) => {
      deps.settle?.received();
      if (m.Type === MessageType.ORDER_UPDATE) {
        if (m.RequestID !== 0) return; // an answer to our open-orders request: reconciliation reads it
        for (const reported of translator.translate(m, now())) {
          // Every fill names its account: an execution id is unique on its account only (core/fillIdentity.ts).
          const e = reported.type === 'VENUE.FILL' && route ? { ...reported, fill: { ...reported.fill, account: route.account } } : reported;
          const id = e.type === 'VENUE.FILL' ? e.fill.clientOrderId : 'clientOrderId' in e ? e.clientOrderId : null;
          if (id !== null && !isOurs(id)) {
            // Not MIA's order: never reported as MIA's acceptance, fill or cancel.
            if (e.type === 'VENUE.FILL') position += e.fill.side === 'buy' ? e.fill.qty : -e.fill.qty;
            reportForeign(id, m.ServerOrderID, `${e.type.slice(6).toLowerCase()} for an order MIA never sent`, e.type === 'VENUE.FILL' ? e.fill : undefined);
            continue;
          }
          if (e.type === 'VENUE.FILL') {
            position += e.fill.side === 'buy' ? e.fill.qty : -e.fill.qty;
            awaiting.delete(e.fill.clientOrderId);
            const other = localOco.onFill(e.fill.clientOrderId);
            if (other !== null) queueMicrotask(() => cancel(other));
          } else if (e.type === 'VENUE.CANCELED' || e.type === 'VENUE.CANCEL_REJECTED') {
            if (e.type === 'VENUE.CANCELED') localOco.onEnded(e.clientOrderId);
            awaiting.delete(e.clientOrderId);
            awaiting.delete(`cancel:${e.clientOrderId}`);
          } else if ('clientOrderId' in e) {
            awaiting.delete(e.clientOrderId);
          }
          report(e);
        }
        settleIfIdle();
      } else if (m.Type === MessageType.ACCOUNT_BALANCE_UPDATE && m.RequestID === 0) {
        onBalance(m);
      }
    };

    /** MIA sent this order (this actor, the orchestrator's memory, or the journal of an earlier run). */
    const isOurs = (clientOrderId: string) =>
      sent.has(clientOrderId) || Object.hasOwn(hints, clientOrderId) || (deps.knownOrder?.(clientOrderId) ?? false);

    const reportForeign = (clientOrderId: string, serverOrderId: string, detail: string, fill?: Fill) =>
      report({ type: 'VENUE.FOREIGN', clientOrderId, serverOrderId, detail, ...(fill ? { fill } : {}), time: now() });

    const reconcile = async () => {
      if (!route || !client) return;
      // What MIA believes live: the orchestrator's word plus what this actor sent itself.
      const live: Record<string, ReconcileHint> = { ...hints };
      for (const [c, request] of sent) {
        const o = translator.order(c);
        if (o && o.final !== null) continue;
        live[c] = { request, filledQty: o?.filledQty ?? 0, ...(o?.serverOrderId ? { serverOrderId: o.serverOrderId } : {}) };
      }
      const orphans: Record<string, ReconcileHint> = {};
      for (const h of deps.ledgerOrders?.() ?? []) {
        const c = h.request.clientOrderId;
        if (Object.hasOwn(live, c)) continue;
        live[c] = h;
        orphans[c] = h;
      }
      const createdTimes = Object.values(live).map((h) => h.request.createdAt);
      // With a start time the venue needs no day count: the most it keeps is asked, so that
      // a venue whose clock runs ahead of MIA's (counting the days back from its own now)
      // still reaches the start; the days wanted only decide whether the history is complete.
      const window = fillsWindow(deps.lastFillTime(), createdTimes.length > 0 ? Math.min(...createdTimes) : undefined, now(), deps.maxFillHistoryDays ?? 30);
      let incomplete = window.incomplete;
      const [openOrders, positions, fills, balance] = await Promise.all([
        client.openOrders(route.account),
        client.positions(route.account),
        client.fills(route.account, window.startSeconds > 0 ? Math.max(window.days, deps.maxFillHistoryDays ?? 30) : window.days, window.startSeconds).catch((error: unknown) => {
          // Reconcile with the open orders and the position the venue does give; say what is missing.
          incomplete = `the venue refused the fills history: ${String((error as Error).message ?? error)}`;
          return [];
        }),
        client.accountBalance(route.account),
      ]);
      // Orders the venue acknowledged that are no longer open: ask each one's final state
      // (filled, cancelled, rejected) instead of declaring it lost.
      const open = new Set(openOrders.map((o) => o.ServerOrderID));
      const gone = Object.values(live)
        .map((h) => h.serverOrderId)
        .filter((id): id is string => id !== undefined && id !== '' && !open.has(id));
      const orderAnswers = (
        await Promise.all(gone.map((id) => client!.orderById(route!.account, id).catch(() => [])))
      ).flat();
      const truth = venueTruth(live, { openOrders, orderAnswers, fills, positions }, {
        venueSymbol: route.symbol,
        miaSymbol: deps.miaSymbol,
        commissionPerContract: deps.commissionPerContract,
        clientIdOf: (s) => translator.clientIdOf(s) ?? deps.ledgerClientIdOf?.(s),
        account: route.account,
        knownExecution: (f) => translator.hasExecution(f.executionId) || deps.knownExecution(f),
      });
      // Ready before the reports: the orchestrator answers them at once (in the same turn)
      // with the orders it needs, the protective stop of an open position first among them.
      ready = true;
      for (const fill of truth.missedFills) {
        translator.noteExecution(fill.executionId);
        // A fill tied to no order of MIA's is someone else's, unless an order MIA sent on that
        // side was never acknowledged (then it stays an untied venue fill: position right, no guess).
        const untied = fill.clientOrderId.startsWith('venue:');
        const couldBeOurs = untied && Object.values(live).some((h) => !h.serverOrderId && h.request.side === fill.side);
        if ((untied && !couldBeOurs) || (!untied && !isOurs(fill.clientOrderId))) {
          reportForeign(fill.clientOrderId, fill.clientOrderId.replace(/^venue:/, ''), 'historical fill for an order MIA never sent', fill);
        } else report({ type: 'VENUE.FILL', fill });
      }
      for (const o of openOrders) {
        if (o.NoOrders === 1 || !o.ClientOrderID || isOurs(o.ClientOrderID)) continue;
        reportForeign(o.ClientOrderID, o.ServerOrderID, `open order ${o.ClientOrderID} at the venue that MIA never sent`);
      }
      for (const [c, state] of Object.entries(truth.orders)) {
        if (state.serverOrderId) translator.track(c, route.symbol, live[c]!.request.side, state.serverOrderId);
      }
      position = truth.position;
      if (balance) onBalance(balance);
      report({
        type: 'VENUE.RECONCILED',
        orders: truth.orders,
        position: truth.position,
        ...(truth.avgPrice !== undefined ? { avgPrice: truth.avgPrice } : {}),
        ...(incomplete !== null ? { incomplete } : {}),
        ...(Object.keys(orphans).length > 0 ? { orphans } : {}),
        time: now(),
      });
    };

    let warmedEncoding: number | null = null;
    const onConnected = (c: DtcClient) => {
      deps.settle?.reset();
      void (async () => {
        try {
          const account = deps.route.account ?? (await c.tradeAccounts())[0];
          if (!account) throw new Error('the DTC server lists no trade account');
          route = { account, symbol: deps.route.symbol, exchange: deps.route.exchange };
          report({ type: 'VENUE.UP', time: now() });
          await reconcile();
          deps.settle?.started();
          log?.info({ account, encoding: c.encoding }, 'dtc venue ready');
          // After reconciliation (the protective stop it may call for leaves first, not delayed by
          // this): the next decisions' translation and encoding code runs warm. Once: a reconnect
          // finds that code warm already and need not hold the event loop for it again.
          if (warmedEncoding !== c.encoding) {
            warmedEncoding = c.encoding;
            try {
              warmOrderPath(route, c.encoding);
            } catch (err) {
              // Samples only: a failure here says nothing about the venue, which is ready.
              log?.debug({ err: String((err as Error).message ?? err) }, 'order path warm-up failed');
            }
          }
        } catch (error) {
          // A reconciliation that cannot complete leaves risk reconciling: no new orders.
          deps.settle?.started();
          log?.warn({ err: String((error as Error).message ?? error) }, 'reconciliation after logon failed');
        }
      })();
    };

    const onDisconnected = (reason: string) => {
      ready = false;
      awaiting.clear();
      deps.settle?.reset();
      report({ type: 'VENUE.DOWN', reason, time: now() });
    };

    const wire = (c: DtcClient) => {
      client = c;
      c.on('connected', () => onConnected(c));
      c.on('disconnected', onDisconnected);
      c.on('message', onMessage);
      c.on('failed', (error) => {
        deps.settle?.started();
        fail(error);
      });
      c.on('stopped', (reason) => fail(new MiaError('LOGGED_OFF', `the DTC server logged us off for good: ${reason}`)));
      c.start();
    };

    receive((command) => {
      if (connection.deliver(command)) return;
      try {
        if (command.type === 'VENUE.SUBMIT') submit(command.request);
        else if (command.type === 'VENUE.SUBMIT_BRACKET') submitBracket(command.bracket);
        else if (command.type === 'VENUE.CANCEL') cancel(command.clientOrderId);
        else if (command.type === 'VENUE.RECONCILE') {
          hints = command.live;
          if (ready) void reconcile().catch((error: unknown) => log?.warn({ err: String(error) }, 'reconciliation failed'));
        }
      } catch (error) {
        fail(error);
      }
    });

    const unsubscribe = deps.bus?.subscribe('observer', {
      onBar(bar) {
        if (position !== 0 && bar.symbol === deps.miaSymbol) report({ type: 'VENUE.MARK', price: bar.close, time: bar.time + deps.barMs });
      },
    });
    deps.settle?.attach(() => (ready ? awaiting.size : 0));
    Promise.resolve()
      .then(() => deps.createClient(connection.host))
      .then(
        (c) => {
          if (stopped) void c.stop();
          else wire(c);
        },
        (error: unknown) => {
          deps.settle?.started();
          fail(error);
        },
      );
    return () => {
      stopped = true;
      unsubscribe?.();
      deps.settle?.detach();
      if (client) void client.stop();
    };
  });
}
