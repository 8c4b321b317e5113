import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createActor } from 'xstate';
import type { AnyTransitionDefinition, InspectionEvent } from 'xstate';
import { createTestModel, getStateNodes } from 'xstate/graph';
import { currentPhase, deploymentMachine, signalsOn } from '../../machines/deployment.ts';
import type { DeploymentEvent, DeploymentPhase, DeploymentSnapshot } from '../../machines/deployment.ts';
import { evaluateGate, metricOperators } from '../../config/gates.ts';
import type { Evidence, GateTransition } from '../../config/gates.ts';
import { gatesSchema } from '../../config/schema.ts';
import type { GateThresholds } from '../../config/schema.ts';

const thresholds: GateThresholds = gatesSchema.parse({});
const input = { thresholds };

const ladder: DeploymentPhase[] = ['setup', 'calibration', 'backtest', 'simulation', 'propFirm', 'ownAccount'];

/** The gate in front of each phase's next step (ownAccount's is the signals gate). */
const gateAfter: Record<DeploymentPhase, GateTransition> = {
  setup: 'setup->calibration',
  calibration: 'calibration->backtest',
  backtest: 'backtest->simulation',
  simulation: 'simulation->propFirm',
  propFirm: 'propFirm->ownAccount',
  ownAccount: 'signals',
};
const groupOf: Record<Exclude<GateTransition, 'setup->calibration'>, keyof GateThresholds> = {
  'calibration->backtest': 'calibration',
  'backtest->simulation': 'backtest',
  'simulation->propFirm': 'simulation',
  'propFirm->ownAccount': 'propFirm',
  signals: 'signals',
};

/** Evidence that clears `gate` ('pass') or the same numbers on simulated data ('fail'). */
function evidence(gate: GateTransition, verdict: 'pass' | 'fail'): Evidence {
  const metrics: Record<string, number> = {};
  if (gate !== 'setup->calibration') {
    for (const [name, t] of Object.entries(thresholds[groupOf[gate]])) {
      const op = metricOperators[name];
      metrics[name] = op === '>' ? t + 0.01 : op === '<' ? t - 0.01 : t;
    }
  }
  return {
    metrics,
    provenance: verdict === 'pass' ? [{ kind: 'dtc-paper' }] : [{ kind: 'dtc-paper' }, { kind: 'simulated', seed: 7 }],
    period: { from: '2025-01-01', to: '2025-03-31' },
    checks: { marketDataConnected: true, dtcRoundTrip: true, logsWritten: true, killSwitchTested: true },
    producedAt: '2025-04-01T00:00:00Z',
    source: verdict,
  };
}

const at = '2025-06-02T14:00:00Z';
const who = 'op-anna';

/** Every command in every flavour that matters for a phase: gate pass/fail, override valid/not. */
function commandsFor(phase: DeploymentPhase): DeploymentEvent[] {
  const gate = gateAfter[phase];
  return [
    { type: 'ADVANCE', at, who, evidence: evidence(gate, 'pass') },
    { type: 'ADVANCE', at, who, evidence: evidence(gate, 'fail') },
    { type: 'OVERRIDE', at, who, reason: 'risk committee sign-off', evidence: evidence(gate, 'fail') },
    { type: 'OVERRIDE', at, who, reason: '   ' },
    { type: 'DEMOTE', at, who, reason: 'drawdown review' },
    { type: 'START_SIGNALS', at, who, evidence: evidence('signals', 'pass') },
    { type: 'START_SIGNALS', at, who, evidence: evidence('signals', 'fail') },
    { type: 'STOP_SIGNALS', at, who },
  ];
}

const label = (e: DeploymentEvent) =>
  `${e.type}${'evidence' in e && e.evidence ? `:${e.evidence.source}` : ''}${'reason' in e ? `:${JSON.stringify(e.reason)}` : ''}`;

function start(snapshot?: unknown) {
  return createActor(deploymentMachine, snapshot ? { input, snapshot: snapshot as never } : { input }).start();
}

function drive(events: DeploymentEvent[]) {
  const actor = start();
  for (const e of events) actor.send(e);
  return actor;
}

const advance = (phase: DeploymentPhase): DeploymentEvent => ({ type: 'ADVANCE', at, who, evidence: evidence(gateAfter[phase], 'pass') });
/** Gated promotions from setup up to `target`. */
const climbTo = (target: DeploymentPhase) => ladder.slice(0, ladder.indexOf(target)).map(advance);

/** Checks what one command did, comparing the snapshots around it. */
function expectConsistentStep(before: DeploymentSnapshot, after: DeploymentSnapshot, event: DeploymentEvent) {
  const added = after.context.history.slice(before.context.history.length);
  const from = currentPhase(before);
  const to = currentPhase(after);
  // Signals never run outside ownAccount.
  if (signalsOn(after)) expect(to.name).toBe('ownAccount');
  // Every command is recorded, with its caller and time; DEMOTE with signals on also records signals-off.
  const expectedEntries = event.type === 'DEMOTE' && signalsOn(before) ? 2 : 1;
  expect(added).toHaveLength(expectedEntries);
  for (const entry of added) expect(entry).toMatchObject({ at: event.at, who: event.who, command: event.type });
  const entry = added[0]!;

  if (to.id > from.id) {
    expect(to.id).toBe(from.id + 1);
    if (entry.kind === 'promotion') {
      expect(event.type).toBe('ADVANCE');
      expect(entry.evaluation?.pass).toBe(true);
      expect(after.context.lastEvaluation).toEqual(entry.evaluation);
    } else {
      expect(entry.kind).toBe('override');
      expect(event.type === 'OVERRIDE' && event.reason.trim()).toBeTruthy();
      expect(entry.reason).toBe(event.type === 'OVERRIDE' ? event.reason : undefined);
    }
    expect(entry).toMatchObject({ from: from.name, to: to.name });
  } else if (to.id < from.id) {
    expect(event.type).toBe('DEMOTE');
    expect(['propFirm', 'ownAccount']).toContain(from.name);
    expect(to.name).toBe('simulation');
    expect(entry).toMatchObject({ kind: 'demotion', from: from.name, to: 'simulation' });
    expect(signalsOn(after)).toBe(false);
  } else if (signalsOn(after) !== signalsOn(before)) {
    expect(entry.kind).toBe(signalsOn(after) ? 'signals-on' : 'signals-off');
    if (signalsOn(after)) expect(entry.evaluation?.pass).toBe(true);
  } else {
    expect(entry.kind).toBe('refused');
    expect(entry.reason).toBeTruthy();
    if (event.type === 'ADVANCE' && from.name !== 'ownAccount') {
      expect(entry.evaluation?.pass).toBe(false);
      expect(after.context.lastEvaluation).toEqual(entry.evaluation);
    }
  }
}

describe('deploymentMachine: model-based', () => {
  it('reaches every state node and takes every transition, each step consistent', async () => {
    const model = createTestModel(deploymentMachine, {
      events: (snapshot) => commandsFor(snapshot.value.phase),
      // Context (history) grows forever: key on the state value plus the edge taken, so
      // that every (state, command) edge becomes its own target and gets a path.
      serializeState: (snapshot, event, prev) =>
        JSON.stringify(snapshot.value) + (event && prev ? ` via ${label(event)} from ${JSON.stringify(prev.value)}` : ''),
      serializeEvent: label,
    });
    const paths = model.getShortestPaths({ input });
    expect(paths.length).toBeGreaterThan(0);

    const taken = new Set<AnyTransitionDefinition>();
    const reached: DeploymentSnapshot[] = [];
    const inspect = (e: InspectionEvent) => {
      if (e.type === '@xstate.microstep') for (const t of e._transitions) taken.add(t);
    };

    for (const path of paths) {
      const actor = createActor(deploymentMachine, { input, inspect }).start();
      let before = actor.getSnapshot();
      await path.test({
        events: Object.fromEntries(
          (['ADVANCE', 'OVERRIDE', 'DEMOTE', 'START_SIGNALS', 'STOP_SIGNALS'] as const).map((type) => [
            type,
            ({ event }: { event: DeploymentEvent }) => {
              before = actor.getSnapshot();
              actor.send(event);
              expectConsistentStep(before, actor.getSnapshot(), event);
            },
          ]),
        ),
        states: {
          '*': (expected) => {
            expect(actor.getSnapshot().value).toEqual(expected.value);
            reached.push(actor.getSnapshot());
          },
        },
      });
      actor.stop();
    }

    const root = deploymentMachine.root;
    for (const node of getStateNodes(root)) {
      expect(reached.some((s) => s.matches(node.path.join('.') as never)), `state ${node.id} reached`).toBe(true);
    }
    const all = [root, ...getStateNodes(root)].flatMap((node) => [...node.transitions.values()].flat());
    expect(all.length).toBeGreaterThan(20);
    const missed = all.filter((t) => !taken.has(t)).map((t) => `${t.source.id} on ${t.eventType}`);
    expect(missed).toEqual([]);
  });

  it('keeps its invariants under random command sequences', () => {
    // Commands are picked for the phase the actor is in, so that random runs climb high.
    const choice = fc.nat({ max: commandsFor('setup').length - 1 });
    fc.assert(
      fc.property(fc.array(choice, { minLength: 10, maxLength: 60 }), (choices) => {
        const actor = start();
        for (const i of choices) {
          const before = actor.getSnapshot();
          const command = commandsFor(currentPhase(before).name)[i]!;
          actor.send(command);
          expectConsistentStep(before, actor.getSnapshot(), command);
        }
        actor.stop();
      }),
      { numRuns: 300 },
    );
  });
});

describe('deploymentMachine: gates', () => {
  it('starts in setup with signals off and an empty history', () => {
    const snapshot = start().getSnapshot();
    expect(currentPhase(snapshot)).toEqual({ id: 0, name: 'setup' });
    expect(signalsOn(snapshot)).toBe(false);
    expect(snapshot.context).toEqual({ thresholds, history: [], lastEvaluation: null });
  });

  it('climbs 0 -> 5 one gate at a time with real evidence', () => {
    const actor = start();
    ladder.slice(1).forEach((phase, i) => {
      actor.send(advance(ladder[i]!));
      expect(currentPhase(actor.getSnapshot())).toEqual({ id: i + 1, name: phase });
    });
    const kinds = actor.getSnapshot().context.history.map((h) => h.kind);
    expect(kinds).toEqual(Array(5).fill('promotion'));
  });

  it('stays put on a failed gate and keeps the evaluation saying why', () => {
    const actor = drive(climbTo('simulation'));
    const weak = evidence('simulation->propFirm', 'pass');
    weak.metrics.winRate = 0.5;
    actor.send({ type: 'ADVANCE', at, who, evidence: weak });
    const snapshot = actor.getSnapshot();
    expect(currentPhase(snapshot).name).toBe('simulation');
    const expected = evaluateGate('simulation->propFirm', weak, thresholds);
    expect(snapshot.context.lastEvaluation).toEqual(expected);
    expect(expected.criteria.find((c) => c.name === 'winRate')?.pass).toBe(false);
    expect(snapshot.context.history.at(-1)).toMatchObject({ kind: 'refused', from: 'simulation', to: 'propFirm', evaluation: expected });
  });

  it('refuses evidence on simulated data even when every number clears', () => {
    const actor = drive(climbTo('backtest'));
    actor.send({ type: 'ADVANCE', at, who, evidence: evidence('backtest->simulation', 'fail') });
    expect(currentPhase(actor.getSnapshot()).name).toBe('backtest');
    expect(actor.getSnapshot().context.lastEvaluation?.refusals.join()).toMatch(/simulated/);
  });

  it('uses the thresholds given as input', () => {
    const strict = { thresholds: { ...thresholds, calibration: { ...thresholds.calibration, winRate: 0.9 } } };
    const actor = createActor(deploymentMachine, { input: strict }).start();
    actor.send(advance('setup'));
    actor.send(advance('calibration'));
    expect(currentPhase(actor.getSnapshot()).name).toBe('calibration');
  });
});

describe('deploymentMachine: override', () => {
  it('promotes despite a failed gate, recorded with who, why and the evaluation', () => {
    const actor = drive(climbTo('propFirm'));
    const failing = evidence('propFirm->ownAccount', 'pass');
    failing.metrics.riskBreaches = 1;
    actor.send({ type: 'OVERRIDE', at: '2025-07-01T09:00:00Z', who: 'op-bruno', reason: 'breach was a data glitch, reviewed', evidence: failing });
    const snapshot = actor.getSnapshot();
    expect(currentPhase(snapshot).name).toBe('ownAccount');
    expect(snapshot.context.history.at(-1)).toEqual({
      at: '2025-07-01T09:00:00Z',
      who: 'op-bruno',
      command: 'OVERRIDE',
      kind: 'override',
      from: 'propFirm',
      to: 'ownAccount',
      reason: 'breach was a data glitch, reviewed',
      evaluation: evaluateGate('propFirm->ownAccount', failing, thresholds),
    });
    expect(snapshot.context.lastEvaluation?.pass).toBe(false);
  });

  it('promotes without evidence when justified', () => {
    const actor = start();
    actor.send({ type: 'OVERRIDE', at, who, reason: 'checklist done on paper' });
    expect(currentPhase(actor.getSnapshot()).name).toBe('calibration');
    const entry = actor.getSnapshot().context.history.at(-1)!;
    expect(entry).toMatchObject({ kind: 'override', who, reason: 'checklist done on paper' });
    expect(entry.evaluation).toBeUndefined();
  });

  it.each([
    ['an empty reason', { who, reason: '' }],
    ['a blank reason', { who, reason: ' \t' }],
    ['no operator id', { who: '  ', reason: 'trust me' }],
  ])('is ignored and recorded as refused with %s', (_case, fields) => {
    const actor = drive(climbTo('calibration'));
    actor.send({ type: 'OVERRIDE', at, ...fields });
    expect(currentPhase(actor.getSnapshot()).name).toBe('calibration');
    expect(actor.getSnapshot().context.history.at(-1)).toMatchObject({ kind: 'refused', command: 'OVERRIDE', from: 'calibration', to: 'backtest' });
  });
});

describe('deploymentMachine: demotion', () => {
  const reasonArb = fc.string();
  const fromArb = fc.constantFrom<DeploymentPhase>('propFirm', 'ownAccount');

  it('is always allowed from propFirm and ownAccount, whatever the reason, and stops signals', () => {
    fc.assert(
      fc.property(fromArb, reasonArb, fc.boolean(), (from, reason, withSignals) => {
        const actor = drive(climbTo(from));
        if (withSignals && from === 'ownAccount') actor.send({ type: 'START_SIGNALS', at, who, evidence: evidence('signals', 'pass') });
        expect(signalsOn(actor.getSnapshot())).toBe(withSignals && from === 'ownAccount');
        actor.send({ type: 'DEMOTE', at, who: 'risk-bot', reason });
        const snapshot = actor.getSnapshot();
        expect(currentPhase(snapshot)).toEqual({ id: 3, name: 'simulation' });
        expect(signalsOn(snapshot)).toBe(false);
        const demotion = snapshot.context.history.find((h) => h.kind === 'demotion');
        expect(demotion).toMatchObject({ who: 'risk-bot', from, to: 'simulation', reason });
      }),
    );
  });

  it.each(['setup', 'calibration', 'backtest', 'simulation'] as const)('from %s is a no-op recorded as refused', (from) => {
    const actor = drive(climbTo(from));
    const before = actor.getSnapshot().value;
    actor.send({ type: 'DEMOTE', at, who, reason: 'nervous' });
    expect(actor.getSnapshot().value).toEqual(before);
    expect(actor.getSnapshot().context.history.at(-1)).toMatchObject({ kind: 'refused', command: 'DEMOTE', from, to: 'simulation' });
  });
});

describe('deploymentMachine: Discord signals', () => {
  it('start only in ownAccount and with the signals gate', () => {
    const early = drive(climbTo('propFirm'));
    early.send({ type: 'START_SIGNALS', at, who, evidence: evidence('signals', 'pass') });
    expect(signalsOn(early.getSnapshot())).toBe(false);
    expect(early.getSnapshot().context.history.at(-1)?.reason).toMatch(/ownAccount/);

    const live = drive(climbTo('ownAccount'));
    live.send({ type: 'START_SIGNALS', at, who, evidence: evidence('signals', 'fail') });
    expect(signalsOn(live.getSnapshot())).toBe(false);
    expect(live.getSnapshot().context.lastEvaluation).toMatchObject({ transition: 'signals', pass: false });

    live.send({ type: 'START_SIGNALS', at, who, evidence: evidence('signals', 'pass') });
    expect(signalsOn(live.getSnapshot())).toBe(true);
    expect(currentPhase(live.getSnapshot())).toEqual({ id: 5, name: 'ownAccount' });
    expect(live.getSnapshot().context.history.at(-1)).toMatchObject({ kind: 'signals-on', from: 'off', to: 'on' });

    live.send({ type: 'STOP_SIGNALS', at, who });
    expect(signalsOn(live.getSnapshot())).toBe(false);
    expect(live.getSnapshot().context.history.at(-1)).toMatchObject({ kind: 'signals-off', command: 'STOP_SIGNALS' });
  });

  it('ADVANCE and OVERRIDE in ownAccount are refused: phase 6 is the signals region', () => {
    const actor = drive(climbTo('ownAccount'));
    actor.send(advance('ownAccount'));
    actor.send({ type: 'OVERRIDE', at, who, reason: 'go further' });
    expect(currentPhase(actor.getSnapshot()).name).toBe('ownAccount');
    expect(signalsOn(actor.getSnapshot())).toBe(false);
    expect(actor.getSnapshot().context.history.slice(-2).map((h) => h.kind)).toEqual(['refused', 'refused']);
  });
});

describe('deploymentMachine: persistence', () => {
  it('restores phase, signals and context from a JSON round trip and carries on', () => {
    const actor = drive([
      ...climbTo('ownAccount'),
      { type: 'ADVANCE', at, who, evidence: evidence('signals', 'fail') },
      { type: 'START_SIGNALS', at, who, evidence: evidence('signals', 'pass') },
    ]);
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();

    const restored = start(persisted);
    const snapshot = restored.getSnapshot();
    expect(snapshot.value).toEqual({ phase: 'ownAccount', signals: 'on' });
    expect(snapshot.context).toEqual(actor.getSnapshot().context);
    expect(restored.getPersistedSnapshot()).toEqual(persisted);

    restored.send({ type: 'DEMOTE', at, who, reason: 'after restart' });
    expect(restored.getSnapshot().value).toEqual({ phase: 'simulation', signals: 'off' });
    expect(restored.getSnapshot().context.history.length).toBe(snapshot.context.history.length + 2);
  });
});
