/**
 * A backtest result as evidence for the deployment gates (DOMAIN.md "Phase gates").
 *
 * Which gate a result speaks for is explicit:
 * - the backtest itself is IN-SAMPLE (its parameters were chosen looking at the same data):
 *   evidence for `calibration->backtest` only, source `backtest`;
 * - a result carrying walk-forward stitched out-of-sample metrics (`walkForward`) is also
 *   evidence for `backtest->simulation`, source `walk-forward`: DOMAIN judges that gate
 *   out of sample, so a plain backtest never produces evidence for it.
 *
 * Metrics are `gateMetrics(performance)` (the one metrics module); `months` is not a
 * metric, the gate takes it from the period. Provenance is the result's data files
 * (`replay` with file and sha256); simulated data is carried as such and the gates
 * refuse it (config/gates.ts).
 */
import type { Clock } from '../core/clock.ts';
import { monthsInPeriod, type Evidence, type EvidenceModel, type GateTransition } from '../config/gates.ts';
import { evidenceConfigHash } from '../config/evidenceAdmission.ts';
import type { MiaConfig } from '../config/schema.ts';
import { readModelFile } from '../adapters/files/mlModelFile.ts';
import type { JsonValue } from '../adapters/store/domainSchemas.ts';
import { openEvidenceStore, type StoredEvidence } from '../adapters/store/evidenceStore.ts';
import { gateMetrics } from './metrics.ts';
import type { BacktestResult } from './result.ts';
import type { WalkForwardResult } from './walkForward.ts';
import { distinctProvenance, provenanceOfData } from './evidenceProvenance.ts';

/** What evidence needs of a walk-forward run (backtest/walkForward.ts `WalkForwardResult`). */
export type WalkForwardEvidence = Pick<WalkForwardResult, 'outOfSample' | 'robustness' | 'windows'>;

/** A backtest result, optionally with its walk-forward section (`mia backtest --walk-forward`). */
export type EvidenceInput = BacktestResult & { walkForward?: WalkForwardEvidence | null };

/**
 * What the result was produced with, beyond its data: the configuration hash the gates
 * compare with the configuration in force (config/evidenceAdmission.ts), and the ML model
 * (null: none) with its training window, which must not overlap the evaluated period.
 */
export interface EvidenceContext {
  configHash: string;
  model: EvidenceModel | null;
}

function common(result: BacktestResult, context: EvidenceContext | undefined): Pick<Evidence, 'provenance'> & { detail: Record<string, JsonValue> } {
  const data = [...result.provenance.data, ...result.provenance.chains];
  return {
    provenance: distinctProvenance(data.map(provenanceOfData)),
    detail: {
      // Without a context the result says nothing of its configuration and model: the gates refuse it.
      ...(context ? { configHash: context.configHash, model: context.model as JsonValue } : {}),
      engineConfigHash: result.provenance.configHash,
      mia: result.provenance.mia,
      data: result.provenance.data.map((d) => d.label),
      chains: result.provenance.chains.map((d) => d.label),
      // What the confluence could see: a result on two features of eleven says so in its evidence.
      ...(result.availability
        ? {
            availableWeight: { bars: result.availability.weight.bars, signals: result.availability.weight.signals, minimum: result.availability.minAvailableWeight },
            availableFeatures: result.availability.available.map((n) => (result.availability!.features[n]!.proxy ? `${n} (proxy)` : n)),
            heldBack: { ...result.availability.heldBack },
          }
        : {}),
    },
  };
}

/** Years of data in an inclusive ISO-day period (calendar months / 12). */
const yearsOf = (period: { from: string; to: string }) => (monthsInPeriod(period) ?? 0) / 12;

/** The minimum-sample metrics: closed trades and years of data. */
const sampleMetrics = (trades: number, period: { from: string; to: string }) => ({ trades, years: Math.round(yearsOf(period) * 10_000) / 10_000 });

/**
 * The evidence `result` provides, one piece per gate it speaks for (see the module
 * comment), stamped `producedAt` (ISO time from the caller's clock).
 */
export function backtestEvidence(result: EvidenceInput, producedAt: string, context?: EvidenceContext): StoredEvidence[] {
  const { provenance, detail } = common(result, context);
  const pieces: StoredEvidence[] = [
    {
      transition: 'calibration->backtest' satisfies GateTransition,
      evidence: { metrics: { ...gateMetrics(result.performance), ...sampleMetrics(result.performance.trades, result.period) }, provenance, period: { ...result.period }, producedAt, source: 'backtest' },
      detail: { ...detail, sample: 'in-sample', trades: result.performance.trades },
    },
  ];
  const wf = result.walkForward;
  if (wf) {
    const oos = wf.outOfSample.performance;
    // Robustness of a walk-forward is its share of profitable out-of-sample windows
    // (DOMAIN: "share of profitable months or walk-forward windows"); the monthly share
    // of the stitched record is kept in the detail.
    pieces.push({
      transition: 'backtest->simulation',
      evidence: { metrics: { ...gateMetrics(oos), robustness: wf.robustness, ...sampleMetrics(oos.trades, wf.outOfSample.period) }, provenance, period: { ...wf.outOfSample.period }, producedAt, source: 'walk-forward' },
      detail: {
        ...detail,
        sample: 'out-of-sample (walk-forward, stitched)',
        trades: oos.trades,
        windows: wf.windows.length,
        robustness: 'share of profitable out-of-sample windows',
        monthlyRobustness: oos.robustness,
      },
    });
  }
  return pieces;
}

/**
 * Records `result`'s evidence under `<home>/evidence/` (what `mia backtest` calls);
 * `clock` stamps producedAt (an operator fact). Returns the files written.
 */
export async function recordBacktestEvidence(home: string, result: EvidenceInput, clock: Clock, config?: MiaConfig): Promise<string[]> {
  const store = openEvidenceStore(home);
  const producedAt = new Date(clock.now()).toISOString();
  const context = config ? { configHash: evidenceConfigHash(config), model: modelOfConfig(config) } : undefined;
  const files: string[] = [];
  for (const piece of backtestEvidence(result, producedAt, context)) files.push(await store.record(piece, 'mia backtest'));
  return files;
}

/**
 * The ML model a backtest with `config` ran (the engine's session has no home, so only
 * `ml.model` can be in use: session.ts openMlFilter), with its training window; null when
 * the filter is off.
 */
export function modelOfConfig(config: MiaConfig): EvidenceModel | null {
  if (!config.ml.enabled || config.ml.model === null) return null;
  const model = readModelFile(config.ml.model);
  return { version: model.modelVersion, trainingWindow: { from: model.trainedOn.from, to: model.trainedOn.to } };
}
