import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { computeMetrics, gateMetrics, MetricsInputError, type MetricsInput, type PerformanceMetrics } from '../../backtest/metrics.ts';
import { evaluateGate } from '../../config/gates.ts';
import { defaultConfig } from '../../config/schema.ts';
import type { Trade } from '../../core/types.ts';

/** 15:00 UTC is 09:00 or 10:00 in Chicago: inside the trading day of the same date. */
const at = (day: string, utc = '15:00:00') => Date.parse(`${day}T${utc}Z`);

let seq = 0;
const trade = (pnl: number, exitTime: number): Trade => ({
  symbol: 'ESZ25',
  side: seq++ % 2 === 0 ? 'long' : 'short',
  qty: 1,
  entryTime: exitTime - 600_000,
  exitTime,
  entryPrice: 6000,
  exitPrice: 6000 + pnl / 50,
  commission: 4.5,
  pnl,
});

/** Every number anywhere in the result is finite (null is allowed, NaN and Infinity are not). */
const nonFinite = (value: unknown, path = 'metrics'): string[] => {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFinite(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => nonFinite(v, `${path}.${k}`));
  return [];
};

/** Written out from the definitions, not from the module: sample std and downside deviation. */
const sharpeOf = (r: number[]) => {
  const m = r.reduce((a, b) => a + b, 0) / r.length;
  const sd = Math.sqrt(r.reduce((a, x) => a + (x - m) ** 2, 0) / (r.length - 1));
  return (m / sd) * Math.sqrt(252);
};
const sortinoOf = (r: number[]) => {
  const m = r.reduce((a, b) => a + b, 0) / r.length;
  const dd = Math.sqrt(r.reduce((a, x) => a + Math.min(x, 0) ** 2, 0) / r.length);
  return (m / dd) * Math.sqrt(252);
};

describe('computeMetrics on hand-computed trade lists', () => {
  it('no trades: zeros and nulls, no NaN or Infinity, every day a 0-return day', () => {
    const m = computeMetrics({ trades: [], startingEquity: 10_000, period: { from: '2025-03-03', to: '2025-03-07' } });
    expect(m).toMatchObject({
      period: { from: '2025-03-03', to: '2025-03-07' },
      tradingDays: 5,
      trades: 0,
      winners: 0,
      losers: 0,
      winRate: null,
      grossProfit: 0,
      grossLoss: 0,
      netProfit: 0,
      profitFactor: null,
      avgWin: null,
      avgLoss: null,
      expectancy: null,
      longestLosingStreak: 0,
      sharpe: null,
      sortino: null,
      maxDrawdown: 0,
      maxDrawdownPct: 0,
      recoveryFactor: null,
      totalReturn: 0,
      cagr: 0,
      annualReturn: 0,
      calmar: null,
      monthlyReturns: [{ month: '2025-03', return: 0, pnl: 0 }],
      monthlyReturn: 0,
      monthlyStability: null,
      robustness: 0,
      signals: null,
      signalsPerMonth: null,
      finalEquity: 10_000,
    });
    expect(m.dailyReturns.map((d) => d.return)).toEqual([0, 0, 0, 0, 0]);
    expect(nonFinite(m)).toEqual([]);
    expect(nonFinite(JSON.parse(JSON.stringify(m)))).toEqual([]);
  });

  it('a mixed week: trade statistics, drawdown, daily returns, Sharpe, Sortino, CAGR and Calmar', () => {
    // Mon +200, Mon -100, Tue -50, Wed -150, Thu +400, Fri nothing; $10,000 to start.
    const trades = [
      trade(400, at('2025-03-06')),
      trade(200, at('2025-03-03', '14:00:00')),
      trade(-100, at('2025-03-03', '16:00:00')),
      trade(-50, at('2025-03-04')),
      trade(-150, at('2025-03-05')),
    ];
    const m = computeMetrics({ trades, startingEquity: 10_000, period: { from: at('2025-03-03', '00:00:00'), to: at('2025-03-07', '20:00:00') } });
    expect(m.period).toEqual({ from: '2025-03-03', to: '2025-03-07' });
    expect(m).toMatchObject({ trades: 5, winners: 2, losers: 3, grossProfit: 600, grossLoss: -300, netProfit: 300, longestLosingStreak: 3 });
    expect(m.winRate).toBeCloseTo(0.4, 12);
    expect(m.profitFactor).toBeCloseTo(2, 12);
    expect(m.avgWin).toBeCloseTo(300, 9);
    expect(m.avgLoss).toBeCloseTo(-100, 9);
    expect(m.expectancy).toBeCloseTo(60, 9);
    // Realised curve 10000, 10200, 10100, 10050, 9900, 10300: peak 10200, trough 9900.
    expect(m.maxDrawdown).toBeCloseTo(300, 9);
    expect(m.maxDrawdownPct).toBeCloseTo(300 / 10_200, 12);
    expect(m.recoveryFactor).toBeCloseTo(1, 12);
    expect(m.finalEquity).toBeCloseTo(10_300, 9);
    expect(m.totalReturn).toBeCloseTo(0.03, 12);
    // Day closes 10100, 10050, 9900, 10300, 10300.
    const daily = [100 / 10_000, -50 / 10_100, -150 / 10_050, 400 / 9_900, 0];
    expect(m.dailyReturns.map((d) => d.day)).toEqual(['2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07']);
    m.dailyReturns.forEach((d, i) => expect(d.return).toBeCloseTo(daily[i]!, 12));
    expect(m.sharpe).toBeCloseTo(sharpeOf(daily), 9);
    expect(m.sortino).toBeCloseTo(sortinoOf(daily), 9);
    // Five calendar days.
    const cagr = Math.pow(1.03, 365.25 / 5) - 1;
    expect(m.cagr).toBeCloseTo(cagr, 6);
    expect(m.annualReturn).toBe(m.cagr);
    expect(m.calmar).toBeCloseTo(cagr / (300 / 10_200), 4);
    expect(m.monthlyReturns).toHaveLength(1);
    expect(m.monthlyReturns[0]!.return).toBeCloseTo(0.03, 12);
    expect(m.robustness).toBe(1);
    expect(m.monthlyStability).toBeNull();
  });

  it('all winners: win rate 1, profit factor and average loss null (never Infinity), no drawdown', () => {
    const trades = [trade(100, at('2025-03-03')), trade(50, at('2025-03-03', '18:00:00')), trade(25, at('2025-03-04'))];
    const m = computeMetrics({ trades, startingEquity: 10_000, period: { from: '2025-03-03', to: '2025-03-05' } });
    expect(m).toMatchObject({ winRate: 1, profitFactor: null, avgLoss: null, losers: 0, grossLoss: 0, longestLosingStreak: 0, maxDrawdown: 0, maxDrawdownPct: 0 });
    expect(m.recoveryFactor).toBeNull();
    expect(m.calmar).toBeNull();
    expect(m.sortino).toBeNull(); // no losing day: no downside deviation
    expect(m.avgWin).toBeCloseTo(175 / 3, 9);
    const daily = [150 / 10_000, 25 / 10_150, 0];
    expect(m.sharpe).toBeCloseTo(sharpeOf(daily), 9);
    expect(nonFinite(JSON.parse(JSON.stringify(m)))).toEqual([]);
  });

  it('all losers: win rate 0, profit factor 0, negative recovery, no month profitable', () => {
    const trades = [trade(-100, at('2025-03-03')), trade(-200, at('2025-03-04'))];
    const m = computeMetrics({ trades, startingEquity: 10_000, period: { from: '2025-03-03', to: '2025-03-04' } });
    expect(m).toMatchObject({ winRate: 0, profitFactor: 0, avgWin: null, avgLoss: -150, expectancy: -150, longestLosingStreak: 2, netProfit: -300 });
    expect(m.maxDrawdown).toBeCloseTo(300, 9);
    expect(m.maxDrawdownPct).toBeCloseTo(0.03, 12);
    expect(m.recoveryFactor).toBeCloseTo(-1, 12);
    expect(m.totalReturn).toBeCloseTo(-0.03, 12);
    expect(m.cagr).toBeCloseTo(Math.pow(0.97, 365.25 / 2) - 1, 9);
    expect(m.robustness).toBe(0);
    const daily = [-0.01, -200 / 9_900];
    expect(m.sharpe).toBeCloseTo(sharpeOf(daily), 9);
    expect(m.sortino).toBeCloseTo(sortinoOf(daily), 9);
  });

  it('scratch trades count as closed trades but neither win nor lose, and break a losing streak', () => {
    const t = (pnl: number, day: string) => trade(pnl, at(day));
    const trades = [t(-10, '2025-03-03'), t(-10, '2025-03-03'), t(0, '2025-03-04'), t(-10, '2025-03-05'), t(30, '2025-03-06')];
    const m = computeMetrics({ trades, startingEquity: 1_000, period: { from: '2025-03-03', to: '2025-03-06' } });
    expect(m).toMatchObject({ trades: 5, winners: 1, losers: 3, winRate: 0.2, longestLosingStreak: 2 });
  });

  it('three months: monthly returns, their mean, stability, robustness, signals per month', () => {
    // Jan +500 (10000 -> 10500: +5%), Feb -210 (-> 10290: -2%), Mar +308.7 (-> 10598.7: +3%).
    const trades = [trade(500, at('2025-01-15')), trade(-210, at('2025-02-12')), trade(308.7, at('2025-03-20'))];
    const signalTimes = Array.from({ length: 9 }, (_, i) => at('2025-01-15') + i * 86_400_000 * 9);
    const m = computeMetrics({ trades, startingEquity: 10_000, period: { from: '2025-01-01', to: '2025-03-31' }, signalTimes });
    expect(m.tradingDays).toBe(64);
    expect(m.monthlyReturns.map((x) => x.month)).toEqual(['2025-01', '2025-02', '2025-03']);
    [0.05, -0.02, 0.03].forEach((r, i) => expect(m.monthlyReturns[i]!.return).toBeCloseTo(r, 12));
    [500, -210, 308.7].forEach((p, i) => expect(m.monthlyReturns[i]!.pnl).toBeCloseTo(p, 9));
    expect(m.monthlyReturn).toBeCloseTo(0.02, 12);
    // sample std of (0.05, -0.02, 0.03) = sqrt((0.03^2 + 0.04^2 + 0.01^2) / 2) = sqrt(0.0013)
    expect(m.monthlyStability).toBeCloseTo(Math.sqrt(0.0013) / 0.02, 9);
    expect(m.robustness).toBeCloseTo(2 / 3, 12);
    expect(m.signals).toBe(9);
    expect(m.signalsPerMonth).toBeCloseTo(3, 12);
    expect(m.cagr).toBeCloseTo(Math.pow(1.05987, 365.25 / 90) - 1, 9);
  });

  it('uses the CME trading day: an exit on Friday after 17:00 Chicago belongs to Monday', () => {
    const friday = trade(100, Date.parse('2025-03-07T23:30:00Z')); // Fri 17:30 CST
    const m = computeMetrics({ trades: [friday], startingEquity: 10_000, period: { from: '2025-03-03', to: '2025-03-10' } });
    expect(m.dailyReturns.map((d) => [d.day, d.return])).toEqual([
      ['2025-03-03', 0],
      ['2025-03-04', 0],
      ['2025-03-05', 0],
      ['2025-03-06', 0],
      ['2025-03-07', 0],
      ['2025-03-10', 0.01],
    ]);
    expect(() => computeMetrics({ trades: [friday], startingEquity: 10_000, period: { from: '2025-03-03', to: '2025-03-07' } })).toThrow(/2025-03-10 is outside/);
  });

  it('equity marks, when given, are the equity curve: an open-trade dip is a drawdown the realised curve does not see', () => {
    const trades = [trade(100, at('2025-03-04'))];
    const equityMarks = [
      { time: at('2025-03-04', '14:00:00'), equity: 9_700 },
      { time: at('2025-03-03'), equity: 10_050 },
      { time: at('2025-03-04'), equity: 10_100 },
    ];
    const realised = computeMetrics({ trades, startingEquity: 10_000, period: { from: '2025-03-03', to: '2025-03-04' } });
    const marked = computeMetrics({ trades, startingEquity: 10_000, period: { from: '2025-03-03', to: '2025-03-04' }, equityMarks });
    expect(realised.maxDrawdown).toBe(0);
    // Marks in time order: 10050, 9700, 10100 -> peak 10050, trough 9700.
    expect(marked.maxDrawdown).toBeCloseTo(350, 9);
    expect(marked.maxDrawdownPct).toBeCloseTo(350 / 10_050, 12);
    expect(marked.dailyReturns.map((d) => d.equity)).toEqual([10_050, 10_100]);
    expect(marked.netProfit).toBe(100);
  });

  it('gateMetrics feeds the phase gates: names they know, nulls left out (so the gate fails on them)', () => {
    const allWinners = computeMetrics({ trades: [trade(100, at('2025-03-03'))], startingEquity: 10_000, period: { from: '2025-03-03', to: '2025-03-03' } });
    const metrics = gateMetrics(allWinners);
    expect(Object.keys(metrics)).not.toContain('profitFactor');
    expect(metrics.winRate).toBe(1);
    const verdict = evaluateGate(
      'calibration->backtest',
      { metrics, provenance: [{ kind: 'polygon' }], period: allWinners.period, producedAt: '2025-03-04T00:00:00Z', source: 'backtest' },
      defaultConfig().gates,
    );
    expect(verdict.pass).toBe(false);
    expect(verdict.criteria.find((c) => c.name === 'profitFactor')).toMatchObject({ actual: null, pass: false });
    expect(verdict.criteria.find((c) => c.name === 'winRate')).toMatchObject({ actual: 1, pass: true });
  });
});

describe('computeMetrics refuses input it cannot judge, naming the field', () => {
  const base: MetricsInput = { trades: [trade(10, at('2025-03-03'))], startingEquity: 10_000, period: { from: '2025-03-03', to: '2025-03-07' } };
  const fails = (input: MetricsInput, field: string) => {
    try {
      computeMetrics(input);
    } catch (err) {
      expect(err).toBeInstanceOf(MetricsInputError);
      expect((err as MetricsInputError).field).toBe(field);
      return;
    }
    throw new Error(`expected a MetricsInputError on ${field}`);
  };

  it('bad money, times, periods, marks and signals', () => {
    fails({ ...base, startingEquity: 0 }, 'startingEquity');
    fails({ ...base, startingEquity: Number.NaN }, 'startingEquity');
    fails({ ...base, trades: [trade(10, at('2025-03-03')), { ...trade(1, at('2025-03-04')), pnl: Number.NaN }] }, 'trades[1].pnl');
    fails({ ...base, trades: [{ ...trade(1, at('2025-03-04')), exitTime: Number.POSITIVE_INFINITY }] }, 'trades[0].exitTime');
    fails({ ...base, trades: [{ ...trade(1, at('2025-03-04')), entryTime: at('2025-03-05') }] }, 'trades[0].entryTime');
    fails({ ...base, trades: [trade(1, at('2025-03-10'))] }, 'trades[0].exitTime');
    fails({ ...base, period: { from: '2025-03-07', to: '2025-03-03' } }, 'period');
    fails({ ...base, period: { from: '2025-02-30', to: '2025-03-07' } }, 'period.from');
    fails({ ...base, period: { from: '2025-03-03', to: Number.NaN } }, 'period.to');
    fails({ ...base, equityMarks: [{ time: at('2025-03-03'), equity: Number.NaN }] }, 'equityMarks[0].equity');
    fails({ ...base, equityMarks: [{ time: at('2025-04-03'), equity: 1 }] }, 'equityMarks[0].time');
    fails({ ...base, signalTimes: [at('2025-03-03'), Number.NaN] }, 'signalTimes[1]');
  });
});

describe('computeMetrics properties', () => {
  const day0 = Date.parse('2025-01-06T15:00:00Z'); // a Monday
  const anyTrades = fc.array(
    fc.record({ pnl: fc.oneof(fc.constant(0), fc.double({ min: -5_000, max: 5_000, noNaN: true })), day: fc.nat(60), minute: fc.nat(300) }),
    { maxLength: 60 },
  );
  const build = (xs: { pnl: number; day: number; minute: number }[]) => xs.map((x) => trade(x.pnl, day0 + x.day * 86_400_000 + x.minute * 60_000));
  const period = { from: '2025-01-06', to: '2025-03-31' };

  it('never NaN or Infinity; ratios in range; net = sum; profit factor > 1 exactly when the net is positive', () => {
    fc.assert(
      fc.property(anyTrades, fc.double({ min: 1_000, max: 1e6, noNaN: true }), (xs, startingEquity) => {
        const trades = build(xs);
        const m: PerformanceMetrics = computeMetrics({ trades, startingEquity, period, signalTimes: [] });
        expect(nonFinite(m)).toEqual([]);
        const net = trades.reduce((a, t) => a + t.pnl, 0);
        expect(m.netProfit).toBeCloseTo(net, 6);
        expect(m.trades).toBe(trades.length);
        if (m.winRate !== null) expect(m.winRate >= 0 && m.winRate <= 1).toBe(true);
        if (m.robustness !== null) expect(m.robustness >= 0 && m.robustness <= 1).toBe(true);
        expect(m.maxDrawdown).toBeGreaterThanOrEqual(0);
        expect(m.maxDrawdownPct).toBeGreaterThanOrEqual(0);
        if (m.profitFactor !== null && Math.abs(net) > 1e-6) expect(m.profitFactor > 1).toBe(net > 0);
        expect(m.finalEquity).toBeCloseTo(startingEquity + net, 6);
        expect(m.signalsPerMonth).toBe(0);
        // The days' returns compound to the total return.
        const compounded = m.dailyReturns.reduce((a, d) => a * (1 + d.return), 1) - 1;
        if (m.dailyReturns.every((d) => d.equity > 0)) expect(compounded).toBeCloseTo(m.totalReturn, 9);
      }),
      { numRuns: 150 },
    );
  });

  it('the order the trades are given in does not matter', () => {
    fc.assert(
      fc.property(anyTrades, (xs) => {
        const trades = build(xs);
        const a = computeMetrics({ trades, startingEquity: 50_000, period });
        const b = computeMetrics({ trades: [...trades].reverse(), startingEquity: 50_000, period });
        // Same-time exits keep their given order; everything else must agree.
        const distinctTimes = new Set(trades.map((t) => t.exitTime)).size === trades.length;
        if (distinctTimes) expect(b).toEqual(a);
        else expect(b.netProfit).toBeCloseTo(a.netProfit, 9);
      }),
      { numRuns: 80 },
    );
  });
});
