import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { optionTick, simulateOptionChain, simulatedImpliedVol, simulatedOptionChainMaker } from '../../../adapters/simulated/simulatedOptionChain.ts';
import { computeGammaLevels } from '../../../strategy/gamma/computeGammaLevels.ts';
import { SimulatedMarket } from '../../../adapters/simulated/simulatedMarket.ts';
import { yearsToExpiry, type SettledOptionContract } from '../../../strategy/gamma/timeToExpiry.ts';

/** Wednesday 2024-01-10 10:00 ET. */
const WED_10AM = Date.parse('2024-01-10T15:00:00Z');
const R = 0.04;
const Q = 0.015;
const request = { time: WED_10AM, spot: 4731.4, vix: 14 };
const chain = simulateOptionChain(request, { seed: 7 });
const contracts = chain.contracts as SettledOptionContract[];

describe('simulated SPX option chain', () => {
  it('lists 0DTE, dailies, weeklies and the monthly (AM and PM), strikes every 5 points around spot', () => {
    const expiries = [...new Set(contracts.map((c) => `${c.expiry} ${c.settlement}`))];
    expect(expiries).toEqual([
      '2024-01-10 pm', '2024-01-11 pm', '2024-01-12 pm', '2024-01-15 pm', '2024-01-16 pm',
      '2024-01-19 am', '2024-01-19 pm', '2024-01-26 pm', '2024-02-02 pm', '2024-02-16 am', '2024-02-16 pm',
    ]);
    const strikes = [...new Set(contracts.map((c) => c.strike))].sort((a, b) => a - b);
    expect(strikes[0]).toBe(4260);
    expect(strikes.at(-1)).toBe(5200);
    for (let i = 1; i < strikes.length; i++) expect(strikes[i]! - strikes[i - 1]!).toBe(5);
    expect(chain.provenance).toEqual({ kind: 'simulated', seed: 7 });
    expect(chain).toMatchObject({ underlying: 'SPX', time: WED_10AM, spot: 4731.4 });
  });

  it('drops what has settled: after 09:30 on a monthly day the AM contract is gone, after 16:00 the 0DTE', () => {
    const friday = simulateOptionChain({ ...request, time: Date.parse('2024-01-19T15:00:00Z') }, { seed: 7 });
    const on19 = new Set(friday.contracts.filter((c) => c.expiry === '2024-01-19').map((c) => (c as SettledOptionContract).settlement));
    expect(on19).toEqual(new Set(['pm']));
    const evening = simulateOptionChain({ ...request, time: Date.parse('2024-01-10T21:30:00Z') }, { seed: 7 });
    expect(evening.contracts.some((c) => c.expiry === '2024-01-10')).toBe(false);
  });

  it('satisfies put-call parity within rounding, at every strike and expiry', () => {
    const byKey = new Map<string, SettledOptionContract[]>();
    for (const c of contracts) {
      const key = `${c.expiry}|${c.settlement}|${c.strike}`;
      byKey.set(key, [...(byKey.get(key) ?? []), c]);
    }
    let checked = 0;
    for (const pair of byKey.values()) {
      const call = pair.find((c) => c.right === 'call')!;
      const put = pair.find((c) => c.right === 'put')!;
      const years = yearsToExpiry(chain.time, call.expiry, call.settlement, 1e-12)!;
      const parity = chain.spot * Math.exp(-Q * years) - call.strike * Math.exp(-R * years);
      // Each last price is its model price rounded to its tick: half a tick each at most.
      const rounding = (optionTick(call.last!) + optionTick(put.last!)) / 2 + 1e-9;
      expect(Math.abs(call.last! - put.last! - parity)).toBeLessThanOrEqual(rounding);
      expect(call.iv).toBe(put.iv);
      expect(call.bid!).toBeLessThanOrEqual(call.last!);
      expect(call.ask!).toBeGreaterThanOrEqual(call.last!);
      checked++;
    }
    expect(checked).toBe(contracts.length / 2);
  });

  it('has positive gamma, deltas in range, and IV rising toward low strikes (skew) scaled by the VIX', () => {
    for (const c of contracts) {
      expect(c.gamma!).toBeGreaterThanOrEqual(0);
      expect(c.openInterest).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(c.openInterest)).toBe(true);
      if (c.right === 'call') expect(c.delta!).toBeGreaterThanOrEqual(0);
      else expect(c.delta!).toBeLessThanOrEqual(0);
    }
    const near = contracts.filter((c) => Math.abs(c.strike - request.spot) < 50);
    expect(near.every((c) => c.gamma! > 0)).toBe(true);
    const monthly = contracts.filter((c) => c.expiry === '2024-01-19' && c.settlement === 'pm' && c.right === 'put');
    const ivAt = (k: number) => monthly.find((c) => c.strike === k)!.iv!;
    expect(ivAt(4400)).toBeGreaterThan(ivAt(4600));
    expect(ivAt(4600)).toBeGreaterThan(ivAt(4730));
    expect(ivAt(4730)).toBeGreaterThan(ivAt(4850));
    fc.assert(
      fc.property(fc.double({ min: 9, max: 80, noNaN: true }), fc.double({ min: 1 / 365, max: 1, noNaN: true }), fc.double({ min: 0.8, max: 1.2, noNaN: true }), (vix, years, m) => {
        const low = simulatedImpliedVol(4700, 4700 * m * 0.95, years, vix);
        const high = simulatedImpliedVol(4700, 4700 * m, years, vix);
        expect(low).toBeGreaterThan(0);
        expect(simulatedImpliedVol(4700, 4700 * m, years, vix * 1.5)).toBeGreaterThan(high);
        // The skew flattens only where moneyness is clamped, far in the wings.
        if (m < 1.05) expect(low).toBeGreaterThanOrEqual(high);
      }),
    );
  });

  it('puts more open interest at round strikes and near the money', () => {
    // Each round-100 strike against its two neighbours 5 points away, over every expiry and side.
    const oi = new Map(contracts.map((c) => [`${c.expiry}|${c.settlement}|${c.right}|${c.strike}`, c.openInterest]));
    let round = 0;
    let neighbours = 0;
    for (const c of contracts.filter((x) => x.strike % 100 === 0)) {
      const key = (k: number) => `${c.expiry}|${c.settlement}|${c.right}|${k}`;
      const [lo, hi] = [oi.get(key(c.strike - 5)), oi.get(key(c.strike + 5))];
      if (lo === undefined || hi === undefined) continue;
      round += c.openInterest;
      neighbours += (lo + hi) / 2;
    }
    expect(round).toBeGreaterThan(2.5 * neighbours);
    const mean = (xs: SettledOptionContract[]) => xs.reduce((s, c) => s + c.openInterest, 0) / xs.length;
    const puts = contracts.filter((c) => c.right === 'put' && c.expiry === '2024-01-26');
    expect(mean(puts.filter((c) => Math.abs(c.strike - 4700) <= 50))).toBeGreaterThan(2 * mean(puts.filter((c) => c.strike < 4400)));
  });

  it('is deterministic per seed, and the maker holds open interest through the day', () => {
    expect(simulateOptionChain(request, { seed: 7 })).toEqual(chain);
    expect(simulateOptionChain(request, { seed: 8 }).contracts.map((c) => c.openInterest)).not.toEqual(contracts.map((c) => c.openInterest));
    const make = simulatedOptionChainMaker({ seed: 7, dailyExpiries: 1, weeklyExpiries: 1, monthlyExpiries: 1 });
    const first = make(request);
    const later = make({ time: WED_10AM + 3_600_000, spot: 4760, vix: 15 });
    const oi = (c: { contracts: SettledOptionContract[] }, k: number) => c.contracts.find((x) => x.strike === k && x.right === 'call' && x.expiry === '2024-01-19')!.openInterest;
    expect(oi(later as never, 4700)).toBe(oi(first as never, 4700));
    expect(later.contracts.find((c) => c.strike === 4760)!.iv).not.toBe(first.contracts.find((c) => c.strike === 4760)!.iv);
    expect(() => simulateOptionChain({ ...request, vix: 0 }, { seed: 1 })).toThrow(/vix/);
    expect(() => simulateOptionChain(request, { seed: 1, strikeStep: -5 })).toThrow(/strikeStep/);
  });

  it('feeds the gamma pipeline, which finds walls at round strikes and a zero-gamma level', () => {
    const a = computeGammaLevels(chain, { esPrice: request.spot + 40 });
    expect(a.counts).toMatchObject({ used: contracts.length - a.counts.zeroOpenInterest, noGreeks: 0, gammaFromIv: 0 });
    expect(a.levels.callWall).not.toBeNull();
    expect(a.levels.putWall).not.toBeNull();
    expect(a.levels.callWall! % 50).toBe(0);
    expect(a.levels.putWall! % 50).toBe(0);
    expect(a.levels.putWall!).toBeLessThanOrEqual(a.levels.callWall!);
    expect(a.levels.zeroGamma).not.toBeNull();
    expect(a.levels.es!.callWall).toBeCloseTo(a.levels.callWall! + 40, 9);
  });

  it('plugs into the simulated market: chains at the minute\'s SPX, with IV scaled by its VIX', () => {
    const market = new SimulatedMarket({
      symbol: 'ES',
      seed: 3,
      start: Date.parse('2024-01-10T15:00:00Z'),
      startPrice: 4770,
      optionChain: { everyMinutes: 30, make: simulatedOptionChainMaker({ seed: 3, dailyExpiries: 2, weeklyExpiries: 1, monthlyExpiries: 1 }) },
    });
    const withChain = Array.from({ length: 61 }, () => market.nextMinute()).filter((m) => m.chain);
    expect(withChain).toHaveLength(3);
    for (const m of withChain) {
      const c = m.chain!;
      expect(c.spot).toBe(m.spx);
      expect(c.provenance).toEqual({ kind: 'simulated', seed: 3 });
      // The monthly at the money: IV a little under the VIX (within the skew's reach).
      const atm = c.contracts.filter((x) => x.expiry === '2024-01-19' && Math.abs(x.strike - m.spx) <= 2.5);
      for (const x of atm) expect(x.iv! / (m.vix / 100)).toBeGreaterThan(0.85);
      for (const x of atm) expect(x.iv! / (m.vix / 100)).toBeLessThan(1.05);
      const levels = computeGammaLevels(c, { basis: m.basis }).levels;
      expect(levels.callWall).not.toBeNull();
      expect(levels.putWall).not.toBeNull();
    }
  });
});
