import { describe, it, expect } from 'vitest';
import { AggressionBias } from '../../../strategy/features/aggressionBias.ts';

const d = (ask: number, bid: number, available = true) => ({ ask, bid, available });

describe('AggressionBias', () => {
  it('hand-computed: (ask - bid) / total over the last N bars', () => {
    const f = new AggressionBias({ bars: 2 });
    expect({ ...f.update(d(30, 10)) }).toEqual({ value: 0.5, available: true }); // 20 / 40
    expect(f.update(d(10, 30)).value).toBe(0); // (40 - 40) / 80
    expect(f.update(d(0, 20)).value).toBe(-40 / 60); // window (10, 30) + (0, 20): (10 - 50) / 60
  });

  it('is unavailable when the current bar has no aggressor data, or nothing traded', () => {
    const f = new AggressionBias({ bars: 3 });
    f.update(d(30, 10));
    expect({ ...f.update(d(0, 0, false)) }).toEqual({ value: 0, available: false });
    // a bar without data inside the window counts as zero volume
    expect(f.update(d(10, 10)).value).toBe(20 / 60);
    const g = new AggressionBias({ bars: 2 });
    expect(g.update(d(0, 0)).available).toBe(false);
  });

  it('mirrored (sides swapped) it changes sign', () => {
    const f = new AggressionBias({ bars: 3 });
    const g = new AggressionBias({ bars: 3 });
    for (const [a, b] of [[5, 9], [12, 3], [7, 7], [1, 20]] as const) expect(g.update(d(b, a)).value).toBe(-f.update(d(a, b)).value);
  });
});
