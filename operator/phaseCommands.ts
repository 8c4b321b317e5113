/**
 * `phase status|advance|override|history` over any deployment machine: the one inside a
 * running session (operator/controlHandler.ts) or one restored from the home's state
 * under the home lock when no session runs (cli/phaseOffline.ts). Same answers both ways.
 *
 * An advance is judged on the home's evidence chain (adapters/store/evidenceJudge.ts): the
 * chain is verified, data files re-hashed, the configuration hash and the ML training
 * window checked; what is wrong goes to the machine as refusals, and the records judged
 * are kept in the deployment history.
 */
import type { Clock } from '../core/clock.ts';
import type { MiaConfig } from '../config/schema.ts';
import { evaluateGate, type Evidence, type GateCriterion, type GateEvaluation, type GateTransition } from '../config/gates.ts';
import { evidenceConfigHash } from '../config/evidenceAdmission.ts';
import { CorruptEvidenceError } from '../adapters/store/evidenceStore.ts';
import { evidenceForGate, type GateEvidence } from '../adapters/store/evidenceJudge.ts';
import type { ControlRequest, ControlResponse } from '../adapters/control/controlProtocol.ts';
import { currentPhase, signalsOn, type DeploymentEvent, type DeploymentPhase, type DeploymentRecord, type DeploymentSnapshot } from '../machines/deployment.ts';

/** The gate that ADVANCE from each phase is judged by (ownAccount: the signals gate is next). */
export const advanceGate: Readonly<Record<DeploymentPhase, GateTransition | null>> = {
  setup: 'setup->calibration',
  calibration: 'calibration->backtest',
  backtest: 'backtest->simulation',
  simulation: 'simulation->propFirm',
  propFirm: 'propFirm->ownAccount',
  ownAccount: null,
};

/** A deployment machine to command: read its snapshot, send it events. */
export interface DeploymentPort {
  snapshot(): DeploymentSnapshot | undefined;
  send(event: DeploymentEvent): void;
}

export interface PhaseCommandOptions {
  config: MiaConfig;
  home: string;
  /** Stamps the history (operator facts). */
  clock: Clock;
  /**
   * Replaces the home's evidence chain as the source of evidence (tests of the handler);
   * what it returns is judged as is, with no admission checks.
   */
  evidence?: (transition: GateTransition) => Evidence | undefined;
}

/** Evidence of nothing: no metrics, no provenance, the operator's day as the period. */
export function noEvidence(transition: GateTransition, now: number): Evidence {
  const day = new Date(now).toISOString().slice(0, 10);
  return { metrics: {}, provenance: [], period: { from: day, to: day }, checks: {}, producedAt: new Date(now).toISOString(), source: `none: no evidence collected yet for ${transition}` };
}

/** One line per failing criterion and refusal of a gate evaluation. */
export function describeEvaluation(evaluation: GateEvaluation): string {
  const failing = evaluation.criteria
    .filter((c) => !c.pass)
    .map((c) => `${c.name} = ${c.actual === null ? 'missing' : String(c.actual)} (needs ${c.op} ${String(c.threshold)})`);
  return [...failing.map((f) => `criterion failed: ${f}`), ...evaluation.refusals.map((r) => `refused: ${r}`)].join('\n');
}

/** One row of `mia phase status`: how far a criterion is from its threshold (progress 0..1). */
export interface CriterionProgress {
  criterion: string;
  op: string;
  threshold: number | boolean;
  measured: number | boolean | null;
  progress: number;
  pass: boolean;
}

/** Progress toward a threshold: measured/threshold for "at least", threshold/measured for "below". */
export function criterionProgress(c: GateCriterion): CriterionProgress {
  let progress = 0;
  if (c.pass) progress = 1;
  else if (typeof c.actual === 'number' && typeof c.threshold === 'number') {
    if ((c.op === '>' || c.op === '>=') && c.threshold > 0) progress = Math.max(0, c.actual / c.threshold);
    else if ((c.op === '<' || c.op === '<=') && c.actual > 0) progress = Math.max(0, c.threshold / c.actual);
  }
  return { criterion: c.name, op: c.op, threshold: c.threshold, measured: c.actual, progress: Math.min(1, Math.round(progress * 1000) / 1000), pass: c.pass };
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as ControlResponse['data'];

/** The gate after `phase` (the signals gate beside ownAccount). */
const gateAfter = (d: DeploymentSnapshot): GateTransition | null => {
  const phase = currentPhase(d).name;
  return advanceGate[phase] ?? (signalsOn(d) ? null : 'signals');
};

/** Runs one phase command on `port`; see the module comment. */
export function runPhaseCommand(request: ControlRequest, port: DeploymentPort, options: PhaseCommandOptions): ControlResponse {
  const { command } = request;
  const deployment = port.snapshot();
  if (!deployment) return { ok: false, command, message: 'the deployment machine is not running' };
  const configHash = evidenceConfigHash(options.config);
  const now = options.clock.now();

  /** The evidence a gate is judged on: the hook's, else the home's chain (throws CorruptEvidenceError). */
  const gather = (transition: GateTransition): GateEvidence | null => {
    if (options.evidence) {
      const e = options.evidence(transition);
      return e ? { transition, evidence: e, ids: [], refusals: [], notes: [] } : null;
    }
    return evidenceForGate(options.home, transition, configHash);
  };

  const phase = currentPhase(deployment);
  switch (command) {
    case 'phase.status': {
      const gate = gateAfter(deployment);
      let table: Record<string, unknown> | null = null;
      if (gate) {
        try {
          const found = gather(gate);
          const evaluation = evaluateGate(gate, found?.evidence ?? noEvidence(gate, now), options.config.gates);
          const refusals = [...evaluation.refusals, ...(found?.refusals ?? [])];
          table = {
            transition: gate,
            pass: evaluation.pass && refusals.length === 0,
            criteria: evaluation.criteria.map(criterionProgress),
            refusals,
            notes: found?.notes ?? [],
            evidence: found ? { ids: found.ids, source: found.evidence.source, producedAt: found.evidence.producedAt, period: found.evidence.period } : null,
          };
        } catch (e) {
          if (!(e instanceof CorruptEvidenceError)) throw e;
          table = { transition: gate, pass: false, criteria: [], refusals: [e.message], notes: [], evidence: null };
        }
      }
      const data = json({ phase, signals: signalsOn(deployment) ? 'on' : 'off', nextGate: advanceGate[phase.name], gate: table, lastEvaluation: deployment.context.lastEvaluation, history: deployment.context.history.slice(-10) });
      return { ok: true, command, message: `phase ${phase.id} ${phase.name}, signals ${signalsOn(deployment) ? 'on' : 'off'}`, data };
    }
    case 'phase.history':
      return { ok: true, command, message: `${deployment.context.history.length} deployment record(s)`, data: json({ phase, signals: signalsOn(deployment) ? 'on' : 'off', history: deployment.context.history }) };
    case 'phase.advance':
    case 'phase.override': {
      const before = deployment.context.history.length;
      const at = new Date(now).toISOString();
      let judged: GateEvidence | null = null;
      if (command === 'phase.advance') {
        const transition = advanceGate[phase.name];
        try {
          judged = transition ? gather(transition) : null;
        } catch (e) {
          if (e instanceof CorruptEvidenceError) return { ok: false, command, message: `advance refused in phase ${phase.id} ${phase.name}: ${e.message}` };
          throw e;
        }
        // ownAccount has no next gate: the machine refuses whatever evidence comes.
        const evidence = judged?.evidence ?? noEvidence(transition ?? 'signals', now);
        port.send({ type: 'ADVANCE', who: request.who, at, evidence, thresholds: options.config.gates, ...(judged && judged.refusals.length > 0 ? { refusals: judged.refusals } : {}), ...(judged && judged.ids.length > 0 ? { evidenceIds: judged.ids } : {}) });
      } else {
        port.send({ type: 'OVERRIDE', who: request.who, at, reason: request.reason ?? '' });
      }
      const after = port.snapshot();
      const record: DeploymentRecord | undefined = after?.context.history.slice(before).at(-1);
      const to = after ? currentPhase(after) : phase;
      if (!record) return { ok: false, command, message: 'the deployment machine recorded nothing (command ignored)' };
      const evidenceView = judged ? { ...judged.evidence, ids: judged.ids, notes: judged.notes } : command === 'phase.advance' && !options.evidence ? null : undefined;
      const data = json({ from: phase, to, record, ...(evidenceView !== undefined ? { evidence: evidenceView } : {}) });
      if (record.kind === 'refused') {
        const why = record.evaluation ? `\n${describeEvaluation(record.evaluation)}` : '';
        return { ok: false, command, message: `${command.slice(6)} refused in phase ${phase.id} ${phase.name}: ${record.reason ?? 'refused'}${why}`, data };
      }
      return { ok: true, command, message: `phase ${phase.id} ${phase.name} -> ${to.id} ${to.name} (${record.kind})`, data };
    }
    case 'signals.start':
    case 'signals.stop': {
      // Phase 6: Discord signals beside ownAccount, on once the signals gate passes on the signal log's evidence.
      const before = deployment.context.history.length;
      const at = new Date(now).toISOString();
      let judged: GateEvidence | null = null;
      if (command === 'signals.start') {
        try {
          judged = gather('signals');
        } catch (e) {
          if (e instanceof CorruptEvidenceError) return { ok: false, command, message: `signals start refused: ${e.message}` };
          throw e;
        }
        const evidence = judged?.evidence ?? noEvidence('signals', now);
        port.send({ type: 'START_SIGNALS', who: request.who, at, evidence, thresholds: options.config.gates, ...(judged && judged.refusals.length > 0 ? { refusals: judged.refusals } : {}), ...(judged && judged.ids.length > 0 ? { evidenceIds: judged.ids } : {}) });
      } else port.send({ type: 'STOP_SIGNALS', who: request.who, at });
      const after = port.snapshot();
      const record: DeploymentRecord | undefined = after?.context.history.slice(before).at(-1);
      if (!record) return { ok: false, command, message: 'the deployment machine recorded nothing (command ignored)' };
      const data = json({ phase, signals: after && signalsOn(after) ? 'on' : 'off', record, ...(command === 'signals.start' ? { evidence: judged ? { ...judged.evidence, ids: judged.ids, notes: judged.notes } : null } : {}) });
      if (record.kind === 'refused') {
        const why = record.evaluation ? `\n${describeEvaluation(record.evaluation)}` : '';
        return { ok: false, command, message: `${command.replace('.', ' ')} refused in phase ${phase.id} ${phase.name}: ${record.reason ?? 'refused'}${why}`, data };
      }
      return { ok: true, command, message: `signals ${record.to} (phase ${phase.id} ${phase.name})`, data };
    }
    default:
      return { ok: false, command, message: `${command} is not a phase command` };
  }
}
