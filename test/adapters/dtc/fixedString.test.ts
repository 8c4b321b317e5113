import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitFixedString, FixedStringReader, writeFixedString } from '../../../adapters/dtc/fixedString.ts';

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('fitFixedString', () => {
  it('keeps the longest whole-character prefix before any NUL that fits in size - 1 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.integer({ min: 2, max: 80 }), (value, size) => {
        const fitted = fitFixedString(value, size);
        const beforeNul = value.split('\0')[0]!;
        expect(beforeNul.startsWith(fitted)).toBe(true);
        expect(utf8Length(fitted)).toBeLessThanOrEqual(size - 1);
        if (fitted !== beforeNul) {
          const next = String.fromCodePoint(beforeNul.codePointAt(fitted.length)!);
          expect(utf8Length(fitted) + utf8Length(next)).toBeGreaterThan(size - 1);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with what the binary array holds after writeFixedString', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer({ min: 2, max: 64 }), (value, size) => {
        const buf = Buffer.alloc(size);
        writeFixedString(buf, 0, size, value);
        expect(new FixedStringReader(size).read(buf, 0, size)).toBe(fitFixedString(value, size));
      }),
      { numRuns: 500 },
    );
  });
});

describe('FixedStringReader', () => {
  /** A reference decode without cache: bytes before the first NUL, as UTF-8. */
  function reference(buf: Buffer, start: number, end: number): string {
    const nul = buf.indexOf(0, start);
    return buf.toString('utf8', start, nul === -1 || nul > end ? end : nul);
  }

  it('returns exactly what a fresh decode returns, whatever it read before', () => {
    const size = 16;
    const read = fc.record({
      bytes: fc.oneof(
        fc.constantFrom('', 'ESZ5', 'ESZ', 'ESZ5X', 'Sim1').map((s) => Buffer.from(s)),
        fc.uint8Array({ maxLength: size }).map((a) => Buffer.from(a)),
      ),
      region: fc.integer({ min: 0, max: size }),
      offset: fc.integer({ min: 0, max: 8 }),
      garbage: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(fc.array(read, { minLength: 1, maxLength: 30 }), (reads) => {
        const reader = new FixedStringReader(size);
        for (const { bytes, region, offset, garbage } of reads) {
          // Bytes past the region are garbage the reader must not look at.
          const buf = Buffer.alloc(offset + size + 8, garbage);
          buf.fill(0, offset, offset + size);
          bytes.copy(buf, offset, 0, Math.min(bytes.length, size));
          expect(reader.read(buf, offset, offset + region)).toBe(reference(buf, offset, offset + region));
        }
      }),
      { numRuns: 500 },
    );
  });
});
