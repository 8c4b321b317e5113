/**
 * `--chains`: CBOE exports of any naming containing `quotedata` (the shared files are
 * `spx_quotedata_<date>.csv`), SPX only (an SPY chain would put the levels ten times too
 * low), and a source that yields nothing is an error naming what was tried.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCboeChainName, loadChainSource, ChainSourceError } from '../../backtest/chainSource.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempDir = useTempHomes('mia-chains-');
const SPX = 'options/cboe/spx_quotedata_2023-09-14.csv';
const SPY = 'options/cboe/spy_quotedata_2023-09-14.csv';

describe('chain source', () => {
  it('recognises CBOE exports by "quotedata" anywhere in a .csv name', () => {
    for (const name of ['spx_quotedata_2023-09-04.csv', 'SPX_quotedata.csv', 'quotedata.csv', 'spx-QuoteData (3).CSV']) expect(isCboeChainName(name)).toBe(true);
    for (const name of ['spx_quotes.csv', 'quotedata.txt', 'spx_quotedata.csv.bak']) expect(isCboeChainName(name)).toBe(false);
  });

  it.skipIf(!hasSharedData(SPX))('loads the shared CBOE directory: every SPX chain in time order, SPY chains skipped with their reason', { timeout: 60_000 }, async () => {
    const src = await loadChainSource(sharedData('options/cboe'));
    expect(src.chains.length).toBe(22);
    expect(src.chains.every((c) => c.underlying === 'SPX')).toBe(true);
    for (let i = 1; i < src.chains.length; i++) expect(src.chains[i]!.time).toBeGreaterThanOrEqual(src.chains[i - 1]!.time);
    expect(src.skipped.length).toBe(7);
    expect(src.skipped[0]!.reason).toMatch(/underlying SPY, not SPX/);
    expect(src.files.map((f) => f.sha256)).toEqual(expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{64}$/)]));
  });

  it.skipIf(!hasSharedData(SPX))('takes one file as well as a directory, whatever its name', async () => {
    const dir = tempDir();
    const renamed = join(dir, 'SPX-QuoteData Sept 14.csv');
    copyFileSync(sharedData(SPX), renamed);
    const src = await loadChainSource(renamed);
    expect(src.chains).toHaveLength(1);
    expect(new Date(src.chains[0]!.time).toISOString().slice(0, 10)).toBe('2023-09-14');
    expect((await loadChainSource(dir)).chains).toHaveLength(1);
  });

  it('a directory without a chain file is an error naming the patterns tried and what was there', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'x');
    const err = await loadChainSource(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainSourceError);
    expect((err as Error).message).toMatch(/quotedata/);
    expect((err as Error).message).toMatch(/notes\.txt/);
    await expect(loadChainSource(join(dir, 'missing'))).rejects.toThrow(/cannot read/);
  });

  it.skipIf(!hasSharedData(SPY))('chains of another underlying only: an error that says which and why', async () => {
    const dir = tempDir();
    copyFileSync(sharedData(SPY), join(dir, 'spy_quotedata_2023-09-14.csv'));
    await expect(loadChainSource(dir)).rejects.toThrow(/no SPX option chain .*tried 1 file.*underlying SPY/);
  });
});
