/**
 * Streams beside the bars: the DOM file's depth parsed into book snapshots timed by their
 * trades, the feed's merge by time (every item before a bar's close, none after, none
 * before the first bar), and on the real NQ DOM file the features it feeds.
 */
import { describe, expect, it } from 'vitest';
import { domSnapshots, loadMarketStream } from '../../adapters/files/marketStream.ts';
import { isQuoteHeader, loadQuoteText } from '../../adapters/files/quoteText.ts';
import { BacktestFeed } from '../../backtest/engineFeed.ts';
import { runBacktest } from '../../backtest/engine.ts';
import { loadBacktestData, loadReplayStreams } from '../../backtest/engineData.ts';
import { arrayBarTable } from '../../core/barColumns.ts';
import { MarketBus } from '../../core/marketBus.ts';
import type { Bar, TradeTick } from '../../core/types.ts';
import { configSchema } from '../../config/schema.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const MIN = 60_000;

describe('DOM snapshots', () => {
  it('parses unquoted depth JSON, best level first, timed by the row trades', () => {
    const text = 'Timestamp,Price,Size,Side,DOM_BID,DOM_ASK\r\n2025-10-20 18:08:56.500,25314.0,1,BID,{"25313.25": 5, "25313.5": 6},{"25314.5": 2, "25314.0": 3}\r\n';
    const trades: TradeTick[] = [{ symbol: 'NQ', time: 1000, price: 25314, size: 1, aggressor: 'sell' }];
    expect(domSnapshots(text, 'f.csv', trades, 'NQ')).toEqual([
      { symbol: 'NQ', time: 1000, bids: [{ price: 25313.5, size: 6 }, { price: 25313.25, size: 5 }], asks: [{ price: 25314, size: 3 }, { price: 25314.5, size: 2 }] },
    ]);
    expect(domSnapshots('Timestamp,Price,Size,Side\n', 'f.csv', [], 'NQ')).toEqual([]);
    expect(() => domSnapshots(text, 'f.csv', [], 'NQ')).toThrow(/cannot be timed/);
  });
});

describe('CSV quotes', () => {
  it('reads bid/ask with sizes in New York time, rejects a crossed quote, and is told from bars by its header', async () => {
    const text = 'timestamp,bid,ask,bid_size,ask_size\n2023-03-13 09:30:00.100,3900.00,3900.25,12,9\n2023-03-13 09:31:05.000,3901.00,3900.50,8,15\n2023-03-13 09:32:05.000,3901.00,3901.25,4,15\n';
    const series = loadQuoteText({ file: '/x/es_quotes.csv', bytes: Buffer.from(text), sha256: 'f'.repeat(64) }, {});
    expect(series.kind).toBe('quotes');
    expect(series.items).toEqual([
      { symbol: 'ES', time: Date.parse('2023-03-13T13:30:00.100Z'), bid: 3900, ask: 3900.25, bidSize: 12, askSize: 9 },
      { symbol: 'ES', time: Date.parse('2023-03-13T13:32:05.000Z'), bid: 3901, ask: 3901.25, bidSize: 4, askSize: 15 },
    ]);
    expect(series.rejected).toBe(1);
    expect(isQuoteHeader(['timestamp', 'bid', 'ask', 'bid_size', 'ask_size'])).toBe(true);
    expect(isQuoteHeader(['timestamp', 'open', 'high', 'low', 'close', 'volume'])).toBe(false);
    expect(isQuoteHeader(['Timestamp', 'Precio', 'Volumen', 'Lado', 'Bid', 'Ask'])).toBe(false);
  });
});

describe('stream merge in the feed', () => {
  it('publishes every item stamped before a bar closes ahead of that bar, in time order, and drops items before the first bar', () => {
    const bars: Bar[] = [0, 1, 2].map((i) => ({ symbol: 'ES', time: 10 * MIN + i * MIN, open: 1, high: 1, low: 1, close: 1, volume: 1 }));
    const t = (time: number): TradeTick => ({ symbol: 'ES', time, price: 1, size: 1 });
    const trades = [t(9 * MIN), t(10 * MIN), t(10.5 * MIN), t(11 * MIN - 1), t(11 * MIN), t(12.9 * MIN), t(13 * MIN)];
    const quotes = [{ symbol: 'ES', time: 10.5 * MIN, bid: 1, ask: 1.25, bidSize: 1, askSize: 1 }];
    const books = [{ symbol: 'ES', time: 10.5 * MIN, bids: [{ price: 1, size: 1 }], asks: [{ price: 1.25, size: 1 }] }];
    const bus = new MarketBus();
    const log: string[] = [];
    bus.subscribe('strategy', {
      onBar: (b) => log.push(`bar ${b.time / MIN}`),
      onTrade: (x) => log.push(`trade ${x.time / MIN}`),
      onQuote: (x) => log.push(`quote ${x.time / MIN}`),
      onBook: (x) => log.push(`book ${x.time / MIN}`),
    });
    const feed = new BacktestFeed({ bars: arrayBarTable(bars), barMs: MIN, chains: [], bus: () => bus, streams: { trades, quotes, books } });
    for (let b = feed.next(); b; b = feed.next()) bus.publishBar(b);
    expect(log).toEqual([
      'trade 10', 'book 10.5', 'quote 10.5', 'trade 10.5', `trade ${(11 * MIN - 1) / MIN}`, 'bar 10',
      'trade 11', 'bar 11',
      'trade 12.9', 'bar 12',
    ]);
    expect(feed.published).toEqual({ trades: 5, quotes: 1, books: 1 });
  });
});

const DOM = 'nq_ticks/ts_and_dom_2min.csv';

describe.skipIf(!hasSharedData(DOM))('the NQ DOM file as a stream', () => {
  it('feeds the order book, tick momentum and smart money features that bars alone leave empty', { timeout: 60_000 }, async () => {
    const config = configSchema.parse({ symbol: 'NQ', strategy: { minAvailableWeight: 0 } });
    const file = sharedData(DOM);
    const data = await loadBacktestData([file], {}, { from: null, to: null });
    const stream = await loadMarketStream(file);
    expect(stream.books).toHaveLength(stream.trades.length);
    const streams = await loadReplayStreams([file], {}, arrayBarTable(data.bars), data.barMs, data.data);
    expect(streams.coverage[0]).toMatchObject({ kind: 'trades', items: 1058, books: 1058, inBars: 1058 });
    const plain = await runBacktest({ config, bars: data.bars, barMs: data.barMs, data: data.data });
    const full = await runBacktest({ config, bars: data.bars, barMs: data.barMs, data: data.data, streams: streams.items });
    expect(plain.featureAvailability!.orderBook).toBe(0);
    expect(full.featureAvailability!.orderBook).toBe(1);
    expect(full.featureAvailability!.smartMoney).toBeGreaterThan(0);
    expect(full.featureAvailability!.tickMomentum).toBeGreaterThan(0);
    const es = await loadBacktestData([sharedData('es/firstrate/edisoniver_2023-03/ES_1min_sample.csv')], {}, { from: '2023-03-13', to: '2023-03-13' }).catch(() => null);
    if (es) await expect(loadReplayStreams([file], {}, arrayBarTable(es.bars), es.barMs, es.data)).rejects.toThrow(/--stream/);
  });
});
