import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  evaluateGate,
  gateTransitions,
  metricOperators,
  monthsInPeriod,
  phaseLogFolder,
  phases,
  setupChecks,
} from '../../config/gates.ts';
import type { Evidence, GateOperator, GateTransition } from '../../config/gates.ts';
import { gatesSchema } from '../../config/schema.ts';
import type { GateThresholds } from '../../config/schema.ts';

const thresholds: GateThresholds = gatesSchema.parse({});

type MetricGate = Exclude<GateTransition, 'setup->calibration'>;
const groupOf: Record<MetricGate, keyof GateThresholds> = {
  'calibration->backtest': 'calibration',
  'backtest->simulation': 'backtest',
  'simulation->propFirm': 'simulation',
  'propFirm->ownAccount': 'propFirm',
  signals: 'signals',
};
const metricGates = Object.keys(groupOf) as MetricGate[];

const TINY = 1e-9;

/** DOMAIN.md's gate table, written out here so the tests do not trust the module's own table. */
const domainOperators: Record<string, GateOperator> = {
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
  // Minimum samples (issue 14): at least so many.
  trades: '>=',
  years: '>=',
  paperMonths: '>=',
  tradingDays: '>=',
  signals: '>=',
};

/** A value on the passing side of `op threshold`, or exactly on the boundary. */
function valueFor(op: GateOperator, threshold: number, side: 'pass' | 'boundary' | 'fail'): number {
  if (side === 'boundary') return threshold;
  const up = side === 'pass' ? TINY : -TINY;
  switch (op) {
    case '>':
    case '>=':
      return threshold + up;
    case '<':
    case '<=':
      return threshold - up;
    case '==':
      return side === 'pass' ? threshold : threshold + 1;
  }
}

/** Inclusive period of `months` whole calendar months starting 2024-01-01 (+ extra days). */
function periodOfMonths(months: number, extraDays = 0) {
  const end = new Date(Date.UTC(2024, months, 1 + extraDays) - 86_400_000);
  return { from: '2024-01-01', to: end.toISOString().slice(0, 10) };
}

/** Real-data evidence that clears every criterion of `gate` just barely. */
function passingEvidence(gate: MetricGate, t: GateThresholds = thresholds): Evidence {
  const metrics: Record<string, number> = {};
  let period = { from: '2024-01-01', to: '2024-01-31' };
  for (const [name, threshold] of Object.entries(t[groupOf[gate]])) {
    if (name === 'months') period = periodOfMonths(threshold);
    else metrics[name] = valueFor(domainOperators[name]!, threshold, 'pass');
  }
  return { metrics, provenance: [{ kind: 'polygon' }], period, producedAt: '2025-06-01T00:00:00Z', source: 'backtest' };
}

const allChecks = { marketDataConnected: true, dtcRoundTrip: true, logsWritten: true, killSwitchTested: true };
const setupEvidence = (checks: Evidence['checks']): Evidence => ({
  metrics: {},
  provenance: [{ kind: 'dtc-paper' }, { kind: 'polygon' }],
  period: { from: '2025-05-01', to: '2025-05-02' },
  checks,
  producedAt: '2025-05-02T12:00:00Z',
  source: 'setup-checklist',
});

describe('phases', () => {
  it('lists phases 0-6 in deployment order with the plan log folders', () => {
    expect(phases.map((p) => p.id)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(phases.map((p) => p.name)).toEqual(['setup', 'calibration', 'backtest', 'simulation', 'propFirm', 'ownAccount', 'signals']);
    for (const p of phases) expect(phaseLogFolder[p.name]).toMatch(new RegExp(`^phase_${p.id}_`));
    expect(Object.values(phaseLogFolder)).toEqual([
      'phase_0_setup',
      'phase_1_calibration',
      'phase_2_backtesting',
      'phase_3_simulation_3months',
      'phase_4_prompt_firm',
      'phase_5_live_trading',
      'phase_6_discord_signals',
    ]);
  });

  it('knows the DOMAIN.md direction of every default threshold', () => {
    for (const group of Object.values(thresholds)) for (const name of Object.keys(group)) expect(domainOperators[name]).toBeDefined();
    expect(metricOperators).toEqual(domainOperators);
  });
});

describe('evaluateGate: metric gates', () => {
  it.each(metricGates)('%s passes on real evidence just past every threshold', (gate) => {
    const result = evaluateGate(gate, passingEvidence(gate), thresholds);
    expect(result.refusals).toEqual([]);
    expect(result.criteria.map((c) => c.name).sort()).toEqual(Object.keys(thresholds[groupOf[gate]]).sort());
    expect(result.criteria.every((c) => c.pass)).toBe(true);
    expect(result.pass).toBe(true);
  });

  const cases = metricGates.flatMap((gate) =>
    Object.entries(thresholds[groupOf[gate]])
      .filter(([name]) => name !== 'months')
      .map(([name, threshold]) => ({ gate, name, threshold, op: domainOperators[name]! })),
  );

  it.each(cases)('$gate: $name ($op $threshold) at, past and short of the boundary', ({ gate, name, threshold, op }) => {
    const judge = (value: number) => {
      const evidence = passingEvidence(gate);
      evidence.metrics[name] = value;
      const result = evaluateGate(gate, evidence, thresholds);
      const criterion = result.criteria.find((c) => c.name === name)!;
      expect(criterion).toMatchObject({ actual: value, op, threshold });
      // The other criteria pass, so the gate's verdict is this criterion's.
      expect(result.pass).toBe(criterion.pass);
      return criterion.pass;
    };
    const inclusive = op === '>=' || op === '<=' || op === '==';
    expect(judge(valueFor(op, threshold, 'boundary'))).toBe(inclusive);
    expect(judge(valueFor(op, threshold, 'pass'))).toBe(true);
    expect(judge(valueFor(op, threshold, 'fail'))).toBe(false);
  });

  it.each(cases)('$gate: missing or non-finite $name fails with actual null', ({ gate, name }) => {
    for (const value of [undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      const evidence = passingEvidence(gate);
      if (value === undefined) delete evidence.metrics[name];
      else evidence.metrics[name] = value;
      const result = evaluateGate(gate, evidence, thresholds);
      expect(result.criteria.find((c) => c.name === name)).toMatchObject({ actual: null, pass: false });
      expect(result.pass).toBe(false);
    }
  });

  it('does not read metrics inherited from Object.prototype', () => {
    const custom = { ...thresholds, signals: { constructor: 1 } } as GateThresholds;
    const result = evaluateGate('signals', passingEvidence('signals'), custom);
    expect(result.pass).toBe(false);
    expect(result.refusals.join()).toMatch(/constructor/);
  });

  it('uses the configured thresholds, not the defaults', () => {
    const strict: GateThresholds = { ...thresholds, signals: { signalWinRate: 0.7 } };
    const evidence = passingEvidence('signals'); // just above the default 0.60
    expect(evaluateGate('signals', evidence, thresholds).pass).toBe(true);
    expect(evaluateGate('signals', evidence, strict).pass).toBe(false);
    expect(evaluateGate('signals', passingEvidence('signals', strict), strict).pass).toBe(true);
  });

  it('refuses a threshold it has no direction for instead of guessing', () => {
    const custom: GateThresholds = { ...thresholds, signals: { signalWinRate: 0.6, luck: 1 } };
    const evidence = passingEvidence('signals');
    evidence.metrics.luck = 100;
    const result = evaluateGate('signals', evidence, custom);
    expect(result.pass).toBe(false);
    expect(result.refusals.join()).toMatch(/'luck'/);
  });

  it('refuses a gate with no criteria configured', () => {
    const result = evaluateGate('signals', passingEvidence('signals'), { ...thresholds, signals: {} });
    expect(result.criteria).toEqual([]);
    expect(result.pass).toBe(false);
    expect(result.refusals.join()).toMatch(/no criteria/);
  });
});

describe('evaluateGate: provenance', () => {
  it.each(gateTransitions)('%s refuses evidence with any simulated series, saying so', (gate) => {
    const evidence = gate === 'setup->calibration' ? setupEvidence(allChecks) : passingEvidence(gate);
    expect(evaluateGate(gate, evidence, thresholds).pass).toBe(true);
    evidence.provenance = [...evidence.provenance, { kind: 'simulated', seed: 42 }];
    const result = evaluateGate(gate, evidence, thresholds);
    expect(result.pass).toBe(false);
    expect(result.criteria.every((c) => c.pass)).toBe(true);
    expect(result.refusals.join()).toMatch(/simulated:seed=42/);
    expect(result.refusals.join()).toMatch(/never passes/);
  });

  it.each(gateTransitions)('%s refuses evidence with no provenance', (gate) => {
    const evidence = gate === 'setup->calibration' ? setupEvidence(allChecks) : passingEvidence(gate);
    evidence.provenance = [];
    const result = evaluateGate(gate, evidence, thresholds);
    expect(result.pass).toBe(false);
    expect(result.refusals.join()).toMatch(/no provenance/);
  });

  it('accepts replay, polygon, dtc-paper and live series', () => {
    const evidence = passingEvidence('propFirm->ownAccount');
    evidence.provenance = [{ kind: 'replay', file: 'es.csv', sha256: 'ab' }, { kind: 'polygon' }, { kind: 'dtc-paper' }, { kind: 'live' }];
    expect(evaluateGate('propFirm->ownAccount', evidence, thresholds).pass).toBe(true);
  });
});

describe('evaluateGate: setup checklist', () => {
  it('passes with all four checks true', () => {
    const result = evaluateGate('setup->calibration', setupEvidence(allChecks), thresholds);
    expect(result.criteria.map((c) => c.name)).toEqual([...setupChecks]);
    expect(result.pass).toBe(true);
  });

  it.each(setupChecks)('fails when %s is false or missing', (check) => {
    const failed = evaluateGate('setup->calibration', setupEvidence({ ...allChecks, [check]: false }), thresholds);
    expect(failed.pass).toBe(false);
    expect(failed.criteria.find((c) => c.name === check)).toMatchObject({ actual: false, pass: false });

    const { [check]: _dropped, ...rest } = allChecks;
    const missing = evaluateGate('setup->calibration', setupEvidence(rest), thresholds);
    expect(missing.pass).toBe(false);
    expect(missing.criteria.find((c) => c.name === check)).toMatchObject({ actual: null, pass: false });
  });

  it('fails without a checklist at all', () => {
    const result = evaluateGate('setup->calibration', setupEvidence(undefined), thresholds);
    expect(result.pass).toBe(false);
    expect(result.criteria.every((c) => c.actual === null && !c.pass)).toBe(true);
  });
});

describe('months from the evidence period', () => {
  it('counts inclusive calendar months', () => {
    expect(monthsInPeriod({ from: '2025-01-01', to: '2025-03-31' })).toBe(3);
    expect(monthsInPeriod({ from: '2025-01-15', to: '2025-04-14' })).toBe(3);
    expect(monthsInPeriod({ from: '2024-02-01', to: '2024-02-29' })).toBe(1); // leap February
    expect(monthsInPeriod({ from: '2024-11-01', to: '2025-01-31' })).toBe(3); // across a year end
    expect(monthsInPeriod({ from: '2025-01-01', to: '2025-03-30' })).toBeCloseTo(2 + 30 / 31, 12);
    expect(monthsInPeriod({ from: '2025-03-01', to: '2025-03-01' })).toBeCloseTo(1 / 31, 12);
  });

  it('rejects invalid or backwards periods', () => {
    expect(monthsInPeriod({ from: '2025-02-30', to: '2025-05-01' })).toBeNull();
    expect(monthsInPeriod({ from: '2025-13-01', to: '2026-05-01' })).toBeNull();
    expect(monthsInPeriod({ from: '2025-01-01T00:00:00Z', to: '2025-05-01' })).toBeNull();
    expect(monthsInPeriod({ from: '2025-05-01', to: '2025-04-30' })).toBeNull();
  });

  it('grows with the end date and counts whole months exactly', () => {
    const day = fc.integer({ min: 0, max: 3000 });
    fc.assert(
      fc.property(day, day, day, (start, a, b) => {
        const iso = (n: number) => new Date(Date.UTC(2020, 0, 1 + n)).toISOString().slice(0, 10);
        const from = iso(start);
        const early = monthsInPeriod({ from, to: iso(start + Math.min(a, b)) })!;
        const late = monthsInPeriod({ from, to: iso(start + Math.max(a, b)) })!;
        expect(early).toBeGreaterThan(0);
        expect(late).toBeGreaterThanOrEqual(early);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), (k) => {
        expect(monthsInPeriod(periodOfMonths(k))).toBe(k);
        expect(monthsInPeriod(periodOfMonths(k, -1))).toBeLessThan(k);
      }),
    );
  });

  it('judges a `months` threshold on months computed from the period, ignoring a declared value', () => {
    // The defaults judge paper time as wall-clock paperMonths; a `months` threshold still reads the period.
    const withMonths: GateThresholds = { ...thresholds, simulation: { ...thresholds.simulation, months: 3 } };
    const evidence = passingEvidence('simulation->propFirm', withMonths);
    expect(evaluateGate('simulation->propFirm', evidence, withMonths).criteria.find((c) => c.name === 'months')).toMatchObject({
      actual: 3,
      op: '>=',
      threshold: 3,
      pass: true,
    });
    evidence.period = { from: '2025-01-01', to: '2025-03-30' };
    evidence.metrics.months = 12;
    const short = evaluateGate('simulation->propFirm', evidence, withMonths);
    expect(short.pass).toBe(false);
    expect(short.criteria.find((c) => c.name === 'months')?.actual).toBeLessThan(3);
  });

  it('refuses evidence with an invalid period on any gate', () => {
    const evidence = passingEvidence('calibration->backtest');
    evidence.period = { from: '2025-06-01', to: '2025-01-01' };
    const result = evaluateGate('calibration->backtest', evidence, thresholds);
    expect(result.pass).toBe(false);
    expect(result.refusals.join()).toMatch(/invalid evidence period/);
  });
});
