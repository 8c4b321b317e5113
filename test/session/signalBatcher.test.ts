/**
 * The signal batcher (session/signalBatcher.ts) on a real orchestrator with fake children:
 * it holds only signals that can only be counted, only while the orchestrator is idle, and
 * delivers them ahead of whatever else reaches the orchestrator, or at the end of the turn.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type EventObject } from 'xstate';
import { orchestratorMachine, type ChildInput, type OrchestratorEvent } from '../../machines/orchestrator.ts';
import type { ChildEvent, MarketDataCommand, ScoringCommand, VenueCommand } from '../../machines/orchestratorEvents.ts';
import { SignalBatcher } from '../../session/signalBatcher.ts';
import { T0, signal, testSettings } from '../machines/orchestratorHarness.ts';

type Send = (event: ChildEvent) => void;

function start(onExecution?: (event: EventObject, batcher: SignalBatcher) => void) {
  const batcher = new SignalBatcher();
  const backs: Partial<Record<'execution' | 'scoring', Send>> = {};
  const child = <TCommand extends EventObject>(name: 'execution' | 'scoring' | 'marketData') =>
    fromCallback<TCommand, ChildInput>(({ sendBack, receive }) => {
      if (name !== 'marketData') backs[name] = sendBack as Send;
      receive((e) => (name === 'execution' ? onExecution?.(e, batcher) : undefined));
    });
  const machine = orchestratorMachine.provide({
    actors: { marketData: child<MarketDataCommand>('marketData'), scoring: child<ScoringCommand>('scoring'), execution: child<VenueCommand>('execution') },
  });
  const received: string[] = [];
  const actor = createActor(machine, {
    input: { settings: testSettings() },
    inspect: (e) => {
      // In the order the orchestrator processed them.
      if (e.type === '@xstate.snapshot' && e.actorRef === actor) received.push((e.event as OrchestratorEvent).type);
    },
  });
  batcher.attach(actor);
  actor.start();
  const fromVenue = (e: ChildEvent) => backs.execution!(e);
  return { actor, batcher, received, fromVenue };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('signal batcher', () => {
  it('holds signals only while they can only be counted, and delivers them ahead of the next event in one SIGNALS', async () => {
    const { actor, batcher, received, fromVenue } = start();
    fromVenue({ type: 'VENUE.UP', time: T0 });
    actor.send({ type: 'SESSION.START', sessionId: 'B1', time: T0 });
    fromVenue({ type: 'VENUE.RECONCILED', orders: {}, position: 0, time: T0 });
    await turn();
    // Risk normal: a signal would open a position, never held.
    expect(batcher.offer(signal('buy', T0 + 1))).toBe(false);

    actor.send({ type: 'OPERATOR.KILL', who: 't', reason: 'test', time: T0 + 2 });
    await turn();
    // Killed and flat: refused anyway, so held (not counted yet).
    expect(batcher.offer(signal('buy', T0 + 3))).toBe(true);
    expect(batcher.offer(signal('sell', T0 + 4))).toBe(true);
    expect(actor.getSnapshot().context.counters.signals).toEqual({ long: 0, short: 0 });
    received.length = 0;
    // Anything else first has the held signals delivered, in one step.
    fromVenue({ type: 'VENUE.MARK', price: 6000, time: T0 + 5 });
    expect(received.slice(0, 2)).toEqual(['SIGNALS', 'VENUE.MARK']);
    expect(actor.getSnapshot().context.counters).toMatchObject({ signals: { long: 1, short: 1 }, riskRefusals: 2 });
    expect(batcher.batched).toBe(2);

    // Nothing else comes: the end of the turn delivers them.
    expect(batcher.offer(signal('buy', T0 + 6))).toBe(true);
    await turn();
    expect(received.at(-1)).toBe('SIGNALS');
    expect(actor.getSnapshot().context.counters.signals.long).toBe(2);
    actor.stop();
  });

  it('holds nothing while the orchestrator is in a step', async () => {
    const offered: boolean[] = [];
    const { actor, fromVenue } = start((e, batcher) => {
      // The orchestrator's step sends to the execution actor: a signal offered now is not held.
      if (e.type === 'VENUE.RECONCILE') offered.push(batcher.offer(signal('buy', T0 + 1)));
    });
    fromVenue({ type: 'VENUE.UP', time: T0 });
    actor.send({ type: 'OPERATOR.KILL', who: 't', reason: 'test', time: T0 });
    await turn();
    actor.send({ type: 'SESSION.START', sessionId: 'B2', time: T0 + 1 });
    expect(offered).toEqual([false]);
    actor.stop();
  });
});
