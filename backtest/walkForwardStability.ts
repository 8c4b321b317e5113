/**
 * Parameter stability across walk-forward windows: how often the in-sample choice of each
 * swept parameter changes. A parameter that jumps around from window to window was fitted
 * to noise; one that stays put is a property of the market (or irrelevant).
 */
import { mean, sampleStd } from './statistics.ts';

export interface ParameterStability {
  /** Dotted configuration path. */
  path: string;
  /** The value chosen in each window (null where no set was eligible). */
  chosen: unknown[];
  /** Distinct values chosen. */
  distinct: number;
  /** The most chosen value (the earliest on a tie) and the share of windows that chose it. */
  mode: unknown;
  modeShare: number;
  /** Windows whose choice differs from the previous window's choice (of windows with one). */
  changes: number;
  /** Numeric parameters: sample std / |mean| of the choices; null otherwise or undefined. */
  coefficientOfVariation: number | null;
}

/** Stability of every parameter, from the params chosen per window (null = none chosen). */
export function parameterStability(paths: readonly string[], chosen: ReadonlyArray<Record<string, unknown> | null>): ParameterStability[] {
  const windows = chosen.length;
  return paths.map((path) => {
    const values = chosen.map((c) => (c === null ? null : c[path]));
    const picked = values.filter((v, i) => chosen[i] !== null);
    const counts = new Map<string, { value: unknown; n: number }>();
    for (const v of picked) {
      const key = JSON.stringify(v);
      const entry = counts.get(key) ?? { value: v, n: 0 };
      entry.n++;
      counts.set(key, entry);
    }
    let mode: { value: unknown; n: number } | null = null;
    for (const c of counts.values()) if (mode === null || c.n > mode.n) mode = c;
    let changes = 0;
    for (let i = 1; i < picked.length; i++) if (JSON.stringify(picked[i]) !== JSON.stringify(picked[i - 1])) changes++;
    const numeric = picked.length > 0 && picked.every((v) => typeof v === 'number') ? (picked as number[]) : null;
    const m = numeric ? mean(numeric) : null;
    const sd = numeric ? sampleStd(numeric) : null;
    return {
      path,
      chosen: values,
      distinct: counts.size,
      mode: mode ? mode.value : null,
      modeShare: mode && windows > 0 ? mode.n / windows : 0,
      changes,
      coefficientOfVariation: m !== null && sd !== null && m !== 0 ? sd / Math.abs(m) : null,
    };
  });
}
