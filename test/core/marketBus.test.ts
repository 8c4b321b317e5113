import { describe, it, expect } from 'vitest';
import { MarketBus, type BusStage, type MarketListener } from '../../core/marketBus.ts';
import type { Bar, Quote } from '../../core/types.ts';

const bar = (time: number, close: number): Bar => ({ symbol: 'ESZ25', time, open: close, high: close, low: close, close, volume: 1 });
const quote = (time: number): Quote => ({ symbol: 'ESZ25', time, bid: 100, ask: 100.25, bidSize: 5, askSize: 7 });

/** A listener that writes `name:event` into a shared log. */
const recorder = (log: string[], name: string): MarketListener => ({
  onBar: (b) => log.push(`${name}:bar@${b.time}`),
  onQuote: (q) => log.push(`${name}:quote@${q.time}`),
  onEnd: () => log.push(`${name}:end`),
});

describe('MarketBus', () => {
  const orders: BusStage[][] = [
    ['observer', 'strategy', 'venue'],
    ['strategy', 'observer', 'venue'],
    ['venue', 'observer', 'strategy'],
  ];

  it.each(orders)('runs venue -> strategy -> observer for bars, quotes and end (subscribed %s, %s, %s)', (...stages) => {
    const bus = new MarketBus();
    const log: string[] = [];
    for (const s of stages) bus.subscribe(s, recorder(log, s));
    bus.publishBar(bar(1, 100));
    bus.publishQuote(quote(2));
    bus.publishEnd();
    expect(log).toEqual([
      'venue:bar@1', 'strategy:bar@1', 'observer:bar@1',
      'venue:quote@2', 'strategy:quote@2', 'observer:quote@2',
      'venue:end', 'strategy:end', 'observer:end',
    ]);
  });

  it('keeps subscription order within a stage and skips listeners without the handler', () => {
    const bus = new MarketBus();
    const log: string[] = [];
    bus.subscribe('observer', recorder(log, 'o1'));
    bus.subscribe('strategy', { onQuote: () => log.push('quotes-only') });
    bus.subscribe('observer', recorder(log, 'o2'));
    bus.subscribe('venue', {});
    bus.publishBar(bar(5, 100));
    expect(log).toEqual(['o1:bar@5', 'o2:bar@5']);
  });

  it('unsubscribe stops delivery to that listener only, and is idempotent', () => {
    const bus = new MarketBus();
    const log: string[] = [];
    const offVenue = bus.subscribe('venue', recorder(log, 'venue'));
    bus.subscribe('strategy', recorder(log, 'strategy'));
    const offObserver = bus.subscribe('observer', recorder(log, 'observer'));
    offVenue();
    offVenue();
    bus.publishBar(bar(1, 100));
    offObserver();
    bus.publishEnd();
    expect(log).toEqual(['strategy:bar@1', 'observer:bar@1', 'strategy:end']);
  });

  it('a listener that unsubscribes while a bar is being delivered does not make the next one miss it', () => {
    const bus = new MarketBus();
    const log: string[] = [];
    const off = bus.subscribe('venue', { onBar: () => { log.push('once'); off(); } });
    bus.subscribe('venue', recorder(log, 'second'));
    bus.publishBar(bar(1, 100));
    bus.publishBar(bar(2, 100));
    expect(log).toEqual(['once', 'second:bar@1', 'second:bar@2']);
  });

  it('tracks the time of the latest bar or quote and the latest bar close', () => {
    const bus = new MarketBus();
    expect(bus.lastPrice).toBeNaN();
    bus.publishBar(bar(1_000, 101.25));
    expect([bus.lastTime, bus.lastPrice]).toEqual([1_000, 101.25]);
    bus.publishQuote(quote(2_000));
    expect([bus.lastTime, bus.lastPrice]).toEqual([2_000, 101.25]);
  });
});
