/**
 * Deployment phases and their promotion gates (DOMAIN.md "Phase gates"). Pure: no I/O,
 * no clock. A gate passes only on real evidence whose every configured criterion holds;
 * anything missing, unknown or computed on simulated data fails.
 */
import { provenanceLabel } from '../core/types.ts';
import type { Provenance } from '../core/types.ts';
import type { GateThresholds } from './schema.ts';

/** The deployment plan's phases, in order (phase 6 runs beside phase 5). */
export const phases = [
  { id: 0, name: 'setup' },
  { id: 1, name: 'calibration' },
  { id: 2, name: 'backtest' },
  { id: 3, name: 'simulation' },
  { id: 4, name: 'propFirm' },
  { id: 5, name: 'ownAccount' },
  { id: 6, name: 'signals' },
] as const;

export type Phase = (typeof phases)[number];
export type PhaseName = Phase['name'];
export type PhaseId = Phase['id'];

/** Folder under logs/ for each phase, as the deployment plan names them. */
export const phaseLogFolder: Readonly<Record<PhaseName, string>> = {
  setup: 'phase_0_setup',
  calibration: 'phase_1_calibration',
  backtest: 'phase_2_backtesting',
  simulation: 'phase_3_simulation_3months',
  propFirm: 'phase_4_prompt_firm',
  ownAccount: 'phase_5_live_trading',
  signals: 'phase_6_discord_signals',
};

/** Every gate: the five promotions plus the Discord signals gate beside phase 5. */
export const gateTransitions = [
  'setup->calibration',
  'calibration->backtest',
  'backtest->simulation',
  'simulation->propFirm',
  'propFirm->ownAccount',
  'signals',
] as const;
export type GateTransition = (typeof gateTransitions)[number];

/** Phase 0 checklist: all four must be true to leave setup. */
export const setupChecks = ['marketDataConnected', 'dtcRoundTrip', 'logsWritten', 'killSwitchTested'] as const;
export type SetupCheck = (typeof setupChecks)[number];

/** What a gate is judged on. */
export interface Evidence {
  /** Metric name (the keys of a gate's thresholds) -> value. */
  metrics: Record<string, number>;
  /** One entry per data series used; empty or any `simulated` entry never passes. */
  provenance: Provenance[];
  /** Calendar period covered, ISO dates (YYYY-MM-DD), both inclusive. */
  period: { from: string; to: string };
  /** Phase 0 checklist results. */
  checks?: Partial<Record<SetupCheck, boolean>>;
  /** When the evidence was produced (ISO time). */
  producedAt: string;
  /** What produced it, e.g. 'backtest', 'paper-journal'. */
  source: string;
}

/** The ML model a result used (null: none), as every backtest result records it. */
export interface EvidenceModel {
  version: number;
  /** Training window, ISO times (first and last labelled signal). */
  trainingWindow: { from: string; to: string };
}

export type GateOperator = '>' | '<' | '>=' | '<=' | '==';

/** One criterion as judged; `actual` is null when the evidence lacks it (then it fails). */
export interface GateCriterion {
  name: string;
  actual: number | boolean | null;
  op: GateOperator;
  threshold: number | boolean;
  pass: boolean;
}

/**
 * A gate's verdict. `refusals` are reasons the evidence is unacceptable regardless of its
 * numbers (provenance, period, configuration); each failed criterion shows in `criteria`.
 */
export interface GateEvaluation {
  transition: GateTransition;
  pass: boolean;
  criteria: GateCriterion[];
  refusals: string[];
}

/** Direction of each known metric (DOMAIN.md gate table). */
export const metricOperators: Readonly<Record<string, GateOperator>> = {
  winRate: '>',
  profitFactor: '>',
  sharpe: '>',
  maxDrawdownPct: '<',
  recoveryFactor: '>',
  annualReturn: '>',
  monthlyStability: '<',
  robustness: '>',
  months: '>=',
  totalReturn: '>',
  monthlyReturn: '>',
  riskBreaches: '==',
  signalWinRate: '>',
  // Minimum samples (issue 14): how much a result must rest on to be judged at all.
  /** Closed trades behind the result. */
  trades: '>=',
  /** Years of market data a backtest covered (data time). */
  years: '>=',
  /** Wall-clock months across live-data paper sessions (replays never count). */
  paperMonths: '>=',
  /** Trading days the prop-firm account traded. */
  tradingDays: '>=',
  /** Signals published and closed (phase 6). */
  signals: '>=',
};

/** Which thresholds group judges each metric gate (setup uses the checklist instead). */
const thresholdGroup: Readonly<Record<Exclude<GateTransition, 'setup->calibration'>, keyof GateThresholds>> = {
  'calibration->backtest': 'calibration',
  'backtest->simulation': 'backtest',
  'simulation->propFirm': 'simulation',
  'propFirm->ownAccount': 'propFirm',
  signals: 'signals',
};

function compare(actual: number, op: GateOperator, threshold: number): boolean {
  switch (op) {
    case '>':
      return actual > threshold;
    case '<':
      return actual < threshold;
    case '>=':
      return actual >= threshold;
    case '<=':
      return actual <= threshold;
    case '==':
      return actual === threshold;
  }
}

interface CalendarDate {
  y: number;
  m: number;
  d: number;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number) =>
  m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

function parseIsoDate(s: string): CalendarDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

const dayNumber = (c: CalendarDate) => Date.UTC(c.y, c.m - 1, c.d) / 86_400_000;

/** Same day-of-month k months later, clamped to the month's last day (Jan 31 + 1 = Feb 28). */
function addMonths(c: CalendarDate, k: number): CalendarDate {
  const index = c.y * 12 + (c.m - 1) + k;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return { y, m, d: Math.min(c.d, daysInMonth(y, m)) };
}

/**
 * Calendar months covered by an inclusive period of ISO dates: 2025-01-01..2025-03-31 is
 * exactly 3; a partial month counts as its elapsed fraction. Null when a date is invalid
 * or the period runs backwards.
 */
export function monthsInPeriod(period: { from: string; to: string }): number | null {
  const from = parseIsoDate(period.from);
  const to = parseIsoDate(period.to);
  if (!from || !to || dayNumber(to) < dayNumber(from)) return null;
  // The period includes `to`, so it ends at the start of the next day.
  const end: CalendarDate =
    to.d < daysInMonth(to.y, to.m) ? { ...to, d: to.d + 1 } : to.m === 12 ? { y: to.y + 1, m: 1, d: 1 } : { y: to.y, m: to.m + 1, d: 1 };
  const endDay = dayNumber(end);
  let whole = (end.y - from.y) * 12 + (end.m - from.m);
  if (dayNumber(addMonths(from, whole)) > endDay) whole -= 1;
  const start = dayNumber(addMonths(from, whole));
  const next = dayNumber(addMonths(from, whole + 1));
  return whole + (endDay - start) / (next - start);
}

function provenanceRefusals(provenance: readonly Provenance[]): string[] {
  if (provenance.length === 0) return ['evidence has no provenance: its data source is unknown'];
  const simulated = provenance.filter((p) => p.kind === 'simulated');
  if (simulated.length === 0) return [];
  return [`evidence uses simulated data (${simulated.map(provenanceLabel).join(', ')}); simulated evidence never passes a gate`];
}

function setupCriteria(evidence: Evidence): GateCriterion[] {
  return setupChecks.map((name) => {
    const value = evidence.checks?.[name];
    const actual = typeof value === 'boolean' ? value : null;
    return { name, actual, op: '==', threshold: true, pass: actual === true };
  });
}

function metricCriteria(
  thresholds: Readonly<Record<string, number>>,
  evidence: Evidence,
  refusals: string[],
): GateCriterion[] {
  const criteria: GateCriterion[] = [];
  for (const [name, threshold] of Object.entries(thresholds)) {
    const op = Object.hasOwn(metricOperators, name) ? metricOperators[name] : undefined;
    if (op === undefined) {
      // Guessing a direction could wave a bad result through: refuse instead.
      refusals.push(`threshold '${name}' has no known comparison; fix the gate configuration`);
      continue;
    }
    // Months come from the period, not from a self-declared metric.
    const raw = name === 'months' ? monthsInPeriod(evidence.period) : Object.hasOwn(evidence.metrics, name) ? evidence.metrics[name] : undefined;
    // Non-finite values (NaN, Infinity) count as missing: they cannot be judged and are not JSON.
    const actual = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    criteria.push({ name, actual, op, threshold, pass: actual !== null && compare(actual, op, threshold) });
  }
  return criteria;
}

/**
 * Judges `evidence` for one gate. Passes only when the provenance is known and not
 * simulated, the period is valid, at least one criterion is configured, and every
 * criterion holds. Metric names and directions follow `metricOperators`; the
 * `setup->calibration` gate requires the four `setupChecks` to be true.
 */
export function evaluateGate(transition: GateTransition, evidence: Evidence, thresholds: GateThresholds): GateEvaluation {
  const refusals = provenanceRefusals(evidence.provenance);
  if (monthsInPeriod(evidence.period) === null) {
    refusals.push(`invalid evidence period ${evidence.period.from}..${evidence.period.to} (inclusive ISO dates, from <= to)`);
  }
  const criteria =
    transition === 'setup->calibration'
      ? setupCriteria(evidence)
      : metricCriteria(thresholds[thresholdGroup[transition]], evidence, refusals);
  if (criteria.length === 0) refusals.push(`gate ${transition} has no criteria configured`);
  return { transition, pass: refusals.length === 0 && criteria.every((c) => c.pass), criteria, refusals };
}
