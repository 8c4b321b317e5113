/**
 * `calibrate` against a synthetic runner: signals per day fall with the threshold and rise
 * with the multi-timeframe weight; each signal is a trade whose P&L follows the day's move
 * when that weight is above 0.15 and fades it otherwise. The runner reads only its
 * request's days and records every request, so the walk-forward rules are checked on what
 * was asked, not on what was reported.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig, type MiaConfig } from '../../config/schema.ts';
import { computeMetrics } from '../../backtest/metrics.ts';
import { headlineMetrics, type BacktestTrade } from '../../backtest/result.ts';
import { metricTrades, type BacktestOutcome, type BacktestRequest, type BatchRunner } from '../../backtest/sweepRunner.ts';
import { calibrate, weekdayRate, WEEKDAYS_PER_MONTH, type CalibrateOptions } from '../../backtest/calibrate.ts';
import { applyParams, defaultSpace, drawCandidates } from '../../backtest/calibrateSpace.ts';
import { tradingDay } from '../../core/tradingDay.ts';
import { syntheticMarket } from './walkForwardFixture.ts';

const market = syntheticMarket('2024-01-01', '2024-03-29', 7);
// Weekdays the CME trades on (a holiday maps its hours to another trading day).
const days = [...market.keys()].sort().filter((d) => tradingDay(Date.parse(`${d}T15:00:00.000Z`)) === d);

/** Signals per trading day of a configuration (continuous; realised by a running sum). */
const rate = (c: MiaConfig) => 6 * (1 - c.strategy.threshold) * (0.2 + c.strategy.weights.multiTimeframe * 3);

function outcomeOf(req: BacktestRequest): BacktestOutcome {
  const from = req.from ?? days[0]!;
  const to = req.to ?? days.at(-1)!;
  const r = rate(req.config);
  const dir = req.config.strategy.weights.multiTimeframe > 0.15 ? 1 : -1;
  const trades: BacktestTrade[] = [];
  const signals: string[] = [];
  let sum = 0;
  for (const day of days) {
    if (day < from || day > to) continue;
    const before = Math.floor(sum);
    sum += r;
    for (let k = before; k < Math.floor(sum); k++) {
      const move = market.get(day)!;
      const time = `${day}T15:00:00.000Z`;
      signals.push(time);
      trades.push({ side: 'long', qty: 1, entryTime: time, exitTime: `${day}T16:00:00.000Z`, entryPrice: 4000, exitPrice: 4000 + move * dir, commission: 4.5, pnl: move * dir * 50 - 4.5 });
    }
  }
  const performance = computeMetrics({ trades: metricTrades(trades, req.config.symbol), startingEquity: req.config.startingEquity, period: { from, to }, signalTimes: signals.map((s) => Date.parse(s)) });
  return {
    period: { from, to },
    metrics: headlineMetrics(performance),
    performance,
    trades,
    counts: { bars: 0, orders: 0, riskRefusals: 0, rejects: 0 },
    ...(req.detail === 'summary' ? {} : { equity: [], signals: signals.map((time) => ({ time })) as unknown as NonNullable<BacktestOutcome['signals']> }),
  };
}

function recording(): { runner: BatchRunner; requests: BacktestRequest[]; calls: number[] } {
  const requests: BacktestRequest[] = [];
  const calls: number[] = [];
  return {
    requests,
    calls,
    runner: async (batch) => {
      calls.push(batch.length);
      requests.push(...batch);
      return batch.map(outcomeOf);
    },
  };
}

const base = defaultConfig();
const options = (runner: BatchRunner, extra: Partial<CalibrateOptions> = {}): CalibrateOptions => ({
  config: base,
  from: days[0]!,
  to: days.at(-1)!,
  runner,
  space: defaultSpace(['multiTimeframe', 'volumeConfirmation']),
  candidates: 12,
  seed: 3,
  inSample: '20d',
  outOfSample: '10d',
  minTrades: 3,
  ...extra,
});

describe('calibrate', () => {
  it('chooses in sample only, inside the band, by the objective, and reports the stitched out-of-sample record', async () => {
    const rec = recording();
    const result = await calibrate(options(rec.runner));
    expect(result.windows.length).toBeGreaterThan(1);
    for (const w of result.windows) {
      // No look-ahead: every summary (in-sample) request ends before the window's out-of-sample days.
      // (Requests of one window are the in-sample ones plus its single out-of-sample run.)
      const oos = rec.requests.filter((r) => r.detail === 'full' && r.from === w.outOfSample.from);
      if (w.chosen) {
        expect(oos).toHaveLength(1);
        expect(oos[0]!.to).toBe(w.outOfSample.to);
        expect(oos[0]!.warmupFrom).toBe(w.inSample.from);
        const best = Math.max(...w.candidates.filter((c) => c.eligible).map((c) => c.objective!));
        expect(w.chosen.inSample.objective).toBe(best);
        expect(w.chosen.inSample.signalsPerMonthWeekdays).toBeGreaterThanOrEqual(25);
        expect(w.chosen.inSample.signalsPerMonthWeekdays).toBeLessThanOrEqual(35);
        expect(w.chosen.inSample.trades).toBeGreaterThanOrEqual(3);
      } else {
        expect(oos).toHaveLength(0);
        expect(w.reason).toBeTruthy();
      }
    }
    for (const r of rec.requests.filter((q) => q.detail === 'summary')) {
      const w = result.windows.find((x) => x.inSample.from === r.from)!;
      expect(r.to).toBe(w.inSample.to);
      expect(r.to! < w.outOfSample.from).toBe(true);
    }
    expect(result.windows.some((w) => w.chosen)).toBe(true);
    // The stitched record is the out-of-sample runs' trades, nothing else.
    const oosTrades = result.windows.reduce((n, w) => n + (w.result?.trades ?? 0), 0);
    expect(result.outOfSample.performance.trades).toBe(oosTrades);
    expect(result.outOfSample.signals).toBe(result.windows.reduce((n, w) => n + (w.result?.signals ?? 0), 0));
    for (const t of result.outOfSample.trades) expect(t.entryTime.slice(0, 10) >= result.outOfSample.period.from).toBe(true);
    const inBand = result.outOfSample.signalsPerMonth! >= 25 && result.outOfSample.signalsPerMonth! <= 35;
    expect(result.outOfSample.inBand).toBe(inBand);
  });

  it('is deterministic whatever the batch size, and the seed changes the candidates', async () => {
    const a = await calibrate(options(recording().runner));
    const rec = recording();
    const b = await calibrate(options(rec.runner, { batchSize: 5 }));
    expect(b).toEqual(a);
    expect(Math.max(...rec.calls)).toBeLessThanOrEqual(5);
    const c = await calibrate(options(recording().runner, { seed: 4 }));
    expect(c.windows.map((w) => w.candidates)).not.toEqual(a.windows.map((w) => w.candidates));
  });

  it('trades nothing out of sample in a window where no candidate reaches the band, and says why', async () => {
    const rec = recording();
    const result = await calibrate(options(rec.runner, { band: { min: 5000, max: 6000 } }));
    expect(result.windows.every((w) => w.chosen === null && /no candidate had 5000-6000/.test(w.reason!))).toBe(true);
    expect(rec.requests.filter((r) => r.detail === 'full')).toHaveLength(0);
    expect(result.outOfSample.performance.trades).toBe(0);
    expect(result.outOfSample.inBand).toBe(false);
    expect(result.final).toBeNull();
  });

  it('bisects each candidate towards the band centre: its last in-sample point is in the central half unless its steps ran out', async () => {
    const result = await calibrate(options(recording().runner, { steps: 8 }));
    let central = 0;
    for (const w of result.windows) {
      for (let index = 1; index < 12; index++) {
        const rows = w.candidates.filter((c) => c.index === index);
        const last = rows.at(-1)!;
        if (rows.length < 8) {
          expect(Math.abs(last.signalsPerMonthWeekdays! - 30)).toBeLessThanOrEqual(2.5);
          central++;
        }
      }
    }
    expect(central).toBeGreaterThan(0);
  });

  it('counts a rate on weekdays: a Monday-Friday week and a Wednesday-Tuesday span of the same five signals read alike', () => {
    const week = (from: string, to: string, days: string[]) =>
      computeMetrics({ trades: [], startingEquity: 50_000, period: { from, to }, signalTimes: days.map((d) => Date.parse(`${d}T15:00:00.000Z`)) });
    const monFri = week('2024-01-08', '2024-01-12', ['2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12']);
    const wedTue = week('2024-01-10', '2024-01-16', ['2024-01-10', '2024-01-11', '2024-01-12', '2024-01-15', '2024-01-16']);
    // Per calendar month the Monday-Friday week reads 7/5 of the other (5 vs 7 calendar days).
    expect(monFri.signalsPerMonth! / wedTue.signalsPerMonth!).toBeCloseTo(7 / 5, 1);
    expect(weekdayRate(monFri)).toBeCloseTo(WEEKDAYS_PER_MONTH, 9);
    expect(weekdayRate(wedTue)).toBeCloseTo(WEEKDAYS_PER_MONTH, 9);
  });

  it('reports progress up to the total', async () => {
    const seen: Array<[number, number]> = [];
    await calibrate(options(recording().runner, { onProgress: (d, t) => seen.push([d, t]) }));
    expect(seen.at(-1)![0]).toBe(seen.at(-1)![1]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
  });
});

describe('calibration candidates', () => {
  it('candidate 0 is the base configuration; the others stay inside the space, unsearched weights 0', () => {
    const space = defaultSpace(['multiTimeframe', 'vwapTrend']);
    const list = drawCandidates(base, space, 20, 9);
    expect(list[0]!.config).toBe(base);
    for (const c of list.slice(1)) {
      const w = c.config.strategy.weights;
      expect(w.multiTimeframe).toBeGreaterThanOrEqual(0);
      expect(w.multiTimeframe).toBeLessThanOrEqual(0.3);
      expect(w.gammaLevels).toBe(0);
      expect(w.orderBook).toBe(0);
      for (const m of Object.values(c.config.strategy.session)) expect(m >= 0.3 && m <= 1.2).toBe(true);
      expect(c.config.strategy.threshold).toBe(base.strategy.threshold);
    }
    expect(drawCandidates(base, space, 20, 9)).toEqual(list);
  });

  it('refuses an unknown parameter or feature', () => {
    expect(() => applyParams(base, { 'strategy.stopPoints': 3 })).toThrow(/not a searched parameter/);
    expect(() => drawCandidates(base, defaultSpace(['nope' as never]), 2, 1)).toThrow(/unknown feature/);
  });
});
