/**
 * Loads the streams of `--chains`, `--vix` and `--stream` (cli/replayInputOptions.ts) for a
 * replay's bars, with the backtest's loaders (backtest/engineData.ts: loadChainDir,
 * loadVixStream, loadReplayStreams), and says what of each the bars can use: the same
 * coverage lines on stderr and the same `streams` object in the output of `mia backtest`,
 * `mia run --feed replay` and `mia ml train`.
 *
 * Bad input (a chain source that yields nothing, a VIX file that covers none of the days, a
 * stream of another instrument or outside the bars, an unreadable file) is a UsageError
 * naming the flag or file: exit code 2.
 */
import type { BarTable } from '../core/barColumns.ts';
import type { BookSnapshot, OptionChainSnapshot, Quote, TradeTick } from '../core/types.ts';
import type { LoaderOptions } from '../adapters/files/seriesTypes.ts';
import type { VixReading } from '../adapters/files/vixDaily.ts';
import { BacktestInputError, loadChainDir, loadReplayStreams, loadVixStream, type ChainData, type ReplayStreams, type VixStream } from '../backtest/engineData.ts';
import type { DataProvenance } from '../backtest/result.ts';
import { InstrumentMismatchError } from '../config/instruments.ts';
import { dataErrorForCli } from './loaderOptions.ts';
import type { ReplayInputOptions } from './replayInputOptions.ts';
import { UsageError } from './usage.ts';

export interface ReplayInputs {
  /** `--chains` (empty without it). */
  chains: ChainData;
  chainsPath: string | null;
  vix: VixStream | null;
  streams: ReplayStreams | null;
}

export interface ChainCoverage {
  path: string;
  /** SPX chains loaded, and those before, inside and after the bars' span (the latest before it applies from the first bar). */
  chains: number;
  before: number;
  inBars: number;
  after: number;
  /** Chain files of another underlying, not used. */
  skipped: number;
  from: string | null;
  to: string | null;
}

/** What each stream covers of the bars (the `streams` of the backtest's JSON, the run's summary and the ml train report). */
export interface StreamsCoverage {
  market?: ReplayStreams['coverage'];
  vix?: { file: string; tradingDays: number; withVix: number; from: string | null; to: string | null };
  chains?: ChainCoverage;
}

/** Bad input of the loaders (or ours) as the CLI's usage error (exit code 2), naming the flag or file. */
export function replayInputError(err: unknown): Error {
  if (err instanceof BacktestInputError || err instanceof InstrumentMismatchError) return new UsageError(err.message);
  return dataErrorForCli(err);
}

/**
 * The three streams for `bars` (in time order) of `barMs`; `data` is the bars' provenance
 * (its symbol is the instrument a stream must hold). Throws UsageError for bad input.
 */
export async function loadReplayInputs(opts: ReplayInputOptions, loader: LoaderOptions, bars: BarTable, barMs: number, data: readonly DataProvenance[]): Promise<ReplayInputs> {
  return {
    chains: opts.chains !== undefined ? await named('--chains', () => loadChainDir(opts.chains!)) : { chains: [], files: [] },
    chainsPath: opts.chains ?? null,
    vix: opts.vix !== undefined ? await named('--vix', () => loadVixStream(opts.vix!, bars)) : null,
    streams: opts.stream !== undefined ? await named('--stream', () => loadReplayStreams(opts.stream!, loader, bars, barMs, data)) : null,
  };
}

/** A loader's refusal as a usage error that names its flag (a missing file's message names only the file). */
async function named<T>(flag: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const e = replayInputError(err);
    throw e instanceof UsageError && !e.message.startsWith('--') ? new UsageError(`${flag}: ${e.message}`) : e;
  }
}

/** The provenance of the streams and the VIX file, after the bars' (chains have their own list). */
export function replayInputsProvenance(inputs: ReplayInputs): DataProvenance[] {
  return [...(inputs.streams?.provenance ?? []), ...(inputs.vix ? [inputs.vix.provenance] : [])];
}

/** What the replay feed (backtest/engineFeed.ts BacktestFeed) publishes beside the bars. */
export function replayFeedInputs(
  inputs: ReplayInputs,
  vixSymbol: string,
): { chains: readonly OptionChainSnapshot[]; streams?: { trades: readonly TradeTick[]; quotes: readonly Quote[]; books: readonly BookSnapshot[] }; vix?: { readings: readonly VixReading[]; symbol: string } } {
  return {
    chains: inputs.chains.chains,
    ...(inputs.streams ? { streams: inputs.streams.items } : {}),
    ...(inputs.vix && inputs.vix.readings.length > 0 ? { vix: { readings: inputs.vix.readings, symbol: vixSymbol } } : {}),
  };
}

/** True when any of the three was given. */
export const hasReplayInputs = (inputs: ReplayInputs): boolean => inputs.chainsPath !== null || inputs.vix !== null || inputs.streams !== null;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** Each stream's coverage of `bars`; null when no stream was given. */
export function replayCoverage(inputs: ReplayInputs, bars: BarTable, barMs: number): StreamsCoverage | null {
  if (!hasReplayInputs(inputs)) return null;
  const out: StreamsCoverage = {};
  if (inputs.streams) out.market = inputs.streams.coverage;
  const { vix } = inputs;
  if (vix) out.vix = { file: vix.provenance.file, ...vix.coverage, from: vix.provenance.from, to: vix.provenance.to };
  if (inputs.chainsPath !== null) {
    const first = bars.length > 0 ? bars.timeAt(0) : Infinity;
    const end = bars.length > 0 ? bars.timeAt(bars.length - 1) + barMs : -Infinity;
    const times = inputs.chains.chains.map((c) => c.time);
    // The feed publishes a chain before the first bar that closes at or after its time.
    out.chains = {
      path: inputs.chainsPath,
      chains: times.length,
      before: times.filter((t) => t < first).length,
      inBars: times.filter((t) => t >= first && t <= end).length,
      after: times.filter((t) => t > end).length,
      skipped: inputs.chains.skipped?.length ?? 0,
      from: iso(times[0]),
      to: iso(times.at(-1)),
    };
  }
  return out;
}

/** The coverage as the terminal lines every command prints on stderr. */
export function coverageLines(c: StreamsCoverage): string[] {
  const lines: string[] = [];
  for (const m of c.market ?? []) lines.push(`stream: ${m.file}: ${m.kind} ${m.inBars} of ${m.items} inside the bars (${m.from ?? '-'} .. ${m.to ?? '-'})${m.books > 0 ? `, ${m.books} book snapshots` : ''}`);
  if (c.vix) lines.push(`vix: a close of the 4 days before ${c.vix.withVix} of ${c.vix.tradingDays} trading days (${c.vix.from ?? '-'} .. ${c.vix.to ?? '-'}), each applied from the next session's open`);
  const ch = c.chains;
  if (ch) {
    lines.push(
      `chains: ${ch.path}: ${ch.chains} SPX chains (${ch.from ?? '-'} .. ${ch.to ?? '-'}): ${ch.inBars} inside the bars, ${ch.before} before them${ch.before > 0 ? ' (the latest applies from the first bar)' : ''}, ${ch.after} after${ch.skipped > 0 ? `; ${ch.skipped} file(s) of another underlying skipped` : ''}`,
    );
  }
  return lines;
}
