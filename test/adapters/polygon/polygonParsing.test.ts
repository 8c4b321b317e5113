import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { msToNs, nsToMs, parsePolygonJson } from '../../../adapters/polygon/polygonJson.ts';
import { parseFuturesAggs, parseFuturesQuotes, parseFuturesTrades, parseV2Aggs, rejectionCause } from '../../../adapters/polygon/polygonRows.ts';
import { retryAfterMs } from '../../../adapters/polygon/retryAfter.ts';
import { PolygonError } from '../../../adapters/polygon/polygonError.ts';

const MAX_NS = 2n ** 63n - 1n;

describe('parsePolygonJson / nsToMs', () => {
  it('keeps nanosecond integers exact where JSON.parse rounds them', () => {
    const text = '{"timestamp": 1734484219379895800, "ns": 1734472799000509261, "size": 12}';
    expect(String((JSON.parse(text) as { ns: number }).ns)).not.toBe('1734472799000509261'); // the trap
    const body = parsePolygonJson(text) as Record<string, unknown>;
    expect(body.ns).toBe('1734472799000509261');
    expect(body.size).toBe(12);
    expect(nsToMs(body.ns as string)).toBe(1734472799000);
  });

  it('floor(ns / 1e6) for every 16-19 digit timestamp, as BigInt arithmetic says', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 10n ** 15n, max: MAX_NS }), (ns) => {
        const body = parsePolygonJson(`{"results":[{"window_start": ${ns}}],"status":"OK"}`) as { results: { window_start: string }[] };
        expect(nsToMs(body.results[0]!.window_start)).toBe(Number(ns / 1_000_000n));
      }),
    );
  });

  it('leaves strings and numbers below 16 digits alone', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer(), fc.double({ min: -999_999_999_999_999, max: 999_999_999_999_999, noNaN: true }), (s, i, d) => {
        const value = { s, i, d, nested: [{ s }] };
        expect(parsePolygonJson(JSON.stringify(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('msToNs and nsToMs are inverse on whole milliseconds; junk gives NaN', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), (ms) => {
        expect(nsToMs(msToNs(ms))).toBe(ms);
      }),
    );
    expect(nsToMs('12a')).toBeNaN();
    expect(() => msToNs(1.5)).toThrow(RangeError);
  });
});

describe('retryAfterMs', () => {
  const now = Date.UTC(2025, 0, 6, 12, 0, 0);
  it('reads seconds (integer or decimal) and HTTP dates', () => {
    expect(retryAfterMs('2', now)).toBe(2_000);
    expect(retryAfterMs('0.5', now)).toBe(500);
    expect(retryAfterMs('Mon, 06 Jan 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Mon, 06 Jan 2025 11:00:00 GMT', now)).toBe(0);
  });
  it('is undefined when absent or unreadable', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-3', now)).toBeUndefined();
  });
});

describe('REST row parsers', () => {
  const junk = fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue());

  it('never throw on bad rows: every row is either an item or a rejection with a reason', () => {
    const parsers = [parseFuturesAggs, parseFuturesTrades, parseFuturesQuotes, parseV2Aggs];
    fc.assert(
      fc.property(fc.array(junk, { maxLength: 20 }), fc.integer({ min: 0, max: 3 }), (rows, which) => {
        const out = parsers[which]!({ status: 'OK', results: rows }, 'ESZ5');
        expect(out.items.length + out.rejected.length).toBe(rows.length);
        for (const r of out.rejected) expect(r.reason.length).toBeGreaterThan(0);
      }),
    );
  });

  it('reject inconsistent OHLC and missing fields, keeping the good rows in order', () => {
    const ns = (ms: number) => msToNs(ms);
    const out = parseFuturesAggs(
      {
        results: [
          { window_start: ns(60_000), open: 10, high: 11, low: 9, close: 10.5, volume: 3 },
          { window_start: ns(120_000), open: 10, high: 9, low: 9, close: 10.5, volume: 3 },
          { window_start: ns(180_000), open: 10, high: 11, low: 9, volume: 3 },
          { window_start: ns(240_000), open: 10, high: 11, low: 9, close: 10, volume: 0 },
        ],
      },
      'ESZ5',
    );
    expect(out.items.map((b) => b.time)).toEqual([60_000, 240_000]);
    expect(out.rejected.map((r) => r.index)).toEqual([1, 2]);
    expect(out.rejected[0]!.reason).toMatch(/OHLC/);
    expect(out.rejected[1]!.reason).toMatch(/close/);
  });

  it('quotes: a one-sided quote (a side of the book empty) is rejected saying which side, a two-sided one kept', () => {
    const ns = (ms: number) => msToNs(ms);
    const out = parseFuturesQuotes(
      {
        results: [
          { timestamp: ns(1_000), bid_price: 6000, bid_size: 1, ask_size: 0 },
          { timestamp: ns(2_000), ask_price: 6000.25, bid_size: 0, ask_size: 4 },
          { timestamp: ns(3_000), bid_size: 0, ask_size: 0 },
          { timestamp: ns(4_000), bid_price: 6000, ask_price: 6000.25, bid_size: 2, ask_size: 3 },
          { timestamp: ns(5_000), bid_price: -1, ask_price: 6000.25, bid_size: 2, ask_size: 3 },
        ],
      },
      'ESZ5',
    );
    expect(out.items).toEqual([{ symbol: 'ESZ5', time: 4_000, bid: 6000, ask: 6000.25, bidSize: 2, askSize: 3 }]);
    expect(out.rejected.map((r) => r.reason)).toEqual([
      'one-sided quote: no ask price (ask side of the book empty)',
      'one-sided quote: no bid price (bid side of the book empty)',
      'no bid and no ask price (both sides of the book empty)',
      expect.stringMatching(/^bid_price: /),
    ]);
  });

  it('rejectionCause drops the values so that rows count by cause', () => {
    expect(rejectionCause('inconsistent OHLC 10/9/9/10.5')).toBe(rejectionCause('inconsistent OHLC 6000.25/5999/5998.5/6001'));
    expect(rejectionCause('one-sided quote: no ask price (ask side of the book empty)')).toBe('one-sided quote: no ask price (ask side of the book empty)');
  });

  it('a body that is not a page is a bad-response error; a page without results is empty', () => {
    expect(() => parseFuturesAggs('<html>', 'ESZ5')).toThrow(PolygonError);
    expect(parseFuturesAggs({ status: 'OK' }, 'ESZ5')).toEqual({ items: [], rejected: [] });
  });
});
