/**
 * A calibration as gate evidence: its stitched out-of-sample record speaks for the
 * `calibration->backtest` gate (phase 1's exit), as a walk-forward record (source
 * `walk-forward`: it is one, with the candidates chosen in sample), never its in-sample
 * figures. It names its data (file and sha256), the configuration it hands on (the last
 * window's choice; null when nothing was chosen, and the gates then refuse it) and the ML
 * model of that configuration.
 */
import type { Clock } from '../core/clock.ts';
import type { GateTransition } from '../config/gates.ts';
import { evidenceConfigHash } from '../config/evidenceAdmission.ts';
import type { MiaConfig } from '../config/schema.ts';
import type { JsonValue } from '../adapters/store/domainSchemas.ts';
import { openEvidenceStore, type StoredEvidence } from '../adapters/store/evidenceStore.ts';
import { modelOfConfig } from './evidence.ts';
import { distinctProvenance, provenanceOfData } from './evidenceProvenance.ts';
import { gateMetrics } from './metrics.ts';
import type { DataProvenance } from './result.ts';
import type { CalibrationResult } from './calibrate.ts';
import { monthsInPeriod } from '../config/gates.ts';

export function calibrationEvidence(result: CalibrationResult, data: readonly DataProvenance[], producedAt: string, base: MiaConfig): StoredEvidence {
  const oos = result.outOfSample;
  const handed = result.final?.config ?? null;
  const years = Math.round(((monthsInPeriod(oos.period) ?? 0) / 12) * 10_000) / 10_000;
  const s = result.settings;
  return {
    transition: 'calibration->backtest' satisfies GateTransition,
    evidence: {
      metrics: { ...gateMetrics(oos.performance), trades: oos.performance.trades, years },
      provenance: distinctProvenance(data.map(provenanceOfData)),
      period: { ...oos.period },
      producedAt,
      source: 'walk-forward',
    },
    detail: {
      producedBy: 'mia calibrate',
      sample: 'out-of-sample (calibration walk-forward, stitched)',
      ...(handed ? { configHash: evidenceConfigHash(handed), model: modelOfConfig(handed) as JsonValue } : {}),
      baseConfigHash: evidenceConfigHash(base),
      data: data.map((d) => d.label),
      trades: oos.performance.trades,
      signals: oos.signals,
      signalsPerMonth: oos.signalsPerMonth,
      signalsPerMonthWeekdays: oos.signalsPerMonthWeekdays,
      band: { min: s.band.min, max: s.band.max },
      inBand: oos.inBand,
      objective: s.objective,
      minTrades: s.minTrades,
      candidates: s.candidates,
      seed: s.seed,
      searched: [...s.space.features],
      windows: result.windows.map((w) => ({ outOfSample: `${w.outOfSample.from}..${w.outOfSample.to}`, chosen: w.chosen ? w.chosen.index : null })),
      final: result.final ? (result.final.params as Record<string, JsonValue>) : null,
    },
  };
}

/** Records the calibration's evidence under `<home>/evidence/`; returns the file written. */
export async function recordCalibrationEvidence(home: string, result: CalibrationResult, data: readonly DataProvenance[], clock: Clock, base: MiaConfig): Promise<string> {
  const store = openEvidenceStore(home);
  return store.record(calibrationEvidence(result, data, new Date(clock.now()).toISOString(), base), 'mia calibrate');
}
