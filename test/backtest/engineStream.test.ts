/**
 * A bar file streamed in (parsed in a worker thread while the replay runs on its first
 * bars, adapters/files/barStream.ts) replays to the byte-identical result of the same file
 * loaded first: same bars, same provenance (the hash and row count known at the end of the
 * parse), and the same flatten before the end of the data, which the engine announces
 * itself on a table whose length is not known yet, for long files and for files of fewer
 * than 50 bars (a shorter flatten lead).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { runBacktest } from '../../backtest/engine.ts';
import { loadBacktestTable } from '../../backtest/engineData.ts';
import { StreamedBars } from '../../adapters/files/barStream.ts';
import { BarColumns } from '../../core/barColumns.ts';
import { DataFileError } from '../../adapters/files/seriesTypes.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';

const SEPTEMBER = 'es/firstrate/victor-thai_2023-09/ES_1min_sample.csv';
// The files name their instrument: otherwise it is guessed from the folder, whose random suffix can read as NQ ("…0nQ").
const dir = mkdtempSync(join(tmpdir(), 'mia-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const noWindow = { from: null, to: null };

describe.skipIf(!hasSharedData(SEPTEMBER))('a streamed bar file', () => {
  const lines = hasSharedData(SEPTEMBER) ? readFileSync(sharedData(SEPTEMBER), 'utf8').split('\n') : [];

  it('holds the bars and provenance of the file loaded first, across segments, with rejected rows', { timeout: 60_000 }, async () => {
    // A duplicate and an off-tick row: refused the same way in the worker.
    const file = join(dir, 'ES-sept.csv');
    writeFileSync(file, [...lines.slice(0, 100), lines[99], lines[100]!.replace(/,(\d+)\.?\d*,/, ',$1.3,'), ...lines.slice(101)].join('\n'));
    const loaded = await loadBacktestTable([file], {}, noWindow, Infinity);
    const streamed = await loadBacktestTable([file], {}, noWindow, 0);
    expect(loaded.bars).toBeInstanceOf(BarColumns);
    expect(streamed.bars).toBeInstanceOf(StreamedBars);
    expect(streamed.barMs).toBe(loaded.barMs);
    expect(streamed.bars.has!(0)).toBe(true);
    const n = loaded.bars.length;
    expect(n).toBeGreaterThan(8_192); // several segments
    for (let i = 0; i < n; i++) expect(streamed.bars.barAt(i)).toEqual(loaded.bars.barAt(i));
    expect(streamed.bars.has!(n)).toBe(false);
    expect(streamed.bars.length).toBe(n);
    expect(JSON.stringify(streamed.data)).toBe(JSON.stringify(loaded.data));
    expect(streamed.loadError?.()).toBeNull();
  });

  it('replays to the byte-identical result, flatten before the end included, long and short files', { timeout: 300_000 }, async () => {
    const config = configSchema.parse({ strategy: { minAvailableWeight: 0 } });
    const replay = async (count: number, streamMinBytes: number) => {
      const file = join(dir, `ES-first-${count}.csv`);
      writeFileSync(file, `${lines.slice(0, count).join('\n')}\n`);
      const data = await loadBacktestTable([file], {}, noWindow, streamMinBytes);
      const result = await runBacktest({ config, bars: data.bars, barMs: data.barMs, data: data.data, window: noWindow, operatorResume: 'next-day' });
      return { result, json: JSON.stringify(result), last: Date.parse(data.data[0]!.to!), barMs: data.barMs };
    };
    const full = await replay(lines.length, Infinity);
    expect(full.result.trades.length).toBeGreaterThan(20);
    // Files that end a few bars into a trade: the session's flatten before the end closes it.
    const stamps = lines.map((l) => l.slice(0, 19));
    const into = full.result.trades.slice(0, 6).flatMap((t, k) => {
      const local = new Date(Date.parse(t.entryTime) - 4 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '); // EDT, the file's time
      const line = stamps.indexOf(local);
      return line > 0 ? [line + 3 + (k % 3)] : [];
    });
    expect(into.length).toBeGreaterThan(2);
    let flattenedAtEnd = 0;
    for (const count of [lines.length, 1_237, 45, 12, ...into]) {
      const loaded = count === lines.length ? full : await replay(count, Infinity);
      const streamed = await replay(count, 0);
      expect(streamed.json).toBe(loaded.json);
      if (loaded.result.trades.some((t) => Date.parse(t.exitTime) >= loaded.last - 5 * loaded.barMs)) flattenedAtEnd++;
    }
    expect(flattenedAtEnd).toBeGreaterThan(0);
  });

  it('declines a file whose rows name their symbol, and names a file it cannot read the columns of', async () => {
    const named = join(dir, 'named.csv');
    writeFileSync(named, 'symbol,timestamp,open,high,low,close,volume\nES,2024-01-02T14:30:00Z,4700,4701,4699,4700.5,10\n');
    expect(await StreamedBars.open(named, {})).toBeNull();
    const odd = join(dir, 'odd.csv');
    writeFileSync(odd, '2024-01-02T14:30:00Z,4700,4701\n');
    await expect(StreamedBars.open(odd, { format: 'csv' })).rejects.toBeInstanceOf(DataFileError);
  });
});
