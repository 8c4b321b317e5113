/**
 * The simulated ES market, the embedded default of `npm start`: per minute, the bar of
 * the seeded ES path (SimulatedBars: volatility clustering, intraday seasonality, Globex
 * hours) plus what happened inside it: trades with aggressor side and heavy-tailed sizes,
 * L1 quotes with sizes, 5-level book snapshots leaning with the short-term direction, the
 * SPX and VIX levels, and (when a chain generator is plugged in) an SPX option chain.
 *
 * Deterministic: the same parameters give the same stream, minute for minute. The bars are
 * exactly those of SimulatedBars for the same seed (microstructure draws from its own
 * generator), so switching a session to this market changes none of its bars.
 * Everything it makes is `{ kind: 'simulated', seed }`.
 *
 * Other symbols never go on the bus as bars: SPX and VIX are fields of MarketMinute.
 *
 * Wiring into a session (session/session.ts): build the market with the parameters the
 * SimulatedBars source had, and hand the market-data actor
 * `simulatedMarketBarSource(market, bus)` as its BarSource: every `next()` publishes the
 * minute's quotes, trades, books (and chain) on the bus and returns the bar, which the
 * actor publishes after them.
 */
import type { Bar, BookSnapshot, OptionChainSnapshot, Provenance, Quote, TradeTick } from '../../core/types.ts';
import type { MarketBus } from '../../core/marketBus.ts';
import { Prng } from '../../core/prng.ts';
import { isRth } from '../../core/tradingDay.ts';
import { SimulatedBars, type SimulatedBarsParams } from './simulatedBars.ts';
import { initialTapeState, tapeForBar, type TapeConditions, type TapeParams, type TapeState } from './simulatedTape.ts';
import { depthSnapshot } from './simulatedDepth.ts';
import { SimulatedIndexes, defaultBasisParams, defaultVixParams, type BasisParams, type VixParams } from './simulatedIndexes.ts';

const MINUTE = 60_000;
const HALF_HOUR = 1_800_000;

/** What a chain generator is given: SPX and VIX at the minute's close. */
export interface ChainRequest {
  time: number;
  spot: number;
  vix: number;
}

export interface SimulatedMarketParams extends SimulatedBarsParams {
  /** ES - SPX basis: start and band, points (default 40 in [20, 60]). */
  basis?: Partial<BasisParams>;
  /** VIX level of an average-volatility path, and its clamp (default 16 in [9, 80]). */
  vix?: Partial<VixParams>;
  /** Cap on trades per bar (default 48): keeps a busy session cheap. */
  maxPrintsPerBar?: number;
  /** Average print size aimed at, contracts (default 20). */
  meanPrintSize?: number;
  /** Book snapshots per minute, evenly spaced, the last at the minute's end (default 4). */
  booksPerMinute?: number;
  /** Levels per side in a book snapshot (default 5). */
  bookLevels?: number;
  /** An SPX option chain every `everyMinutes` minutes (from the first), made by `make`. */
  optionChain?: { everyMinutes: number; make(request: ChainRequest): OptionChainSnapshot };
}

/** One simulated minute: the bar and everything that happened inside it. */
export interface MarketMinute {
  /** The ES bar; `time` is its open. */
  bar: Bar;
  /** Prints in event-time order, strictly increasing times inside the minute. */
  trades: TradeTick[];
  /** L1 quotes in event-time order; a quote shares its trade's time and precedes it. */
  quotes: Quote[];
  /** Book snapshots in time order; the last one is at the minute's end (bar.time + 59_999). */
  books: BookSnapshot[];
  /** SPX index at the minute's close (ES close - basis). */
  spx: number;
  /** VIX at the minute's close. */
  vix: number;
  /** ES - SPX at the minute's close, points. */
  basis: number;
  /** An SPX option chain at bar.time + 59_999, on the minutes the chain generator runs. */
  chain?: OptionChainSnapshot;
}

/** Decorrelates the microstructure draws from the bar path's generator (same seed). */
const microstructureSeed = (seed: number): number => (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ 0x9e3779b9) >>> 0;

const RTH_CONDITIONS: TapeConditions = { wideSpreadProbability: 0, topSize: 200 };
const OVERNIGHT_CONDITIONS: TapeConditions = { wideSpreadProbability: 0.1, topSize: 30 };

export class SimulatedMarket {
  readonly provenance: Provenance;
  private readonly bars: SimulatedBars;
  private readonly rng: Prng;
  private readonly tape: TapeState = initialTapeState();
  private readonly tapeParams: TapeParams;
  private readonly indexes: SimulatedIndexes;
  private readonly booksPerMinute: number;
  private readonly bookLevels: number;
  private readonly tickSize: number;
  private minutes = 0;
  private sessionKey = Number.NaN;
  private rth = false;

  constructor(private readonly p: SimulatedMarketParams) {
    const positiveInt = (name: string, v: number | undefined, fallback: number): number => {
      const value = v ?? fallback;
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`SimulatedMarket ${name} must be a whole number >= 1, got ${value}`);
      return value;
    };
    this.bars = new SimulatedBars(p);
    this.rng = new Prng(microstructureSeed(p.seed));
    this.provenance = { kind: 'simulated', seed: p.seed };
    this.tickSize = p.tickSize ?? 0.25;
    this.tapeParams = {
      tickSize: this.tickSize,
      maxPrints: positiveInt('maxPrintsPerBar', p.maxPrintsPerBar, 48),
      meanPrintSize: p.meanPrintSize ?? 20,
      sizeTailIndex: 1.2,
    };
    if (!(this.tapeParams.meanPrintSize >= 1)) throw new RangeError(`SimulatedMarket meanPrintSize must be >= 1, got ${p.meanPrintSize}`);
    this.booksPerMinute = positiveInt('booksPerMinute', p.booksPerMinute, 4);
    this.bookLevels = positiveInt('bookLevels', p.bookLevels, 5);
    if (p.optionChain) positiveInt('optionChain.everyMinutes', p.optionChain.everyMinutes, 1);
    this.indexes = new SimulatedIndexes(this.rng, { ...defaultBasisParams, ...p.basis }, { ...defaultVixParams, ...p.vix });
  }

  /** The next minute of the market (inside Globex hours; the break and weekends are skipped). */
  nextMinute(): MarketMinute {
    const bar = this.bars.next();
    const rth = this.isRth(bar.time);
    const conditions = rth ? RTH_CONDITIONS : OVERNIGHT_CONDITIONS;
    const books: BookSnapshot[] = [];
    const checkpoints: number[] = [];
    for (let j = 1; j <= this.booksPerMinute; j++) checkpoints.push(bar.time + Math.floor((j * MINUTE) / this.booksPerMinute) - 1);
    const { trades, quotes } = tapeForBar(bar, this.tape, this.rng, this.tapeParams, conditions, checkpoints, (time) =>
      books.push(depthSnapshot(bar.symbol, time, this.tape, this.tickSize, conditions, this.rng, this.bookLevels)),
    );
    const { spx, vix, basis } = this.indexes.next(bar.close, rth);
    const minute: MarketMinute = { bar, trades, quotes, books, spx, vix, basis };
    const chain = this.p.optionChain;
    if (chain && this.minutes % chain.everyMinutes === 0) minute.chain = chain.make({ time: bar.time + MINUTE - 1, spot: spx, vix });
    this.minutes++;
    return minute;
  }

  /** RTH or not, computed once per half hour of event time (Chicago offsets are whole hours). */
  private isRth(time: number): boolean {
    const key = Math.floor(time / HALF_HOUR);
    if (key !== this.sessionKey) {
      this.sessionKey = key;
      this.rth = isRth(time);
    }
    return this.rth;
  }
}

/**
 * Publishes what happened inside a minute, in event-time order: at one time a quote comes
 * before its trade and a book snapshot after both; then the option chain, if any. Not the
 * bar: see publishMinute.
 */
export function publishMinuteInside(bus: MarketBus, minute: MarketMinute): void {
  const { quotes, trades, books } = minute;
  let q = 0;
  let t = 0;
  let b = 0;
  while (q < quotes.length || t < trades.length || b < books.length) {
    const qt = q < quotes.length ? quotes[q]!.time : Infinity;
    const tt = t < trades.length ? trades[t]!.time : Infinity;
    const bt = b < books.length ? books[b]!.time : Infinity;
    if (qt <= tt && qt <= bt) bus.publishQuote(quotes[q++]!);
    else if (tt <= bt) bus.publishTrade(trades[t++]!);
    else bus.publishBook(books[b++]!);
  }
  if (minute.chain) bus.publishChain(minute.chain);
}

/** Publishes a whole minute: everything inside it, then its bar (the bar's `time` is its open). */
export function publishMinute(bus: MarketBus, minute: MarketMinute): void {
  publishMinuteInside(bus, minute);
  bus.publishBar(minute.bar);
}

/**
 * A BarSource (actors/marketDataActor.ts) over the market: each `next()` publishes the
 * inside of the next minute on `bus` and returns its bar for the caller to publish.
 * `onMinute` sees every minute first (recorders, SPX/VIX consumers).
 */
export function simulatedMarketBarSource(
  market: SimulatedMarket,
  bus: MarketBus,
  onMinute?: (minute: MarketMinute) => void,
): { next(): Bar } {
  return {
    next() {
      const minute = market.nextMinute();
      onMinute?.(minute);
      publishMinuteInside(bus, minute);
      return minute.bar;
    },
  };
}

/** Publishes `minutes` whole minutes of `market` on `bus` (tests, tools, standalone runs). */
export function driveMarket(bus: MarketBus, market: SimulatedMarket, minutes: number): void {
  for (let i = 0; i < minutes; i++) publishMinute(bus, market.nextMinute());
}
