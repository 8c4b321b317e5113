/**
 * The inspector's view model from a real session (simulated market, in-process venue):
 * the actor tree, every machine drawn from its definition with the active states marked,
 * the recent events, and the session's risk and P&L; each client gets only what changed.
 */
import { describe, expect, it } from 'vitest';
import { assign, createActor, createMachine, setup, type AnyActorRef } from 'xstate';
import { configSchema } from '../../config/schema.ts';
import { ManualClock, systemClock } from '../../core/clock.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import { startSession } from '../../session/session.ts';
import { activePaths, createInspectorBridge, EVENT_RING_SIZE, FINISHED_ACTORS_KEPT, type StateNodeView } from '../../operator/inspectorBridge.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { T0, fillOf, signal, startHarness, startTrading } from '../machines/orchestratorHarness.ts';

const tempHome = useTempHomes('mia-inspector-bridge-');
// Loss limits out of reach: the only kill in these runs is the operator's.
const config = configSchema.parse({ feed: { maxBars: 300 }, venue: { kind: 'simulated' }, risk: { dailyLossLimit: 1_000_000, trailingDrawdown: 1_000_000 } });

/** Every state path of a definition, depth first. */
const paths = (node: StateNodeView): string[] => node.states.flatMap((s) => [s.path, ...paths(s)]);
const find = (node: StateNodeView, path: string): StateNodeView | undefined =>
  node.path === path ? node : node.states.map((s) => find(s, path)).find(Boolean);

describe('inspector bridge', () => {
  it('draws the actor tree and each machine from its definition, with the active states marked', async () => {
    const home = tempHome();
    const store = await openStateStore(home, { clock: systemClock });
    const operatorClock = new ManualClock(Date.UTC(2024, 0, 2, 15));
    const bridge = createInspectorBridge({ clock: operatorClock });
    const session = startSession({ config, store, logger: silentLogger(), inspect: bridge.inspect });
    bridge.attach(session);
    try {
      const cursor = bridge.open();
      const first = bridge.view(cursor, false)!;
      const byId = new Map(first.actors.map((a) => [a.id, a]));
      for (const id of ['orchestrator', 'risk', 'deployment', 'marketData', 'scoring', 'execution']) expect(byId.has(id), id).toBe(true);

      // The tree: the root has no parent, everything else hangs under it.
      const root = byId.get('orchestrator')!;
      expect(root.parentId).toBeNull();
      for (const id of ['risk', 'deployment', 'marketData', 'scoring', 'execution']) expect(byId.get(id)!.parentId).toBe(root.sessionId);

      // Callback actors are listed without a machine.
      for (const id of ['marketData', 'scoring', 'execution']) expect(byId.get(id)).toMatchObject({ machine: null, status: 'active', active: [] });

      // Machines from their definitions: every state, as the statecharts document them.
      const risk = first.definitions[byId.get('risk')!.machine!]!;
      expect(paths(risk).sort()).toEqual(['active', 'active.limited', 'active.normal', 'active.reconciling', 'killed']);
      expect(find(risk, 'active')).toMatchObject({ type: 'compound', initial: 'reconciling' });
      expect(find(risk, 'killed')!.events).toContain('RESUME');
      const orchestrator = first.definitions[root.machine!]!;
      expect(paths(orchestrator).sort()).toEqual([
        'running',
        'running.exit',
        'running.exit.idle',
        'running.exit.pending',
        'running.exit.pending.exit',
        'running.exit.pending.flatten',
        'running.kill',
        'running.kill.handled',
        'running.kill.idle',
        'running.session',
        'running.session.ended',
        'running.session.flattening',
        'running.session.stopping',
        'running.session.trading',
        'stopped',
      ]);
      const deployment = first.definitions[byId.get('deployment')!.machine!]!;
      expect(deployment.type).toBe('parallel');
      expect(paths(deployment)).toEqual(expect.arrayContaining(['phase', 'phase.setup', 'phase.calibration', 'phase.backtest', 'phase.simulation', 'phase.propFirm', 'phase.ownAccount', 'signals', 'signals.off', 'signals.on']));

      // Active states: the live actors' own snapshots, ancestors included.
      expect(root.active).toEqual(['running', 'running.session', 'running.session.trading', 'running.exit', 'running.exit.idle', 'running.kill', 'running.kill.idle']);
      expect(byId.get('deployment')!.active).toEqual(['phase', 'phase.setup', 'signals', 'signals.off']);
      expect(byId.get('risk')!.active[0]).toBe('active');

      // The operator kills: the risk machine is drawn in killed, the event is listed.
      const killTime = session.clock.now();
      operatorClock.advance(1_000);
      session.send({ type: 'OPERATOR.KILL', who: 'alice', reason: 'inspector test', time: killTime });
      const second = bridge.view(cursor, false)!;
      expect(second.actors.find((a) => a.id === 'risk')!.active).toEqual(['killed']);
      expect(second.session).toMatchObject({ riskState: 'killed', killReason: 'inspector test', killedBy: 'alice' });
      // The orchestrator acted on the kill: its kill region is drawn in handled.
      expect(second.actors.find((a) => a.id === 'orchestrator')!.active).toContain('running.kill.handled');
      // Definitions go once per client.
      expect(second.definitions).toEqual({});
      const kill = second.events.find((e) => e.type === 'OPERATOR.KILL');
      expect(kill).toMatchObject({ source: null, target: 'orchestrator', time: new Date(killTime).toISOString(), at: new Date(operatorClock.now()).toISOString() });
      // The orchestrator tells risk: an event from one actor to another.
      expect(second.events.some((e) => e.type === 'KILL' && e.source === 'orchestrator' && e.target === 'risk')).toBe(true);
      // Event sequence numbers continue from the previous message, with no gap and no repeat.
      const seqs = [...first.events, ...second.events].map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));

      // Nothing changed: nothing to send, unless a refresh is forced.
      expect(bridge.view(cursor, false)).toBeNull();
      expect(bridge.view(cursor, true)).not.toBeNull();
    } finally {
      const summary = await session.done;
      expect(summary.riskState).toBe('killed');
      await store.close();
    }
  });

  it('keeps the last events of a whole session, spawned order actors, and a new client gets every definition', async () => {
    const home = tempHome();
    const store = await openStateStore(home, { clock: systemClock });
    const bridge = createInspectorBridge({ clock: systemClock });
    const session = startSession({ config, store, logger: silentLogger(), inspect: bridge.inspect });
    bridge.attach(session);
    const summary = await session.done;
    await store.close();
    expect(summary.orders).toBeGreaterThan(0);

    const late = bridge.open();
    const view = bridge.view(late, false)!;
    expect(view.events).toHaveLength(EVENT_RING_SIZE);
    expect(view.events.at(-1)!.seq - view.events[0]!.seq).toBe(EVENT_RING_SIZE - 1);
    // Order actors were spawned by the orchestrator, drawn from the order machine.
    const orders = view.actors.filter((a) => a.id.startsWith('order:'));
    expect(orders.length).toBeGreaterThan(0);
    const orderDef = view.definitions[orders[0]!.machine!]!;
    expect(paths(orderDef)).toEqual(expect.arrayContaining(['created', 'submitted', 'working', 'working.open', 'working.partiallyFilled', 'filled', 'cancelled', 'rejected']));
    expect(Object.keys(view.definitions).sort()).toEqual(['deployment', 'orchestrator', 'order', 'risk']);
    // After the session: every actor stopped, the orchestrator's final state still drawn.
    const root = view.actors.find((a) => a.id === 'orchestrator')!;
    expect(root.status).toBe('stopped');
    expect(root.active).toEqual(expect.arrayContaining(['running', 'running.session', 'running.session.ended']));
    expect(view.session).toMatchObject({ bars: summary.bars, pnl: summary.pnl, trades: summary.trades });
  });
});

describe('inspector bridge: orders', () => {
  it('draws each live order from the orchestrator\'s table, in its machine\'s current state, under the orchestrator', () => {
    const bridge = createInspectorBridge({ clock: systemClock });
    const h = startHarness({ inspect: bridge.inspect });
    try {
      startTrading(h);
      h.send(signal('buy', T0 + 60_000));
      const entry = h.submits()[0]!;
      h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: entry.clientOrderId, serverOrderId: 'srv-e', time: T0 + 60_000 });
      h.from('execution', { type: 'VENUE.FILL', fill: fillOf(entry, 6000, 'x-e', T0 + 60_000) });
      const [stop, target] = h.submits().slice(1);
      h.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: stop!.clientOrderId, serverOrderId: 'srv-s', time: T0 + 60_000 });
      const view = bridge.view(bridge.open(), true)!;
      const root = view.actors.find((a) => a.id === 'orchestrator')!;
      const orders = new Map(view.actors.filter((a) => a.id.startsWith('order:')).map((a) => [a.id, a]));
      // The filled entry left the table; the bracket's legs are drawn as they are.
      expect([...orders.keys()].sort()).toEqual([`order:${stop!.clientOrderId}`, `order:${target!.clientOrderId}`]);
      expect(orders.get(`order:${stop!.clientOrderId}`)).toMatchObject({ parentId: root.sessionId, machine: 'order', status: 'active', active: ['working', 'working.open'] });
      expect(orders.get(`order:${target!.clientOrderId}`)).toMatchObject({ active: ['submitted'] });
      expect(paths(view.definitions.order!)).toEqual(expect.arrayContaining(['created', 'submitted', 'working.open', 'filled']));
    } finally {
      h.actor.stop();
    }
  });
});

describe('inspector bridge bounds', () => {
  it('keeps only the last finished actors of one logic, never the live ones', () => {
    const job = createMachine({ id: 'job', initial: 'done', states: { done: { type: 'final' } } });
    const parent = setup({ types: { context: {} as { n: number; refs: AnyActorRef[] } }, actors: { job } }).createMachine({
      id: 'parent',
      context: { n: 0, refs: [] },
      on: { SPAWN: { actions: assign(({ context, spawn }) => ({ n: context.n + 1, refs: [...context.refs, spawn('job', { id: `job-${context.n}` })] })) } },
    });
    const bridge = createInspectorBridge({ clock: systemClock });
    const actor = createActor(parent, { inspect: bridge.inspect });
    actor.start();
    for (let i = 0; i < 600; i++) actor.send({ type: 'SPAWN' });
    const view = bridge.view(bridge.open(), true)!;
    const jobs = view.actors.filter((a) => a.id.startsWith('job-'));
    expect(jobs.map((a) => a.id)).toEqual(Array.from({ length: FINISHED_ACTORS_KEPT }, (_, i) => `job-${600 - FINISHED_ACTORS_KEPT + i}`));
    expect(jobs.every((a) => a.status === 'done')).toBe(true);
    expect(view.actors.find((a) => a.id === 'parent')).toMatchObject({ status: 'active', parentId: null });
    actor.stop();
  });

  it('lists active paths of nested and parallel values, ancestors first', () => {
    expect(activePaths('idle')).toEqual(['idle']);
    expect(activePaths({ running: { working: 'open' } })).toEqual(['running', 'running.working', 'running.working.open']);
    expect(activePaths({ phase: 'setup', signals: 'off' })).toEqual(['phase', 'phase.setup', 'signals', 'signals.off']);
  });
});
