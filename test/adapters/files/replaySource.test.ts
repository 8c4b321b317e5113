/**
 * Replay: a loaded series as the market-data actor's bar source, driven through the real
 * MarketBus; aggregation on the way; trades replayed as bars; quotes refused.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBarCache } from '../../../adapters/files/barCache.ts';
import { loadSeries } from '../../../adapters/files/loadSeries.ts';
import { ArrayBarSource, openReplaySource, replayDelayMs } from '../../../adapters/files/replaySource.ts';
import { MarketBus } from '../../../core/marketBus.ts';
import type { Bar } from '../../../core/types.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-replay-');
const VICTOR = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';
const DIR = 'es/firstrate/edisoniver_2023-03';

function drain(source: { next(): Bar | null }): Bar[] {
  const out: Bar[] = [];
  for (let b = source.next(); b; b = source.next()) out.push(b);
  return out;
}

describe('openReplaySource', () => {
  it.skipIf(!hasSharedData(VICTOR))('replays every accepted bar in order through the bus, with the file provenance', async () => {
    const { source, series, barMs, provenance } = await openReplaySource(sharedData(VICTOR));
    expect(barMs).toBe(60_000);
    expect(provenance).toEqual({ kind: 'replay', file: sharedData(VICTOR), sha256: series.sha256 });
    const bus = new MarketBus();
    const seen: Bar[] = [];
    bus.subscribe('observer', { onBar: (b) => seen.push(b) });
    for (let b = source.next(); b; b = source.next()) bus.publishBar(b);
    expect(seen).toHaveLength(15_176);
    expect(seen[0]!.time).toBe(Date.parse('2023-09-24T22:00:00Z'));
    expect(bus.lastTime).toBe(Date.parse('2023-10-09T20:59:00Z'));
    expect(source.next()).toBeNull();
    expect(source.remaining).toBe(0);
  });

  it.skipIf(!hasSharedData(`${DIR}/ES_5min_sample.txt`))('--bar-minutes 5 replays the vendor 5-minute bars; a cache replays the same bars', async () => {
    const five = await loadSeries(sharedData(`${DIR}/ES_5min_sample.txt`));
    const r = await openReplaySource(sharedData(`${DIR}/ES_1min_sample.csv`), { barMinutes: 5 });
    expect(r.barMs).toBe(300_000);
    expect(drain(r.source)).toEqual(five.items);

    const minute = await loadSeries(sharedData(`${DIR}/ES_1min_sample.csv`));
    if (minute.kind !== 'bars') throw new Error('bars expected');
    const cache = join(tempDir(), 'es.miabars');
    await writeBarCache(cache, minute.items, minute);
    const fromCache = await openReplaySource(cache, { barMinutes: 5 });
    expect(drain(fromCache.source)).toEqual(five.items);
    expect(fromCache.provenance).toEqual(minute.provenance);
  });

  it.skipIf(!hasSharedData(VICTOR))('a time window keeps bars in [from, to)', async () => {
    const from = Date.parse('2023-10-02T13:30:00Z');
    const to = Date.parse('2023-10-02T20:00:00Z');
    const { bars } = await openReplaySource(sharedData(VICTOR), { fromMs: from, toMs: to });
    expect(bars).toHaveLength(390); // 09:30-16:00 EDT, every minute present that day
    expect(bars[0]!.time).toBe(from);
    expect(bars.at(-1)!.time).toBe(to - 60_000);
  });

  it.skipIf(!hasSharedData('nq_ticks/time_and_sales_nq_.csv'))('trade prints replay as 1-minute bars carrying aggressor volume', async () => {
    const { bars, barMs, series } = await openReplaySource(sharedData('nq_ticks/time_and_sales_nq_.csv'));
    expect(series.kind).toBe('trades');
    expect(barMs).toBe(60_000);
    expect(bars).toHaveLength(31); // 18:00:00.032 .. 18:30:00.932 Madrid
    expect(bars.reduce((v, b) => v + (b.askVolume ?? 0), 0)).toBe(12_903);
    expect(bars.reduce((v, b) => v + (b.bidVolume ?? 0), 0)).toBe(8_223);
  });

  it('refuses quotes and impossible aggregations with DataFileErrors', async () => {
    if (hasSharedData('polygon/rest-mocks/v3/quotes/AAPL.json')) {
      await expect(openReplaySource(sharedData('polygon/rest-mocks/v3/quotes/AAPL.json'))).rejects.toMatchObject({ code: 'unsupported' });
    }
    if (hasSharedData(`${DIR}/ES_5min_sample.txt`)) {
      await expect(openReplaySource(sharedData(`${DIR}/ES_5min_sample.txt`), { barMinutes: 1 })).rejects.toMatchObject({ code: 'bad-option', option: 'barMinutes' });
      await expect(openReplaySource(sharedData(`${DIR}/ES_5min_sample.txt`), { barMinutes: 7 })).rejects.toMatchObject({ code: 'bad-option' });
    }
  });
});

describe('ArrayBarSource and pacing', () => {
  it('hands out each bar once, in order, and reports its position', () => {
    const bars = [1, 2, 3].map((i): Bar => ({ symbol: 'ES', time: i * 60_000, open: 1, high: 1, low: 1, close: 1, volume: i }));
    const src = new ArrayBarSource(bars);
    expect(src.next()).toBe(bars[0]);
    expect([src.position, src.remaining]).toEqual([1, 2]);
    expect(drain(src)).toEqual(bars.slice(1));
    expect(src.next()).toBeNull();
  });

  it('replayDelayMs: event-time gap divided by the speed, capped; none at max speed', () => {
    expect(replayDelayMs(0, 60_000, 60)).toBe(1_000);
    expect(replayDelayMs(0, 60_000, 'max')).toBe(0);
    expect(replayDelayMs(0, 3 * 86_400_000, 1)).toBe(5_000);
    expect(replayDelayMs(60_000, 0, 2)).toBe(0);
  });
});
