/**
 * `mia run --feed replay`: the replay file, and its streams (--chains, --vix, --stream),
 * loaded before anything starts. Apart from cli/run.ts so that a session on the simulated
 * market or Polygon loads none of the file loaders (start-up, issue 16).
 */
import { openReplaySource } from '../adapters/files/replaySource.ts';
import { InstrumentMismatchError, replayContract } from '../config/instruments.ts';
import { dataErrorForCli, loaderOptionsFrom } from './loaderOptions.ts';
import { firstReplayInputFlag } from './replayInputOptions.ts';
import { loadReplayInputs, replayCoverage, replayFeedInputs, type StreamsCoverage } from './replayInputs.ts';
import { BacktestFeed } from '../backtest/engineFeed.ts';
import { arrayBarTable } from '../core/barColumns.ts';
import type { MarketBus } from '../core/marketBus.ts';
import type { DataProvenance } from '../backtest/result.ts';
import { fileProvenance } from '../backtest/engineData.ts';
import type { MiaConfig } from '../config/schema.ts';
import type { ReplayFeed } from '../session/sessionFeed.ts';
import type { RunOptions } from './run.ts';
import { UsageError } from './usage.ts';

/** A replay loaded before anything starts; `attach` gives its feed the session's bus (streams, chains and VIX are published on it). */
export interface LoadedReplay {
  feed: ReplayFeed;
  bars: number;
  contract: string;
  /** Each stream's coverage of the bars; absent without --chains, --vix or --stream. */
  streams?: StreamsCoverage;
  attach(bus: MarketBus): void;
}

/**
 * Loads the replay file, and its streams with the backtest's loaders, before anything
 * starts: a bad file or option is exit 2, naming it. With streams, the bars are handed
 * out by the backtest's feed (backtest/engineFeed.ts), which publishes each stream item,
 * chain and VIX close before the bar they precede, exactly as `mia backtest` does.
 */
export async function loadReplay(file: string | null | undefined, opts: RunOptions, config: MiaConfig): Promise<LoadedReplay> {
  if (!file) throw new UsageError('--feed replay needs --replay FILE (or feed.replayFile in the configuration)');
  const loader = loaderOptionsFrom(opts);
  let handle;
  let contract;
  try {
    handle = await openReplaySource(file, loader);
    if (handle.bars.length === 0) throw new UsageError(`--replay ${file}: no bars to replay`);
    contract = replayContract(handle.series.symbol, config.symbol, handle.bars[0]!.time, `--replay ${file}`);
  } catch (err) {
    if (err instanceof InstrumentMismatchError) throw new UsageError(err.message);
    throw dataErrorForCli(err);
  }
  const base = { barMs: handle.barMs, provenance: handle.provenance, firstTime: handle.bars[0]!.time };
  if (firstReplayInputFlag(opts) === null) return { feed: { source: handle.source, ...base }, bars: handle.bars.length, contract, attach: () => undefined };

  const bars = arrayBarTable(handle.bars);
  const data: DataProvenance[] = [fileProvenance(handle.series, handle.bars)];
  const inputs = await loadReplayInputs(opts, loader, bars, handle.barMs, data);
  let bus: MarketBus | null = null;
  const feed = new BacktestFeed({
    bars,
    barMs: handle.barMs,
    bus: () => {
      if (!bus) throw new Error('replay feed: no bus attached');
      return bus;
    },
    ...replayFeedInputs(inputs, config.strategy.volatility.vixSymbol),
  });
  return {
    feed: { source: feed, ...base },
    bars: handle.bars.length,
    contract,
    streams: replayCoverage(inputs, bars, handle.barMs)!,
    attach: (b) => void (bus = b),
  };
}

