/**
 * The coverage every replay command reports for its streams (cli/replayInputs.ts): chains
 * counted before, inside and after the bars as the feed publishes them (a chain at a bar's
 * close belongs to that bar), and the terminal lines.
 */
import { describe, expect, it } from 'vitest';
import { arrayBarTable } from '../../core/barColumns.ts';
import type { Bar, OptionChainSnapshot } from '../../core/types.ts';
import { coverageLines, replayCoverage, type ReplayInputs } from '../../cli/replayInputs.ts';

const MIN = 60_000;
const T0 = Date.UTC(2023, 8, 25, 13, 30);
const bars: Bar[] = [0, 1, 2].map((i) => ({ symbol: 'ES', time: T0 + i * MIN, open: 1, high: 1, low: 1, close: 1, volume: 1 }));
const chain = (time: number): OptionChainSnapshot => ({ underlying: 'SPX', time, spot: 4300, contracts: [], provenance: { kind: 'replay', file: 'x', sha256: '' } });
const inputs = (times: number[], path: string | null = 'chains/'): ReplayInputs => ({
  chains: { chains: times.map(chain), files: [], skipped: [{ file: 'spy.csv', reason: 'underlying SPY, not SPX' }] },
  chainsPath: path,
  vix: null,
  streams: null,
});

describe('replayCoverage', () => {
  it('counts chains before, inside and after the bars as the feed publishes them', () => {
    // Last bar opens at T0+2m and closes at T0+3m: a chain at that close is the last bar's.
    const c = replayCoverage(inputs([T0 - 1, T0, T0 + 3 * MIN, T0 + 3 * MIN + 1]), arrayBarTable(bars), MIN)!;
    expect(c.chains).toEqual({ path: 'chains/', chains: 4, before: 1, inBars: 2, after: 1, skipped: 1, from: new Date(T0 - 1).toISOString(), to: new Date(T0 + 3 * MIN + 1).toISOString() });
    expect(c.market).toBeUndefined();
    expect(c.vix).toBeUndefined();
    expect(coverageLines(c)).toEqual([
      `chains: chains/: 4 SPX chains (${new Date(T0 - 1).toISOString()} .. ${new Date(T0 + 3 * MIN + 1).toISOString()}): 2 inside the bars, 1 before them (the latest applies from the first bar), 1 after; 1 file(s) of another underlying skipped`,
    ]);
  });

  it('is null when no stream was given', () => {
    expect(replayCoverage(inputs([], null), arrayBarTable(bars), MIN)).toBeNull();
  });
});
