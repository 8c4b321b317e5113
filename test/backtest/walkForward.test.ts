import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../backtest/metrics.ts';
import { chooseBest, sweep } from '../../backtest/sweep.ts';
import { expandGrid } from '../../backtest/sweepGrid.ts';
import { metricTrades, serialBatch } from '../../backtest/sweepRunner.ts';
import { walkForward } from '../../backtest/walkForward.ts';
import { parseSpan, walkForwardWindows } from '../../backtest/walkForwardWindows.ts';
import { loadConfig } from '../../config/load.ts';
import { backtestSchema } from '../../config/backtestSchema.ts';
import { recordingRunner, syntheticMarket } from './walkForwardFixture.ts';

const FROM = '2023-01-02';
const TO = '2023-06-30';
const env = {};
const base = loadConfig({ env });
const points = expandGrid({ 'strategy.threshold': [0.2, 0.25, 0.3] }, { env });

describe('walk-forward windows', () => {
  it('rolls by the out-of-sample span and cuts the last window at the end', () => {
    // 2023-01-02 (Mon) .. 2023-01-27 (Fri): 20 weekdays.
    const w = walkForwardWindows({ from: '2023-01-02', to: '2023-01-27', inSample: parseSpan('10d'), outOfSample: parseSpan('4d') });
    expect(w.map((x) => [x.inSample.from, x.inSample.to, x.outOfSample.from, x.outOfSample.to])).toEqual([
      ['2023-01-02', '2023-01-13', '2023-01-16', '2023-01-19'],
      ['2023-01-06', '2023-01-19', '2023-01-20', '2023-01-25'],
      ['2023-01-12', '2023-01-25', '2023-01-26', '2023-01-27'],
    ]);
  });

  it('anchored windows all start on the first day', () => {
    const w = walkForwardWindows({ from: '2023-01-02', to: '2023-01-27', inSample: parseSpan('10d'), outOfSample: parseSpan('5d'), anchored: true });
    expect(w.map((x) => [x.inSample.from, x.inSample.to, x.outOfSample.from, x.outOfSample.to])).toEqual([
      ['2023-01-02', '2023-01-13', '2023-01-16', '2023-01-20'],
      ['2023-01-02', '2023-01-20', '2023-01-23', '2023-01-27'],
    ]);
  });

  it('counts calendar months', () => {
    const w = walkForwardWindows({ from: '2023-01-02', to: '2023-06-30', inSample: parseSpan('3m'), outOfSample: parseSpan('1m') });
    expect(w.map((x) => [x.inSample.from, x.inSample.to, x.outOfSample.from, x.outOfSample.to])).toEqual([
      ['2023-01-02', '2023-03-31', '2023-04-03', '2023-04-28'],
      ['2023-02-01', '2023-04-28', '2023-05-01', '2023-05-31'],
      ['2023-03-01', '2023-05-31', '2023-06-01', '2023-06-30'],
    ]);
  });

  it('refuses a range too short and a bad span', () => {
    expect(() => walkForwardWindows({ from: '2023-01-02', to: '2023-01-13', inSample: parseSpan('10d'), outOfSample: parseSpan('5d') })).toThrow(/too short for 10d in sample plus 5d/);
    expect(() => parseSpan('10w', '--in-sample')).toThrow(/--in-sample must be .* got "10w"/);
  });
});

describe('walkForward', () => {
  const market = syntheticMarket(FROM, TO, 7);
  const options = { baseConfig: base, points, from: FROM, to: TO, inSample: '40d', outOfSample: '20d', minTrades: 5 } as const;

  it('in-sample runs end before their out-of-sample window starts, and out-of-sample runs use the chosen set', async () => {
    const r = recordingRunner(market);
    const result = await walkForward({ ...options, batch: serialBatch(r.run) });
    expect(result.windows.length).toBeGreaterThanOrEqual(4);
    const isRequests = r.requests.filter((q) => q.detail === 'summary');
    const oosRequests = r.requests.filter((q) => q.detail === 'full');
    expect(isRequests).toHaveLength(result.windows.length * points.length);
    for (const w of result.windows) {
      const mine = isRequests.filter((q) => q.from === w.inSample.from && q.to === w.inSample.to);
      expect(mine).toHaveLength(points.length);
      for (const q of mine) expect(q.to! < w.outOfSample.from).toBe(true);
      const oos = oosRequests.filter((q) => q.from === w.outOfSample.from);
      expect(oos).toHaveLength(1);
      expect(oos[0]!.to).toBe(w.outOfSample.to);
      expect(oos[0]!.warmupFrom).toBe(w.inSample.from); // warm-up on past bars only
      expect(oos[0]!.config.strategy.threshold).toBe(w.chosen!.params['strategy.threshold']);
    }
    // Every request of the analysis is either in sample and before its OOS, or OOS.
    expect(isRequests.length + oosRequests.length).toBe(r.requests.length);
  });

  it('an out-of-sample window does not influence its own parameters (perturbing its bars changes nothing before it)', async () => {
    const clean = await walkForward({ ...options, batch: serialBatch(recordingRunner(market).run) });
    const target = clean.windows[2]!;
    // Make every move of that out-of-sample window hugely against the set chosen for it.
    const against = target.chosen!.params['strategy.threshold'] === 0.3 ? 40 : -40;
    const perturbed = new Map(market);
    for (const day of market.keys()) if (day >= target.outOfSample.from && day <= target.outOfSample.to) perturbed.set(day, against);
    const dirty = await walkForward({ ...options, batch: serialBatch(recordingRunner(perturbed).run) });

    for (let i = 0; i <= target.index; i++) {
      expect(dirty.windows[i]!.chosen).toEqual(clean.windows[i]!.chosen);
      expect(dirty.windows[i]!.inSampleMetrics).toEqual(clean.windows[i]!.inSampleMetrics);
    }
    // The perturbation is strong: it changes that window's OOS result, and a choice that
    // could see those days (a sweep over in sample + that window) picks differently.
    expect(dirty.windows[target.index]!.netProfit).not.toBe(clean.windows[target.index]!.netProfit);
    const seeing = async (m: typeof market) =>
      (await sweep({ points, batch: serialBatch(recordingRunner(m).run), from: target.inSample.from, to: target.outOfSample.to, minTrades: 5 })).best;
    expect(await seeing(perturbed)).not.toBe(await seeing(market));
  });

  it('stitched out-of-sample metrics are computeMetrics over the concatenated out-of-sample trades', async () => {
    const r = recordingRunner(market);
    const result = await walkForward({ ...options, batch: serialBatch(r.run) });
    const oosTrades = r.requests.flatMap((q, i) => (q.detail === 'full' ? r.outcomes[i]!.trades : []));
    expect(result.outOfSample.trades).toEqual(oosTrades);
    const period = { from: result.windows[0]!.outOfSample.from, to: result.windows.at(-1)!.outOfSample.to };
    const expected = computeMetrics({ trades: metricTrades(oosTrades, base.symbol), startingEquity: base.startingEquity, period, signalTimes: [] });
    expect(result.outOfSample.performance).toEqual(expected);
    expect(result.outOfSample.metrics.netProfit).toBeCloseTo(result.windows.reduce((s, w) => s + w.netProfit, 0), 6);
    expect(result.outOfSample.period).toEqual(period);
    // Stitched equity ends at the starting equity plus the whole out-of-sample P&L.
    expect(result.outOfSample.equity.at(-1)!.equity).toBeCloseTo(base.startingEquity + expected.netProfit, 6);
    // Robustness is the share of profitable windows.
    expect(result.robustness).toBe(result.windows.filter((w) => w.netProfit > 0).length / result.windows.length);
  });

  it('a set with fewer in-sample trades than minTrades is never chosen', async () => {
    // The fader (0.3) trades only the first two weekdays of each month: at most 6 trades in 40 days.
    const sparse = (t: number, day: string) => t === 0.3 && Number(day.slice(8)) > 4;
    const loose = await walkForward({ ...options, minTrades: 0, batch: serialBatch(recordingRunner(market, { skipDays: sparse }).run) });
    expect(loose.windows.every((w) => w.eligible === 3)).toBe(true);
    const strict = await walkForward({ ...options, minTrades: 7, batch: serialBatch(recordingRunner(market, { skipDays: sparse }).run) });
    for (const w of strict.windows) {
      expect(w.eligible).toBe(2);
      expect(w.chosen!.params['strategy.threshold']).not.toBe(0.3);
    }
  });

  it('a window where no set is eligible trades nothing out of sample and counts as not profitable', async () => {
    const r = recordingRunner(market, { skipDays: (t, day) => t !== 0.2 || day >= '2023-02-01' });
    const result = await walkForward({ ...options, batch: serialBatch(r.run) });
    expect(result.windows[0]!.chosen).not.toBeNull(); // January gives 0.2 enough trades in the first window
    for (const w of result.windows.slice(1)) {
      expect(w.chosen).toBeNull();
      expect(w.outOfSampleMetrics).toBeNull();
      expect(w.profitable).toBe(false);
    }
    expect(r.requests.filter((q) => q.detail === 'full')).toHaveLength(1);
    expect(result.outOfSample.metrics.trades).toBe(0); // the one OOS run is after January: no trade
    expect(result.robustness).toBe(0);
  });

  it('reports parameter stability over the windows', async () => {
    const result = await walkForward({ ...options, batch: serialBatch(recordingRunner(market).run) });
    const [s] = result.parameterStability;
    expect(s!.path).toBe('strategy.threshold');
    expect(s!.chosen).toEqual(result.windows.map((w) => w.chosen?.params['strategy.threshold'] ?? null));
    expect(s!.distinct).toBe(new Set(s!.chosen).size);
    const changes = s!.chosen.slice(1).filter((v, i) => v !== s!.chosen[i]).length;
    expect(s!.changes).toBe(changes);
  });

  it('chooses deterministically: ties go to the earlier grid point, drawdown objectives are minimised', () => {
    const row = (index: number, objective: number | null, eligible = true) => ({ index, params: {}, period: { from: FROM, to: TO }, metrics: {} as never, objective, eligible });
    expect(chooseBest([row(0, 1), row(1, 2), row(2, 2)], 'sharpe')).toBe(1);
    expect(chooseBest([row(2, 2), row(1, 2), row(0, 1)], 'sharpe')).toBe(1);
    expect(chooseBest([row(0, 0.1), row(1, 0.05), row(2, 0.2)], 'maxDrawdownPct')).toBe(1);
    expect(chooseBest([row(0, 5, false), row(1, null, false)], 'sharpe')).toBeNull();
  });
});

describe('backtest settings (config/backtestSchema.ts)', () => {
  it('defaults, the section of a loaded configuration, and errors that name the key', () => {
    const defaults = backtestSchema.parse({});
    expect(defaults).toMatchObject({ workers: null, objective: 'sharpe', minTrades: 5, stressWindows: null });
    expect(defaults.walkForward).toEqual({ inSample: '60d', outOfSample: '20d', anchored: false, warmup: true });
    expect(base.backtest).toEqual(defaults);
    const badSpan = backtestSchema.safeParse({ walkForward: { inSample: '60x' } });
    expect(badSpan.success).toBe(false);
    expect(badSpan.error!.issues[0]!.path).toEqual(['walkForward', 'inSample']);
    const badWindow = backtestSchema.safeParse({ stressWindows: [{ name: 'x', from: '2023-03-10', to: '2023-03-01' }] });
    expect(badWindow.success).toBe(false);
    const extraKey = backtestSchema.safeParse({ stressWindows: [{ name: 'x', from: '2023-03-01', to: '2023-03-10', when: 'now' }] });
    expect(extraKey.success).toBe(false);
  });
});
