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
 * - Bracket legs created together (same OCO group, same turn) leave as one OCO message.
 */
import { fromCallback } from 'xstate';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { MarketBus } from '../core/marketBus.ts';
import type { OrderRequest } from '../core/types.ts';
import { createDtcMessage } from '../adapters/dtc/createMessage.ts';
import type { DtcClient } from '../adapters/dtc/dtcClient.ts';
import { MessageType } from '../adapters/dtc/messageType.ts';
import type { AccountBalanceUpdate, DtcMessage } from '../adapters/dtc/messages.ts';
import { OrderUpdateTranslator, toDtcOco, toDtcOrder, type DtcRoute } from '../adapters/dtc/orderTranslation.ts';
import { venueTruth } from '../adapters/dtc/venueTruth.ts';
import { LocalOcoBook, serverSupportsOco } from '../adapters/dtc/localOco.ts';
import type { ChildEvent, ReconcileHint, VenueCommand } from '../machines/orchestratorEvents.ts';
import type { ChildInput } from '../machines/orchestrator.ts';
import type { VenueSettle } from '../core/venueSettle.ts';

export interface DtcExecutionDeps {
  /**
   * A new, not yet started client (one per actor instance: a restart reconnects afresh);
   * a promise when the server it talks to is still starting (the embedded paper server).
   */
  createClient(): DtcClient | Promise<DtcClient>;
  clock: Clock;
  /** MIA's symbol and how the server names it; `account` null takes the server's first. */
  miaSymbol: string;
  route: { account: string | null; symbol: string; exchange: string };
  commissionPerContract: number;
  /** True when the fill journal already holds this execution (survives restarts). */
  knownExecution(executionId: string): boolean;
  /** Time of the newest journaled fill, ms: fills history is asked from there. */
  lastFillTime(): number | undefined;
  /** Marks open positions at each bar's close, as the in-process venue does. */
  bus?: MarketBus;
  barMs: number;
  /** Lets market data wait for this actor at max speed (see VenueSettle). */
  settle?: VenueSettle;
  logger?: Logger;
}

type Report = ChildEvent;

export function dtcExecutionActor(deps: DtcExecutionDeps) {
  return fromCallback<VenueCommand, ChildInput>(({ sendBack, receive }) => {
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
    /** A bracket leg waiting (one turn) for its OCO sibling. */
    const ocoWaiting = new Map<string, OrderRequest>();

    const fail = (error: unknown) => {
      if (stopped) return;
      const text = error instanceof Error ? error.message : String(error);
      log?.error({ err: text }, 'dtc execution failed');
      sendBack({ type: 'CHILD.FAILED', child: 'execution', error: text, time: now() } satisfies ChildEvent);
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

    const submit = (request: OrderRequest) => {
      if (sent.has(request.clientOrderId) || ocoWaiting.has(request.clientOrderId)) {
        log?.warn({ clientOrderId: request.clientOrderId }, 'duplicate submit ignored: a ClientOrderID leaves once');
        return;
      }
      if (!ready || !route) {
        report({ type: 'VENUE.REJECTED', clientOrderId: request.clientOrderId, reason: 'not sent: the DTC venue is not connected', time: now() });
        return;
      }
      const group = request.ocoGroup;
      if (group !== undefined) {
        const sibling = [...ocoWaiting.values()].find((o) => o.ocoGroup === group);
        if (!sibling) {
          ocoWaiting.set(request.clientOrderId, request);
          queueMicrotask(() => flushAlone(request.clientOrderId));
          return;
        }
        ocoWaiting.delete(sibling.clientOrderId);
        track(sibling);
        track(request);
        if (!serverSupportsOco(client?.logon)) {
          // LOGON_RESPONSE said OCOOrdersSupported=0: two single orders, paired here.
          localOco.link(sibling.clientOrderId, request.clientOrderId);
          write(toDtcOrder(sibling, route), [sibling.clientOrderId]);
          write(toDtcOrder(request, route), [request.clientOrderId]);
          return;
        }
        write(toDtcOco(sibling, request, route), [sibling.clientOrderId, request.clientOrderId]);
        return;
      }
      track(request);
      write(toDtcOrder(request, route), [request.clientOrderId]);
    };

    const track = (request: OrderRequest) => {
      sent.set(request.clientOrderId, request);
      translator.track(request.clientOrderId, deps.route.symbol, request.side);
    };

    const flushAlone = (clientOrderId: string) => {
      const request = ocoWaiting.get(clientOrderId);
      if (!request) return;
      ocoWaiting.delete(clientOrderId);
      if (!ready || !route) {
        report({ type: 'VENUE.REJECTED', clientOrderId, reason: 'not sent: the DTC venue is not connected', time: now() });
        return;
      }
      track(request);
      write(toDtcOrder(request, route), [clientOrderId]);
    };

    const cancel = (clientOrderId: string) => {
      if (ocoWaiting.delete(clientOrderId)) {
        // Never left: cancelled here.
        report({ type: 'VENUE.CANCELED', clientOrderId, time: now() });
        return;
      }
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
        for (const e of translator.translate(m, now())) {
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

    const reconcile = async () => {
      if (!route || !client) return;
      const since = deps.lastFillTime();
      const [openOrders, positions, fills, balance] = await Promise.all([
        client.openOrders(route.account),
        client.positions(route.account),
        client.fills(route.account, 1, since === undefined ? 0 : Math.max(0, Math.floor(since / 1000) - 1)),
        client.accountBalance(route.account),
      ]);
      // What MIA believes live: the orchestrator's word plus what this actor sent itself.
      const live: Record<string, ReconcileHint> = { ...hints };
      for (const [c, request] of sent) {
        const o = translator.order(c);
        if (o && o.final !== null) continue;
        live[c] = { request, filledQty: o?.filledQty ?? 0, ...(o?.serverOrderId ? { serverOrderId: o.serverOrderId } : {}) };
      }
      const truth = venueTruth(live, { openOrders, fills, positions }, {
        venueSymbol: route.symbol,
        miaSymbol: deps.miaSymbol,
        commissionPerContract: deps.commissionPerContract,
        clientIdOf: (s) => translator.clientIdOf(s),
        knownExecution: (id) => translator.hasExecution(id) || deps.knownExecution(id),
      });
      for (const fill of truth.missedFills) {
        translator.noteExecution(fill.executionId);
        report({ type: 'VENUE.FILL', fill });
      }
      for (const [c, state] of Object.entries(truth.orders)) {
        if (state.serverOrderId) translator.track(c, route.symbol, live[c]!.request.side, state.serverOrderId);
      }
      position = truth.position;
      if (balance) onBalance(balance);
      report({ type: 'VENUE.RECONCILED', orders: truth.orders, position: truth.position, ...(truth.avgPrice !== undefined ? { avgPrice: truth.avgPrice } : {}), time: now() });
    };

    const onConnected = (c: DtcClient) => {
      deps.settle?.reset();
      void (async () => {
        try {
          const account = deps.route.account ?? (await c.tradeAccounts())[0];
          if (!account) throw new Error('the DTC server lists no trade account');
          route = { account, symbol: deps.route.symbol, exchange: deps.route.exchange };
          report({ type: 'VENUE.UP', time: now() });
          await reconcile();
          ready = true;
          deps.settle?.started();
          log?.info({ account, encoding: c.encoding }, 'dtc venue ready');
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
      for (const id of [...ocoWaiting.keys()]) flushAlone(id);
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
      c.on('stopped', (reason) => fail(new Error(`the DTC server logged us off for good: ${reason}`)));
      c.start();
    };

    receive((command) => {
      try {
        if (command.type === 'VENUE.SUBMIT') submit(command.request);
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
      .then(() => deps.createClient())
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
