import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SimulatedTapeError, initialTapeState, tapeForBar, type TapeConditions, type TapeParams } from '../../../adapters/simulated/simulatedTape.ts';
import { Prng } from '../../../core/prng.ts';
import type { Bar, Quote } from '../../../core/types.ts';

const params: TapeParams = { tickSize: 0.25, meanPrintSize: 20, maxPrints: 48, sizeTailIndex: 1.2 };
const thin: TapeConditions = { wideSpreadProbability: 0.3, topSize: 30 };
const T0 = Date.parse('2025-11-04T15:00:00Z');

/** Any bar on the tick grid: OHLC consistent, any volume, any split (or none). */
const anyBar = fc
  .record({
    a: fc.integer({ min: 20_000, max: 24_000 }),
    b: fc.integer({ min: 20_000, max: 24_000 }),
    up: fc.nat(200),
    down: fc.nat(200),
    volume: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 20_000 })),
    askShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  })
  .map(({ a, b, up, down, volume, askShare }): Bar => {
    const high = Math.max(a, b) + up;
    const low = Math.min(a, b) - down;
    const bar: Bar = { symbol: 'ES', time: T0, open: a * 0.25, high: high * 0.25, low: low * 0.25, close: b * 0.25, volume };
    if (askShare !== undefined) {
      bar.askVolume = Math.round(volume * askShare);
      bar.bidVolume = volume - bar.askVolume;
    }
    return bar;
  });

/** Every invariant of one bar's tape; returns the violations. */
function tapeViolations(bar: Bar, seed: number, previousClose: number | null): string[] {
  const state = initialTapeState();
  const rng = new Prng(seed);
  let standing: Quote | undefined;
  if (previousClose !== null) {
    // A tape that already printed: its last price and quote at the previous close stand.
    standing = tapeForBar({ symbol: 'ES', time: T0 - 60_000, open: previousClose, high: previousClose, low: previousClose, close: previousClose, volume: 3 }, state, rng, params, thin).quotes.at(-1);
  }
  const lastBefore = Number.isNaN(state.lastTicks) ? null : state.lastTicks * 0.25;
  const checkpoints = [T0 + 29_999, T0 + 59_999];
  const seen: number[] = [];
  const { trades, quotes } = tapeForBar(bar, state, rng, params, thin, checkpoints, (t) => seen.push(t));
  const out: string[] = [];
  const bad = (what: string) => out.push(what);
  if (seen.join() !== checkpoints.join()) bad(`checkpoints ${seen}`);
  const volume = trades.reduce((a, t) => a + t.size, 0);
  const buys = trades.filter((t) => t.aggressor === 'buy').reduce((a, t) => a + t.size, 0);
  if (volume !== bar.volume) bad(`sizes add up to ${volume}, not ${bar.volume}`);
  if (bar.askVolume !== undefined && buys !== bar.askVolume) bad(`buys ${buys} != askVolume ${bar.askVolume}`);
  if (trades.length > Math.max(params.maxPrints, 4)) bad(`${trades.length} prints`);
  if (bar.volume >= 4) {
    // Volume permitting, the bar's extremes and close are printed.
    const prices = trades.map((t) => t.price);
    if (Math.max(...prices) !== bar.high || Math.min(...prices) !== bar.low) bad('extremes not printed');
    if (prices.at(-1) !== bar.close) bad('last print is not the close');
  }
  // Walk quotes and trades in publish order (a quote precedes the trade at its time).
  let q = 0;
  let quote = standing;
  let prevTime = T0 - 1;
  let prevPrice = lastBefore;
  let tickRuleBreaks = 0;
  for (const t of trades) {
    while (q < quotes.length && quotes[q]!.time <= t.time) quote = quotes[q++];
    if (!quote || quote.time > t.time) {
      bad(`no quote before ${JSON.stringify(t)}`);
      break;
    }
    if (!(t.time > prevTime && t.time < T0 + 59_999)) bad(`time ${t.time - T0}`);
    if (!(Number.isInteger(t.size) && t.size >= 1)) bad(`size ${t.size}`);
    if (t.price < bar.low || t.price > bar.high || !Number.isInteger(t.price * 4)) bad(`price ${t.price}`);
    if (t.aggressor === 'buy' ? t.price !== quote.ask : t.price !== quote.bid) bad(`${t.aggressor} at ${t.price} vs ${quote.bid}/${quote.ask}`);
    if (prevPrice !== null && Math.sign(t.price - prevPrice) === (t.aggressor === 'buy' ? -1 : 1)) tickRuleBreaks++;
    prevTime = t.time;
    prevPrice = t.price;
  }
  for (const qq of quotes) if (!(qq.bid < qq.ask)) bad(`crossed quote ${JSON.stringify(qq)}`);
  // The tick rule bends only when the split leaves no volume for the side it asks for.
  if (tickRuleBreaks > 0 && bar.askVolume !== undefined) {
    const upMoves = trades.filter((t, i) => t.price > (i === 0 ? (lastBefore ?? t.price) : trades[i - 1]!.price)).length;
    const downMoves = trades.filter((t, i) => t.price < (i === 0 ? (lastBefore ?? t.price) : trades[i - 1]!.price)).length;
    const n = trades.length;
    const ask = bar.askVolume;
    const bid = bar.bidVolume!;
    const needed = upMoves > ask || downMoves > bid || (bid > 0 && upMoves === n) || (ask > 0 && downMoves === n);
    if (!needed) bad(`tick rule broken ${tickRuleBreaks}x without need`);
  }
  return out;
}

describe('tapeForBar', () => {
  it('property: for any bar, prints add up to the volume and its split, stay in [low, high] on the grid, hit the quote, in time order', () => {
    fc.assert(
      fc.property(anyBar, fc.integer({ min: 0, max: 0xffffffff }), fc.option(fc.integer({ min: 20_000, max: 24_000 }), { nil: null }), (bar, seed, prev) => {
        expect(tapeViolations(bar, seed, prev === null ? null : prev * 0.25)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('a quiet bar (O = H = L = C) still prints its volume at one price, split between buyers and sellers', () => {
    const bar: Bar = { symbol: 'ES', time: T0, open: 6000, high: 6000, low: 6000, close: 6000, volume: 100, askVolume: 60, bidVolume: 40 };
    const { trades } = tapeForBar(bar, initialTapeState(), new Prng(1), params, thin);
    expect(new Set(trades.map((t) => t.price))).toEqual(new Set([6000]));
    expect(trades.filter((t) => t.aggressor === 'buy').reduce((a, t) => a + t.size, 0)).toBe(60);
    expect(trades.filter((t) => t.aggressor === 'sell').reduce((a, t) => a + t.size, 0)).toBe(40);
  });

  it('a bar with no volume prints nothing but still reaches its checkpoints', () => {
    const seen: number[] = [];
    const bar: Bar = { symbol: 'ES', time: T0, open: 6000, high: 6001, low: 5999, close: 6000, volume: 0 };
    const { trades, quotes } = tapeForBar(bar, initialTapeState(), new Prng(1), params, thin, [T0 + 59_999], (t) => seen.push(t));
    expect(trades).toEqual([]);
    expect(quotes).toHaveLength(1); // the opening quote of a fresh tape
    expect(seen).toEqual([T0 + 59_999]);
  });

  it('refuses malformed bars with a typed error naming the problem', () => {
    const ok: Bar = { symbol: 'ES', time: T0, open: 6000, high: 6001, low: 5999, close: 6000, volume: 10, askVolume: 5, bidVolume: 5 };
    const tape = (bar: Bar) => () => tapeForBar(bar, initialTapeState(), new Prng(1), params, thin);
    expect(tape({ ...ok, high: 6000.1 })).toThrow(SimulatedTapeError);
    expect(tape({ ...ok, high: 6000.1 })).toThrow(/tick grid/);
    expect(tape({ ...ok, low: 6000.5 })).toThrow(/high\/low/);
    expect(tape({ ...ok, volume: 2.5 })).toThrow(/volume/);
    expect(tape({ ...ok, askVolume: 7 })).toThrow(/split/);
    expect(tape({ ...ok, open: Number.NaN })).toThrow(SimulatedTapeError);
  });
});
