/**
 * Whether a piece of evidence may be judged by a gate at all, before its numbers are:
 * the right producer for the gate (a plain backtest never speaks for the out-of-sample
 * backtest gate), the same configuration as now, and no ML model trained on the period it
 * evaluates (a model backtested on its own training bars proves nothing). Pure.
 */
import { canonicalHash } from '../core/canonicalHash.ts';
import type { Evidence, EvidenceModel, GateTransition } from './gates.ts';
import type { MiaConfig } from './schema.ts';

/** The producers (evidence `source`) each gate accepts. */
export const gateSources: Readonly<Record<GateTransition, readonly string[]>> = {
  'setup->calibration': ['dtc-check', 'data-check', 'kill-drill', 'logs-check'],
  'calibration->backtest': ['backtest', 'walk-forward'],
  'backtest->simulation': ['walk-forward'],
  'simulation->propFirm': ['paper-journal'],
  'propFirm->ownAccount': ['prop-firm-journal'],
  signals: ['signal-log'],
};

/** Gates judged on results of the strategy: they must come from the configuration in force. */
const strategyGates: readonly GateTransition[] = ['calibration->backtest', 'backtest->simulation', 'simulation->propFirm'];
/** Sources that ran the strategy over historical bars: an ML model's training window matters. */
const historicalSources = ['backtest', 'walk-forward'];


/**
 * sha256 of what shapes a trading result: instrument, equity, venue costs, strategy, risk
 * and ML filter. Not the gates, accounts, logging or Discord: changing those does not
 * change what a backtest or a paper session would have done.
 */
export function evidenceConfigHash(config: Pick<MiaConfig, 'symbol' | 'startingEquity' | 'venue' | 'strategy' | 'risk' | 'ml'>): string {
  const shaping = {
    symbol: config.symbol,
    startingEquity: config.startingEquity,
    venue: { slippageTicks: config.venue.slippageTicks, commissionPerContract: config.venue.commissionPerContract, marginPerContract: config.venue.marginPerContract },
    strategy: config.strategy,
    risk: config.risk,
    ml: config.ml,
  };
  return canonicalHash(shaping);
}

const dayOf = (iso: string) => iso.slice(0, 10);

/** Whether the model's training window shares a day with the evaluated period (inclusive days). */
export function trainingOverlaps(model: EvidenceModel, period: Evidence['period']): boolean {
  return dayOf(model.trainingWindow.from) <= period.to && dayOf(model.trainingWindow.to) >= period.from;
}

function isModel(v: unknown): v is EvidenceModel {
  const m = v as EvidenceModel | null;
  return (
    m !== null &&
    typeof m === 'object' &&
    typeof m.version === 'number' &&
    typeof m.trainingWindow === 'object' &&
    m.trainingWindow !== null &&
    typeof m.trainingWindow.from === 'string' &&
    typeof m.trainingWindow.to === 'string'
  );
}

export interface AdmissionInput {
  transition: GateTransition;
  evidence: Evidence;
  detail?: Record<string, unknown> | undefined;
  /** evidenceConfigHash of the configuration in force now. */
  configHash: string;
}

/** Why the evidence cannot be judged by the gate (empty: admissible). */
export function admissionRefusals({ transition, evidence, detail, configHash }: AdmissionInput): string[] {
  const refusals: string[] = [];
  const sources = gateSources[transition];
  if (!sources.includes(evidence.source)) {
    refusals.push(`gate ${transition} is judged only on evidence from ${sources.join(', ')}; this came from '${evidence.source}'`);
  }
  if (strategyGates.includes(transition)) {
    const recorded = detail?.configHash;
    if (typeof recorded !== 'string') refusals.push('the evidence does not record the configuration it was produced with');
    else if (recorded !== configHash) refusals.push(`the evidence was produced with another configuration (hash ${recorded.slice(0, 12)}, now ${configHash.slice(0, 12)}): produce it again with the configuration in force`);
  }
  if (historicalSources.includes(evidence.source)) {
    if (!detail || !('model' in detail)) refusals.push('the result does not record which ML model it used (model version and training window)');
    else if (detail.model !== null) {
      if (!isModel(detail.model)) refusals.push('the result records an unreadable ML model (version and training window needed)');
      else if (trainingOverlaps(detail.model, evidence.period)) {
        const m = detail.model;
        refusals.push(`ML model v${m.version} was trained on ${dayOf(m.trainingWindow.from)}..${dayOf(m.trainingWindow.to)}, which overlaps the evaluated period ${evidence.period.from}..${evidence.period.to}: a model is judged only on data it never saw`);
      }
    }
  }
  return refusals;
}
