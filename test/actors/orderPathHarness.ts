/**
 * The real root orchestrator with the real DTC execution actor, against the paper DTC
 * server over loopback. Market data and scoring are idle stand-ins: the test plays the
 * scorer (SIGNAL) and feeds the server its bars, so every order, fill and reconciliation
 * crosses a real socket. A harness can be restarted from a persisted snapshot, as `mia run`
 * restarts from its home.
 */
import { createActor, fromCallback, type AnyActorLogic, type EventObject } from 'xstate';
import { ManualClock } from '../../core/clock.ts';
import type { Bar, Fill } from '../../core/types.ts';
import { DtcClient, dtcConnectionInput } from '../../adapters/dtc/dtcClient.ts';
import type { PaperDtcServer } from '../../adapters/dtc/paperServer.ts';
import { dtcExecutionActor } from '../../actors/dtcExecutionActor.ts';
import { orchestratorMachine, type ChildInput, type OrchestratorActor, type OrchestratorEmitted, type OrchestratorSettings, type OrchestratorSnapshot } from '../../machines/orchestrator.ts';
import { riskStatus, type RiskSnapshot, type RiskStatus } from '../../machines/risk.ts';

export const MIN = 60_000;

export const bar = (time: number, price: number): Bar => ({ symbol: 'ESZ25', time, open: price, high: price + 1, low: price - 1, close: price, volume: 100 });

/** What survives a restart of MIA: the fill journal (ids and times) and the orchestrator's snapshot. */
export interface MiaHome {
  fills: Fill[];
  orders: Map<string, Extract<OrchestratorEmitted, { type: 'journal.order' }>>;
  snapshot?: unknown;
}

export const emptyHome = (): MiaHome => ({ fills: [], orders: new Map() });

export interface OrderPath {
  actor: OrchestratorActor;
  emitted: OrchestratorEmitted[];
  errors: unknown[];
  risk(): RiskStatus;
  riskReasons(): string[];
  position(): number;
  /** Persists into the home and stops (a clean stop or, without a final write, a crash). */
  stop(): void;
  /** Saves the snapshot now (as the periodic save does), without stopping. */
  save(): void;
  /** Stops without saving: the home keeps the last saved snapshot and the whole journal. */
  crash(): void;
}

const idle = <T extends EventObject>() => fromCallback<T, ChildInput>(() => undefined);

export function startOrderPath(server: PaperDtcServer, clock: ManualClock, settings: OrchestratorSettings, home: MiaHome, extra: { maxFillHistoryDays?: number } = {}): OrderPath {
  const port = server.port;
  const reconnect = { heartbeatSeconds: 5, maxReconnectAttempts: 50, backoffBaseMs: 20, backoffMaxMs: 100 };
  const execution = dtcExecutionActor({
    createClient: (connection) => new DtcClient({ host: '127.0.0.1', port, encoding: 'binary', ...reconnect, maxMessagesPerSecond: 1000, clock, connection }),
    connection: dtcConnectionInput(reconnect),
    clock,
    miaSymbol: 'ESZ25',
    route: { account: null, symbol: 'ESZ25', exchange: 'CME' },
    commissionPerContract: 2.25,
    knownExecution: (id) => home.fills.some((f) => f.executionId === id.executionId),
    lastFillTime: () => (home.fills.length === 0 ? undefined : Math.max(...home.fills.map((f) => f.time))),
    knownOrder: (id) => home.orders.has(id),
    ledgerOrders: () =>
      [...home.orders.values()]
        .filter((o) => o.status === 'submitted' || o.status === 'working')
        .map((o) => ({ request: o.request, filledQty: o.filledQty ?? 0, ...(o.serverOrderId ? { serverOrderId: o.serverOrderId } : {}) })),
    ledgerClientIdOf: (serverOrderId) => [...home.orders.values()].find((o) => o.serverOrderId === serverOrderId)?.clientOrderId,
    ...(extra.maxFillHistoryDays !== undefined ? { maxFillHistoryDays: extra.maxFillHistoryDays } : {}),
    barMs: MIN,
  });
  const machine = orchestratorMachine.provide({ actors: { marketData: idle(), scoring: idle(), execution: execution as AnyActorLogic } });
  const actor = createActor(machine, { input: { settings }, ...(home.snapshot ? { snapshot: home.snapshot as OrchestratorSnapshot } : {}) });
  const emitted: OrchestratorEmitted[] = [];
  const errors: unknown[] = [];
  actor.on('*', (e) => {
    const record = e as OrchestratorEmitted;
    emitted.push(record);
    if (record.type === 'journal.fill' && !home.fills.some((f) => f.executionId === record.fill.executionId)) home.fills.push(record.fill);
    if (record.type === 'journal.order') home.orders.set(record.clientOrderId, record);
  });
  actor.subscribe({ error: (err) => errors.push(err) });
  actor.start();
  actor.send({ type: 'SESSION.START', sessionId: 'S', time: clock.now() });
  const riskSnap = () => actor.getSnapshot().children.risk!.getSnapshot() as RiskSnapshot;
  return {
    actor,
    emitted,
    errors,
    risk: () => riskStatus(riskSnap()),
    riskReasons: () => [...riskSnap().context.reasons],
    position: () => actor.getSnapshot().context.book.qty,
    stop() {
      home.snapshot = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
      actor.stop();
    },
    save() {
      home.snapshot = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    },
    crash() {
      actor.stop();
    },
  };
}

export async function until<T>(what: string, probe: () => T | undefined | false, ms = 8_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
