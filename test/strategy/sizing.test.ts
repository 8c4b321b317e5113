import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { emptyTradeRecord, entrySize, kellyEstimate, recordTrade, type SizingSettings, type TradeRecord } from '../../strategy/sizing.ts';

const kelly = (over: Partial<SizingSettings> = {}): SizingSettings => ({ mode: 'kelly', fraction: 0.25, maxContracts: 30, minTrades: 5, lookbackTrades: 100, ...over });
const recordOf = (pnls: number[]): TradeRecord => pnls.reduce((r, pnl) => recordTrade(r, { pnl, qty: 1 }, 100), emptyTradeRecord());
// ES: 8-point stop x $50 = $400 of risk per contract.
const base = { quantity: 1, equity: 100_000, stopPoints: 8, pointValue: 50 };

describe('kellyEstimate (hand-computed)', () => {
  it('3 wins of $100 and 2 losses of $50: W 0.6, R 2, f* = 0.6 - 0.4/2 = 0.4', () => {
    const k = kellyEstimate([100, -50, 100, -50, 100])!;
    expect(k.winRate).toBeCloseTo(0.6, 12);
    expect(k.payoff).toBeCloseTo(2, 12);
    expect(k.kelly).toBeCloseTo(0.4, 12);
  });

  it('W 0.5, R 1 -> f* 0; no loss -> f* = W; no win -> not positive; no trade -> null', () => {
    expect(kellyEstimate([60, -60, 40, -40])!.kelly).toBeCloseTo(0, 12);
    expect(kellyEstimate([10, 20])).toEqual({ winRate: 1, payoff: Number.POSITIVE_INFINITY, kelly: 1 });
    expect(kellyEstimate([-10, -20])!.kelly).toBeLessThanOrEqual(0);
    expect(kellyEstimate([])).toBeNull();
  });

  it('a scratch trade (0) is a non-win that does not enter the average loss: W 1/3, R 100/50 = 2, f* = 1/3 - (2/3)/2 = 0', () => {
    expect(kellyEstimate([100, 0, -50])!.kelly).toBeCloseTo(0, 12);
  });
});

describe('recordTrade', () => {
  it('records P&L per contract and keeps only the latest lookback trades, counting all', () => {
    let r = emptyTradeRecord();
    r = recordTrade(r, { pnl: 300, qty: 3 }, 2);
    r = recordTrade(r, { pnl: -50, qty: 1 }, 2);
    r = recordTrade(r, { pnl: 40, qty: 2 }, 2);
    expect(r).toEqual({ count: 3, pnlPerContract: [-50, 20] });
  });

  it('refuses a trade without contracts', () => {
    expect(() => recordTrade(emptyTradeRecord(), { pnl: 10, qty: 0 }, 10)).toThrow(RangeError);
  });
});

describe('entrySize (hand-computed)', () => {
  const edge = recordOf([100, -50, 100, -50, 100]); // f* 0.4

  it('kelly: floor(0.25 x 0.4 x 100000 / 400) = 25, then the cap', () => {
    expect(entrySize({ ...base, sizing: kelly(), record: edge })).toMatchObject({ contracts: 25, basis: 'kelly' });
    expect(entrySize({ ...base, sizing: kelly({ maxContracts: 10 }), record: edge }).contracts).toBe(10);
    // 0.5 x 0.4 x 30000 / 400 = 15
    expect(entrySize({ ...base, equity: 30_000, sizing: kelly({ fraction: 0.5 }), record: edge }).contracts).toBe(15);
    // 0.25 x 0.4 x 9000 / 400 = 2.25 -> 2
    expect(entrySize({ ...base, equity: 9_000, sizing: kelly(), record: edge }).contracts).toBe(2);
  });

  it('no edge (f* <= 0) or a size that floors to 0 -> 0 contracts with the reason', () => {
    const none = entrySize({ ...base, sizing: kelly({ minTrades: 4 }), record: recordOf([60, -60, 40, -40]) });
    expect(none.contracts).toBe(0);
    expect(none).toMatchObject({ basis: 'kelly', reason: expect.stringMatching(/f\* .* <= 0/) });
    // 0.25 x 0.4 x 3000 / 400 = 0.75 -> 0
    const small = entrySize({ ...base, equity: 3_000, sizing: kelly(), record: edge });
    expect(small).toMatchObject({ contracts: 0, reason: expect.stringMatching(/floors to 0/) });
    expect(entrySize({ ...base, equity: -5_000, sizing: kelly(), record: edge }).contracts).toBe(0);
  });

  it('the fixed quantity (capped) until minTrades trades closed; fixed mode ignores the record', () => {
    expect(entrySize({ ...base, quantity: 3, sizing: kelly({ minTrades: 6 }), record: edge })).toEqual({ contracts: 3, basis: 'warmup' });
    expect(entrySize({ ...base, quantity: 3, sizing: kelly({ minTrades: 6, maxContracts: 2 }), record: edge }).contracts).toBe(2);
    expect(entrySize({ ...base, quantity: 3, sizing: kelly({ mode: 'fixed' }), record: recordOf([-1, -1, -1, -1, -1]) })).toEqual({ contracts: 3, basis: 'fixed' });
  });

  it('measures only the lookback window: old losers out of the window do not count', () => {
    const record = recordOf([-100, -100, -100, 100, -50, 100, -50, 100]);
    expect(entrySize({ ...base, sizing: kelly({ lookbackTrades: 5 }), record }).contracts).toBe(25);
    expect(entrySize({ ...base, sizing: kelly({ lookbackTrades: 8 }), record }).contracts).toBe(0);
  });
});

describe('entrySize (properties)', () => {
  const pnl = fc.double({ min: -5_000, max: 5_000, noNaN: true });
  const settings = fc.record({
    mode: fc.constant('kelly' as const),
    fraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
    maxContracts: fc.integer({ min: 1, max: 50 }),
    minTrades: fc.integer({ min: 1, max: 40 }),
    lookbackTrades: fc.integer({ min: 1, max: 200 }),
  });
  const input = fc.record({
    sizing: settings,
    pnls: fc.array(pnl, { maxLength: 120 }),
    quantity: fc.integer({ min: 1, max: 10 }),
    equity: fc.double({ min: -100_000, max: 10_000_000, noNaN: true }),
    stopPoints: fc.double({ min: 0.25, max: 100, noNaN: true }),
  });
  type Input = { sizing: SizingSettings; pnls: number[]; quantity: number; equity: number; stopPoints: number };
  const size = (i: Input, equity = i.equity) =>
    entrySize({
      sizing: i.sizing,
      quantity: i.quantity,
      record: i.pnls.reduce((r, p) => recordTrade(r, { pnl: p, qty: 1 }, i.sizing.lookbackTrades), emptyTradeRecord()),
      equity,
      stopPoints: i.stopPoints,
      pointValue: 50,
    }).contracts;

  it('is a whole number of contracts, never negative, never above the cap', () => {
    fc.assert(
      fc.property(input, (i) => {
        const c = size(i);
        return Number.isInteger(c) && c >= 0 && c <= i.sizing.maxContracts;
      }),
      { numRuns: 500 },
    );
  });

  it('is monotone in equity', () => {
    fc.assert(
      fc.property(input, fc.double({ min: 0, max: 10_000_000, noNaN: true }), (i, more) => size(i) <= size(i, i.equity + more)),
      { numRuns: 500 },
    );
  });
});
