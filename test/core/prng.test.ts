import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Prng, nextRandom } from '../../core/prng.ts';

const seed = fc.integer({ min: 0, max: 0xffffffff });

describe('nextRandom / Prng (mulberry32)', () => {
  it('is pure: the same state gives the same draw, and the state survives a JSON round trip', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const a = nextRandom(s);
        expect(nextRandom(s)).toEqual(a);
        const restored = JSON.parse(JSON.stringify(a)) as typeof a;
        expect(nextRandom(restored.state)).toEqual(nextRandom(a.state));
      }),
    );
  });

  it('draws in [0, 1) and keeps a uint32 state', () => {
    fc.assert(
      fc.property(seed, (s) => {
        let state = s;
        for (let i = 0; i < 50; i++) {
          const d = nextRandom(state);
          expect(d.value).toBeGreaterThanOrEqual(0);
          expect(d.value).toBeLessThan(1);
          expect(Number.isInteger(d.state) && d.state >= 0 && d.state <= 0xffffffff).toBe(true);
          state = d.state;
        }
      }),
    );
  });

  it('Prng.next replays the nextRandom chain; different seeds give different sequences', () => {
    fc.assert(
      fc.property(seed, seed, (s, t) => {
        const rng = new Prng(s);
        let state = s;
        const seq: number[] = [];
        for (let i = 0; i < 20; i++) {
          const d = nextRandom(state);
          state = d.state;
          expect(rng.next()).toBe(d.value);
          seq.push(d.value);
        }
        if (s !== t) {
          const other = new Prng(t);
          expect(seq.map(() => other.next())).not.toEqual(seq);
        }
      }),
    );
  });

  it('is roughly uniform, and normal() has mean ~0 and variance ~1', () => {
    const rng = new Prng(12345);
    const n = 40_000;
    const buckets = new Array<number>(10).fill(0);
    let sum = 0;
    let sumSq = 0;
    let nonFinite = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      buckets[Math.floor(u * 10)]!++;
      const z = rng.normal();
      if (!Number.isFinite(z)) nonFinite++;
      sum += z;
      sumSq += z * z;
    }
    expect(nonFinite).toBe(0);
    for (const b of buckets) expect(Math.abs(b - n / 10)).toBeLessThan(n / 10 * 0.05);
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / n - mean * mean - 1)).toBeLessThan(0.03);
  });
});
