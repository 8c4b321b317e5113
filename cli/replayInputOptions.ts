/**
 * The options that put streams beside a replay's bars (issue 15), with one meaning for
 * `mia backtest`, `mia run --feed replay` and `mia ml train`: `--chains`, `--vix` and
 * repeatable `--stream`. Loaded by cli/replayInputs.ts. Kept apart from the loaders so
 * that registering a command does not load them (start-up time).
 */
import type { Command } from 'commander';
import { collect } from './usage.ts';

export interface ReplayInputOptions {
  chains?: string;
  vix?: string;
  stream?: string[];
}

export function addReplayInputOptions(cmd: Command): Command {
  return cmd
    .option('--chains <path>', 'option chains for gamma: a directory or file of CBOE *quotedata*.csv exports or Polygon snapshot *.json (SPX only; none found is an error)')
    .option('--stream <file>', 'trades with aggressor (tick files; a DOM file adds its book snapshots) or quotes (Lean quote zips, CSV bid/ask with sizes), merged by time before each bar (repeatable)', collect)
    .option('--vix <file>', "VIX daily closes (CBOE VIX_History.csv) for the volatility regime; each close applies from the next session's open");
}

/** The first of the three options given, as its flag (for "only with ..." refusals); null when none is. */
export function firstReplayInputFlag(opts: ReplayInputOptions): string | null {
  if (opts.chains !== undefined) return '--chains';
  if (opts.vix !== undefined) return '--vix';
  if (opts.stream !== undefined) return '--stream';
  return null;
}
