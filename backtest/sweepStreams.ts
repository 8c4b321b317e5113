/**
 * The streams a sweep, walk-forward or calibration replays beside its bars (issue 15): option
 * chains (`--chains`), VIX daily closes (`--vix`) and trades, quotes and book snapshots
 * (`--stream`), loaded by the same functions as `mia backtest` (engineData.ts), so that a
 * run in a worker sees exactly what the single backtest sees on the same window.
 *
 * What crosses to a worker is the sources (paths, a few bytes), never the items: each
 * thread loads them once and keeps them for the pool's life (files of a few MB; the bars,
 * the large part, are shared memory: sharedBars.ts). The engine drops stream items before a
 * run's first bar and publishes a chain from its time on (engineFeed.ts), so every window
 * is handed the whole streams, as the single backtest is.
 */
import type { LoaderOptions } from '../adapters/files/seriesTypes.ts';
import type { BookSnapshot, OptionChainSnapshot, Quote, TradeTick } from '../core/types.ts';
import type { VixReading } from '../adapters/files/vixDaily.ts';
import { loadChainDir, loadReplayStreams, loadVixStream, type BacktestTableData, type ReplayStreams, type VixStream } from './engineData.ts';
import type { BacktestInput } from './engine.ts';
import type { DataProvenance } from './result.ts';

/** The stream files of a run, as `mia backtest` names them (absolute paths are safest in workers). */
export interface StreamSources {
  /** `--chains`: a directory or file of option chains. */
  chains?: string;
  /** `--vix`: VIX daily closes. */
  vix?: string;
  /** `--stream` files: trades with aggressor, quotes, book snapshots. */
  stream?: readonly string[];
}

/** What the engine takes of the streams (BacktestInput's fields), and their provenance. */
export interface StreamInputs {
  chains: OptionChainSnapshot[];
  chainFiles: DataProvenance[];
  vix: VixReading[] | null;
  streams: { trades: TradeTick[]; quotes: Quote[]; books: BookSnapshot[] } | null;
  /** Provenance of the stream and VIX files (the single backtest lists them after the bars'). */
  provenance: DataProvenance[];
  /** The loaders' own reports, for the command that shows them. */
  market: ReplayStreams | null;
  vixStream: VixStream | null;
}

/** True when `s` names at least one stream. */
export const hasStreams = (s: StreamSources | undefined): s is StreamSources =>
  s !== undefined && (s.chains !== undefined || s.vix !== undefined || (s.stream !== undefined && s.stream.length > 0));

/**
 * Loads the streams for `table` (its bars check each stream's instrument and coverage, as
 * `mia backtest` does). Errors are the loaders' own (BacktestInputError naming the flag).
 */
async function loadStreamInputs(sources: StreamSources, loader: LoaderOptions, table: BacktestTableData): Promise<StreamInputs> {
  const chains = sources.chains !== undefined ? await loadChainDir(sources.chains) : { chains: [], files: [] };
  const vixStream = sources.vix !== undefined ? await loadVixStream(sources.vix, table.bars) : null;
  const market = sources.stream !== undefined && sources.stream.length > 0 ? await loadReplayStreams(sources.stream, loader, table.bars, table.barMs, table.data) : null;
  return {
    chains: chains.chains,
    chainFiles: chains.files,
    vix: vixStream ? vixStream.readings : null,
    streams: market ? market.items : null,
    provenance: [...(market?.provenance ?? []), ...(vixStream ? [vixStream.provenance] : [])],
    market,
    vixStream,
  };
}

/** The engine input fields of loaded streams (nothing when there are none). */
export function streamInput(s: StreamInputs | null | undefined): Pick<BacktestInput, 'chains' | 'chainFiles' | 'vix' | 'streams'> {
  if (!s) return {};
  return {
    ...(s.chains.length > 0 ? { chains: s.chains, chainFiles: s.chainFiles } : {}),
    ...(s.vix ? { vix: s.vix } : {}),
    ...(s.streams ? { streams: s.streams } : {}),
  };
}

const cache = new Map<string, Promise<StreamInputs>>();

/** loadStreamInputs once per thread for the same sources, loader and bars' files. */
export function cachedStreams(sources: StreamSources, loader: LoaderOptions, table: BacktestTableData): Promise<StreamInputs> {
  const key = JSON.stringify([sources.chains ?? null, sources.vix ?? null, sources.stream ?? [], loader, table.data.map((d) => [d.file, d.sha256])]);
  let got = cache.get(key);
  if (!got) {
    got = loadStreamInputs(sources, loader, table);
    cache.set(key, got);
    got.catch(() => cache.delete(key)); // a failed load is retried, not remembered
  }
  return got;
}
