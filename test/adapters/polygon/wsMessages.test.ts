import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWsFrame } from '../../../adapters/polygon/wsMessages.ts';
import { StaleWatch } from '../../../adapters/polygon/staleWatch.ts';
import { BarSequencer } from '../../../adapters/polygon/barSequencer.ts';

describe('parseWsFrame', () => {
  it('reads Polygon status, futures AM/T/Q and index V/AM messages (documented fields)', () => {
    const frame = JSON.stringify([
      { ev: 'status', status: 'auth_success', message: 'authenticated' },
      { ev: 'AM', sym: 'ESZ5', v: 120, dv: 725_000, o: 6040, c: 6041.25, h: 6042, l: 6039.5, n: 80, s: 1_734_472_740_000, e: 1_734_472_800_000 },
      { ev: 'T', sym: 'ESZ5', p: 6041.25, s: 3, t: 1_734_472_799_000, q: 27317882 },
      { ev: 'Q', sym: 'ESZ5', bp: 6041, bs: 12, bt: 1, ap: 6041.25, as: 9, at: 2, t: 1_734_472_799_500 },
      { ev: 'V', T: 'I:SPX', val: 6050.12, t: 1_734_472_799_000 },
      { ev: 'AM', sym: 'I:SPX', op: 6000, o: 6049, c: 6050.12, h: 6051, l: 6048.5, s: 1_734_472_740_000, e: 1_734_472_800_000 },
      { ev: 'LULD', sym: 'X' },
    ]);
    expect(parseWsFrame(frame)).toEqual([
      { kind: 'status', status: 'auth_success', message: 'authenticated' },
      {
        kind: 'bar',
        timespan: 'minute',
        endTime: 1_734_472_800_000,
        bar: { symbol: 'ESZ5', time: 1_734_472_740_000, open: 6040, high: 6042, low: 6039.5, close: 6041.25, volume: 120 },
      },
      { kind: 'trade', trade: { symbol: 'ESZ5', time: 1_734_472_799_000, price: 6041.25, size: 3 } },
      { kind: 'quote', quote: { symbol: 'ESZ5', time: 1_734_472_799_500, bid: 6041, ask: 6041.25, bidSize: 12, askSize: 9 } },
      { kind: 'indexValue', symbol: 'I:SPX', time: 1_734_472_799_000, value: 6050.12 },
      {
        kind: 'bar',
        timespan: 'minute',
        endTime: 1_734_472_800_000,
        bar: { symbol: 'I:SPX', time: 1_734_472_740_000, open: 6049, high: 6051, low: 6048.5, close: 6050.12, volume: 0 },
      },
      { kind: 'unknown', ev: 'LULD' },
    ]);
  });

  it('turns a bad message into an invalid event without losing the rest of the frame', () => {
    const events = parseWsFrame(JSON.stringify([{ ev: 'T', sym: 'ESZ5', p: -1, s: 1, t: 1 }, { ev: 'V', T: 'I:VIX', val: '14.5', t: 5 }]));
    expect(events[0]).toMatchObject({ kind: 'invalid' });
    expect(events[1]).toEqual({ kind: 'indexValue', symbol: 'I:VIX', time: 5, value: 14.5 });
    expect(parseWsFrame('not json')).toEqual([{ kind: 'invalid', reason: expect.stringMatching(/not JSON/) }]);
  });

  it('never throws, whatever the frame', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        expect(Array.isArray(parseWsFrame(text))).toBe(true);
      }),
    );
  });
});

describe('StaleWatch', () => {
  it('edge-triggers: stale once per silence, fresh once at the next data', () => {
    const w = new StaleWatch(1_000, 0);
    expect(w.check(999)).toBeNull();
    expect(w.check(1_000)).toBe('stale');
    expect(w.check(5_000)).toBeNull();
    expect(w.touch(5_001)).toBe('fresh');
    expect(w.touch(5_002)).toBeNull();
    expect(w.check(6_001)).toBeNull();
    expect(w.check(6_002)).toBe('stale');
  });

  it('alternates stale/fresh, starting with stale, for any sequence of data and checks', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ touch: fc.boolean(), dt: fc.integer({ min: 0, max: 3_000 }) }), { maxLength: 60 }), (ops) => {
        const w = new StaleWatch(1_000, 0);
        let now = 0;
        const transitions: string[] = [];
        for (const op of ops) {
          now += op.dt;
          const t = op.touch ? w.touch(now) : w.check(now);
          if (t) transitions.push(t);
          // Never stale while data is recent, always stale after a checked silence.
          if (!op.touch && now - w.lastDataTime >= 1_000) expect(w.isStale).toBe(true);
        }
        transitions.forEach((t, i) => expect(t).toBe(i % 2 === 0 ? 'stale' : 'fresh'));
      }),
    );
  });
});

describe('BarSequencer', () => {
  it('lets through each symbol\'s bars strictly increasing and drops repeats and older bars', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ symbol: fc.constantFrom('A', 'B'), minute: fc.integer({ min: 0, max: 30 }) }), { maxLength: 80 }), (arrivals) => {
        const seq = new BarSequencer();
        const out = arrivals.filter(({ symbol, minute }) => seq.accept({ symbol, time: minute * 60_000, open: 1, high: 1, low: 1, close: 1, volume: 0 }));
        for (const symbol of ['A', 'B']) {
          const times = out.filter((b) => b.symbol === symbol).map((b) => b.minute);
          expect(times).toEqual([...new Set(times)].sort((a, b) => a - b));
          // Each accepted bar is newer than everything of its symbol that came before it.
          const arrivedBefore = (i: number) => arrivals.slice(0, i).filter((a) => a.symbol === symbol);
          arrivals.forEach((a, i) => {
            if (a.symbol !== symbol) return;
            const newest = Math.max(-1, ...arrivedBefore(i).map((b) => b.minute));
            const accepted = out.includes(a);
            expect(accepted).toBe(a.minute > newest);
          });
        }
      }),
    );
  });
});
