/**
 * The trades and L1 quotes inside one minute bar of the simulated ES market.
 *
 * Given a bar (open, high, low, close, volume and its ask/bid volume split), the tape
 * walks a price path from the open through both extremes to the close on the tick grid,
 * prints trades along it and keeps an L1 quote that every print is consistent with:
 *
 * - every trade lies in [low, high]; the high and the low are printed (volume permitting);
 * - an uptick is a buyer lifting the ask, a downtick a seller hitting the bid; a repeat
 *   print keeps the side of the last move when the volume split allows it;
 * - a buy prints at the ask and a sell at the bid of the quote published just before it;
 * - buy sizes add up to the bar's askVolume and sell sizes to its bidVolume, so the
 *   prints add up to the bar's volume; sizes have a heavy (Pareto) tail, so a 100+ lot
 *   print shows up now and then;
 * - the spread is 1 tick, sometimes 2 when the caller says the book is thin.
 *
 * Cost is bounded: a bar prints at most `maxPrints` trades; a long path is walked with
 * strides of several ticks (a sweep) rather than one print per level.
 *
 * Fallback, only for bars whose split cannot follow the tick rule (e.g. askVolume 0 on a
 * bar that rose): such a print keeps its price and the quote moves first, so a seller can
 * print on an uptick. Bars of SimulatedBars never need it.
 */
import type { Bar, Quote, TradeTick } from '../../core/types.ts';
import type { Prng } from '../../core/prng.ts';
import { MiaError } from '../../core/errors.ts';

/** Shape of the tape; constant over a session. */
export interface TapeParams {
  tickSize: number;
  /** Prints per bar are about volume / meanPrintSize (at least 2, at most maxPrints). */
  meanPrintSize: number;
  maxPrints: number;
  /** Pareto tail index of print sizes: smaller is heavier (1.2 gives occasional 100+ lots). */
  sizeTailIndex: number;
}

/** What the session around a bar looks like (RTH is deep and tight, overnight thin). */
export interface TapeConditions {
  /** Probability that a new quote shows a 2-tick spread. */
  wideSpreadProbability: number;
  /** Typical size shown at the best bid and ask, contracts. */
  topSize: number;
}

/**
 * What the tape carries from one bar to the next (mutable, owned by one generator).
 * Prices are whole ticks; NaN until the first quote exists.
 */
export interface TapeState {
  bidTicks: number;
  askTicks: number;
  /** Size still shown at the best bid and ask (what a book snapshot shows at L1). */
  bidSize: number;
  askSize: number;
  /** Price of the last print, whole ticks (NaN before the first). */
  lastTicks: number;
  /** Direction of the last non-zero price change: +1, -1, or 0 before any. */
  lastDirection: number;
  /** Short-term direction: an EWMA of signed tick changes per print. */
  momentum: number;
}

export const initialTapeState = (): TapeState => ({
  bidTicks: Number.NaN,
  askTicks: Number.NaN,
  bidSize: 0,
  askSize: 0,
  lastTicks: Number.NaN,
  lastDirection: 0,
  momentum: 0,
});

/** Lean of the book in [-1, 1] for a momentum: + means more size bid (price rising). */
export const bookLean = (momentum: number): number => Math.tanh(2 * momentum);

/** The trades of one bar and the quotes published before them, both in event-time order. */
export interface BarTape {
  trades: TradeTick[];
  quotes: Quote[];
}

/** A bar the tape cannot be built from (off the tick grid, inconsistent OHLC or split). */
export class SimulatedTapeError extends MiaError<'SIMULATED_TAPE_INVALID'> {
  override readonly name = 'SimulatedTapeError';
  constructor(
    readonly bar: Bar,
    reason: string,
  ) {
    super('SIMULATED_TAPE_INVALID', `cannot build a tape for bar ${bar.symbol}@${bar.time}: ${reason}`);
  }
}

const MINUTE = 60_000;
/** Weight of the newest tick change in the momentum EWMA. */
const MOMENTUM_ALPHA = 0.2;

/**
 * Builds the prints and quotes of `bar`, advancing `state`. Prints get strictly
 * increasing times in [bar.time, bar.time + 59_998]; a quote shares its trade's time and
 * comes first. `checkpoints` (ascending times inside the minute) are reported through
 * `onCheckpoint` once every print at or before that time has updated `state`: that is
 * where the caller snapshots the book.
 */
export function tapeForBar(
  bar: Bar,
  state: TapeState,
  rng: Prng,
  p: TapeParams,
  conditions: TapeConditions,
  checkpoints: readonly number[] = [],
  onCheckpoint: (time: number) => void = () => {},
): BarTape {
  const tick = p.tickSize;
  const o = toTicks(bar, bar.open, tick);
  const h = toTicks(bar, bar.high, tick);
  const l = toTicks(bar, bar.low, tick);
  const c = toTicks(bar, bar.close, tick);
  if (l > Math.min(o, c) || h < Math.max(o, c)) throw new SimulatedTapeError(bar, 'high/low do not contain open/close');
  const volume = bar.volume;
  if (!Number.isInteger(volume) || volume < 0) throw new SimulatedTapeError(bar, `volume ${volume} is not a whole number >= 0`);

  const trades: TradeTick[] = [];
  const quotes: Quote[] = [];
  const emitQuote = (time: number) =>
    quotes.push({
      symbol: bar.symbol,
      time,
      bid: state.bidTicks * tick,
      ask: state.askTicks * tick,
      bidSize: state.bidSize,
      askSize: state.askSize,
    });

  if (Number.isNaN(state.bidTicks)) {
    // The first bar of a session: a one-tick market just under the open.
    setQuote(state, o - 1, o, rng, conditions, 0);
    emitQuote(bar.time);
  }

  let nextCheckpoint = 0;
  const reachCheckpoints = (before: number) => {
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]! < before) onCheckpoint(checkpoints[nextCheckpoint++]!);
  };

  if (volume > 0) {
    const path = pricePath(o, h, l, c, volume, rng, p);
    const n = path.length;
    const sides = assignSides(bar, path, state, rng);
    const sizes = assignSizes(path, sides, bar, rng, p.sizeTailIndex);
    const times = printTimes(n, rng);
    for (let i = 0; i < n; i++) {
      const time = bar.time + times[i]!;
      reachCheckpoints(time);
      const price = path[i]!;
      const buy = sides[i] === 1;
      const size = sizes[i]!;
      // The quote the print hits: a buy lifts the ask, a sell hits the bid.
      if (buy ? state.askTicks !== price : state.bidTicks !== price) {
        const spread = rng.next() < conditions.wideSpreadProbability ? 2 : 1;
        if (buy) setQuote(state, price - spread, price, rng, conditions, size);
        else setQuote(state, price, price + spread, rng, conditions, size);
        emitQuote(time);
      } else if ((buy ? state.askSize : state.bidSize) < size) {
        // More size arrived at the level (refill): shown before the print that takes it.
        setQuote(state, state.bidTicks, state.askTicks, rng, conditions, size);
        emitQuote(time);
      }
      trades.push({ symbol: bar.symbol, time, price: price * tick, size, aggressor: buy ? 'buy' : 'sell' });
      if (buy) state.askSize = Math.max(1, state.askSize - size);
      else state.bidSize = Math.max(1, state.bidSize - size);
      const change = Number.isNaN(state.lastTicks) ? 0 : price - state.lastTicks;
      if (change !== 0) state.lastDirection = Math.sign(change);
      state.momentum += MOMENTUM_ALPHA * (change - state.momentum);
      state.lastTicks = price;
    }
  }
  reachCheckpoints(bar.time + MINUTE);
  return { trades, quotes };
}

function toTicks(bar: Bar, price: number, tick: number): number {
  const ticks = Math.round(price / tick);
  if (!Number.isFinite(price) || Math.abs(ticks * tick - price) > tick * 1e-6) {
    throw new SimulatedTapeError(bar, `price ${price} is not on the ${tick} tick grid`);
  }
  return ticks;
}

/** Sets the quote's prices and draws the sizes shown, leaning with the momentum; the hit side shows at least `minHit`. */
function setQuote(state: TapeState, bidTicks: number, askTicks: number, rng: Prng, conditions: TapeConditions, minHit: number): void {
  const lean = bookLean(state.momentum);
  const top = conditions.topSize;
  state.bidTicks = bidTicks;
  state.askTicks = askTicks;
  state.bidSize = Math.max(1, Math.round(top * (0.5 + rng.next()) * (1 + 0.5 * lean)));
  state.askSize = Math.max(1, Math.round(top * (0.5 + rng.next()) * (1 - 0.5 * lean)));
  // Whichever side a print of `minHit` lots takes, that side must have shown them.
  if (minHit > 0) {
    state.bidSize = Math.max(state.bidSize, minHit);
    state.askSize = Math.max(state.askSize, minHit);
  }
}

/**
 * Prices (whole ticks) of the bar's prints: open, then the first extreme, the other
 * extreme and the close. The extreme met first leans against the bar's direction (a bar
 * that closes up more often made its low first).
 */
function pricePath(o: number, h: number, l: number, c: number, volume: number, rng: Prng, p: TapeParams): number[] {
  const highFirst = rng.next() < (c > o ? 0.3 : c < o ? 0.7 : 0.5);
  const waypoints = [o];
  for (const w of highFirst ? [h, l, c] : [l, h, c]) if (w !== waypoints[waypoints.length - 1]) waypoints.push(w);
  if (volume < waypoints.length) {
    // Too few lots to print every waypoint: keep the latest ones (the open is the previous close).
    return waypoints.slice(waypoints.length - volume);
  }
  const legs = waypoints.length - 1;
  const target = Math.min(volume, Math.max(2, Math.min(p.maxPrints, Math.round(volume / p.meanPrintSize))));
  const budget = Math.max(target - 1, legs);
  let travel = 0;
  for (let k = 0; k < legs; k++) travel += Math.abs(waypoints[k + 1]! - waypoints[k]!);

  const path = [o];
  if (travel <= budget) {
    // Every level on the way, plus repeat prints scattered along the path.
    const repeats = new Int32Array(travel + 1);
    for (let r = budget - travel; r > 0; r--) repeats[Math.floor(rng.next() * (travel + 1))]!++;
    let slot = 0;
    for (let x = repeats[slot++]!; x > 0; x--) path.push(o);
    for (let k = 0; k < legs; k++) {
      const from = waypoints[k]!;
      const to = waypoints[k + 1]!;
      const dir = Math.sign(to - from);
      for (let price = from + dir; dir > 0 ? price <= to : price >= to; price += dir) {
        path.push(price);
        for (let x = repeats[slot++]!; x > 0; x--) path.push(price);
      }
    }
    return path;
  }
  // A long path: apportion the moves among the legs (at least one each), stride through levels.
  const moves = apportionMoves(waypoints, travel, budget);
  for (let k = 0; k < legs; k++) {
    const from = waypoints[k]!;
    const length = Math.abs(waypoints[k + 1]! - from);
    const dir = Math.sign(waypoints[k + 1]! - from);
    const m = moves[k]!;
    const base = Math.floor(length / m);
    const longer = length - base * m;
    let price = from;
    for (let j = 0; j < m; j++) {
      price += dir * (base + (j < longer ? 1 : 0));
      path.push(price);
    }
  }
  return path;
}

/** Splits `budget` moves among the legs by length: each leg at least 1, at most its length. */
function apportionMoves(waypoints: readonly number[], travel: number, budget: number): number[] {
  const legs = waypoints.length - 1;
  const lengths = Array.from({ length: legs }, (_, k) => Math.abs(waypoints[k + 1]! - waypoints[k]!));
  const spare = budget - legs;
  const moves = lengths.map((len) => 1 + Math.floor((spare * (len - 1)) / (travel - legs)));
  let left = budget - moves.reduce((a, b) => a + b, 0);
  for (let k = 0; left > 0; k = (k + 1) % legs) {
    if (moves[k]! < lengths[k]!) {
      moves[k]!++;
      left--;
    }
  }
  return moves;
}

/**
 * Aggressor of every print (+1 buy, -1 sell): the tick rule where the bar's split allows,
 * with as many buy prints as the share of ask volume suggests.
 */
function assignSides(bar: Bar, path: readonly number[], state: TapeState, rng: Prng): Int8Array {
  const n = path.length;
  const direction = new Int8Array(n);
  let forcedBuys = 0;
  let forcedSells = 0;
  let prev = state.lastTicks;
  for (let i = 0; i < n; i++) {
    const d = Number.isNaN(prev) ? 0 : Math.sign(path[i]! - prev);
    direction[i] = d;
    if (d > 0) forcedBuys++;
    else if (d < 0) forcedSells++;
    prev = path[i]!;
  }
  const free = n - forcedBuys - forcedSells;
  const { ask, bid } = volumeSplit(bar, forcedBuys + free / 2, n);

  // Buy prints k: each side with volume needs a print, and no print can be smaller than 1 lot.
  const feasibleLo = Math.max(ask > 0 ? 1 : 0, n - bid);
  const feasibleHi = Math.min(ask, n - (bid > 0 ? 1 : 0));
  let lo = Math.max(feasibleLo, forcedBuys);
  let hi = Math.min(feasibleHi, forcedBuys + free);
  if (lo > hi) [lo, hi] = [feasibleLo, feasibleHi];
  const buys = Math.min(hi, Math.max(lo, Math.round((n * ask) / bar.volume)));

  const sides = new Int8Array(n);
  let freeBuys = Math.max(0, Math.min(free, buys - forcedBuys));
  let freeSells = free - freeBuys;
  // Forced prints that must change side (fallback only), chosen by selection sampling.
  let flipBuys = Math.max(0, forcedBuys - buys);
  let flipSells = Math.max(0, buys - forcedBuys - free);
  let buysLeft = forcedBuys;
  let sellsLeft = forcedSells;
  let last = state.lastDirection;
  for (let i = 0; i < n; i++) {
    const d = direction[i]!;
    if (d > 0) {
      const flip = flipBuys > 0 && rng.next() * buysLeft < flipBuys;
      if (flip) flipBuys--;
      sides[i] = flip ? -1 : 1;
      buysLeft--;
      last = 1;
    } else if (d < 0) {
      const flip = flipSells > 0 && rng.next() * sellsLeft < flipSells;
      if (flip) flipSells--;
      sides[i] = flip ? 1 : -1;
      sellsLeft--;
      last = -1;
    } else {
      // A repeat print keeps the side of the last move (zero-tick rule) while quota lasts.
      const preferBuy = last > 0 || (last === 0 && rng.next() * (freeBuys + freeSells) < freeBuys);
      const buy = preferBuy ? freeBuys > 0 : freeSells === 0;
      sides[i] = buy ? 1 : -1;
      if (buy) freeBuys--;
      else freeSells--;
    }
  }
  return sides;
}

/** The bar's ask/bid volume, or (when the bar lacks it) a split in proportion to `buyPrints`. */
function volumeSplit(bar: Bar, buyPrints: number, n: number): { ask: number; bid: number } {
  const { askVolume, bidVolume, volume } = bar;
  if (askVolume === undefined && bidVolume === undefined) {
    const ask = Math.round((volume * buyPrints) / n);
    return { ask, bid: volume - ask };
  }
  const ask = askVolume ?? volume - bidVolume!;
  const bid = bidVolume ?? volume - askVolume!;
  if (!Number.isInteger(ask) || !Number.isInteger(bid) || ask < 0 || bid < 0 || ask + bid !== volume) {
    throw new SimulatedTapeError(bar, `askVolume ${askVolume} + bidVolume ${bidVolume} do not split volume ${volume}`);
  }
  return { ask, bid };
}

/** Print sizes: each side's volume split over its prints, at least 1 lot each, heavy-tailed. */
function assignSizes(path: readonly number[], sides: Int8Array, bar: Bar, rng: Prng, tailIndex: number): Int32Array {
  const n = path.length;
  let buyPrints = 0;
  for (let i = 0; i < n; i++) if (sides[i] === 1) buyPrints++;
  const { ask, bid } = volumeSplit(bar, buyPrints, n);
  const sizes = new Int32Array(n);
  splitHeavyTailed(sizes, sides, 1, ask, buyPrints, rng, tailIndex);
  splitHeavyTailed(sizes, sides, -1, bid, n - buyPrints, rng, tailIndex);
  return sizes;
}

/** Writes into `sizes` (at the prints of `side`) `count` whole sizes >= 1 adding up to `total`. */
function splitHeavyTailed(sizes: Int32Array, sides: Int8Array, side: number, total: number, count: number, rng: Prng, tailIndex: number): void {
  if (count === 0) return;
  const weights = new Float64Array(count);
  let sum = 0;
  for (let j = 0; j < count; j++) {
    // Pareto(1, tailIndex): 1 - u is in (0, 1], so every weight is finite and >= 1.
    const w = Math.pow(1 - rng.next(), -1 / tailIndex);
    weights[j] = w;
    sum += w;
  }
  const extra = total - count;
  let given = 0;
  for (let j = 0; j < count; j++) {
    const share = Math.floor((extra * weights[j]!) / sum);
    weights[j] = 1 + share;
    given += share;
  }
  // Fewer than `count` lots are left after flooring: one more each from a random start.
  const start = Math.floor(rng.next() * count);
  for (let r = extra - given, j = start; r > 0; r--, j = (j + 1) % count) weights[j]!++;
  for (let i = 0, j = 0; i < sizes.length; i++) if (sides[i] === side) sizes[i] = weights[j++]!;
}

/** Offsets (ms into the minute) of n prints: random arrivals, strictly increasing, within [0, 59_998]. */
function printTimes(n: number, rng: Prng): Int32Array {
  const gaps = new Float64Array(n + 1);
  let total = 0;
  for (let i = 0; i <= n; i++) {
    const g = -Math.log(1 - rng.next());
    gaps[i] = g;
    total += g;
  }
  const times = new Int32Array(n);
  let cumulative = 0;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    cumulative += gaps[i]!;
    // A zero draw makes a zero gap; strictly increasing times keep quote-then-trade order unambiguous.
    const t = Math.min(Math.max(Math.floor((cumulative / total) * (MINUTE - 1)), prev + 1), MINUTE - 2 - (n - 1 - i));
    times[i] = t;
    prev = t;
  }
  return times;
}
