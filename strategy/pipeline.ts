/**
 * The strategy's hot path: every market input in, one confluence reading per bar out.
 *
 * Quotes, trade prints, book snapshots and option chains update their features as they
 * arrive (O(1) per event, chains O(contracts)); each bar of the traded instrument closes
 * the bar-level features, fills the feature vector, renormalises over the available
 * features and applies the session multiplier, the expiry-cycle factor and the volatility
 * regime's threshold. Bars of `volatility.vixSymbol` are VIX readings, not trades.
 *
 * Plain method calls over preallocated state: no XState, no allocation per bar, no wall
 * clock (every time is an event time). Features over the bars that use an ATR of the same
 * length share one, updated once per bar here. A bar or tick that does not make sense (non-finite
 * prices, high below low, negative volume) is counted in `rejected` and changes nothing.
 */
import type { Bar, BookSnapshot, OptionChainSnapshot, Quote, TradeTick } from '../core/types.ts';
import { ZoneClock } from '../core/zonedTime.ts';
import type { StrategySettings } from '../config/strategySchema.ts';
import { computeGammaLevels } from './gamma/computeGammaLevels.ts';
import { expiryCycleFactorForDays } from './gamma/expiryCycle.ts';
import { Confluence, FEATURE_INDEX, finalScore, type FeatureName } from './confluence.ts';
import { AggressionBias } from './features/aggressionBias.ts';
import { BarDeltaTracker } from './features/barDelta.ts';
import { DeltaDivergence } from './features/deltaDivergence.ts';
import { FeatureOutput, type FeatureValue } from './features/featureValue.ts';
import { GammaLevelsFeature, type ComputeLevels } from './features/gammaLevelsFeature.ts';
import { MultiTimeframe } from './features/multiTimeframe.ts';
import { OptionsFlowBias } from './features/optionsFlowBias.ts';
import { OrderBookImbalance } from './features/orderBookImbalance.ts';
import { RollingAtr } from './features/rollingAtr.ts';
import { SessionMultiplier } from './features/sessionMultiplier.ts';
import { SmartMoneyIndex } from './features/smartMoneyIndex.ts';
import { TickMomentum } from './features/tickMomentum.ts';
import { VolatilityRegimeTracker, type VolatilityRegime } from './features/volatilityRegime.ts';
import { VolumeConfirmation } from './features/volumeConfirmation.ts';
import { VwapTrend } from './features/vwapTrend.ts';

const MINUTE = 60_000;
const DAY_MS = 86_400_000;

/** Day number (days since 1970-01-01) of the third Friday of a month (0-11). */
function thirdFridayDay(year: number, month: number): number {
  const first = Date.UTC(year, month, 1) / DAY_MS;
  const weekday = (((first + 4) % 7) + 7) % 7; // 0 = Sunday
  return first + ((5 - weekday + 7) % 7) + 14;
}

/**
 * strategy/gamma's expiryCycleFactor for a US/Eastern calendar day (a day number), by date
 * arithmetic: days to the monthly expiry on or after that day, without its Intl calls.
 */
export function expiryFactorOfEasternDay(day: number): number {
  const date = new Date(day * DAY_MS);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  let expiry = thirdFridayDay(year, month);
  if (expiry < day) expiry = month === 11 ? thirdFridayDay(year + 1, 0) : thirdFridayDay(year, month + 1);
  return expiryCycleFactorForDays(expiry - day);
}

export interface PipelineDeps {
  /** Length of the traded instrument's bars, ms: a bar's reading is known at `time + barMs`. */
  barMs: number;
  /** Chain -> gamma levels. Default: strategy/gamma computeGammaLevels with its defaults. */
  computeLevels?: ComputeLevels;
  /** Expiry-cycle factor at an event time. Default: strategy/gamma's expiryCycleFactor (computed here by date arithmetic, see expiryFactorOfEasternDay). */
  expiryFactor?: (time: number) => number;
}

/** One bar's confluence reading (a reused object: copy what you keep). */
export interface PipelineReading {
  /** The bar's close time, ms UTC: when this reading is known. */
  time: number;
  /** The bar's close. */
  price: number;
  /** Renormalised weighted mean of the available features, in [-1, 1]. */
  rawScore: number;
  /** rawScore * session * expiry, clamped to [-1, 1]. */
  score: number;
  /** Base threshold * the volatility regime's multiplier. */
  threshold: number;
  sessionMultiplier: number;
  expiryFactor: number;
  regime: VolatilityRegime;
  /** Share of the total feature weight that was available. */
  availableShare: number;
  /** The score the bar would have had without the `minAvailableWeight` guard (equals `score` when not guarded). */
  unguardedScore: number;
}

/** Inputs refused as malformed, by kind. */
export interface RejectedInputs {
  bars: number;
  quotes: number;
  trades: number;
  books: number;
  chains: number;
}

/** The reused reading (a class: its number fields are then written in place, see FeatureOutput). */
class ReadingOutput implements PipelineReading {
  time = 0;
  price = Number.NaN;
  rawScore = 0;
  score = 0;
  threshold = 0;
  sessionMultiplier = 1;
  expiryFactor = 1;
  regime: VolatilityRegime = 'normal';
  availableShare = 0;
  unguardedScore = 0;
}

const validBar = (b: Bar): boolean =>
  Number.isFinite(b.open) && Number.isFinite(b.high) && Number.isFinite(b.low) && Number.isFinite(b.close) &&
  Number.isFinite(b.time) && b.high >= b.low && b.volume >= 0 && Number.isFinite(b.volume);

export class StrategyPipeline {
  readonly confluence: Confluence;
  readonly reading: PipelineReading = new ReadingOutput();
  readonly rejected: RejectedInputs = { bars: 0, quotes: 0, trades: 0, books: 0, chains: 0 };

  private readonly barMs: number;
  private readonly deltas = new BarDeltaTracker();
  private readonly gamma: GammaLevelsFeature;
  private readonly volume: VolumeConfirmation;
  private readonly flow: OptionsFlowBias;
  private readonly book: OrderBookImbalance;
  private readonly vwap: VwapTrend;
  private readonly aggression: AggressionBias;
  private readonly ticks: TickMomentum;
  private readonly divergence: DeltaDivergence;
  private readonly smartMoney: SmartMoneyIndex;
  private readonly mtf: MultiTimeframe;
  private readonly navale: FeatureValue = new FeatureOutput();
  private readonly session: SessionMultiplier;
  private readonly volatility: VolatilityRegimeTracker;
  private readonly vixSymbol: string;
  /** One ATR per length used by the bar features, updated once per bar. */
  private readonly atrs: RollingAtr[] = [];
  private readonly useExpiry: boolean;
  /** The injected expiry factor; null for the default (strategy/gamma's, by date arithmetic). */
  private readonly expiryOf: ((time: number) => number) | null;
  private readonly eastern = new ZoneClock('America/New_York');
  private expiryDay = Number.NaN;
  private expiry = 1;
  private readonly baseThreshold: number;

  constructor(settings: StrategySettings, deps: PipelineDeps) {
    const f = settings.features;
    this.barMs = deps.barMs;
    this.baseThreshold = settings.threshold;
    this.confluence = new Confluence(settings.weights, settings.minAvailableWeight);
    const v = settings.volatility;
    this.gamma = new GammaLevelsFeature(
      { maxAgeMs: f.gammaLevels.maxAgeMinutes * MINUTE, atrBars: f.gammaLevels.atrBars, momentumBars: f.gammaLevels.momentumBars },
      deps.computeLevels ?? ((chain) => computeGammaLevels(chain).levels),
      this.sharedAtr(f.gammaLevels.atrBars),
    );
    this.volume = new VolumeConfirmation(f.volumeConfirmation);
    this.flow = new OptionsFlowBias({ maxAgeMs: f.optionsFlow.maxAgeMinutes * MINUTE });
    this.book = new OrderBookImbalance(f.orderBook);
    this.vwap = new VwapTrend({ atrBars: settings.vwapAtrBars, ...f.vwapTrend }, this.sharedAtr(settings.vwapAtrBars));
    this.aggression = new AggressionBias(f.aggressionBias);
    this.ticks = new TickMomentum(f.tickMomentum);
    this.divergence = new DeltaDivergence(f.deltaDivergence, this.sharedAtr(f.deltaDivergence.atrBars));
    this.smartMoney = new SmartMoneyIndex(f.smartMoney);
    this.mtf = new MultiTimeframe({ barMs: deps.barMs, ...f.multiTimeframe }, f.battleNavale, this.sharedAtr(f.battleNavale.atrBars));
    this.session = new SessionMultiplier(settings.session, this.eastern);
    this.volatility = new VolatilityRegimeTracker({ ...v, vixMaxAgeMs: v.vixMaxAgeHours * 3_600_000 }, this.sharedAtr(v.atrBars));
    this.vixSymbol = v.vixSymbol;
    this.useExpiry = settings.expiryCycle;
    this.expiryOf = deps.expiryFactor ?? null;
  }

  /** The shared ATR of `bars` bars (created on first use). */
  private sharedAtr(bars: number): RollingAtr {
    let atr = this.atrs.find((a) => a.bars === bars);
    if (!atr) {
      atr = new RollingAtr(bars);
      this.atrs.push(atr);
    }
    return atr;
  }

  onQuote(q: Quote): void {
    if (!(q.bidSize >= 0 && q.askSize >= 0 && q.bidSize + q.askSize > 0) || !Number.isFinite(q.time)) {
      this.rejected.quotes++;
      return;
    }
    this.book.onQuote(q);
  }

  onTrade(t: TradeTick): void {
    if (!Number.isFinite(t.price) || !(t.size > 0) || !Number.isFinite(t.size) || !Number.isFinite(t.time)) {
      this.rejected.trades++;
      return;
    }
    this.deltas.onTrade(t);
    this.ticks.onTrade(t);
    this.smartMoney.onTrade(t);
  }

  onBook(b: BookSnapshot): void {
    if (b.bids.length === 0 || b.asks.length === 0 || !Number.isFinite(b.time)) {
      this.rejected.books++;
      return;
    }
    this.book.onBook(b);
  }

  onChain(c: OptionChainSnapshot): void {
    if (!Number.isFinite(c.time) || !(c.spot > 0) || c.contracts.length === 0) {
      this.rejected.chains++;
      return;
    }
    const refused = this.gamma.rejectedChains;
    this.gamma.onChain(c);
    if (this.gamma.rejectedChains !== refused) this.rejected.chains++;
    this.flow.onChain(c);
  }

  /**
   * Closes a bar: returns the confluence reading at its close, or null for a VIX bar (it
   * only updates the regime) and for a malformed bar (counted, ignored).
   */
  onBar(bar: Bar): PipelineReading | null {
    if (!validBar(bar)) {
      this.rejected.bars++;
      return null;
    }
    const close = bar.time + this.barMs;
    if (bar.symbol === this.vixSymbol) {
      this.volatility.setVix(bar.close, close);
      return null;
    }
    const atrs = this.atrs;
    for (let i = 0; i < atrs.length; i++) atrs[i]!.updateBar(bar);
    const delta = this.deltas.close(bar);
    const c = this.confluence;
    c.set(FEATURE_INDEX.gammaLevels, this.gamma.update(bar));
    c.set(FEATURE_INDEX.volumeConfirmation, this.volume.update(bar));
    c.set(FEATURE_INDEX.optionsFlow, this.flow.evaluate(close));
    c.set(FEATURE_INDEX.orderBook, this.book.evaluate(close));
    c.set(FEATURE_INDEX.vwapTrend, this.vwap.update(bar));
    c.set(FEATURE_INDEX.aggressionBias, this.aggression.update(delta));
    c.set(FEATURE_INDEX.tickMomentum, this.ticks.evaluate(close));
    c.set(FEATURE_INDEX.deltaDivergence, this.divergence.update(bar, delta));
    c.set(FEATURE_INDEX.smartMoney, this.smartMoney.update());
    c.set(FEATURE_INDEX.multiTimeframe, this.mtf.update(bar, delta, this.navale));
    c.set(FEATURE_INDEX.battleNavale, this.navale);

    const r = this.reading;
    const vol = this.volatility.update(bar, close);
    c.update();
    if (this.useExpiry) this.updateExpiry(close);
    r.time = close;
    r.price = bar.close;
    r.rawScore = c.rawScore;
    r.sessionMultiplier = this.session.at(close);
    r.expiryFactor = this.useExpiry ? this.expiry : 1;
    r.score = finalScore(r.rawScore, r.sessionMultiplier, r.expiryFactor);
    r.regime = vol.regime;
    r.threshold = this.baseThreshold * vol.thresholdMultiplier;
    r.availableShare = c.availableShare;
    r.unguardedScore = c.guarded ? finalScore(c.unguardedScore, r.sessionMultiplier, r.expiryFactor) : r.score;
    return r;
  }

  /** True for a bar that is a VIX reading rather than a trade of the instrument. */
  isVixBar(bar: Bar): boolean {
    return bar.symbol === this.vixSymbol;
  }

  /** Feature values of the last bar by name (allocates: for signals and inspection). */
  featureVector(): Record<FeatureName, number> {
    return this.confluence.vector();
  }

  /** Features available at the last bar (allocates). */
  availableFeatures(): FeatureName[] {
    return this.confluence.availableNames();
  }

  /** The expiry factor changes with the Eastern date only: computed once per day. */
  private updateExpiry(time: number): void {
    const day = this.eastern.dayNumber(time);
    if (day !== this.expiryDay) {
      this.expiryDay = day;
      const f = this.expiryOf ? this.expiryOf(time) : expiryFactorOfEasternDay(day);
      this.expiry = Number.isFinite(f) && f > 0 ? f : 1;
    }
  }
}
