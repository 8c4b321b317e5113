/**
 * The `backtest` section of the configuration: robustness settings (walk-forward, the
 * parameter choice, the sweep's worker pool, named stress windows, A/B comparison).
 * Strict objects (an unknown key is an error) with `.default` / `.prefault` only.
 */
import * as z from 'zod';

/** Metrics a parameter set can be chosen by; see backtest/sweep.ts for their direction. */
export const OBJECTIVES = [
  'sharpe',
  'sortino',
  'netProfit',
  'profitFactor',
  'recoveryFactor',
  'calmar',
  'cagr',
  'totalReturn',
  'winRate',
  'expectancy',
  'maxDrawdown',
  'maxDrawdownPct',
] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** A span of trading days (`20d`, Monday to Friday) or calendar months (`6m`). */
export const SPAN_PATTERN = /^([1-9]\d*)([dm])$/;
const span = z.string().regex(SPAN_PATTERN, 'must be a count of trading days or months, e.g. 20d or 6m');
const day = z.iso.date();

export const stressWindowSchema = z
  .strictObject({
    name: z.string().min(1),
    from: day,
    to: day,
    description: z.string().default(''),
  })
  .refine((w) => w.from <= w.to, { message: 'from must not be after to' });
export type StressWindowSetting = z.infer<typeof stressWindowSchema>;

export const backtestSchema = z.strictObject({
  /** Sweep workers; null = one per core (os.availableParallelism()). */
  workers: z.number().int().positive().nullable().default(null),
  /** What chooses a parameter set in sample. */
  objective: z.enum(OBJECTIVES).default('sharpe'),
  /** A parameter set with fewer in-sample trades than this cannot be chosen. */
  minTrades: z.number().int().min(0).default(5),
  walkForward: z
    .strictObject({
      inSample: span.default('60d'),
      /** Out-of-sample span; windows step by it, so out-of-sample windows never overlap. */
      outOfSample: span.default('20d'),
      /** In-sample windows all start at the first day (growing) instead of rolling. */
      anchored: z.boolean().default(false),
      /** Out-of-sample runs warm their features up on the in-sample bars before them. */
      warmup: z.boolean().default(true),
    })
    .prefault({}),
  /** Named stress windows; null = the built-in list (backtest/stressWindows.ts). */
  stressWindows: z.array(stressWindowSchema).nullable().default(null),
  compare: z
    .strictObject({
      /** Seed of the bootstrap of the paired daily P&L differences. */
      seed: z.number().int().default(1),
      resamples: z.number().int().min(100).default(10_000),
    })
    .prefault({}),
});

export type BacktestSettings = z.infer<typeof backtestSchema>;
