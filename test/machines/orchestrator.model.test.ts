import { describe, it, expect } from 'vitest';
import type { AnyMachineSnapshot } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { orchestratorMachine, sessionState, type OrchestratorEvent, type OrchestratorSnapshot } from '../../machines/orchestrator.ts';
import { CoverageRecorder, edgeWalks, transitionKey } from './graphCoverage.ts';
import { T0, startHarness, testSettings } from './orchestratorHarness.ts';

const settings = testSettings();

// The small alphabet of session-level events. VENUE.RECONCILED comes flat and with one
// contract open: the open position is what keeps `flattening` from ending at once.
const alphabet: OrchestratorEvent[] = [
  { type: 'SESSION.START', sessionId: 'M1', time: T0 },
  { type: 'VENUE.RECONCILED', orders: {}, position: 0, time: T0 + 1 },
  { type: 'VENUE.RECONCILED', orders: {}, position: 1, time: T0 + 1 },
  { type: 'MD.ENDING', time: T0 + 2 },
  { type: 'MD.DONE', bars: 10, time: T0 + 3 },
  { type: 'OPERATOR.KILL', who: 'model', reason: 'model walk', time: T0 + 4 },
  { type: 'SESSION.STOPPING', time: T0 + 5 },
  { type: 'SHUTDOWN' },
];

/**
 * The abstract state: the session region's state, plus the one piece of context the
 * orchestrator's own guard reads (flat and idle). Everything else (ids, counters, risk)
 * stays out, so the graph stays at a handful of states. The exit and kill regions move on
 * what the order and risk actors say, which the graph tools (no children) cannot run: they
 * have their own model test on live actors (orchestrator.protocol.test.ts).
 */
function serialize(snapshot: AnyMachineSnapshot): string {
  const snap = snapshot as OrchestratorSnapshot;
  const { book, live } = snap.context;
  const flat = book.qty === 0 && Object.keys(live).length === 0;
  const state = sessionState(snap);
  return `${JSON.stringify(state === 'stopped' ? state : { running: state })}|${flat ? 'flat' : 'open'}`;
}

const walks = edgeWalks<OrchestratorEvent>(orchestratorMachine, { input: { settings }, events: () => alphabet, serialize });

/** The session region's nodes (and the root's): the exit and kill regions are covered elsewhere. */
const PROTOCOL = /^orchestrator\.running\.(exit|kill)\b/;
const sessionNodes = [orchestratorMachine.root, ...getStateNodes(orchestratorMachine.root)].filter((node) => !PROTOCOL.test(node.id));

/** Transitions that move between state nodes (the rest only route events). */
const stateChanging = sessionNodes.flatMap((node) => [
  ...[...node.transitions.values()].flat().filter((t) => t.target?.length),
  ...(node.always ?? []).filter((t) => t.target?.length),
]);

describe('orchestrator: model-based (xstate/graph)', () => {
  it('the graph has a walk to every abstract state', () => {
    const reached = new Set(walks.map((w) => w.expected));
    for (const state of ['{"running":"trading"}|flat', '{"running":"flattening"}|open', '{"running":"ended"}|flat', '{"running":"ended"}|open', '{"running":"stopping"}|open', '"stopped"|flat']) {
      expect(reached).toContain(state);
    }
  });

  it('every walk lands where the model says on a live actor, covering every state node and every transition between them', () => {
    const coverage = new CoverageRecorder();
    for (const walk of walks) {
      const h = startHarness({ settings, inspect: coverage.inspect });
      for (const event of walk.events) h.send(event);
      expect(serialize(h.actor.getSnapshot()), walk.events.map((e) => e.type).join(' > ')).toBe(walk.expected);
      expect(h.errors).toEqual([]);
      h.actor.stop();
    }

    const ids = sessionNodes.filter((n) => n !== orchestratorMachine.root).map((n) => n.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'orchestrator.running',
        'orchestrator.running.session',
        'orchestrator.running.session.trading',
        'orchestrator.running.session.flattening',
        'orchestrator.running.session.ended',
        'orchestrator.running.session.stopping',
        'orchestrator.stopped',
      ]),
    );
    for (const id of ids) expect(coverage.stateNodes, `state node ${id}`).toContain(id);

    const keys = stateChanging.map(transitionKey);
    // SESSION.START, SHUTDOWN, trading's MD.ENDING, MD.DONE and SESSION.STOPPING, flattening's MD.DONE and always.
    expect(keys.length).toBeGreaterThanOrEqual(7);
    for (const key of keys) expect(coverage.transitions, `transition ${key}`).toContain(key);
  });
});
