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
import type { Evidence, GateTransition } from '../config/gates.ts';
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

function common(result: BacktestResult): Pick<Evidence, 'provenance'> & { detail: Record<string, JsonValue> } {
  const data = [...result.provenance.data, ...result.provenance.chains];
  return {
    provenance: distinctProvenance(data.map(provenanceOfData)),
    detail: {
      configHash: result.provenance.configHash,
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

/**
 * The evidence `result` provides, one piece per gate it speaks for (see the module
 * comment), stamped `producedAt` (ISO time from the caller's clock).
 */
export function backtestEvidence(result: EvidenceInput, producedAt: string): StoredEvidence[] {
  const { provenance, detail } = common(result);
  const pieces: StoredEvidence[] = [
    {
      transition: 'calibration->backtest' satisfies GateTransition,
      evidence: { metrics: gateMetrics(result.performance), provenance, period: { ...result.period }, producedAt, source: 'backtest' },
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
      evidence: { metrics: { ...gateMetrics(oos), robustness: wf.robustness }, provenance, period: { ...wf.outOfSample.period }, producedAt, source: 'walk-forward' },
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
export async function recordBacktestEvidence(home: string, result: EvidenceInput, clock: Clock): Promise<string[]> {
  const store = openEvidenceStore(home);
  const producedAt = new Date(clock.now()).toISOString();
  const files: string[] = [];
  for (const piece of backtestEvidence(result, producedAt)) files.push(await store.record(piece));
  return files;
}
