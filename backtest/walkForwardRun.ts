/**
 * Walk-forward on market-data files with the engine on a worker pool: the entry point for
 * `mia backtest --walk-forward`. The range defaults to the data's first and last trading
 * day; spans, objective and minTrades default to the configuration's `backtest` section.
 * Streams (`--chains`, `--vix`, `--stream`) are replayed in every window's runs as in the
 * single backtest (sweepStreams.ts).
 */
import type { LoaderOptions } from '../adapters/files/seriesTypes.ts';
import type { Objective } from '../config/backtestSchema.ts';
import type { MiaConfig } from '../config/schema.ts';
import type { GridPoint } from './sweepGrid.ts';
import { dataDays } from './sweepEngine.ts';
import { poolBatch, sweepPool } from './sweepPool.ts';
import { walkForward, type WalkForwardResult } from './walkForward.ts';
import type { BatchRunner } from './sweepRunner.ts';
import { hasStreams, type StreamSources } from './sweepStreams.ts';

export interface WalkForwardOnDataOptions {
  files: readonly string[];
  loader?: LoaderOptions;
  /** Streams replayed beside the bars in every run. */
  streams?: StreamSources;
  config: MiaConfig;
  /** Candidate sets (sweepGrid.ts expandGrid); absent = the configuration alone (out-of-sample evaluation only). */
  points?: readonly GridPoint[];
  from?: string;
  to?: string;
  inSample?: string;
  outOfSample?: string;
  anchored?: boolean;
  objective?: Objective;
  minTrades?: number;
  warmup?: boolean;
  /** Worker threads; default `backtest.workers`, else one per core. */
  workers?: number;
  /** Where the runs go instead of a local pool (e.g. the job queue: backtest/queue/queueBatch.ts). */
  batch?: BatchRunner;
}

export async function walkForwardOnData(options: WalkForwardOnDataOptions): Promise<WalkForwardResult> {
  const settings = options.config.backtest;
  const data = { files: options.files, ...(options.loader ? { loader: options.loader } : {}), ...(hasStreams(options.streams) ? { streams: options.streams } : {}) };
  const days = await dataDays(data); // loads here first: bad files fail with their own error
  const from = options.from ?? days[0];
  const to = options.to ?? days.at(-1);
  if (from === undefined || to === undefined) throw new RangeError('walk-forward: the data has no bar');
  const workers = options.workers ?? settings.workers ?? undefined;
  const pool = options.batch ? null : sweepPool(workers);
  try {
    return await walkForward({
      baseConfig: options.config,
      ...(options.points ? { points: options.points } : {}),
      from,
      to,
      inSample: options.inSample ?? settings.walkForward.inSample,
      outOfSample: options.outOfSample ?? settings.walkForward.outOfSample,
      anchored: options.anchored ?? settings.walkForward.anchored,
      objective: options.objective ?? settings.objective,
      minTrades: options.minTrades ?? settings.minTrades,
      warmup: options.warmup ?? settings.walkForward.warmup,
      batch: options.batch ?? poolBatch(pool!, data),
    });
  } finally {
    await pool?.close();
  }
}
