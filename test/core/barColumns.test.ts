/**
 * BarColumns reads back every bar exactly as pushed (32-bit columns widen at the first value
 * a 32-bit float cannot hold), also through slice, concat and shared memory.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../../core/barColumns.ts';
import type { Bar } from '../../core/types.ts';

const price = fc.oneof(fc.integer({ min: 1, max: 40_000 }).map((q) => q * 0.25), fc.double({ min: 0.01, max: 1e6, noNaN: true }), fc.constant(1210.78));
const bar = (sides: boolean): fc.Arbitrary<Bar> =>
  fc.record({ time: fc.integer({ min: 0, max: 4e12 }), open: price, high: price, low: price, close: price, volume: fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e12, noNaN: true })) }).chain(
    (b): fc.Arbitrary<Bar> =>
      sides ? fc.record({ askVolume: fc.nat(), bidVolume: fc.double({ min: 0, max: 1e9, noNaN: true }) }).map((s): Bar => ({ symbol: 'ES', ...b, ...s })) : fc.constant<Bar>({ symbol: 'ES', ...b }),
  );
const read = (t: BarColumns) => Array.from({ length: t.length }, (_, i) => t.barAt(i));

describe('BarColumns', () => {
  it('reads back pushed bars exactly (fields and their order), through slice, concat and shared memory', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 3 }), (sides, shared, cut) =>
        fc.assert(
          fc.property(fc.array(bar(sides), { maxLength: 40 }), fc.array(bar(sides), { maxLength: 40 }), (a, b) => {
            const ta = BarColumns.fromBars(a, shared);
            const tb = BarColumns.fromBars(b, shared);
            if (!ta || !tb) return;
            expect(read(ta)).toEqual(a);
            expect(read(ta).map((x) => JSON.stringify(x))).toEqual(a.map((x) => JSON.stringify(x)));
            expect(read(ta.slice(cut, a.length - cut))).toEqual(a.slice(cut, Math.max(cut, a.length - cut)));
            expect(read(BarColumns.concat([ta, tb], shared))).toEqual([...a, ...b]);
          }),
          { numRuns: 20 },
        ),
      ),
      { numRuns: 8 },
    );
  });

  it('keeps exactly representable ES prices in 32 bits and widens a column only when needed', () => {
    const t = new BarColumns('ES', 4);
    t.push({ symbol: 'ES', time: 1.7e12, open: 4024.75, high: 4025.5, low: 4024, close: 4025, volume: 307 });
    expect(t.open).toBeInstanceOf(Float32Array);
    t.push({ symbol: 'ES', time: 1.7e12 + 60_000, open: 1210.78, high: 4025.5, low: 4024, close: 4025, volume: 307 });
    expect(t.open).toBeInstanceOf(Float64Array);
    expect(t.high).toBeInstanceOf(Float32Array);
    expect(t.barAt(0).open).toBe(4024.75);
    expect(t.barAt(1).open).toBe(1210.78);
  });
});
