/**
 * `mia ml train` with `--chains`, `--vix` and `--stream`: the signals it trains on come from
 * the scorer fed as in a replay (cli/mlSignals.ts), so the streams change which features
 * the signals carry against bars only; the coverage is reported and the stream files join
 * the model's provenance. Bad stream input is exit 2 naming the flag, as in `mia backtest`
 * and `mia run --feed replay` (which refuses the options without a replay).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readModelFile } from '../../adapters/files/mlModelFile.ts';
import { main } from '../../cli/main.ts';
import { hasSharedData, sharedData } from '../fixtures/sharedData.ts';
import { SEPTEMBER, SEPTEMBER_CHAINS, VIX_DAILY, septemberStreams } from '../fixtures/septemberStreams.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-ml-streams-');
const CHAINS = SEPTEMBER_CHAINS;
const VIX = VIX_DAILY;
const LEAN_TRADES = 'es/lean/minute/es/20131007_trade.zip';
const LEAN_QUOTES = 'es/lean/minute/es/20131007_quote.zip';
const DOM = 'nq_ticks/ts_and_dom_2min.csv';
/** Light training (few trees): the features are what is under test, not the models. */
const light = (extra: object = {}) => ({
  strategy: { minAvailableWeight: 0, ...extra },
  ml: { training: { minSignals: 50, rf: { trees: 5, maxDepth: 4 }, gbt: { trees: 5 }, lr: { iterations: 50 } } },
});

async function mia(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(['node', 'mia', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

interface TrainSummary {
  signals: number;
  featureAvailability: Record<string, number>;
  streams?: { market?: Array<{ kind: string; inBars: number }>; vix?: { withVix: number }; chains?: { chains: number } };
}

/** `mia ml train` bars only and with `streams`; the two summaries and the second model file. */
async function trainTwice(home: string, data: string, streams: string[], config: object) {
  const cfg = join(home, 'config.json');
  writeFileSync(cfg, JSON.stringify(config));
  const base = ['ml', 'train', '--data', data, '--config', cfg, '--folds', '3', '--json', '--home', home];
  const plain = await mia([...base, '--out', join(home, 'plain.json')]);
  expect(plain.stderr).not.toMatch(/^(stream|vix|chains): /m);
  expect(plain.code).toBe(0);
  const withStreams = await mia([...base, ...streams, '--out', join(home, 'streams.json')]);
  expect(withStreams.code).toBe(0);
  return { plain: JSON.parse(plain.stdout) as TrainSummary, streams: JSON.parse(withStreams.stdout) as TrainSummary, stderr: withStreams.stderr, model: readModelFile(join(home, 'streams.json')) };
}

describe.skipIf(![LEAN_TRADES, LEAN_QUOTES, VIX].every(hasSharedData))('mia ml train --stream --vix (real Lean ES day and its quotes)', () => {
  it('trains on signals that carry the order book the quotes feed; bars only they do not', { timeout: 120_000 }, async () => {
    const home = tempHome();
    const r = await trainTwice(home, sharedData(LEAN_TRADES), ['--stream', sharedData(LEAN_QUOTES), '--vix', sharedData(VIX)], light());
    expect(r.plain.featureAvailability.orderBook).toBe(0);
    expect(r.streams.featureAvailability.orderBook).toBeGreaterThan(0.9);
    expect(r.plain.streams).toBeUndefined();
    expect(r.streams.streams).toMatchObject({ market: [{ kind: 'quotes', inBars: 1392 }], vix: { withVix: 2 } });
    expect(r.stderr).toMatch(/^stream: .*20131007_quote\.zip: quotes 1392 of 1393 inside the bars/m);
    expect(r.stderr).toMatch(/^vix: a close of the 4 days before 2 of 2 trading days/m);
    expect(r.model.dataProvenance.map((d) => d.file)).toEqual([sharedData(LEAN_TRADES), sharedData(LEAN_QUOTES), sharedData(VIX)]);
  });
});

describe.skipIf(![SEPTEMBER, VIX, ...CHAINS].every(hasSharedData))('mia ml train --chains (real FirstRate ES 2023-09 and SPX chains)', () => {
  it('trains on signals that carry the gamma levels the chains feed; bars only they do not', { timeout: 120_000 }, async () => {
    const home = tempHome();
    const { file, chains } = septemberStreams(home);
    // The chains precede the file's first bar by ten days: levels are kept for 30 here.
    const r = await trainTwice(home, file, ['--chains', chains], light({ features: { gammaLevels: { maxAgeMinutes: 30 * 24 * 60 } } }));
    expect(r.plain.featureAvailability.gammaLevels).toBe(0);
    expect(r.streams.featureAvailability.gammaLevels).toBeGreaterThan(0.9);
    expect(r.streams.streams).toMatchObject({ chains: { chains: 2 } });
    expect(r.stderr).toMatch(/^chains: .*: 2 SPX chains/m);
    expect(r.model.dataProvenance.map((d) => d.format)).toEqual(['csv', 'cboe', 'cboe']);
  });
});

describe.skipIf(![SEPTEMBER, VIX, DOM].every(hasSharedData))('bad stream input', () => {
  it('is exit 2 naming the flag, in mia ml train and mia run', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const empty = join(home, 'empty');
    mkdirSync(empty);
    const noChain = await mia(['ml', 'train', '--data', sharedData(SEPTEMBER), '--chains', empty, '--home', home]);
    expect(noChain.code).toBe(2);
    expect(noChain.stderr).toMatch(/--chains: no option chain in directory .*tried names containing "quotedata"/);

    const otherInstrument = await mia(['run', '--feed', 'replay', '--replay', sharedData(SEPTEMBER), '--stream', sharedData(DOM), '--home', home]);
    expect(otherInstrument.code).toBe(2);
    expect(otherInstrument.stderr).toMatch(/--stream: .*NQ/);

    const missing = await mia(['ml', 'train', '--data', sharedData(SEPTEMBER), '--vix', join(home, 'nope.csv'), '--home', home]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--vix: .*nope\.csv/);

    const noReplay = await mia(['run', '--feed', 'simulated', '--vix', sharedData(VIX), '--home', home]);
    expect(noReplay.code).toBe(2);
    expect(noReplay.stderr).toMatch(/--vix: only with --feed replay/);
  });
});
