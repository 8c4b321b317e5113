import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Quote } from '../../../core/types.ts';
import { DownloadStateError, downloadHistory, planDownload, progressFileOf } from '../../../adapters/polygon/historyDownload.ts';
import type { PolygonRest, RowPage, TimeWindow } from '../../../adapters/polygon/polygonRest.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const BASE = Date.UTC(2025, 0, 6, 14, 30);

/**
 * A stand-in for Polygon's quotes endpoint over a fixed tape: rows with time in [from, to),
 * oldest first, `pageSize` per page, failing when asked for page number `failAt` (counted
 * over the stub's life), as a dropped connection would.
 */
function stubRest(tape: readonly Quote[], pageSize: number, failAt = Number.POSITIVE_INFINITY) {
  let served = 0;
  const rest = {
    async *futuresQuotePages(_ticker: string, window: TimeWindow): AsyncGenerator<RowPage<Quote>> {
      const rows = tape.filter((q) => q.time >= window.from && q.time < window.to);
      for (let i = 0; i < rows.length || i === 0; i += pageSize) {
        if (++served >= failAt) throw new Error('connection reset');
        yield { url: 'stub', items: rows.slice(i, i + pageSize), rejected: [] };
      }
    },
  };
  return rest as unknown as PolygonRest;
}

/** A tape with many quotes sharing a millisecond, as real quotes do. */
const tapeArb = fc
  .array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 60 })
  .map((gaps) => {
    let t = BASE;
    return gaps.map((gap, i) => {
      t += gap; // gap 0: the same millisecond as the previous quote
      return { symbol: 'ESH5', time: t, bid: 6000 + i * 0.25, ask: 6000.25 + i * 0.25, bidSize: i + 1, askSize: 1 };
    });
  });

describe('downloadHistory: resumable, no gap, no duplicate', () => {
  const tempDir = useTempHomes('mia-history-');

  it('an interrupted then resumed download equals an uninterrupted one, even with rows sharing a timestamp across pages', async () => {
    await fc.assert(
      fc.asyncProperty(tapeArb, fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 12 }), async (tape, pageSize, failAt) => {
        const dir = tempDir();
        const plan = planDownload('quotes', 'ESH5', BASE, BASE + 3_600_000);
        const whole = join(dir, 'whole.csv');
        const cut = join(dir, 'cut.csv');
        await downloadHistory({ rest: stubRest(tape, pageSize), plan, out: whole });

        const first = await downloadHistory({ rest: stubRest(tape, pageSize, failAt), plan, out: cut }).then(
          () => 'finished',
          () => 'interrupted',
        );
        if (first === 'interrupted') {
          expect(existsSync(progressFileOf(cut))).toBe(true);
          const resumed = await downloadHistory({ rest: stubRest(tape, pageSize), plan, out: cut });
          expect(resumed.resumed).toBe(true);
          expect(resumed.rows).toBe(tape.length);
        }
        expect(readFileSync(cut, 'utf8')).toBe(readFileSync(whole, 'utf8'));
        expect(readFileSync(whole, 'utf8').trimEnd().split('\n')).toHaveLength(tape.length + 1);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses to overwrite a finished file without --force, and to resume with different parameters', async () => {
    const dir = tempDir();
    const out = join(dir, 'q.csv');
    const tape = [{ symbol: 'ESH5', time: BASE, bid: 1, ask: 2, bidSize: 1, askSize: 1 }];
    const plan = planDownload('quotes', 'ESH5', BASE, BASE + 60_000);
    await downloadHistory({ rest: stubRest(tape, 1), plan, out });
    const again = await downloadHistory({ rest: stubRest(tape, 1), plan, out }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DownloadStateError);
    expect((again as DownloadStateError).flag).toBe('--out');
    expect((await downloadHistory({ rest: stubRest(tape, 1), plan, out, force: true })).rows).toBe(1);

    const other = join(dir, 'other.csv');
    await downloadHistory({ rest: stubRest(tape, 1, 1), plan, out: other }).catch(() => undefined);
    const longer = planDownload('quotes', 'ESH5', BASE, BASE + 120_000);
    const mismatch = (await downloadHistory({ rest: stubRest(tape, 1), plan: longer, out: other }).catch((e: unknown) => e)) as DownloadStateError;
    expect(mismatch.flag).toBe('--to');
    expect(mismatch.message).toMatch(/--force/);
  });

  it('leaves a corrupt progress file and its CSV untouched, naming the file', async () => {
    const dir = tempDir();
    const out = join(dir, 'q.csv');
    writeFileSync(out, 'time,bid,ask,bidSize,askSize\n');
    writeFileSync(progressFileOf(out), '{"version": 1, "kind": "quo');
    const plan = planDownload('quotes', 'ESH5', BASE, BASE + 60_000);
    const error = (await downloadHistory({ rest: stubRest([], 1), plan, out }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(progressFileOf(out));
    expect(readFileSync(progressFileOf(out), 'utf8')).toBe('{"version": 1, "kind": "quo');
  });

  it('plans ES as its front contracts, indices as one v2 series, and refuses quotes of an index', () => {
    const plan = planDownload('bars', 'ES', Date.UTC(2024, 11, 1), Date.UTC(2025, 0, 1));
    expect(plan.segments.map((s) => s.ticker)).toEqual(['ESZ4', 'ESH5']);
    expect(planDownload('bars', 'SPX', BASE, BASE + 1).segments[0]!.ticker).toBe('I:SPX');
    expect(() => planDownload('quotes', 'I:VIX', BASE, BASE + 1)).toThrow(DownloadStateError);
    expect(() => planDownload('bars', 'I:SPX', BASE, BASE + 1, '7fortnights')).toThrow(/--resolution|resolution/);
  });
});
