import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.ts';
import { rateLimitedReport } from '../../core/rateLimitedReport.ts';
import { escapeControl } from '../../core/escapeControl.ts';

describe('rateLimitedReport', () => {
  it('lets `burst` through per window, then counts the rest and says so on the next one', () => {
    const clock = new ManualClock(0);
    const seen: Array<[number, number]> = [];
    const report = rateLimitedReport<number>((n, suppressed) => seen.push([n, suppressed]), { clock, burst: 3, windowMs: 1000 });
    for (let i = 0; i < 200_000; i++) report(i);
    expect(seen).toEqual([[0, 0], [1, 0], [2, 0]]);
    expect(report.suppressed).toBe(199_997);
    clock.advance(1000);
    report(-1);
    expect(seen.at(-1)).toEqual([-1, 199_997]);
    expect(report.suppressed).toBe(0);
  });

  it('never reports more than burst x windows, whatever the timing', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 300 }), (gaps) => {
        const clock = new ManualClock(0);
        let reported = 0;
        const report = rateLimitedReport<null>(() => reported++, { clock, burst: 2, windowMs: 1000 });
        for (const g of gaps) {
          clock.advance(g);
          report(null);
        }
        const windows = Math.floor(clock.now() / 1000) + 1;
        expect(reported).toBeLessThanOrEqual(2 * windows);
        expect(reported + report.suppressed).toBeLessThanOrEqual(gaps.length);
      }),
    );
  });
});

describe('escapeControl', () => {
  it('leaves no control character and keeps printable text as is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = escapeControl(text);
        expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
        if (!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text)) expect(out).toBe(text);
      }),
    );
    expect(escapeControl('ok\x1b[2J\r\nfake line\x07')).toBe('ok\\x1b[2J\\r\\nfake line\\x07');
  });
});
