import { describe, it, expect } from 'vitest';
import {
  SimulatedMarket,
  driveMarket,
  publishMinute,
  simulatedMarketBarSource,
  type ChainRequest,
  type MarketMinute,
  type SimulatedMarketParams,
} from '../../../adapters/simulated/simulatedMarket.ts';
import { SimulatedBars } from '../../../adapters/simulated/simulatedBars.ts';
import { MarketBus } from '../../../core/marketBus.ts';
import type { Bar, BookSnapshot, OptionChainSnapshot, Quote, TradeTick } from '../../../core/types.ts';

const MINUTE = 60_000;
const base: SimulatedMarketParams = { symbol: 'ESZ25', seed: 42, start: Date.parse('2025-11-03T14:30:00Z') };

const minutes = (p: SimulatedMarketParams, n: number): MarketMinute[] => {
  const market = new SimulatedMarket(p);
  return Array.from({ length: n }, () => market.nextMinute());
};

const onGrid = (x: number) => Number.isInteger(x * 4);

/** RTH by Chicago wall clock, computed here with Intl so the module is not its own oracle. */
const chicago = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });
const rthCache = new Map<number, boolean>();
const rthByIntl = (ms: number): boolean => {
  // Chicago offsets are whole hours and RTH edges are on half hours: one answer per half hour.
  const key = Math.floor(ms / 1_800_000);
  const known = rthCache.get(key);
  if (known !== undefined) return known;
  const p = Object.fromEntries(chicago.formatToParts(ms).map((x) => [x.type, x.value]));
  const m = Number(p.hour) * 60 + Number(p.minute);
  const rth = p.weekday !== 'Sat' && p.weekday !== 'Sun' && m >= 8 * 60 + 30 && m < 15 * 60;
  rthCache.set(key, rth);
  return rth;
};

/** Collects failed checks (plain comparisons: expect() per print would dominate the run time). */
const checker = () => {
  const failures: string[] = [];
  return {
    failures,
    check: (ok: boolean, what: () => string) => {
      if (!ok && failures.length < 5) failures.push(what());
    },
  };
};

type Published =
  | { kind: 'quote'; e: Quote }
  | { kind: 'trade'; e: TradeTick }
  | { kind: 'book'; e: BookSnapshot }
  | { kind: 'chain'; e: OptionChainSnapshot }
  | { kind: 'bar'; e: Bar };

const record = (bus: MarketBus): Published[] => {
  const out: Published[] = [];
  bus.subscribe('observer', {
    onQuote: (e) => out.push({ kind: 'quote', e }),
    onTrade: (e) => out.push({ kind: 'trade', e }),
    onBook: (e) => out.push({ kind: 'book', e }),
    onChain: (e) => out.push({ kind: 'chain', e }),
    onBar: (e) => out.push({ kind: 'bar', e }),
  });
  return out;
};

const pearson = (x: readonly number[], y: readonly number[]): number => {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
};

describe('SimulatedMarket: determinism and provenance', () => {
  it('the same seed gives the identical stream; another seed another one', () => {
    const a = minutes(base, 400);
    expect(minutes(base, 400)).toEqual(a);
    const b = minutes({ ...base, seed: 43 }, 400);
    expect(b.map((m) => m.bar.close)).not.toEqual(a.map((m) => m.bar.close));
    expect(b.map((m) => m.trades.length)).not.toEqual(a.map((m) => m.trades.length));
  });

  it('its bars are exactly those of SimulatedBars for the same parameters (a session keeps its bars)', () => {
    const bars = new SimulatedBars(base);
    for (const m of minutes(base, 1_500)) expect(m.bar).toEqual(bars.next());
  });

  it('labels everything simulated with its seed', () => {
    expect(new SimulatedMarket({ ...base, seed: 7 }).provenance).toEqual({ kind: 'simulated', seed: 7 });
  });

  it('refuses nonsense parameters with a RangeError naming them', () => {
    expect(() => new SimulatedMarket({ ...base, maxPrintsPerBar: 0 })).toThrow(/maxPrintsPerBar/);
    expect(() => new SimulatedMarket({ ...base, booksPerMinute: 1.5 })).toThrow(/booksPerMinute/);
    expect(() => new SimulatedMarket({ ...base, meanPrintSize: Number.NaN })).toThrow(/meanPrintSize/);
    expect(() => new SimulatedMarket({ ...base, basis: { initial: 70 } })).toThrow(/basis/);
    expect(() => new SimulatedMarket({ ...base, optionChain: { everyMinutes: 0, make: () => ({}) as OptionChainSnapshot } })).toThrow(/everyMinutes/);
  });
});

describe('SimulatedMarket: one minute at a time', () => {
  // From Friday afternoon over the weekend into Monday RTH: thin and busy books both.
  const mins = minutes({ ...base, start: Date.parse('2025-11-07T19:00:00Z') }, 3_000);

  it('trades: on the tick grid, inside [low, high], strictly increasing times inside the minute, whole sizes >= 1', () => {
    const { failures, check } = checker();
    for (const { bar, trades } of mins) {
      let prev = bar.time - 1;
      for (const t of trades) {
        const at = () => `${JSON.stringify(t)} in ${JSON.stringify(bar)}`;
        check(onGrid(t.price), () => `off grid ${at()}`);
        check(t.price >= bar.low && t.price <= bar.high, () => `outside [low, high] ${at()}`);
        check(t.time > prev && t.time < bar.time + MINUTE, () => `time out of order or outside the minute ${at()}`);
        check(Number.isInteger(t.size) && t.size >= 1, () => `size ${at()}`);
        check(t.symbol === bar.symbol, () => `symbol ${at()}`);
        prev = t.time;
      }
    }
    expect(failures).toEqual([]);
  });

  it('trades add up to the bar: volume, askVolume = buy prints, bidVolume = sell prints; the high, the low and the close are printed', () => {
    const { failures, check } = checker();
    for (const { bar, trades } of mins) {
      let buy = 0;
      let sell = 0;
      let high = -Infinity;
      let low = Infinity;
      for (const t of trades) {
        if (t.aggressor === 'buy') buy += t.size;
        else if (t.aggressor === 'sell') sell += t.size;
        high = Math.max(high, t.price);
        low = Math.min(low, t.price);
      }
      const at = () => JSON.stringify({ bar, buy, sell, high, low });
      check(buy + sell === bar.volume && buy === bar.askVolume && sell === bar.bidVolume, () => `volume split ${at()}`);
      check(high === bar.high && low === bar.low && trades.at(-1)?.price === bar.close, () => `extremes/close ${at()}`);
    }
    expect(failures).toEqual([]);
  });

  it('quotes: bid < ask on the grid, 1-tick spread in RTH, 2 ticks only overnight and only sometimes', () => {
    const { failures, check } = checker();
    let overnight = 0;
    let wide = 0;
    for (const { quotes } of mins) {
      for (const q of quotes) {
        const spreadTicks = (q.ask - q.bid) / 0.25;
        check(onGrid(q.bid) && onGrid(q.ask) && (spreadTicks === 1 || spreadTicks === 2), () => `prices ${JSON.stringify(q)}`);
        check([q.bidSize, q.askSize].every((s) => Number.isInteger(s) && s >= 1), () => `sizes ${JSON.stringify(q)}`);
        if (rthByIntl(q.time)) check(spreadTicks === 1, () => `wide RTH spread ${JSON.stringify(q)}`);
        else {
          overnight++;
          if (spreadTicks === 2) wide++;
        }
      }
    }
    expect(failures).toEqual([]);
    expect(overnight).toBeGreaterThan(1_000);
    expect(wide / overnight).toBeGreaterThan(0.02);
    expect(wide / overnight).toBeLessThan(0.3);
  });

  it('books: 5 levels a side, bids descending and asks ascending one tick apart, positive sizes, the last at the minute end', () => {
    const { failures, check } = checker();
    for (const { bar, books } of mins) {
      check(books.length === 4 && books.at(-1)!.time === bar.time + MINUTE - 1, () => `book times ${books.map((b) => b.time)} for ${bar.time}`);
      for (const book of books) {
        const at = () => JSON.stringify(book);
        check(book.bids.length === 5 && book.asks.length === 5, () => `depth ${at()}`);
        check(book.bids[0]!.price < book.asks[0]!.price, () => `crossed ${at()}`);
        for (let k = 1; k < book.bids.length; k++) {
          check(book.bids[k]!.price === book.bids[k - 1]!.price - 0.25 && book.asks[k]!.price === book.asks[k - 1]!.price + 0.25, () => `ladder ${at()}`);
        }
        for (const level of [...book.bids, ...book.asks]) check(Number.isInteger(level.size) && level.size >= 1, () => `size ${at()}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('SPX = ES close - basis; the basis stays in its band and drifts slowly', () => {
    const { failures, check } = checker();
    let prevBasis = Number.NaN;
    for (const m of mins) {
      const at = () => JSON.stringify({ close: m.bar.close, spx: m.spx, basis: m.basis, vix: m.vix, prevBasis });
      check(Math.abs(m.spx - (m.bar.close - m.basis)) < 1e-6, () => `spx ${at()}`);
      check(m.basis >= 20 && m.basis <= 60, () => `basis outside its band ${at()}`);
      check(Number.isNaN(prevBasis) || Math.abs(m.basis - prevBasis) < 0.25, () => `basis jumped ${at()}`);
      check(m.vix >= 9 && m.vix <= 80, () => `vix ${at()}`);
      prevBasis = m.basis;
    }
    expect(failures).toEqual([]);
  });

  it('a configured basis band is honoured', () => {
    const basis = minutes({ ...base, basis: { initial: 5, min: 0, max: 10, dailySd: 20 } }, 2_000).map((m) => m.basis);
    expect(Math.min(...basis)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...basis)).toBeLessThanOrEqual(10);
    // A wide daily move in a narrow band: the basis does roam it.
    expect(Math.max(...basis) - Math.min(...basis)).toBeGreaterThan(5);
  });
});

describe('SimulatedMarket on the bus', () => {
  const start = Date.parse('2025-11-07T19:00:00Z');

  it('publishes quotes, trades and books in event-time order, then the bar; every buy lifts the ask and every sell hits the bid of the last quote; upticks are buys, downticks sells', () => {
    const bus = new MarketBus();
    const events = record(bus);
    driveMarket(bus, new SimulatedMarket({ ...base, start }), 2_000);
    const { failures, check } = checker();
    let quote: Quote | undefined;
    let lastTrade: TradeTick | undefined;
    let minuteStart = Number.NaN;
    let lastTime = -Infinity;
    let bars = 0;
    let inside = 0;
    for (const ev of events) {
      if (ev.kind === 'bar') {
        // The bar's time is its open; it comes after everything inside its minute.
        check(inside > 0 && ev.e.time === minuteStart, () => `bar ${ev.e.time} after ${inside} events of minute ${minuteStart}`);
        bars++;
        inside = 0;
        minuteStart = Number.NaN;
        continue;
      }
      const time = ev.e.time;
      if (Number.isNaN(minuteStart)) minuteStart = Math.floor(time / MINUTE) * MINUTE;
      check(time >= lastTime && time < minuteStart + MINUTE, () => `${ev.kind} at ${time} after ${lastTime} in minute ${minuteStart}`);
      lastTime = time;
      inside++;
      if (ev.kind === 'quote') quote = ev.e;
      if (ev.kind === 'book') {
        check(ev.e.bids[0]!.price === quote!.bid && ev.e.asks[0]!.price === quote!.ask, () => `book L1 differs from quote ${JSON.stringify({ book: ev.e, quote })}`);
      }
      if (ev.kind === 'trade') {
        const t = ev.e;
        const at = () => JSON.stringify({ trade: t, quote, lastTrade });
        if (t.aggressor === 'buy') check(t.price === quote!.ask && quote!.askSize >= t.size, () => `buy not at the ask ${at()}`);
        else check(t.aggressor === 'sell' && t.price === quote!.bid && quote!.bidSize >= t.size, () => `sell not at the bid ${at()}`);
        if (lastTrade && t.price > lastTrade.price) check(t.aggressor === 'buy', () => `uptick sold ${at()}`);
        if (lastTrade && t.price < lastTrade.price) check(t.aggressor === 'sell', () => `downtick bought ${at()}`);
        lastTrade = t;
      }
    }
    expect(failures).toEqual([]);
    expect(bars).toBe(2_000);
  });

  it('the bar source publishes the inside of each minute and returns the bar for the caller to publish', () => {
    const bus = new MarketBus();
    const events = record(bus);
    const seen: MarketMinute[] = [];
    const source = simulatedMarketBarSource(new SimulatedMarket(base), bus, (m) => seen.push(m));
    const bars = new SimulatedBars(base);
    for (let i = 0; i < 50; i++) {
      const before = events.length;
      const bar = source.next();
      expect(bar).toEqual(bars.next());
      expect(events.slice(before).some((e) => e.kind === 'bar')).toBe(false);
      expect(events.length - before).toBe(seen[i]!.trades.length + seen[i]!.quotes.length + seen[i]!.books.length);
    }
  });

  it('a plugged-in chain generator runs every N minutes on SPX and VIX, and its chain is published before the bar', () => {
    const requests: ChainRequest[] = [];
    const market = new SimulatedMarket({
      ...base,
      optionChain: {
        everyMinutes: 15,
        make: (r) => {
          requests.push(r);
          return { underlying: 'SPX', time: r.time, spot: r.spot, contracts: [], provenance: { kind: 'simulated', seed: 42 } };
        },
      },
    });
    const bus = new MarketBus();
    const events = record(bus);
    const mins: MarketMinute[] = [];
    for (let i = 0; i < 60; i++) {
      const m = market.nextMinute();
      mins.push(m);
      publishMinute(bus, m);
    }
    expect(mins.map((m, i) => (m.chain ? i : -1)).filter((i) => i >= 0)).toEqual([0, 15, 30, 45]);
    expect(requests).toEqual([0, 15, 30, 45].map((i) => ({ time: mins[i]!.bar.time + MINUTE - 1, spot: mins[i]!.spx, vix: mins[i]!.vix })));
    const kinds = events.map((e) => e.kind);
    const firstChain = kinds.indexOf('chain');
    expect(kinds[firstChain + 1]).toBe('bar');
    expect(kinds.slice(0, firstChain)).not.toContain('bar');
  });
});

describe('SimulatedMarket: statistics over 20,000 minutes', () => {
  const mins = minutes({ ...base, seed: 2_025 }, 20_000);

  it('volatility clusters: |returns| are autocorrelated, even after removing the time-of-day profile', () => {
    const abs = mins.slice(1).map((m, i) => Math.abs(m.bar.close - mins[i]!.bar.close));
    const lag1 = (x: number[]) => pearson(x.slice(0, -1), x.slice(1));
    expect(lag1(abs)).toBeGreaterThan(0.1);
    // Divide by the mean |return| of the same UTC half hour of day: what is left is clustering.
    const bucket = (ms: number) => Math.floor((ms % 86_400_000) / 1_800_000);
    const sums = new Map<number, { s: number; n: number }>();
    mins.slice(1).forEach((m, i) => {
      const b = sums.get(bucket(m.bar.time)) ?? { s: 0, n: 0 };
      b.s += abs[i]!;
      b.n++;
      sums.set(bucket(m.bar.time), b);
    });
    const normalised = mins.slice(1).map((m, i) => {
      const b = sums.get(bucket(m.bar.time))!;
      return abs[i]! / (b.s / b.n || 1);
    });
    expect(lag1(normalised)).toBeGreaterThan(0.05);
  });

  it('RTH is busier than overnight: more volume, more prints and deeper books per minute', () => {
    const stats = { rth: { n: 0, volume: 0, prints: 0, depth: 0 }, night: { n: 0, volume: 0, prints: 0, depth: 0 } };
    for (const m of mins) {
      const s = rthByIntl(m.bar.time) ? stats.rth : stats.night;
      s.n++;
      s.volume += m.bar.volume;
      s.prints += m.trades.length;
      const book = m.books.at(-1)!;
      s.depth += [...book.bids, ...book.asks].reduce((a, l) => a + l.size, 0);
    }
    expect(stats.rth.n).toBeGreaterThan(3_000);
    expect(stats.night.n).toBeGreaterThan(3_000);
    const per = (s: { n: number; volume: number; prints: number; depth: number }) => ({ volume: s.volume / s.n, prints: s.prints / s.n, depth: s.depth / s.n });
    const rth = per(stats.rth);
    const night = per(stats.night);
    expect(rth.volume).toBeGreaterThan(2 * night.volume);
    expect(rth.prints).toBeGreaterThan(2 * night.prints);
    expect(rth.depth).toBeGreaterThan(2 * night.depth);
  });

  it('print sizes are heavy-tailed: mostly small, with occasional 100+ lot prints', () => {
    const sizes = mins.flatMap((m) => m.trades.map((t) => t.size)).sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)]!;
    const big = sizes.filter((s) => s >= 100).length / sizes.length;
    expect(median).toBeLessThan(20);
    expect(big).toBeGreaterThan(0.001);
    expect(big).toBeLessThan(0.1);
    // Heavy tail: the largest prints are far above the median.
    expect(sizes[Math.floor(sizes.length * 0.999)]!).toBeGreaterThan(20 * median);
  });

  it('the book leans with the short-term direction: bids heavier after a rising minute, asks after a falling one', () => {
    const imbalance: number[] = [];
    const move: number[] = [];
    for (const m of mins) {
      const book = m.books.at(-1)!;
      const bid = book.bids.reduce((a, l) => a + l.size, 0);
      const ask = book.asks.reduce((a, l) => a + l.size, 0);
      imbalance.push((bid - ask) / (bid + ask));
      // The last few prints of the minute: the direction the book has just seen.
      const tail = m.trades.slice(-5);
      move.push(tail.length > 1 ? tail.at(-1)!.price - tail[0]!.price : 0);
    }
    expect(pearson(imbalance, move)).toBeGreaterThan(0.3);
  });

  it('VIX follows the realised volatility of the path, at plausible levels', () => {
    // Trailing 4-hour realised |return|, per-minute: VIX should move with it.
    const window = 240;
    const realised: number[] = [];
    const vix: number[] = [];
    let sum = 0;
    const abs = mins.map((m, i) => (i === 0 ? 0 : Math.abs(m.bar.close - mins[i - 1]!.bar.close)));
    abs.forEach((a, i) => {
      sum += a - (i >= window ? abs[i - window]! : 0);
      if (i >= 2 * window) {
        realised.push(sum / window);
        vix.push(mins[i]!.vix);
      }
    });
    expect(pearson(vix, realised)).toBeGreaterThan(0.3);
    const sorted = [...vix].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeGreaterThan(10);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeLessThan(25);
    expect(sorted.at(-1)! - sorted[0]!).toBeGreaterThan(3);
  });
});
