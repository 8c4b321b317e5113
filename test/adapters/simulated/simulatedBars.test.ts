import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SimulatedBars, type SimulatedBarsParams } from '../../../adapters/simulated/simulatedBars.ts';
import type { Bar } from '../../../core/types.ts';

const MINUTE = 60_000;

const take = (p: SimulatedBarsParams, n: number): Bar[] => {
  const gen = new SimulatedBars(p);
  return Array.from({ length: n }, () => gen.next());
};

/** Chicago weekday and hour, computed here with Intl so the module is not its own oracle. */
const chicago = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', hourCycle: 'h23', weekday: 'short', hour: '2-digit' });
const globexClosed = (ms: number): boolean => {
  const p = Object.fromEntries(chicago.formatToParts(ms).map((x) => [x.type, x.value]));
  const hour = Number(p.hour);
  return hour === 16 || p.weekday === 'Sat' || (p.weekday === 'Fri' && hour >= 16) || (p.weekday === 'Sun' && hour < 17);
};

const onGrid = (x: number) => Number.isInteger(x * 4);

/** Every invariant a consumer of the feed relies on; returns the violations (plain checks: 10k+ bars). */
const violations = (bars: readonly Bar[], start: number): string[] => {
  const out: string[] = [];
  const bad = (i: number, what: string) => out.push(`bar ${i} (${new Date(bars[i]!.time).toISOString()}): ${what}`);
  if (bars[0]!.time < start) bad(0, 'opens before the requested start');
  bars.forEach((b, i) => {
    if (b.time % MINUTE !== 0) bad(i, 'not on a whole minute');
    if (globexClosed(b.time)) bad(i, 'inside the break or the weekend');
    if (![b.open, b.high, b.low, b.close].every(onGrid)) bad(i, `price off the 0.25 grid ${JSON.stringify(b)}`);
    if (b.high < Math.max(b.open, b.close) || b.low > Math.min(b.open, b.close)) bad(i, `high/low do not contain open/close ${JSON.stringify(b)}`);
    if (!(Number.isInteger(b.volume) && b.volume >= 1)) bad(i, `volume ${b.volume}`);
    if (b.askVolume! + b.bidVolume! !== b.volume || b.askVolume! < 0 || b.bidVolume! < 0) bad(i, 'aggressor split does not add up');
    if (i === 0) return;
    const prev = bars[i - 1]!;
    if (b.time - prev.time < MINUTE) bad(i, 'less than a minute after the previous bar');
    // a gap longer than a minute is only ever closed market
    for (let t = prev.time + MINUTE; t < b.time; t += MINUTE) if (!globexClosed(t)) { bad(i, `skipped open minute ${new Date(t).toISOString()}`); break; }
  });
  return out.slice(0, 5);
};

describe('SimulatedBars', () => {
  const base: SimulatedBarsParams = { symbol: 'ESZ25', seed: 42, start: Date.parse('2025-11-03T14:30:00Z') };

  it('is deterministic for a seed, and different seeds give different series', () => {
    expect(take(base, 500)).toEqual(take(base, 500));
    const other = take({ ...base, seed: 43 }, 500);
    expect(other).not.toEqual(take(base, 500));
    expect(other.map((b) => b.close)).not.toEqual(take(base, 500).map((b) => b.close));
  });

  it('over more than a week (from a Friday afternoon): Globex hours only, gaps only over closed time, sane OHLCV', () => {
    const start = Date.parse('2025-11-07T20:30:00Z'); // Fri 14:30 CST
    const bars = take({ ...base, start }, 8_000);
    expect(violations(bars, start)).toEqual([]);
    // the weekend gap: last Friday bar at 15:59 CST, first Sunday bar at 17:00 CST
    const gap = bars.findIndex((b, i) => i > 0 && b.time - bars[i - 1]!.time > 2 * 3_600_000);
    expect(bars[gap - 1]!.time).toBe(Date.parse('2025-11-07T21:59:00Z'));
    expect(bars[gap]!.time).toBe(Date.parse('2025-11-09T23:00:00Z'));
  });

  it('property: invariants hold for any seed, start time (incl. mid-minute and DST weeks) and start price', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: Date.parse('2023-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') }),
        fc.double({ min: 1_000, max: 8_000, noNaN: true }),
        (seed, start, startPrice) => {
          expect(violations(take({ symbol: 'ES', seed, start, startPrice }, 1_500), start)).toEqual([]);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('crosses both 2023 DST switches without a bar in the break', () => {
    for (const start of [Date.parse('2023-03-10T20:00:00Z'), Date.parse('2023-11-03T19:00:00Z')]) {
      const bars = take({ ...base, start }, 3_000);
      expect(violations(bars, start)).toEqual([]);
    }
  });
});
