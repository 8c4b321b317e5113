/**
 * The `strategy` section of the configuration: trade sizing and exits, then the
 * confluence (DOMAIN.md "Confluence features"): feature weights, session multipliers,
 * volatility regime and thresholds, the expiry-cycle factor, and each feature's
 * parameters. Every default is the documented one; weights are renormalised over the
 * features whose inputs are there, so they need not sum to 1.
 *
 * Every object is a `z.strictObject` (an unknown key is an error), with `.default` /
 * `.prefault` only.
 * Cross-field rules (e.g. baseMinBars <= baseMaxBars) are checked where the values are
 * used and name the key.
 */
import * as z from 'zod';

const count = z.number().int().positive();
const weight = z.number().finite().min(0);
const multiplier = z.number().finite().positive();
const unit = z.number().finite().min(0).max(1);

/** Confluence weights by feature (the plan's final formula; 0 = computed and reported, not scored). */
export const featureWeightsSchema = z.strictObject({
  gammaLevels: weight.default(0.2),
  volumeConfirmation: weight.default(0.15),
  optionsFlow: weight.default(0.12),
  orderBook: weight.default(0.13),
  tickMomentum: weight.default(0.08),
  deltaDivergence: weight.default(0.08),
  smartMoney: weight.default(0.09),
  multiTimeframe: weight.default(0.15),
  vwapTrend: weight.default(0),
  aggressionBias: weight.default(0),
  battleNavale: weight.default(0),
});

/** Score multipliers by US/Eastern session of the event time. */
export const sessionMultipliersSchema = z.strictObject({
  preMarket: multiplier.default(0.8),
  opening: multiplier.default(1.2),
  midday: multiplier.default(1.0),
  powerHour: multiplier.default(1.2),
  afterHours: multiplier.default(0.8),
  overnight: multiplier.default(0.5),
});

export const volatilitySchema = z.strictObject({
  atrBars: count.default(14),
  averageBars: count.default(20),
  lowVix: multiplier.default(15),
  highVix: multiplier.default(25),
  lowAtrRatio: multiplier.default(0.8),
  highAtrRatio: multiplier.default(1.5),
  /** Bars of this symbol on the market bus are VIX readings, not trades of the instrument. */
  vixSymbol: z.string().min(1).default('VIX'),
  /** A VIX reading older than this is ignored (daily closes over a long weekend: 4 days). */
  vixMaxAgeHours: multiplier.default(96),
  /** Threshold multipliers by regime. */
  lowThreshold: multiplier.default(0.8),
  normalThreshold: multiplier.default(1),
  highThreshold: multiplier.default(1.4),
});

export const battleNavaleSchema = z.strictObject({
  balanceBars: count.default(5),
  atrBars: count.default(14),
  baseMinBars: z.number().int().min(2).default(3),
  baseMaxBars: count.default(8),
  /** Widest base, in ATRs. */
  baseRangeAtr: multiplier.default(1.5),
  balanceWeight: weight.default(0.5),
  trendWeight: weight.default(0.3),
  baseWeight: weight.default(0.2),
});

export const featureParamsSchema = z.strictObject({
  gammaLevels: z
    .strictObject({
      /** Levels older than this are stale (a chain per session at least). */
      maxAgeMinutes: multiplier.default(24 * 60),
      atrBars: count.default(14),
      momentumBars: count.default(5),
    })
    .prefault({}),
  volumeConfirmation: z.strictObject({ bars: count.default(20) }).prefault({}),
  optionsFlow: z.strictObject({ maxAgeMinutes: multiplier.default(24 * 60) }).prefault({}),
  orderBook: z
    .strictObject({
      l1Weight: unit.default(0.6),
      depthLevels: count.default(5),
      maxAgeMs: count.default(60_000),
    })
    .prefault({}),
  vwapTrend: z
    .strictObject({
      slopeBars: count.default(5),
      distanceWeight: unit.default(0.6),
    })
    .prefault({}),
  aggressionBias: z.strictObject({ bars: count.default(5) }).prefault({}),
  tickMomentum: z
    .strictObject({
      window: count.default(20),
      countWeight: unit.default(0.4),
      maxAgeMs: count.default(60_000),
    })
    .prefault({}),
  deltaDivergence: z
    .strictObject({
      bars: z.number().int().min(2).default(10),
      atrBars: count.default(14),
      minStrength: unit.default(0.7),
      /** Bar volume / mean volume above which the divergence is volume-confirmed. */
      minVolumeRatio: z.number().finite().min(0).default(1),
      priceScale: multiplier.default(3),
      deltaScale: multiplier.default(5),
    })
    .prefault({}),
  smartMoney: z
    .strictObject({
      /** Smallest "large" print, contracts (100 ES lots in the plan). */
      largeSize: multiplier.default(100),
      windowBars: count.default(5),
      averageWindows: count.default(20),
      surgeRatio: multiplier.default(1.5),
      boost: multiplier.default(1.3),
    })
    .prefault({}),
  multiTimeframe: z
    .strictObject({
      mediumMinutes: count.default(5),
      slowMinutes: count.default(15),
      fastWeight: weight.default(0.5),
      mediumWeight: weight.default(0.3),
      slowWeight: weight.default(0.2),
      agreementBonus: unit.default(0.2),
    })
    .prefault({}),
  battleNavale: battleNavaleSchema.prefault({}),
});

/** Exits before the session ends (strategy/sessionClose.ts). */
export const exitsSchema = z.strictObject({
  /** 'globex': flat before the daily 16:00 CT halt and the Friday close; 'rth': flat by 15:00 CT, no entry outside RTH; 'none': off. */
  session: z.enum(['globex', 'rth', 'none']).default('globex'),
  /** A position is closed this many minutes before the session's end (a bar after the end closes it at once). */
  flattenBeforeCloseMinutes: z.number().int().min(0).max(600).default(5),
  /** No new entry this close to the end (never less than the flatten window). */
  noEntryBeforeCloseMinutes: z.number().int().min(0).max(600).default(15),
});

/** Entry size (strategy/sizing.ts): `quantity`, or a capped fraction of Kelly on the system's own closed trades. */
export const sizingSchema = z.strictObject({
  mode: z.enum(['fixed', 'kelly']).default('fixed'),
  /** Share of full Kelly (0.25 = quarter Kelly). */
  fraction: z.number().finite().positive().max(1).default(0.25),
  /** Most contracts one entry may get (risk.maxContracts still checks every order). */
  maxContracts: count.default(2),
  /** Closed trades before Kelly applies; `quantity` until then. */
  minTrades: count.default(30),
  /** Latest closed trades the win rate and payoff are measured on (kept in the persisted state). */
  lookbackTrades: count.max(1000).default(100),
});

export const strategySchema = z.strictObject({
  /** Confluence threshold: long above +threshold, short below -threshold (before the volatility multiplier). */
  threshold: z.number().positive().max(1).default(0.25),
  quantity: count.default(1),
  sizing: sizingSchema.prefault({}),
  /** Protective stop and target, index points. */
  stopPoints: z.number().positive().default(8),
  targetPoints: z.number().positive().default(12),
  /** Bars after which an open trade is closed (time stop). */
  maxBarsInTrade: count.default(60),
  exits: exitsSchema.prefault({}),
  /** ATR bars of the VWAP-trend feature. */
  vwapAtrBars: count.default(14),
  /**
   * Share of the total weight that must be available for a score; below it the score is 0
   * and the crossing is counted as held back. 0.4 is above any two features of the plan's
   * weights (the largest pair, gamma + volume or multi-timeframe, is 0.35): price bars alone
   * (volume + multi-timeframe, 0.30) never fire the confluence.
   */
  minAvailableWeight: unit.default(0.4),
  /** Multiply the score by the expiry-cycle factor (monthly options expiry). */
  expiryCycle: z.boolean().default(true),
  weights: featureWeightsSchema.prefault({}),
  session: sessionMultipliersSchema.prefault({}),
  volatility: volatilitySchema.prefault({}),
  features: featureParamsSchema.prefault({}),
});

export type StrategySettings = z.infer<typeof strategySchema>;
export type StrategySettingsInput = z.input<typeof strategySchema>;
export type FeatureWeights = z.infer<typeof featureWeightsSchema>;

/** The embedded strategy defaults. */
export const defaultStrategySettings = (): StrategySettings => strategySchema.parse({});
