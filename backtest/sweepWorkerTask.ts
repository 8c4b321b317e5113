/**
 * The task a sweep worker runs (backtest/workerPool.ts): one backtest request on the engine
 * over data files the worker loads and caches itself (sweepEngine.ts).
 */
import { runOnEngine, type EngineData } from './sweepEngine.ts';
import type { BacktestOutcome, BacktestRequest } from './sweepRunner.ts';

export interface SweepTask {
  data: EngineData;
  request: BacktestRequest;
}

export const runTask = (task: SweepTask): Promise<BacktestOutcome> => runOnEngine(task.data, task.request);
