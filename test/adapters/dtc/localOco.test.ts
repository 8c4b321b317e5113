import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalOcoBook, serverSupportsOco } from '../../../adapters/dtc/localOco.ts';

describe('local OCO (server without OCO support)', () => {
  it('reads the logon flag: only OCOOrdersSupported = 1 means the server pairs orders', () => {
    expect(serverSupportsOco({ OCOOrdersSupported: 1 })).toBe(true);
    expect(serverSupportsOco({ OCOOrdersSupported: 0 })).toBe(false);
    expect(serverSupportsOco(undefined)).toBe(false);
  });

  it('a fill on one leg cancels the other exactly once; an end without fill cancels nothing', () => {
    const book = new LocalOcoBook();
    book.link('stop', 'target');
    expect(book.onFill('target')).toBe('stop');
    expect(book.onFill('target')).toBeNull();
    expect(book.onFill('stop')).toBeNull();
    book.link('s2', 't2');
    book.onEnded('t2');
    expect(book.onFill('s2')).toBeNull();
    expect(book.size).toBe(0);
    expect(() => book.link('x', 'x')).toThrow(/two ClientOrderIDs/);
  });

  it('over any sequence of events, each pair yields at most one cancel, for the other leg', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.boolean(), fc.boolean()), { maxLength: 60 }), (events) => {
        const book = new LocalOcoBook();
        for (let p = 0; p < 5; p++) book.link(`a${p}`, `b${p}`);
        const cancels: string[] = [];
        for (const [p, legA, filled] of events) {
          const id = `${legA ? 'a' : 'b'}${p}`;
          if (filled) {
            const c = book.onFill(id);
            if (c !== null) {
              expect(c).toBe(`${legA ? 'b' : 'a'}${p}`);
              cancels.push(c);
            }
          } else book.onEnded(id);
        }
        const perPair = new Map<string, number>();
        for (const c of cancels) perPair.set(c.slice(1), (perPair.get(c.slice(1)) ?? 0) + 1);
        for (const n of perPair.values()) expect(n).toBe(1);
      }),
    );
  });
});
