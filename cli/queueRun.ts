/**
 * `--queue URL` on a research command (sweep, walk-forward; calibration can take it the same
 * way): the command's batch runner on the BullMQ queue instead of the local pool, with a
 * progress bar of jobs done, running, failed and retried and of the workers seen (stderr,
 * on a terminal), and notices (Redis lost or back, a lost job queued again) on stderr.
 * A bad URL or a refused password is a usage error (exit 2); the password is never printed.
 */
import cliProgress from 'cli-progress';
import { queueBatch, type QueueProgress } from '../backtest/queue/queueBatch.ts';
import { QueueError } from '../backtest/queue/queueError.ts';
import type { EngineData } from '../backtest/sweepEngine.ts';
import type { BatchRunner } from '../backtest/sweepRunner.ts';
import { UsageError } from './usage.ts';

export interface QueueRun {
  batch: BatchRunner;
  /** Where the jobs go (no credentials). */
  target: string;
  workersSeen(): string[];
  close(): Promise<void>;
}

const usageCodes = new Set(['QUEUE_URL_INVALID', 'QUEUE_AUTH_REFUSED', 'QUEUE_SECRET_IN_JOB']);
const asUsage = (err: unknown): unknown => (err instanceof QueueError && usageCodes.has(err.code) ? new UsageError(err.message) : err);

export function queueRun(url: string, data: EngineData, label: string, quiet = false): QueueRun {
  const tty = !quiet && process.stderr.isTTY === true;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: `${label} [{bar}] {value}/{total} jobs | running {running} | failed {failed} | retried {retried} | workers {workers}`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let started = false;
  const onProgress = (p: QueueProgress) => {
    if (!bar) return;
    const payload = { running: p.running, failed: p.failed, retried: p.retried, workers: p.workers };
    if (!started) bar.start(p.total, p.done, payload);
    started = true;
    bar.setTotal(p.total);
    bar.update(p.done, payload);
  };
  let q;
  try {
    q = queueBatch({ url, data, onProgress, onNotice: (line) => process.stderr.write(`${line}\n`) });
  } catch (err) {
    throw asUsage(err);
  }
  const batch: BatchRunner = async (requests) => {
    try {
      return await q.run(requests);
    } catch (err) {
      throw asUsage(err);
    } finally {
      if (started) bar?.stop();
      started = false;
    }
  };
  return { batch, target: q.target, workersSeen: q.workersSeen, close: q.close };
}
