/**
 * The task a sweep worker runs (backtest/workerPool.ts): one backtest request on the engine,
 * over bars the pool shares with every worker (sharedBars.ts), or, when the bars did not fit
 * shared columns, over data files the worker loads and caches itself (sweepEngine.ts).
 */
import { runOnBars, runOnEngine, type EngineData } from './sweepEngine.ts';
import { sharedTable, type SharedBars } from './sharedBars.ts';
import type { BacktestOutcome, BacktestRequest } from './sweepRunner.ts';

export interface SweepTask {
  data: EngineData | SharedBars;
  request: BacktestRequest;
}

const isShared = (d: SweepTask['data']): d is SharedBars => 'columns' in d;

export const runTask = (task: SweepTask): Promise<BacktestOutcome> =>
  isShared(task.data) ? runOnBars(sharedTable(task.data), task.request) : runOnEngine(task.data, task.request);
