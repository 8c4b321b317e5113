/**
 * The deployment statechart (phases 0-6). Region `phase` climbs setup -> calibration ->
 * backtest -> simulation -> propFirm -> ownAccount one gate at a time; region `signals`
 * (phase 6, Discord) may only be on beside ownAccount. Every operator command is
 * recorded in `history`, refused ones included, so the audit trail shows who asked for
 * what, when, and why it was or was not done. Pure: time comes from the events.
 */
import { and, assign, setup, stateIn } from 'xstate';
import type { SnapshotFrom } from 'xstate';
import { evaluateGate, phaseLogFolder, phases } from '../config/gates.ts';
import type { Evidence, GateEvaluation, GateTransition, PhaseName } from '../config/gates.ts';
import type { GateThresholds } from '../config/schema.ts';

/** Phases of the `phase` region (0-5); phase 6 is the `signals` region. */
export type DeploymentPhase = Exclude<PhaseName, 'signals'>;
export type SignalsState = 'off' | 'on';

/** Every command says when (ISO time, from the caller) and who (operator id). */
interface Stamp {
  at: string;
  who: string;
}

/**
 * What the caller found out about the evidence itself (adapters/store/evidenceJudge.ts):
 * `refusals` (edited data files, another configuration, an ML model trained on the
 * evaluated period ...) fail the gate whatever the numbers; `evidenceIds` are the records
 * judged, kept in the history so a promotion names what it rested on.
 */
interface Judged {
  refusals?: string[];
  evidenceIds?: string[];
  /**
   * The configuration's thresholds now: a restored machine keeps the ones it started with
   * (XState ignores `input` on restore), so the caller passes the current ones.
   */
  thresholds?: GateThresholds;
}

export type DeploymentEvent =
  /** Promote to the next phase if the gate passes on `evidence`. */
  | (Stamp & Judged & { type: 'ADVANCE'; evidence: Evidence })
  /** Promote regardless of the gate; needs a non-empty `reason` (and `who`). */
  | (Stamp & { type: 'OVERRIDE'; reason: string; evidence?: Evidence })
  /** Back to paper (simulation) from propFirm or ownAccount; stops signals. */
  | (Stamp & { type: 'DEMOTE'; reason: string })
  /** Discord signals on, in ownAccount only, if the signals gate passes. */
  | (Stamp & Judged & { type: 'START_SIGNALS'; evidence: Evidence })
  | (Stamp & { type: 'STOP_SIGNALS' });

export type DeploymentRecordKind = 'promotion' | 'override' | 'demotion' | 'refused' | 'signals-on' | 'signals-off';

/**
 * One audit entry. `from`/`to` are phases for phase commands and signals states
 * ('off'/'on') for signals commands; for a refusal, `to` is what was asked for.
 */
export interface DeploymentRecord {
  at: string;
  who: string;
  command: DeploymentEvent['type'];
  kind: DeploymentRecordKind;
  from: DeploymentPhase | SignalsState;
  to: DeploymentPhase | SignalsState;
  reason?: string;
  evaluation?: GateEvaluation;
  /** The evidence records judged (content hashes in <home>/evidence), when the caller said. */
  evidenceIds?: string[];
}

/** Plain JSON, so that `getPersistedSnapshot()` survives a JSON round trip. */
export interface DeploymentContext {
  thresholds: GateThresholds;
  history: DeploymentRecord[];
  lastEvaluation: GateEvaluation | null;
}

export interface DeploymentInput {
  thresholds: GateThresholds;
}

interface Move {
  from: DeploymentPhase | SignalsState;
  to: DeploymentPhase | SignalsState;
}
type GateMove = Move & { transition: GateTransition };

const evidenceOf = (event: DeploymentEvent): Evidence | undefined =>
  'evidence' in event ? event.evidence : undefined;

/** The gate's verdict on the event's evidence, with the caller's refusals folded in. */
function judge(transition: GateTransition, event: DeploymentEvent, thresholds: GateThresholds): GateEvaluation {
  const current = 'thresholds' in event && event.thresholds ? event.thresholds : thresholds;
  const evaluation = evaluateGate(transition, evidenceOf(event)!, current);
  const extra = 'refusals' in event && event.refusals ? event.refusals : [];
  if (extra.length === 0) return evaluation;
  return { ...evaluation, refusals: [...evaluation.refusals, ...extra], pass: false };
}

const idsOf = (event: DeploymentEvent) => ('evidenceIds' in event && event.evidenceIds && event.evidenceIds.length > 0 ? { evidenceIds: [...event.evidenceIds] } : {});

const reasonOf = (event: DeploymentEvent): string | undefined => ('reason' in event ? event.reason : undefined);

const record = (context: DeploymentContext, entry: DeploymentRecord): DeploymentRecord[] => [...context.history, entry];

const stamp = (event: DeploymentEvent) => ({ at: event.at, who: event.who, command: event.type });

const OVERRIDE_NEEDS = 'an override needs an operator id and a non-empty reason';
const DEMOTE_ONLY_FROM = 'demotion applies only from propFirm or ownAccount';
const LAST_PHASE = 'ownAccount is the last phase; Discord signals start with START_SIGNALS';

/** The deployment statechart; see the module comment. */
export const deploymentMachine = setup({
  types: {} as {
    context: DeploymentContext;
    events: DeploymentEvent;
    input: DeploymentInput;
  },
  guards: {
    gatePasses: ({ context, event }, params: { transition: GateTransition }) => {
      const evidence = evidenceOf(event);
      return evidence !== undefined && judge(params.transition, event, context.thresholds).pass;
    },
    overrideJustified: ({ event }) =>
      event.type === 'OVERRIDE' && event.reason.trim() !== '' && event.who.trim() !== '',
  },
  actions: {
    /** A gate passed: promotion or signals on, with the evaluation that allowed it. */
    recordGatePass: assign(({ context, event }, params: GateMove & { kind: 'promotion' | 'signals-on' }) => {
      const evaluation = judge(params.transition, event, context.thresholds);
      return {
        lastEvaluation: evaluation,
        history: record(context, { ...stamp(event), kind: params.kind, from: params.from, to: params.to, evaluation, ...idsOf(event) }),
      };
    }),
    /** A gate failed (or no evidence came): stay put, keep the evaluation to show why. */
    recordGateRefusal: assign(({ context, event }, params: GateMove) => {
      const evidence = evidenceOf(event);
      const evaluation = evidence ? judge(params.transition, event, context.thresholds) : undefined;
      return {
        lastEvaluation: evaluation ?? context.lastEvaluation,
        history: record(context, {
          ...stamp(event),
          ...idsOf(event),
          kind: 'refused',
          from: params.from,
          to: params.to,
          reason: evidence ? `gate ${params.transition} not met` : `gate ${params.transition} needs evidence`,
          ...(evaluation ? { evaluation } : {}),
        }),
      };
    }),
    /** Promotion despite the gate; the evaluation is kept when evidence came along. */
    recordOverride: assign(({ context, event }, params: GateMove) => {
      const evidence = evidenceOf(event);
      const evaluation = evidence ? evaluateGate(params.transition, evidence, context.thresholds) : undefined;
      return {
        lastEvaluation: evaluation ?? context.lastEvaluation,
        history: record(context, {
          ...stamp(event),
          kind: 'override',
          from: params.from,
          to: params.to,
          reason: reasonOf(event)!,
          ...(evaluation ? { evaluation } : {}),
        }),
      };
    }),
    recordRefusal: assign(({ context, event }, params: Move & { reason: string }) => ({
      history: record(context, { ...stamp(event), kind: 'refused', from: params.from, to: params.to, reason: params.reason }),
    })),
    recordDemotion: assign(({ context, event }, params: { from: DeploymentPhase }) => ({
      history: record(context, {
        ...stamp(event),
        kind: 'demotion',
        from: params.from,
        to: 'simulation',
        reason: reasonOf(event) ?? '',
      }),
    })),
    recordSignalsOff: assign(({ context, event }) => {
      const reason = reasonOf(event);
      return {
        history: record(context, {
          ...stamp(event),
          kind: 'signals-off',
          from: 'on',
          to: 'off',
          ...(event.type === 'DEMOTE' ? { reason: `demoted: ${reason ?? ''}` } : {}),
        }),
      };
    }),
  },
}).createMachine({
  id: 'deployment',
  type: 'parallel',
  context: ({ input }) => ({ thresholds: input.thresholds, history: [], lastEvaluation: null }),
  states: {
    phase: {
      initial: 'setup',
      states: {
        setup: {
          on: {
            ...gatedPromotion('setup', 'calibration', 'setup->calibration'),
            DEMOTE: refusedDemotion('setup'),
          },
        },
        calibration: {
          on: {
            ...gatedPromotion('calibration', 'backtest', 'calibration->backtest'),
            DEMOTE: refusedDemotion('calibration'),
          },
        },
        backtest: {
          on: {
            ...gatedPromotion('backtest', 'simulation', 'backtest->simulation'),
            DEMOTE: refusedDemotion('backtest'),
          },
        },
        simulation: {
          on: {
            ...gatedPromotion('simulation', 'propFirm', 'simulation->propFirm'),
            DEMOTE: refusedDemotion('simulation'),
          },
        },
        propFirm: {
          on: {
            ...gatedPromotion('propFirm', 'ownAccount', 'propFirm->ownAccount'),
            // Going back to paper is the safe direction: never gated.
            DEMOTE: { target: 'simulation', actions: { type: 'recordDemotion', params: { from: 'propFirm' } } },
          },
        },
        ownAccount: {
          on: {
            ADVANCE: { actions: { type: 'recordRefusal', params: { from: 'ownAccount', to: 'ownAccount', reason: LAST_PHASE } } },
            OVERRIDE: { actions: { type: 'recordRefusal', params: { from: 'ownAccount', to: 'ownAccount', reason: LAST_PHASE } } },
            DEMOTE: { target: 'simulation', actions: { type: 'recordDemotion', params: { from: 'ownAccount' } } },
          },
        },
      },
    },
    signals: {
      initial: 'off',
      states: {
        off: {
          on: {
            START_SIGNALS: [
              {
                guard: and([stateIn({ phase: 'ownAccount' }), { type: 'gatePasses', params: { transition: 'signals' } }]),
                target: 'on',
                actions: { type: 'recordGatePass', params: { from: 'off', to: 'on', transition: 'signals', kind: 'signals-on' } },
              },
              {
                guard: stateIn({ phase: 'ownAccount' }),
                actions: { type: 'recordGateRefusal', params: { from: 'off', to: 'on', transition: 'signals' } },
              },
              {
                actions: {
                  type: 'recordRefusal',
                  params: { from: 'off', to: 'on', reason: 'Discord signals run only beside ownAccount (phase 5)' },
                },
              },
            ],
            STOP_SIGNALS: { actions: { type: 'recordRefusal', params: { from: 'off', to: 'off', reason: 'signals are already off' } } },
          },
        },
        on: {
          on: {
            STOP_SIGNALS: { target: 'off', actions: 'recordSignalsOff' },
            // DEMOTE is only possible from ownAccount here (signals on implies it) and always wins.
            DEMOTE: { target: 'off', actions: 'recordSignalsOff' },
            START_SIGNALS: { actions: { type: 'recordRefusal', params: { from: 'on', to: 'on', reason: 'signals are already on' } } },
          },
        },
      },
    },
  },
});

/** ADVANCE (gated) and OVERRIDE (justified) from one phase to the next. */
/** Below propFirm there is nothing to demote to: the attempt is recorded as refused. */
function refusedDemotion(from: DeploymentPhase) {
  return { actions: { type: 'recordRefusal' as const, params: { from, to: 'simulation' as const, reason: DEMOTE_ONLY_FROM } } };
}

function gatedPromotion(from: DeploymentPhase, to: DeploymentPhase, transition: GateTransition) {
  return {
    ADVANCE: [
      {
        guard: { type: 'gatePasses', params: { transition } },
        target: to,
        actions: { type: 'recordGatePass', params: { from, to, transition, kind: 'promotion' } },
      },
      { actions: { type: 'recordGateRefusal', params: { from, to, transition } } },
    ],
    OVERRIDE: [
      { guard: 'overrideJustified', target: to, actions: { type: 'recordOverride', params: { from, to, transition } } },
      { actions: { type: 'recordRefusal', params: { from, to, reason: OVERRIDE_NEEDS } } },
    ],
  } as const;
}

export type DeploymentSnapshot = SnapshotFrom<typeof deploymentMachine>;

const phaseIds = Object.fromEntries(phases.map((p) => [p.name, p.id])) as Record<DeploymentPhase, 0 | 1 | 2 | 3 | 4 | 5>;

/** The phase (0-5) a deployment snapshot is in. */
export function currentPhase(snapshot: DeploymentSnapshot): { id: 0 | 1 | 2 | 3 | 4 | 5; name: DeploymentPhase } {
  const name = snapshot.value.phase;
  return { id: phaseIds[name], name };
}

/** Whether Discord signals (phase 6) are running. */
export function signalsOn(snapshot: DeploymentSnapshot): boolean {
  return snapshot.value.signals === 'on';
}

/**
 * The log folder of a deployment state (`logs/<folder>/mia.log`): the phase's, or phase 6's
 * while signals are on. Takes a live snapshot's value or a persisted one's.
 */
export function logFolderOf(value: { phase?: unknown; signals?: unknown } | undefined): string {
  if (value?.signals === 'on') return phaseLogFolder.signals;
  const phase = typeof value?.phase === 'string' && value.phase in phaseLogFolder ? (value.phase as DeploymentPhase) : 'setup';
  return phaseLogFolder[phase];
}

