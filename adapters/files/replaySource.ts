/**
 * Replay of a loaded series as the market-data actor's BarSource (actors/marketDataActor.ts):
 * next() is an index step over bars already in memory, O(1) and allocation-free. Pacing
 * (full speed or a real-time multiple) is the actor's `speed`; `replayDelayMs` gives the
 * wall-clock wait between two bars for callers that pace by event time instead.
 *
 * Trade series are replayed as bars built from their prints (aggressor side -> ask/bid
 * volume); quote series cannot drive a bar feed and are refused.
 */
import { aggregateBars, assertIntradayPeriod, barsFromTrades } from '../../core/aggregateBars.ts';
import type { Bar, Provenance } from '../../core/types.ts';
import { loadSeries } from './loadSeries.ts';
import { DataFileError, type LoadedSeries, type LoaderOptions } from './seriesTypes.ts';

export interface ReplayOptions extends LoaderOptions {
  /** Replay N-minute bars (5, 15 ...) aggregated from the series' bars or prints. Default: the series' own bars, 1-minute bars for prints. */
  barMinutes?: number;
  /** Only bars at or after this time (ms UTC). */
  fromMs?: number;
  /** Only bars before this time (ms UTC). */
  toMs?: number;
}

/**
 * A BarSource over bars in memory, with its position for progress and restarts. (It
 * satisfies actors/marketDataActor.ts's BarSource structurally: adapters do not import actors.)
 */
export class ArrayBarSource {
  private index = 0;

  constructor(readonly bars: readonly Bar[]) {}

  next(): Bar | null {
    return this.index < this.bars.length ? this.bars[this.index++]! : null;
  }

  /** Bars already handed out. */
  get position(): number {
    return this.index;
  }

  get remaining(): number {
    return this.bars.length - this.index;
  }
}

export interface ReplayHandle {
  source: ArrayBarSource;
  /** The loaded series, with its quality report. */
  series: LoadedSeries;
  /** The bars replayed (after aggregation and the time window). */
  bars: readonly Bar[];
  /** Bar period to give the market-data actor (its clock is set to each bar's close). */
  barMs: number;
  provenance: Provenance;
}

/** Loads `file` and opens a replay over it. Throws DataFileError for files that cannot drive a bar replay. */
export async function openReplaySource(file: string, options: ReplayOptions = {}): Promise<ReplayHandle> {
  const series = await loadSeries(file, options);
  return replayOf(series, options);
}

/** A replay over a series already loaded. */
export function replayOf(series: LoadedSeries, options: ReplayOptions = {}): ReplayHandle {
  const targetMs = options.barMinutes !== undefined ? options.barMinutes * 60_000 : undefined;
  if (targetMs !== undefined) {
    try {
      assertIntradayPeriod(targetMs);
    } catch (err) {
      throw new DataFileError('bad-option', series.file, (err as Error).message, 'barMinutes');
    }
  }
  let bars: Bar[];
  let barMs: number;
  if (series.kind === 'quotes') {
    throw new DataFileError('unsupported', series.file, `${series.file} holds quotes (${series.format}): a replay needs bars or trades`);
  } else if (series.kind === 'trades') {
    barMs = targetMs ?? 60_000;
    bars = barsFromTrades(series.items, barMs);
  } else {
    const own = series.periodMs ?? 60_000;
    barMs = targetMs ?? own;
    if (targetMs !== undefined && targetMs !== own) {
      if (targetMs < own || targetMs % own !== 0) {
        throw new DataFileError('bad-option', series.file, `cannot make ${targetMs / 60_000}-minute bars from ${own / 60_000}-minute bars`, 'barMinutes');
      }
      bars = aggregateBars(series.items, targetMs);
    } else {
      bars = series.items;
    }
  }
  const from = options.fromMs ?? -Infinity;
  const to = options.toMs ?? Infinity;
  if (from !== -Infinity || to !== Infinity) bars = bars.filter((b) => b.time >= from && b.time < to);
  return { source: new ArrayBarSource(bars), series, bars, barMs, provenance: series.provenance };
}

/**
 * Wall-clock wait before publishing a bar at `nextTime` after one at `prevTime`, at
 * `speed` times real time, capped at `maxWaitMs` (nights and weekends are not waited out).
 */
export function replayDelayMs(prevTime: number, nextTime: number, speed: 'max' | number, maxWaitMs = 5_000): number {
  if (speed === 'max') return 0;
  return Math.min(Math.max(0, (nextTime - prevTime) / speed), maxWaitMs);
}
