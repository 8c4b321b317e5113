import { afterEach, expect } from 'vitest';
/**
 * Test harness for the root orchestrator: fake market-data, scoring and execution actors
 * (`fromCallback`) that record every command they receive and every start (with its
 * generation), and hand their `sendBack` to the test so that it can play the venue, the
 * feed and the scorer. Settings come from the embedded config defaults and the ES spec.
 */
import { createActor, fromCallback, type ActorOptions, type EventObject, type InspectionEvent, type SimulatedClock } from 'xstate';
import { defaultConfig, type RiskLimits } from '../../config/schema.ts';
import { instrumentFor } from '../../config/instruments.ts';
import type { Fill, OrderRequest, Side } from '../../core/types.ts';
import {
  orchestratorMachine,
  orderSnapshotOf,
  type ChildInput,
  type OrchestratorActor,
  type OrchestratorEmitted,
  type OrchestratorEvent,
  type OrchestratorInput,
  type OrchestratorSettings,
  type OrchestratorSnapshot,
} from '../../machines/orchestrator.ts';
import {
  SUPERVISED_CHILDREN,
  type ChildEvent,
  type MarketDataCommand,
  type ScoringCommand,
  type SupervisedChild,
  type VenueCommand,
} from '../../machines/orchestratorEvents.ts';
import { riskStatus, type RiskSnapshot, type RiskStatus } from '../../machines/risk.ts';
import type { OrderSnapshot } from '../../machines/order.ts';
import { bracketLegs, type BracketOrder } from '../../core/venue.ts';

/** Tuesday 2025-11-04 09:00 America/Chicago: RTH, inside CME trading day 2025-11-04. */
export const T0 = Date.UTC(2025, 10, 4, 15, 0);
export const SYMBOL = 'ESZ25';
export const COMMISSION = 2.25;

export interface SettingsOverrides {
  strategy?: Partial<OrchestratorSettings['strategy']>;
  supervision?: Partial<OrchestratorSettings['supervision']>;
  limits?: Partial<RiskLimits>;
}

/** Orchestrator settings from `defaultConfig()` and the ES contract (50 $/pt, tick 0.25). */
export function testSettings(over: SettingsOverrides = {}): OrchestratorSettings {
  const config = defaultConfig();
  const es = instrumentFor(SYMBOL);
  return {
    symbol: SYMBOL,
    pointValue: es.pointValue,
    tickSize: es.tickSize,
    startingEquity: config.startingEquity,
    limits: { ...config.risk, ...over.limits },
    gates: config.gates,
    strategy: {
      quantity: config.strategy.quantity,
      stopPoints: config.strategy.stopPoints,
      targetPoints: config.strategy.targetPoints,
      ...over.strategy,
    },
    supervision: { ...config.supervision, ...over.supervision },
    account: { id: 'SIMULATED', kind: 'paper' },
  };
}

/** One fake child: what it received, each start's input, and its latest `sendBack`. */
export interface FakeChild {
  received: EventObject[];
  starts: ChildInput[];
  sendBack: ((event: ChildEvent) => void) | null;
}

/** Per child: throw synchronously at start for these generations (a crashing actor). */
export type ThrowAtStart = Partial<Record<SupervisedChild, (generation: number) => boolean>>;

export interface HarnessOptions {
  settings?: OrchestratorSettings;
  snapshot?: unknown;
  clock?: SimulatedClock;
  throwAtStart?: ThrowAtStart;
  inspect?: (event: InspectionEvent) => void;
}

export interface Harness {
  actor: OrchestratorActor;
  children: Record<SupervisedChild, FakeChild>;
  /** Every emitted record, in order (journal, audit, session.ended). */
  emitted: OrchestratorEmitted[];
  /** Errors reported to the root's error observer: must stay empty. */
  errors: unknown[];
  send(event: OrchestratorEvent): void;
  /** Pushes an event from a child, through that child's own `sendBack`. */
  from(child: SupervisedChild, event: ChildEvent): void;
  submits(): OrderRequest[];
  cancels(): string[];
  risk(): RiskStatus;
  order(clientOrderId: string): OrderSnapshot | undefined;
  ofType<T extends OrchestratorEmitted['type']>(type: T): Extract<OrchestratorEmitted, { type: T }>[];
}

export function startHarness(options: HarnessOptions = {}): Harness {
  const children = Object.fromEntries(
    SUPERVISED_CHILDREN.map((c): [SupervisedChild, FakeChild] => [c, { received: [], starts: [], sendBack: null }]),
  ) as Record<SupervisedChild, FakeChild>;
  const fake = <TCommand extends EventObject>(name: SupervisedChild) =>
    fromCallback<TCommand, ChildInput>(({ input, receive, sendBack }) => {
      const child = children[name];
      child.starts.push(input);
      if (options.throwAtStart?.[name]?.(input.generation)) throw new Error(`${name} failed to start (generation ${input.generation})`);
      child.sendBack = sendBack as (event: ChildEvent) => void;
      receive((event) => child.received.push(event));
    });
  const machine = orchestratorMachine.provide({
    actors: { marketData: fake<MarketDataCommand>('marketData'), scoring: fake<ScoringCommand>('scoring'), execution: fake<VenueCommand>('execution') },
  });
  // The input is ignored when a snapshot is restored (its context comes with it).
  const actorOptions: ActorOptions<typeof machine> & { input: OrchestratorInput } = { input: { settings: options.settings ?? testSettings() } };
  if (options.snapshot) actorOptions.snapshot = options.snapshot as OrchestratorSnapshot;
  if (options.clock) actorOptions.clock = options.clock;
  if (options.inspect) actorOptions.inspect = options.inspect;
  const actor = createActor(machine, actorOptions);
  const emitted: OrchestratorEmitted[] = [];
  const errors: unknown[] = [];
  actor.on('*', (e) => emitted.push(e as OrchestratorEmitted));
  actor.subscribe({ error: (err) => errors.push(err) });
  actor.start();

  const h: Harness = {
    actor,
    children,
    emitted,
    errors,
    send: (event) => actor.send(event),
    from(child, event) {
      const sendBack = children[child].sendBack;
      if (!sendBack) throw new Error(`${child} has not started`);
      sendBack(event);
    },
    /** Every order sent, a bracket's legs in the order they leave (entry, stop, target). */
    submits: () =>
      children.execution.received.flatMap((e) =>
        e.type === 'VENUE.SUBMIT'
          ? [(e as unknown as { request: OrderRequest }).request]
          : e.type === 'VENUE.SUBMIT_BRACKET'
            ? bracketLegs((e as unknown as { bracket: BracketOrder }).bracket)
            : [],
      ),
    cancels: () =>
      children.execution.received.flatMap((e) => (e.type === 'VENUE.CANCEL' ? [(e as unknown as { clientOrderId: string }).clientOrderId] : [])),
    risk: () => riskStatus(actor.getSnapshot().children.risk!.getSnapshot() as RiskSnapshot),
    order: (id) => orderSnapshotOf(actor.getSnapshot(), id),
    ofType: (type) => emitted.filter((e) => e.type === type) as never,
  };
  return h;
}

/** Venue up, session started, the venue reconciled flat: risk reaches normal. */
export function startTrading(h: Harness, sessionId = 'S1', time = T0): void {
  h.from('execution', { type: 'VENUE.UP', time });
  h.send({ type: 'SESSION.START', sessionId, time });
  h.from('execution', { type: 'VENUE.RECONCILED', orders: {}, position: 0, time });
}

export function signal(side: Side, time: number, price = 6000): Extract<ChildEvent, { type: 'SIGNAL' }> {
  return { type: 'SIGNAL', signal: { side, score: side === 'buy' ? 0.5 : -0.5, threshold: 0.25, time, price, features: {}, available: [] } };
}

/** A full fill of `request` at `price`, with the per-side commission. */
export function fillOf(request: OrderRequest, price: number, executionId: string, time: number, qty = request.qty): Fill {
  return { clientOrderId: request.clientOrderId, executionId, symbol: request.symbol, side: request.side, qty, price, time, commission: COMMISSION * qty };
}

/** JSON round trip, as the state store does. */
export const roundTrip = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

/**
 * Registers teardown for this test file: every tracked harness is stopped after its test,
 * and whatever happened, its root must never have gone to error.
 */
export function useHarnessTeardown(): (h: Harness) => Harness {
  let harnesses: Harness[] = [];
  afterEach(() => {
    const done = harnesses;
    harnesses = [];
    for (const h of done) h.actor.stop();
    for (const h of done) {
      expect(h.errors).toEqual([]);
      expect(h.actor.getSnapshot().status).not.toBe('error');
    }
  });
  return (h) => {
    harnesses.push(h);
    return h;
  };
}
