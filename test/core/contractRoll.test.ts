/**
 * Contract calendar and continuous series. Expiry dates are CME's published third
 * Fridays; the back-adjustment is checked by its defining properties on generated
 * contract pairs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildContinuous,
  contractFromExpiryMonth,
  contractSymbol,
  expiryDate,
  frontContract,
  parseContract,
  rollDay,
  type ContinuousOptions,
} from '../../core/contractRoll.ts';
import type { Bar } from '../../core/types.ts';

describe('contract symbols and calendar', () => {
  it.each([
    ['ESZ13', { root: 'ES', year: 2013, month: 12 }],
    ['ESH14-CME', { root: 'ES', year: 2014, month: 3 }],
    ['ESZ5.CME', { root: 'ES', year: 2025, month: 12 }],
    ['ESZ2013', { root: 'ES', year: 2013, month: 12 }],
    ['MESM24', { root: 'MES', year: 2024, month: 6 }],
    ['NQZ25', { root: 'NQ', year: 2025, month: 12 }],
  ])('parses %s', (symbol, id) => {
    expect(parseContract(symbol)).toEqual(id);
  });

  it.each(['ES', 'ESA13', 'ES13', '201312', 'ESZ123'])('refuses %s', (s) => expect(parseContract(s)).toBeNull());

  it('maps Lean expiry months to symbols', () => {
    expect(contractSymbol(contractFromExpiryMonth('es', '201312')!)).toBe('ESZ13');
    expect(contractSymbol(contractFromExpiryMonth('ES', '202003')!)).toBe('ESH20');
    expect(contractFromExpiryMonth('ES', '201313')).toBeNull();
  });

  it.each([
    ['ESZ13', '2013-12-20', '2013-12-12'],
    ['ESH14', '2014-03-21', '2014-03-13'],
    ['ESH20', '2020-03-20', '2020-03-12'],
    ['ESZ23', '2023-12-15', '2023-12-07'],
    ['ESM26', '2026-06-19', '2026-06-11'],
  ])('%s expires on %s and rolls on %s', (symbol, expiry, roll) => {
    const c = parseContract(symbol)!;
    expect(expiryDate(c)).toBe(expiry);
    expect(new Date(`${expiry}T12:00:00Z`).getUTCDay()).toBe(5);
    expect(rollDay(c)).toBe(roll);
  });

  it('the front contract changes on the roll day', () => {
    const cs = ['ESZ13', 'ESH14', 'ESM14'].map((s) => ({ ...parseContract(s)!, s }));
    expect(frontContract('2013-12-11', cs)!.s).toBe('ESZ13');
    expect(frontContract('2013-12-12', cs)!.s).toBe('ESH14');
    expect(frontContract('2014-06-20', cs)).toBeNull();
  });
});

const barOps: ContinuousOptions<Bar> = {
  roll: 'calendar',
  weight: (b) => b.volume,
  price: (b) => b.close,
  shift: (b, d) => ({ ...b, open: b.open + d, high: b.high + d, low: b.low + d, close: b.close + d }),
};

/** Hourly bars of two contracts over 2013-12-09..12-16 (Mon..Mon; ESZ13 rolls on 12-12). */
const pair = fc
  .record({
    base: fc.integer({ min: 4000, max: 12000 }),
    spread: fc.integer({ min: -40, max: 40 }),
    steps: fc.array(fc.integer({ min: -8, max: 8 }), { minLength: 200, maxLength: 200 }),
    farVolume: fc.integer({ min: 1, max: 50 }),
  })
  .map(({ base, spread, steps, farVolume }) => {
    const z: Bar[] = [];
    const h: Bar[] = [];
    let p = base;
    for (let i = 0; i < steps.length; i++) {
      const time = Date.UTC(2013, 11, 9, 0) + i * 3_600_000;
      p += steps[i]!;
      const price = p * 0.25;
      const spreadPts = spread * 0.25;
      z.push({ symbol: 'ESZ13', time, open: price, high: price, low: price, close: price, volume: 100 });
      h.push({ symbol: 'ESH14', time, open: price + spreadPts, high: price + spreadPts, low: price + spreadPts, close: price + spreadPts, volume: farVolume });
    }
    return { z, h, spreadPts: spread * 0.25 };
  });

describe('buildContinuous', () => {
  it('calendar roll: old contract before the roll day, new one from it; back-adjusted history joins without a jump', () => {
    fc.assert(
      fc.property(pair, ({ z, h, spreadPts }) => {
        const byContract = new Map([
          ['ESZ13', z],
          ['ESH14', h],
        ]);
        const plain = buildContinuous(byContract, barOps);
        const adjusted = buildContinuous(byContract, { ...barOps, backAdjust: true });
        // 2013-12-12 starts at 17:00 CT on 12-11 = 23:00Z.
        const rollAt = Date.UTC(2013, 11, 11, 23);
        expect(plain.rolls).toEqual([{ time: rollAt, tradingDay: '2013-12-12', from: 'ESZ13', to: 'ESH14', gap: spreadPts }]);
        expect(plain.items.every((b) => (b.time < rollAt ? b.symbol === 'ESZ13' : b.symbol === 'ESH14'))).toBe(true);
        // Every bar except the maintenance hours, from one contract or the other: nothing lost, nothing doubled.
        expect(new Set(plain.items.map((b) => b.time)).size).toBe(plain.items.length);
        // Back-adjusted: old bars shifted by the gap, new bars untouched, differences within a contract kept.
        adjusted.items.forEach((b, i) => {
          const p = plain.items[i]!;
          expect(b.close - p.close).toBe(p.time < rollAt ? spreadPts : 0);
        });
        const before = adjusted.items.filter((b) => b.time < rollAt).at(-1)!;
        const sameTimeNew = h.find((b) => b.time === before.time)!;
        expect(before.close).toBe(sameTimeNew.close);
      }),
      { numRuns: 60 },
    );
  });

  it('volume roll follows the most active contract per trading day and never rolls back', () => {
    const day = (d: number, hour: number) => Date.UTC(2013, 11, d, hour);
    const bar = (symbol: string, time: number, volume: number, close: number): Bar => ({ symbol, time, open: close, high: close, low: close, close, volume });
    const z = [bar('ESZ13', day(9, 15), 100, 1800), bar('ESZ13', day(10, 15), 40, 1801), bar('ESZ13', day(11, 15), 90, 1802)];
    const h = [bar('ESH14', day(9, 15), 10, 1794), bar('ESH14', day(10, 15), 60, 1795), bar('ESH14', day(11, 15), 20, 1796)];
    const out = buildContinuous(
      new Map([
        ['ESZ13', z],
        ['ESH14', h],
      ]),
      { ...barOps, roll: 'volume' },
    );
    expect(out.items.map((b) => b.symbol)).toEqual(['ESZ13', 'ESH14', 'ESH14']);
    expect(out.rolls).toEqual([{ time: day(10, 15), tradingDay: '2013-12-10', from: 'ESZ13', to: 'ESH14', gap: -6 }]);
  });

  it('a roll with no same-time items on either side is not measured and adjusts nothing', () => {
    const bar = (symbol: string, time: number, close: number): Bar => ({ symbol, time, open: close, high: close, low: close, close, volume: 1 });
    const out = buildContinuous(
      new Map([
        ['ESZ13', [bar('ESZ13', Date.UTC(2013, 11, 2, 15), 1800)]],
        ['ESH14', [bar('ESH14', Date.UTC(2013, 11, 18, 15), 1790)]],
      ]),
      { ...barOps, backAdjust: true },
    );
    expect(out.rolls[0]!.gap).toBeNull();
    expect(out.items.map((b) => b.close)).toEqual([1800, 1790]);
    expect(() => buildContinuous(new Map([['ES', []]]), barOps)).toThrow(/not a contract symbol/);
  });
});
