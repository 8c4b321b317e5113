/**
 * The task a sweep worker runs (backtest/workerPool.ts): one backtest request on the engine,
 * over bars the pool shares with every worker (sharedBars.ts), or, when the bars did not fit
 * shared columns, over data files the worker loads and caches itself (sweepEngine.ts). The
 * streams (chains, VIX, trades/quotes/books) cross as their paths; the worker loads them
 * once (sweepStreams.ts) and replays them beside the bars, as `mia backtest` does.
 */
import { engineStreams, runOnBars, runOnEngine, type EngineData } from './sweepEngine.ts';
import { sharedTable, type SharedBars } from './sharedBars.ts';
import type { BacktestOutcome, BacktestRequest } from './sweepRunner.ts';

export interface SweepTask {
  data: EngineData | SharedBars;
  /** With shared bars: the data's loader options and streams (EngineData carries its own). */
  streams?: Pick<EngineData, 'loader' | 'streams'>;
  request: BacktestRequest;
}

const isShared = (d: SweepTask['data']): d is SharedBars => 'columns' in d;

export async function runTask(task: SweepTask): Promise<BacktestOutcome> {
  if (!isShared(task.data)) return runOnEngine(task.data, task.request);
  const table = sharedTable(task.data);
  const streams = task.streams ? await engineStreams({ files: task.data.data.map((d) => d.file), ...task.streams }, table) : null;
  return runOnBars(table, task.request, streams);
}
