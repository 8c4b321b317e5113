import { describe, it, expect } from 'vitest';
import { MultiTimeframe } from '../../../strategy/features/multiTimeframe.ts';
import { BattleNavale, defaultBattleNavaleParams } from '../../../strategy/battleNavale.ts';
import { SimulatedBars } from '../../../adapters/simulated/simulatedBars.ts';
import type { Bar } from '../../../core/types.ts';
import type { BarDelta } from '../../../strategy/features/barDelta.ts';

const MINUTE = 60_000;
const p = { barMs: MINUTE, mediumMinutes: 5, slowMinutes: 15, fastWeight: 0.5, mediumWeight: 0.3, slowWeight: 0.2, agreementBonus: 0.2 };
const deltaOf = (b: Bar): BarDelta => ({ ask: b.askVolume!, bid: b.bidVolume!, available: true });
const simulated = (n: number) => {
  const gen = new SimulatedBars({ symbol: 'ES', seed: 3, start: Date.parse('2023-07-10T13:00:00Z'), startPrice: 4000 });
  return Array.from({ length: n }, () => gen.next());
};

/** Period bars built here, the plain way: group by bucket, in order. */
function aggregate(bars: Bar[], periodMs: number): { bar: Bar; delta: BarDelta; last: number }[] {
  const out: { bar: Bar; delta: BarDelta; last: number }[] = [];
  bars.forEach((b, i) => {
    const time = Math.floor(b.time / periodMs) * periodMs;
    const cur = out.at(-1);
    if (cur && cur.bar.time === time) {
      cur.bar.high = Math.max(cur.bar.high, b.high);
      cur.bar.low = Math.min(cur.bar.low, b.low);
      cur.bar.close = b.close;
      cur.bar.volume += b.volume;
      cur.delta.ask += b.askVolume!;
      cur.delta.bid += b.bidVolume!;
      cur.last = i;
    } else {
      out.push({ bar: { symbol: b.symbol, time, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }, delta: deltaOf(b), last: i });
    }
  });
  return out;
}

/** The slow timeframe's reference score after each base bar (the latest completed bucket), given when buckets complete. */
function reference(bars: Bar[], periodMs: number, completesAt: (bucket: { last: number }, next: number | undefined) => number): number[] {
  const navale = new BattleNavale(defaultBattleNavaleParams);
  const scores = new Array<number>(bars.length).fill(0);
  const buckets = aggregate(bars, periodMs);
  let k = 0;
  let current = 0;
  for (let i = 0; i < bars.length; i++) {
    while (k < buckets.length && completesAt(buckets[k]!, buckets[k + 1] && buckets[k]!.last + 1) <= i) {
      current = navale.update(buckets[k]!.bar, buckets[k]!.delta).value;
      k++;
    }
    scores[i] = current;
  }
  return scores;
}

describe('MultiTimeframe', () => {
  it('5- and 15-minute Battle Navale read the bucket completed on its last minute, no lag', () => {
    const bars = simulated(600);
    const m = new MultiTimeframe(p, defaultBattleNavaleParams);
    const fast = { value: 0, available: false };
    const seen5: number[] = [];
    const seen15: number[] = [];
    for (const b of bars) {
      m.update(b, deltaOf(b), fast);
      seen5.push(m.scores[1]!);
      seen15.push(m.scores[2]!);
    }
    // every minute is present: a bucket completes on its own last bar
    expect(seen5).toEqual(reference(bars, 5 * MINUTE, (bucket) => bucket.last));
    expect(seen15).toEqual(reference(bars, 15 * MINUTE, (bucket) => bucket.last));
  });

  it("a bucket missing its last minute completes when the next bucket's first bar arrives", () => {
    const bars = simulated(300).filter((b) => Math.floor(b.time / MINUTE) % 5 !== 4 || Math.floor(b.time / MINUTE) % 15 === 14);
    const m = new MultiTimeframe(p, defaultBattleNavaleParams);
    const fast = { value: 0, available: false };
    const seen5 = bars.map((b) => (m.update(b, deltaOf(b), fast), m.scores[1]!));
    const expected = reference(bars, 5 * MINUTE, (bucket, next) => {
      const lastMinute = Math.floor(bars[bucket.last]!.time / MINUTE) % 5 === 4;
      return lastMinute ? bucket.last : (next ?? Infinity);
    });
    expect(seen5).toEqual(expected);
  });

  it('combines 0.5 / 0.3 / 0.2 plus 0.2 towards the side all three agree on, once all three are available', () => {
    const bars = simulated(800);
    const m = new MultiTimeframe(p, defaultBattleNavaleParams);
    const fast = { value: 0, available: false };
    let agreed = 0;
    let available = 0;
    for (const b of bars) {
      const v = { ...m.update(b, deltaOf(b), fast) };
      const [f, md, s] = m.scores as unknown as [number, number, number];
      expect(fast.value).toBe(f);
      if (!v.available) continue;
      available++;
      const bonus = f > 0 && md > 0 && s > 0 ? 0.2 : f < 0 && md < 0 && s < 0 ? -0.2 : 0;
      if (bonus !== 0) agreed++;
      expect(v.value).toBeCloseTo(Math.max(-1, Math.min(1, 0.5 * f + 0.3 * md + 0.2 * s + bonus)), 12);
    }
    // 15-minute Battle Navale needs 14 of its bars: about 3.5 hours
    expect(available).toBeGreaterThan(500);
    expect(agreed).toBeGreaterThan(20);
  });

  it('a bucket with a bar lacking aggressor data has no delta (a partial sum would lie)', () => {
    const bars = simulated(200);
    const hole = (i: number) => i < 100 && i % 7 === 2;
    const m = new MultiTimeframe(p, defaultBattleNavaleParams);
    const ref = new BattleNavale(defaultBattleNavaleParams);
    const fast = { value: 0, available: false };
    const buckets = aggregate(bars, 5 * MINUTE);
    let k = 0;
    let first = 0;
    let holed = 0;
    bars.forEach((b, i) => {
      m.update(b, hole(i) ? { ask: 0, bid: 0, available: false } : deltaOf(b), fast);
      if (buckets[k]?.last !== i) return;
      const bucket = buckets[k++]!;
      const withHole = bars.slice(first, i + 1).some((_, j) => hole(first + j));
      if (withHole) holed++;
      first = i + 1;
      const expected = ref.update(bucket.bar, withHole ? { ask: 0, bid: 0, available: false } : bucket.delta).value;
      expect(m.scores[1]).toBe(expected);
    });
    expect(holed).toBeGreaterThan(5);
  });

  it('refuses timeframes that are not whole minutes above the bar length dividing an hour', () => {
    expect(() => new MultiTimeframe({ ...p, mediumMinutes: 7 }, defaultBattleNavaleParams)).toThrow(/mediumMinutes/);
    expect(() => new MultiTimeframe({ ...p, slowMinutes: 1 }, defaultBattleNavaleParams)).toThrow(/slowMinutes/);
  });
});
