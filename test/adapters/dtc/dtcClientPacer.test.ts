/** The outgoing pacer: bursts, sustained rate, order, clearing and disposal. */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DtcPacer } from '../../../adapters/dtc/dtcPacer.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DtcPacer', () => {
  it('writes a burst at once, then one item per interval, in order', async () => {
    const written: Array<[number, number]> = [];
    const start = Date.now();
    const pacer = new DtcPacer<number>({ ratePerSecond: 10, burst: 2, write: (n) => written.push([n, Date.now() - start]) });
    const done = [1, 2, 3, 4, 5].map((n) => pacer.enqueue(n));
    expect(written).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(pacer.queued).toBe(3);
    await vi.advanceTimersByTimeAsync(99);
    expect(written).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(written.at(-1)).toEqual([3, 100]);
    await vi.advanceTimersByTimeAsync(200);
    expect(written).toEqual([
      [1, 0],
      [2, 0],
      [3, 100],
      [4, 200],
      [5, 300],
    ]);
    await expect(Promise.all(done)).resolves.toHaveLength(5);
    // Idle again: the bucket refills to the burst and the timer stops.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(vi.getTimerCount()).toBe(0);
    pacer.enqueue(6);
    pacer.enqueue(7);
    expect(written.map(([n]) => n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    pacer.dispose(new Error('end'));
  });

  it('never exceeds burst + rate x elapsed, whatever the arrival pattern', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 30 }),
        async (rate, burst, gaps) => {
          vi.clearAllTimers();
          const start = Date.now();
          const times: number[] = [];
          const order: number[] = [];
          const pacer = new DtcPacer<number>({
            ratePerSecond: rate,
            burst,
            write: (n) => {
              times.push(Date.now() - start);
              order.push(n);
            },
          });
          const all: Promise<void>[] = [];
          for (const [i, gap] of gaps.entries()) {
            await vi.advanceTimersByTimeAsync(gap);
            all.push(pacer.enqueue(i));
          }
          await vi.advanceTimersByTimeAsync((gaps.length * 1000) / rate + 1_000);
          await Promise.all(all);
          expect(order).toEqual(gaps.map((_, i) => i));
          // Any window [t0, t1] holds at most burst + rate * (t1 - t0) writes (1 ms of timer rounding).
          for (let i = 0; i < times.length; i++) {
            for (let j = i; j < times.length; j++) {
              const window = times[j]! - times[i]!;
              expect(j - i + 1).toBeLessThanOrEqual(burst + Math.floor(((window + 1) * rate) / 1000));
            }
          }
          pacer.dispose(new Error('end'));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('rejects queued items on clear, and a write that throws rejects only its item', async () => {
    let fail = true;
    const written: string[] = [];
    const pacer = new DtcPacer<string>({
      ratePerSecond: 1,
      burst: 1,
      write: (s) => {
        if (fail) {
          fail = false;
          throw new Error('socket gone');
        }
        written.push(s);
      },
    });
    await expect(pacer.enqueue('a')).rejects.toThrow('socket gone');
    const queued = [pacer.enqueue('b'), pacer.enqueue('c')].map((p) => p.catch((e: Error) => e.message));
    expect(pacer.queued).toBe(2);
    pacer.clear(new Error('session ended'));
    expect(await Promise.all(queued)).toEqual(['session ended', 'session ended']);
    expect(written).toEqual([]);
    pacer.dispose(new Error('end'));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a rate or burst it cannot honour', () => {
    const write = () => {};
    expect(() => new DtcPacer({ ratePerSecond: 0, burst: 1, write })).toThrow(RangeError);
    expect(() => new DtcPacer({ ratePerSecond: Number.NaN, burst: 1, write })).toThrow(RangeError);
    expect(() => new DtcPacer({ ratePerSecond: 1, burst: 0, write })).toThrow(RangeError);
    expect(() => new DtcPacer({ ratePerSecond: 1, burst: 1.5, write })).toThrow(RangeError);
  });
});
