/**
 * Model-based test of the orchestrator's exit protocol and kill handling (the `exit` and
 * `kill` regions of `running`). They move on what the order and risk actors say, which the
 * graph tools cannot run (they have no children), so the model is explored on live actors:
 * a breadth-first search over an abstract state (the regions, the position's sign, the
 * working orders by purpose and state, risk), each step replaying its event sequence on a
 * fresh harness. Events are chosen from the state reached (fill, cancel or acknowledge
 * which order), like the graph tools' `events(snapshot)`.
 *
 * Checked on every state reached: the regions say what the order actors say (a pending
 * exit waits for something live; a handled kill is a killed risk machine); a closing order
 * never leaves while an order it must not race with still works; the position never flips
 * on an exit. And every state node and transition of both regions is taken.
 */
import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../core/types.ts';
import { orchestratorMachine, orderSnapshotOf, type OrchestratorSnapshot } from '../../machines/orchestrator.ts';
import { isTerminal, type OrderSnapshot } from '../../machines/order.ts';
import { allStateNodeIds, allTransitionKeys, CoverageRecorder } from './graphCoverage.ts';
import { T0, fillOf, signal, startHarness, startTrading, testSettings, type Harness } from './orchestratorHarness.ts';

const MIN = 60_000;
const settings = testSettings({ limits: { unprotectedMaxMs: 60 * MIN } });

/** One step of a walk: named, so that a failing walk reads as a story. */
interface Step {
  name: string;
  apply(h: Harness, time: number): void;
}

const live = (h: Harness): Array<{ request: OrderRequest; order: OrderSnapshot }> => {
  const snap = h.actor.getSnapshot();
  return Object.values(snap.context.live).flatMap(({ request }) => {
    const order = orderSnapshotOf(snap, request.clientOrderId);
    return order && !isTerminal(order) ? [{ request, order }] : [];
  });
};
const closing = (r: OrderRequest) => r.purpose === 'exit' || r.purpose === 'flatten';

/** The steps that make sense in the state `h` is in. */
function steps(h: Harness): Step[] {
  const out: Step[] = [
    { name: 'signal buy', apply: (x, t) => x.send(signal('buy', t)) },
    { name: 'signal sell', apply: (x, t) => x.send(signal('sell', t)) },
    { name: 'kill', apply: (x, t) => x.send({ type: 'OPERATOR.KILL', who: 'model', reason: 'walk', time: t }) },
    { name: 'resume', apply: (x, t) => x.send({ type: 'OPERATOR.RESUME', who: 'model', reason: 'walk', time: t }) },
    { name: 'flatten', apply: (x, t) => x.send({ type: 'OPERATOR.FLATTEN', who: 'model', reason: 'walk', time: t }) },
    { name: 'time stop', apply: (x, t) => x.send({ type: 'TIME_STOP', time: t }) },
    { name: 'link lost', apply: (x, t) => x.from('execution', { type: 'VENUE.DOWN', reason: 'walk', time: t }) },
    {
      // The venue still works whatever it acknowledged; it never saw the rest.
      name: 'reconciled',
      apply: (x, t) => {
        const orders = Object.fromEntries(
          live(x).flatMap(({ request, order }) =>
            order.context.serverOrderId ? [[request.clientOrderId, { status: 'working' as const, filledQty: order.context.filledQty, serverOrderId: order.context.serverOrderId }]] : [],
          ),
        );
        x.from('execution', { type: 'VENUE.RECONCILED', orders, position: x.actor.getSnapshot().context.book.qty, avgPrice: 6000, time: t });
      },
    },
  ];
  // Per purpose, the first live order of it: the venue acknowledges, fills or confirms its cancel.
  const seen = new Set<string>();
  for (const { request, order } of live(h)) {
    if (seen.has(request.purpose)) continue;
    seen.add(request.purpose);
    const id = request.clientOrderId;
    if (order.matches('submitted')) out.push({ name: `ack ${request.purpose}`, apply: (x, t) => x.from('execution', { type: 'VENUE.ACCEPTED', clientOrderId: id, serverOrderId: `V-${id}`, time: t }) });
    if (order.matches('pendingCancel')) out.push({ name: `cancel ${request.purpose}`, apply: (x, t) => x.from('execution', { type: 'VENUE.CANCELED', clientOrderId: id, time: t }) });
    out.push({ name: `fill ${request.purpose}`, apply: (x, t) => x.from('execution', { type: 'VENUE.FILL', fill: fillOf(order.context.request, request.purpose === 'bracket-stop' ? 5992 : 6000, `x-${id}`, t, order.context.request.qty - order.context.filledQty) }) });
  }
  return out;
}

/** The abstract state: regions, position sign, live orders by purpose and state, risk. */
function abstract(h: Harness): string {
  const snap: OrchestratorSnapshot = h.actor.getSnapshot();
  const value = snap.value as { running?: { exit: unknown; kill: string } };
  const orders = live(h)
    .map(({ request, order }) => `${request.purpose}:${JSON.stringify(order.value)}`)
    .sort()
    .join(',');
  return `${JSON.stringify(value.running?.exit)}|${value.running?.kill}|${Math.sign(snap.context.book.qty)}|${orders}|${h.risk()}`;
}

/** A fresh harness, trading and reconciled flat, with `walk` replayed (one minute apart). */
function replay(walk: Step[], inspect?: CoverageRecorder['inspect']): Harness {
  const h = startHarness({ settings, ...(inspect ? { inspect } : {}) });
  startTrading(h);
  walk.forEach((step, i) => step.apply(h, T0 + (i + 1) * MIN));
  return h;
}

function checkInvariants(h: Harness, story: string): void {
  const snap = h.actor.getSnapshot();
  expect(h.errors, story).toEqual([]);
  const value = snap.value as { running: { exit: unknown; kill: string } };
  const orders = live(h);
  // A pending exit waits for something: an order to be cancelled, or its closing order.
  if (value.running.exit !== 'idle') expect(orders.length, `${story}: pending exit with nothing live`).toBeGreaterThan(0);
  // The kill region says whether the current kill was acted upon: only while killed.
  if (value.running.kill === 'handled') expect(h.risk(), story).toBe('killed');
  // A closing order never works beside a bracket leg, even one being cancelled: the cancels were confirmed first.
  const closingLive = orders.filter((o) => closing(o.request));
  const raceable = orders.filter((o) => o.request.purpose.startsWith('bracket'));
  if (closingLive.length > 0) expect(raceable.map((o) => o.request.purpose), `${story}: a closing order beside a working bracket`).toEqual([]);
}

describe('orchestrator: exit protocol and kill handling (model on live actors)', () => {
  it('every reachable state keeps the invariants; every state node and transition of the exit and kill regions is taken', () => {
    const coverage = new CoverageRecorder();
    const seen = new Map<string, Step[]>();
    let frontier: Step[][] = [[]];
    const start = replay([]);
    seen.set(abstract(start), []);
    start.actor.stop();
    const MAX_DEPTH = 4;
    for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
      const next: Step[][] = [];
      for (const walk of frontier) {
        const at = replay(walk);
        const choices = steps(at);
        at.actor.stop();
        for (const step of choices) {
          const path = [...walk, step];
          const h = replay(path, coverage.inspect);
          const story = path.map((s) => s.name).join(' > ');
          checkInvariants(h, story);
          const key = abstract(h);
          h.actor.stop();
          if (seen.has(key)) continue;
          seen.set(key, path);
          next.push(path);
        }
      }
      frontier = next;
    }

    const protocol = /^orchestrator\.running\.(exit|kill)\b/;
    const nodes = allStateNodeIds(orchestratorMachine).filter((id) => protocol.test(id));
    expect(nodes).toEqual(expect.arrayContaining(['orchestrator.running.exit.pending.exit', 'orchestrator.running.exit.pending.flatten', 'orchestrator.running.kill.handled']));
    for (const id of nodes) expect(coverage.stateNodes, `state node ${id}`).toContain(id);
    const transitions = allTransitionKeys(orchestratorMachine).filter((key) => protocol.test(key));
    expect(transitions.length).toBeGreaterThanOrEqual(5);
    for (const key of transitions) expect(coverage.transitions, `transition ${key}`).toContain(key);
  });

  it('an exit waits in pending.exit for both cancels, a flatten outranks it, and the regions go back to idle', () => {
    const h = replay([]);
    h.send(signal('buy', T0 + MIN));
    const entry = h.submits()[0]!;
    h.from('execution', { type: 'VENUE.FILL', fill: fillOf(entry, 6000, 'x-e', T0 + MIN + 1) });
    const [stop, target] = h.submits().slice(1);
    const at = (value: unknown) => h.actor.getSnapshot().matches({ running: value } as never);

    h.send(signal('sell', T0 + 2 * MIN));
    expect(at({ exit: { pending: 'exit' } })).toBe(true);
    h.send({ type: 'OPERATOR.KILL', who: 'model', reason: 'outranks', time: T0 + 2 * MIN + 1 });
    expect(at({ exit: { pending: 'flatten' }, kill: 'handled' })).toBe(true);
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: stop!.clientOrderId, time: T0 + 2 * MIN + 2 });
    expect(at({ exit: { pending: 'flatten' } })).toBe(true);
    h.from('execution', { type: 'VENUE.CANCELED', clientOrderId: target!.clientOrderId, time: T0 + 2 * MIN + 3 });
    expect(at({ exit: 'idle' })).toBe(true);
    expect(h.submits().at(-1)).toMatchObject({ purpose: 'flatten', side: 'sell', qty: 1 });
    h.send({ type: 'OPERATOR.RESUME', who: 'model', reason: 'done', time: T0 + 3 * MIN });
    expect(at({ kill: 'idle' })).toBe(true);
    h.actor.stop();
  });
});

