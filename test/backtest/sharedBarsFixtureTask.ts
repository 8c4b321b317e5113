/** A worker task for the shared-bars test: reports what it was handed and writes into it. */
import type { SharedBars } from '../../backtest/sharedBars.ts';

export function runTask(p: { shared: SharedBars; mark: number }): { shared: boolean; first: number } {
  const first = p.shared.columns.volume[0]!;
  p.shared.columns.volume[0] = p.mark; // visible to the thread that made the columns only if the memory is shared
  return { shared: p.shared.columns.time.buffer instanceof SharedArrayBuffer, first };
}
