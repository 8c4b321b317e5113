import { describe, expect, it } from 'vitest';
import { PaperMarketData } from '../../../adapters/dtc/paperMarket.ts';
import type { Bar } from '../../../core/types.ts';

const bar = (iso: string, open: number, high: number, low: number, close: number, symbol = 'ESZ25'): Bar => ({
  symbol, time: Date.parse(iso), open, high, low, close, volume: 10,
});

describe('PaperMarketData', () => {
  it('session OHLC and volume restart at the CME trading day boundary (17:00 Chicago), not at midnight UTC', () => {
    const m = new PaperMarketData();
    m.onBar(bar('2025-11-03T21:58:00Z', 6000, 6002, 5999, 6001)); // 15:58 CT, day 2025-11-03
    m.onBar(bar('2025-11-03T21:59:00Z', 6001, 6005, 6000, 6004));
    expect(m.lookup('ESZ25')!.session).toEqual({ day: '2025-11-03', open: 6000, high: 6005, low: 5999, volume: 20 });
    m.onBar(bar('2025-11-03T23:00:00Z', 6003, 6004, 6001, 6002)); // 17:00 CT: day 2025-11-04
    expect(m.lookup('ESZ25')!.session).toEqual({ day: '2025-11-04', open: 6003, high: 6004, low: 6001, volume: 10 });
    expect(m.lookup('ESZ25')!.last).toEqual({ price: 6002, volume: 10, time: Date.parse('2025-11-03T23:00:00Z') });
  });

  it('with trade prints flowing, the prints make last, range and volume; bars do not count them twice', () => {
    const m = new PaperMarketData();
    const t = Date.parse('2025-11-03T15:00:00Z');
    m.onTrade({ symbol: 'ESZ25', time: t, price: 6000, size: 3 });
    m.onTrade({ symbol: 'ESZ25', time: t + 10, price: 6001.25, size: 2 });
    m.onBar({ symbol: 'ESZ25', time: t, open: 6000, high: 6001.25, low: 6000, close: 6001.25, volume: 5 });
    expect(m.lookup('ESZ25')).toMatchObject({ last: { price: 6001.25, volume: 2 }, session: { open: 6000, high: 6001.25, low: 6000, volume: 5 } });
  });

  it('serves a request for the contract from a feed naming the root; other instruments and broken input stay apart', () => {
    const m = new PaperMarketData();
    m.onBar(bar('2025-11-03T15:00:00Z', 6000, 6001, 5999, 6000, 'ES'));
    m.onQuote({ symbol: 'ESZ25-CME', time: Date.parse('2025-11-03T15:01:00Z'), bid: 6000, ask: 6000.25, bidSize: 1, askSize: 2 });
    m.onQuote({ symbol: 'ESZ25', time: 0, bid: 6001, ask: 6000, bidSize: 1, askSize: 1 }); // crossed: ignored
    m.onBar(bar('2025-11-03T15:02:00Z', Number.NaN, 1, 1, 1)); // broken: ignored
    expect(m.lookup('esz25')).toMatchObject({ symbol: 'ESZ25-CME', last: { price: 6000 }, quote: { bid: 6000, ask: 6000.25, askSize: 2 } });
    expect(m.lookup('NQZ25')).toBeUndefined();
    expect(m.lookup('???')).toBeUndefined();
  });
});
