/**
 * VIX daily closes in the backtest: parsed from CBOE's file format, applied from the next
 * session's open (the bars of the close's own trading day never see it), delivered to the
 * strategy but not the venue or the equity marks, and effective: a high VIX raises every
 * later signal's threshold by the high-regime multiplier.
 */
import { describe, expect, it } from 'vitest';
import { parseVixDaily, type VixReading } from '../../adapters/files/vixDaily.ts';
import { BacktestFeed } from '../../backtest/engineFeed.ts';
import { runBacktest } from '../../backtest/engine.ts';
import { barsInWindow, loadBacktestData, loadVixStream, type BacktestData } from '../../backtest/engineData.ts';
import { arrayBarTable } from '../../core/barColumns.ts';
import { MarketBus } from '../../core/marketBus.ts';
import { tradingDay } from '../../core/tradingDay.ts';
import type { Bar } from '../../core/types.ts';
import { configSchema } from '../../config/schema.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const MIN = 60_000;

describe('VIX daily file', () => {
  it('reads CBOE rows, stamps each close at 16:15 ET of its day, and refuses other shapes', () => {
    const r = parseVixDaily('DATE,OPEN,HIGH,LOW,CLOSE\r\n09/22/2023,17.1,17.4,15.9,17.20\r\n09/25/2023,17.25,18.41,16.79,16.90\r\n', 'v.csv');
    expect(r).toEqual([
      { day: '2023-09-22', close: 17.2, time: Date.parse('2023-09-22T20:15:00Z') }, // EDT
      { day: '2023-09-25', close: 16.9, time: Date.parse('2023-09-25T20:15:00Z') },
    ]);
    expect(parseVixDaily('DATE,CLOSE\n2023-12-01,12.5\n', 'v.csv')[0]!.time).toBe(Date.parse('2023-12-01T21:15:00Z')); // EST
    expect(() => parseVixDaily('timestamp,open,high,low,close,volume\n', 'es.csv')).toThrow(/not a VIX daily file/);
    expect(() => parseVixDaily('DATE,CLOSE\n09/22/2023,abc\n', 'v.csv')).toThrow(/line 2/);
    expect(() => parseVixDaily('DATE,CLOSE\n09/22/2023,17\n09/21/2023,18\n', 'v.csv')).toThrow(/ascend/);
  });
});

/** Minute bars from Sunday 2023-09-24 18:00 ET (trading day 09-25) for `n` minutes, every 60th minute only. */
function sparseBars(hours: number): Bar[] {
  const start = Date.parse('2023-09-24T22:00:00Z');
  return Array.from({ length: hours }, (_, i) => ({ symbol: 'ES', time: start + i * 60 * MIN, open: 4300, high: 4301, low: 4299, close: 4300, volume: 10 }));
}

describe('VIX in the replay feed', () => {
  it('publishes the latest close of an earlier day before the first bar of each trading day, to the strategy only', () => {
    const readings: VixReading[] = parseVixDaily('DATE,CLOSE\n09/21/2023,11\n09/22/2023,12\n09/25/2023,13\n09/26/2023,14\n', 'v.csv');
    const bars = sparseBars(60); // 09-24 18:00 ET .. 09-27 05:00 ET: trading days 09-25, 09-26, 09-27
    const bus = new MarketBus();
    const seen: Array<{ stage: string; bar: Bar }> = [];
    bus.subscribe('venue', { onBar: (bar) => seen.push({ stage: 'venue', bar }) });
    bus.subscribe('strategy', { onBar: (bar) => seen.push({ stage: 'strategy', bar }) });
    const feed = new BacktestFeed({ bars: arrayBarTable(bars), barMs: MIN, chains: [], bus: () => bus, vix: { readings, symbol: 'VIX' } });
    for (let bar = feed.next(); bar; bar = feed.next()) bus.publishBar(bar);
    const vix = seen.filter((s) => s.bar.symbol === 'VIX');
    expect(vix.every((s) => s.stage === 'strategy')).toBe(true);
    expect(vix.map((s) => s.bar.close)).toEqual([12, 13, 14]);
    expect(feed.vixReadings).toBe(3);
    // No look-ahead: each reading arrives after its close and before the first bar of a later trading day.
    const order = seen.filter((s) => s.stage === 'strategy');
    for (const [i, s] of order.entries()) {
      if (s.bar.symbol !== 'VIX') continue;
      const next = order[i + 1]!.bar;
      const closeDay = readings.find((r) => r.close === s.bar.close)!.day;
      expect(tradingDay(next.time) > closeDay).toBe(true);
      expect(s.bar.time + MIN).toBe(readings.find((r) => r.close === s.bar.close)!.time);
      expect(s.bar.time + MIN).toBeLessThanOrEqual(next.time);
      // and every earlier bar of the replay belongs to a trading day not after the close's day
      for (const b of order.slice(0, i)) if (b.bar.symbol !== 'VIX') expect(tradingDay(b.bar.time) <= tradingDay(next.time)).toBe(true);
    }
  });
});

const SAMPLE = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';

describe.skipIf(!hasSharedData(SAMPLE))('VIX in a backtest', () => {
  let data: BacktestData;
  const config = configSchema.parse({ strategy: { minAvailableWeight: 0 }, risk: { maxConsecutiveLosses: 100, dailyLossLimit: 100_000, trailingDrawdown: 100_000 } });

  it('a high VIX raises the threshold of the next sessions, leaves the first unchanged and never marks equity', { timeout: 60_000 }, async () => {
    data ??= await loadBacktestData([sharedData(SAMPLE)], {}, { from: null, to: null });
    const bars = barsInWindow(data.bars, { from: '2023-09-25', to: '2023-09-26' });
    // A VIX of 40 closed on 09-25: trading day 09-26 (from 09-25 18:00 ET) is high-regime; 09-25 is not.
    const vix = parseVixDaily('DATE,CLOSE\n09/21/2023,17\n09/22/2023,17\n09/25/2023,40\n', 'v.csv');
    const plain = await runBacktest({ config, bars, barMs: data.barMs, data: data.data });
    const withVix = await runBacktest({ config, bars, barMs: data.barMs, data: data.data, vix });
    const base = config.strategy.threshold;
    const day1 = withVix.signals.filter((s) => tradingDay(Date.parse(s.time)) === '2023-09-25');
    const day2 = withVix.signals.filter((s) => tradingDay(Date.parse(s.time)) === '2023-09-26');
    expect(day2.length).toBeGreaterThan(0);
    for (const s of day2) expect(s.threshold).toBeCloseTo(base * config.strategy.volatility.highThreshold, 9);
    // Day one's regime comes from the ATR alone in both runs (17 is neither low nor high).
    expect(day1.map((s) => [s.time, s.threshold])).toEqual(plain.signals.filter((s) => tradingDay(Date.parse(s.time)) === '2023-09-25').map((s) => [s.time, s.threshold]));
    // VIX bars are not prices: equity marks and the bar count are those of the ES bars.
    expect(withVix.counts.bars).toBe(plain.counts.bars);
    expect(withVix.equity.every((m) => m.equity > 40_000)).toBe(true);
  });

  it('reports its coverage and refuses a VIX file that covers no trading day of the data', { timeout: 60_000 }, async () => {
    data ??= await loadBacktestData([sharedData(SAMPLE)], {}, { from: null, to: null });
    const table = arrayBarTable(barsInWindow(data.bars, { from: '2023-09-25', to: '2023-09-29' }));
    const vixFile = sharedData('vix/VIX_History.csv');
    const stream = await loadVixStream(vixFile, table);
    expect(stream.coverage).toEqual({ tradingDays: 5, withVix: 5 });
    expect(stream.provenance.from).toBe('2023-09-22T20:15:00.000Z');
    expect(stream.provenance.to).toBe('2023-09-28T20:15:00.000Z');
    expect(stream.provenance.sha256).toMatch(/^[0-9a-f]{64}$/);
    const old = arrayBarTable([{ symbol: 'ES', time: Date.parse('1980-01-02T15:00:00Z'), open: 1, high: 1, low: 1, close: 1, volume: 1 }]);
    await expect(loadVixStream(vixFile, old)).rejects.toThrow(/--vix/);
  });
});
