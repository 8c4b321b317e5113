import { describe, it, expect } from 'vitest';
import { createActor, setup, type AnyEventObject } from 'xstate';
import { MarketBus } from '../../core/marketBus.ts';
import { scoringActor, type ScoringDeps } from '../../actors/scoringActor.ts';
import { Scorer, type ScoredSignal } from '../../strategy/scorer.ts';
import { strategySchema } from '../../config/strategySchema.ts';
import type { ChildEvent, ScoringCommand } from '../../machines/orchestratorEvents.ts';
import { replay } from '../strategy/fixtures/marketEvents.ts';
import { MINUTE, syntheticMarket, testLevels } from '../strategy/fixtures/syntheticMarket.ts';

const strategy = strategySchema.parse({ features: { smartMoney: { largeSize: 25 } } });
const params = { threshold: 0.25, atrBars: 14, barMs: MINUTE, strategy };

/** Invokes the scoring actor under a tiny parent that records what it sends back. */
function start(deps: Omit<ScoringDeps, 'bus'>) {
  const bus = new MarketBus();
  const received: ChildEvent[] = [];
  const parent = setup({ actors: { scoring: scoringActor({ bus, ...deps }) } }).createMachine({
    invoke: { id: 'scoring', src: 'scoring', input: { generation: 0 } },
    on: { '*': { actions: ({ event }: { event: AnyEventObject }) => received.push(event as ChildEvent) } },
  });
  const actor = createActor(parent);
  actor.start();
  const publish = (events: ReturnType<typeof syntheticMarket>['events']) =>
    replay(
      {
        onBar: (b) => bus.publishBar(b),
        onTrade: (t) => bus.publishTrade(t),
        onQuote: (q) => bus.publishQuote(q),
        onBook: (b) => bus.publishBook(b),
        onChain: (c) => bus.publishChain(c),
      },
      events,
    );
  const toChild = (event: ScoringCommand) => actor.getSnapshot().children.scoring!.send(event);
  return { bus, received, actor, publish, toChild };
}

describe('scoringActor', () => {
  it('sends exactly the signals a Scorer fed the same bus inputs produces, with every input reaching the strategy', () => {
    const { events } = syntheticMarket(21, 500);
    const { received, actor, publish } = start({ params, maxBarsInTrade: 10_000, strategyDeps: { computeLevels: testLevels } });
    publish(events);
    const scorer = new Scorer(params, { computeLevels: testLevels });
    const expected: ScoredSignal[] = [];
    replay(
      { onBar: (b) => scorer.onBar(b), onTrade: (t) => scorer.onTrade(t), onQuote: (q) => scorer.onQuote(q), onBook: (b) => scorer.onBook(b), onChain: (c) => scorer.onChain(c) },
      events,
      (_, s) => s && expected.push(s),
    );
    const signals = received.filter((e) => e.type === 'SIGNAL').map((e) => (e as Extract<ChildEvent, { type: 'SIGNAL' }>).signal);
    expect(signals.length).toBeGreaterThan(5);
    expect(signals).toEqual(expected);
    expect(new Set(signals.map((s) => s.side))).toEqual(new Set(['buy', 'sell']));
    // quotes, books, prints and chains got through: the late signals carry every feature
    expect(signals.at(-1)!.available.sort()).toEqual(
      ['aggressionBias', 'battleNavale', 'deltaDivergence', 'gammaLevels', 'multiTimeframe', 'optionsFlow', 'orderBook', 'smartMoney', 'tickMomentum', 'volumeConfirmation', 'vwapTrend'],
    );
    actor.stop();
  });

  it('sends one TIME_STOP when an open position outlives maxBarsInTrade, again for a new position', () => {
    const { bars, events } = syntheticMarket(4, 120);
    const { received, actor, publish, toChild } = start({ params, maxBarsInTrade: 10 });
    toChild({ type: 'POSITION', qty: 1, since: bars[0]!.time + MINUTE });
    publish(events.slice(0, events.findIndex((e) => e.kind === 'bar' && e.bar === bars[60])));
    const stops = () => received.filter((e) => e.type === 'TIME_STOP');
    expect(stops()).toEqual([{ type: 'TIME_STOP', time: bars[10]!.time + MINUTE }]);
    toChild({ type: 'POSITION', qty: -1, since: bars[70]!.time });
    publish(events.slice(events.findIndex((e) => e.kind === 'bar' && e.bar === bars[60])));
    expect(stops().map((e) => e.time)).toEqual([bars[10]!.time + MINUTE, bars[80]!.time]);
    actor.stop();
  });

  it('reports a strategy failure once as CHILD.FAILED and then ignores the market', () => {
    const { events } = syntheticMarket(4, 50);
    const { received, actor, publish } = start({
      params,
      maxBarsInTrade: 10,
      strategyDeps: {
        expiryFactor: () => {
          throw new Error('calendar unavailable');
        },
      },
    });
    publish(events);
    expect(received).toEqual([{ type: 'CHILD.FAILED', child: 'scoring', error: 'calendar unavailable', time: expect.any(Number) }]);
    actor.stop();
  });

  it('unsubscribes from the bus when stopped', () => {
    const { events } = syntheticMarket(4, 300);
    const { received, actor, publish } = start({ params, maxBarsInTrade: 10_000, strategyDeps: { computeLevels: testLevels } });
    actor.stop();
    publish(events);
    expect(received).toEqual([]);
  });

  it('ignores VIX bars for the time stop', () => {
    const { received, actor, bus, toChild } = start({ params, maxBarsInTrade: 1 });
    toChild({ type: 'POSITION', qty: 1, since: 0 });
    bus.publishBar({ symbol: 'VIX', time: 10 * MINUTE, open: 20, high: 21, low: 19, close: 20, volume: 0 });
    expect(received).toEqual([]);
    actor.stop();
  });
});

