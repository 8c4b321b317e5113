/**
 * Backtest results as gate evidence: an in-sample backtest speaks for calibration->backtest
 * only; walk-forward stitched out-of-sample metrics speak for backtest->simulation; the
 * provenance is the data files (replay, file + sha256) and simulated data never passes.
 * Metrics are computed by the real metrics module from trade lists built here.
 */
import { describe, expect, it } from 'vitest';
import { evaluateGate, monthsInPeriod } from '../../config/gates.ts';
import { defaultConfig } from '../../config/schema.ts';
import { evidenceConfigHash } from '../../config/evidenceAdmission.ts';
import { ManualClock } from '../../core/clock.ts';
import type { Trade } from '../../core/types.ts';
import { computeMetrics, gateMetrics, type PerformanceMetrics } from '../../backtest/metrics.ts';
import { headlineMetrics, type BacktestResult, type DataProvenance } from '../../backtest/result.ts';
import { backtestEvidence, recordBacktestEvidence, type EvidenceInput } from '../../backtest/evidence.ts';
import type { WalkForwardWindowResult } from '../../backtest/walkForward.ts';
import { openEvidenceStore } from '../../adapters/store/evidenceStore.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-evidence-');
const thresholds = defaultConfig().gates;
const SHA = 'b'.repeat(64);
const DAY = 86_400_000;

/** One trade a weekday from `start` (15:00 UTC entry, 16:00 exit): every `loseEvery`-th loses `loss`, the others win `win`. */
function trades(start: string, n: number, win: number, loss: number, loseEvery: number): Trade[] {
  const out: Trade[] = [];
  let t = Date.parse(`${start}T15:00:00Z`);
  while (out.length < n) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) {
      const pnl = (out.length + 1) % loseEvery === 0 ? -loss : win;
      out.push({ symbol: 'ESH3', side: 'long', qty: 1, entryTime: t, exitTime: t + 3_600_000, entryPrice: 4000, exitPrice: 4000 + pnl / 50, commission: 0, pnl });
    }
    t += DAY;
  }
  return out;
}

const data = (label: string): DataProvenance => ({ file: '/data/ES_1min.csv', sha256: SHA, format: 'csv', rows: 1000, from: null, to: null, label });

function resultOf(performance: PerformanceMetrics, label = `replay:/data/ES_1min.csv#${SHA}`): BacktestResult {
  return {
    provenance: { data: [data(label)], chains: [], configHash: 'cfg123', mia: '0.0.0', window: { from: null, to: null } },
    period: performance.period,
    metrics: { ...headlineMetrics(performance), signalsPerMonth: null },
    performance,
    trades: [],
    fills: [],
    signals: [],
    equity: [],
    featureAvailability: {},
    counts: { bars: 0, orders: 0, riskRefusals: 0, rejects: 0 },
    config: {},
  };
}

// In sample: three good months. Out of sample: a losing stretch.
const inSample = computeMetrics({ trades: trades('2023-01-02', 60, 400, 200, 4), startingEquity: 50_000, period: { from: '2023-01-02', to: '2023-03-31' } });
const outOfSample = computeMetrics({ trades: trades('2023-04-03', 40, 150, 300, 2), startingEquity: 50_000, period: { from: '2023-04-03', to: '2023-05-31' } });
const AT = '2025-06-01T12:00:00.000Z';

/** A walk-forward section whose stitched record is `oos`, over two windows (the first profitable). */
function walkForwardOf(oos: PerformanceMetrics, robustness: number): EvidenceInput['walkForward'] {
  const window = (index: number, profitable: boolean): WalkForwardWindowResult => ({
    index,
    inSample: { from: '2023-01-02', to: '2023-03-31' },
    outOfSample: oos.period,
    chosen: { index: 0, params: {} },
    eligible: 1,
    inSampleMetrics: null,
    outOfSampleMetrics: null,
    netProfit: profitable ? 100 : -100,
    profitable,
  });
  return { outOfSample: { period: oos.period, metrics: resultOf(oos).metrics, performance: oos, trades: [], equity: [] }, robustness, windows: [window(0, true), window(1, false)] };
}

describe('backtest evidence', () => {
  it('an in-sample backtest is evidence for calibration->backtest only, with the metrics module numbers and the data file', () => {
    const pieces = backtestEvidence(resultOf(inSample), AT);
    expect(pieces.map((p) => [p.transition, p.evidence.source])).toEqual([['calibration->backtest', 'backtest']]);
    const [piece] = pieces;
    expect(piece!.evidence).toEqual({
      // Minimum samples: 60 closed trades over 2023-01-02..2023-03-31 (just under a quarter of a year).
      metrics: { ...gateMetrics(inSample), trades: 60, years: Math.round((monthsInPeriod(inSample.period)! / 12) * 10_000) / 10_000 },
      provenance: [{ kind: 'replay', file: '/data/ES_1min.csv', sha256: SHA }],
      period: { from: '2023-01-02', to: '2023-03-31' },
      producedAt: AT,
      source: 'backtest',
    });
    const evaluation = evaluateGate('calibration->backtest', piece!.evidence, thresholds);
    expect(evaluation.refusals).toEqual([]);
    expect(evaluation.criteria.map((c) => c.name).sort()).toEqual(['maxDrawdownPct', 'profitFactor', 'recoveryFactor', 'sharpe', 'trades', 'winRate']);
    // Every number passes but 60 trades are too few (>= 100 by default): not met.
    expect(evaluation.criteria.filter((c) => !c.pass)).toEqual([{ name: 'trades', actual: 60, op: '>=', threshold: 100, pass: false }]);
    expect(evaluation.pass).toBe(false);
    // With the minimum configured lower, the same result passes.
    expect(evaluateGate('calibration->backtest', piece!.evidence, { ...thresholds, calibration: { ...thresholds.calibration, trades: 60 } }).pass).toBe(true);
  });

  it('walk-forward stitched out-of-sample metrics are the evidence for backtest->simulation, not the in-sample ones', () => {
    const pieces = backtestEvidence({ ...resultOf(inSample), walkForward: walkForwardOf(outOfSample, 0.5) }, AT);
    expect(pieces.map((p) => p.transition)).toEqual(['calibration->backtest', 'backtest->simulation']);
    const oos = pieces[1]!;
    expect(oos.evidence.source).toBe('walk-forward');
    // Robustness is the share of profitable windows (1 of 2), the rest the stitched record's.
    expect(oos.evidence.metrics).toEqual({ ...gateMetrics(outOfSample), robustness: 0.5, trades: 40, years: Math.round((monthsInPeriod(outOfSample.period)! / 12) * 10_000) / 10_000 });
    expect(oos.evidence.period).toEqual({ from: '2023-04-03', to: '2023-05-31' });
    expect(oos.detail).toMatchObject({ windows: 2, sample: 'out-of-sample (walk-forward, stitched)' });
    // The in-sample numbers pass calibration; the out-of-sample ones fail the next gate.
    expect(evaluateGate('calibration->backtest', pieces[0]!.evidence, { ...thresholds, calibration: { ...thresholds.calibration, trades: 60 } }).pass).toBe(true);
    const judged = evaluateGate('backtest->simulation', oos.evidence, thresholds);
    expect(judged.pass).toBe(false);
    expect(judged.criteria.find((c) => c.name === 'annualReturn')).toMatchObject({ actual: outOfSample.annualReturn, pass: false });
  });

  it('a backtest on simulated data is carried as simulated and refused by the gate', () => {
    const [piece] = backtestEvidence(resultOf(inSample, 'simulated:seed=42'), AT);
    expect(piece!.evidence.provenance).toEqual([{ kind: 'simulated', seed: 42 }]);
    const evaluation = evaluateGate('calibration->backtest', piece!.evidence, thresholds);
    expect(evaluation.pass).toBe(false);
    expect(evaluation.refusals.join()).toMatch(/simulated evidence never passes/);
  });

  it('recordBacktestEvidence writes the pieces under <home>/evidence, stamped by the caller clock', async () => {
    const home = tempHome();
    const clock = new ManualClock(Date.parse('2025-07-01T08:30:00Z'));
    const config = defaultConfig();
    const files = await recordBacktestEvidence(home, { ...resultOf(inSample), walkForward: walkForwardOf(outOfSample, 0.5) }, clock, config);
    expect(files).toHaveLength(2);
    const store = openEvidenceStore(home);
    const latest = store.latest('backtest->simulation');
    expect(latest?.file).toBe(files[1]);
    expect(latest?.evidence.producedAt).toBe('2025-07-01T08:30:00.000Z');
    // The configuration it ran with and the ML model (none: the filter has no model file) are recorded.
    expect(store.latest('calibration->backtest')?.detail).toMatchObject({ configHash: evidenceConfigHash(config), model: null, engineConfigHash: 'cfg123', sample: 'in-sample', data: [`replay:/data/ES_1min.csv#${SHA}`] });
    expect(store.latest('calibration->backtest')?.producedBy).toBe('mia backtest');
  });
});
