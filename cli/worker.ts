/**
 * `mia worker --queue redis://HOST:PORT`: runs backtest jobs from the queue that `mia sweep
 * --queue` and `mia backtest --walk-forward --queue` fill, on any machine that reaches the
 * Redis (backtest/queue/queueWorker.ts). One line per job on stderr; runs until SIGINT or
 * SIGTERM, then lets the jobs in hand finish (or hands them back) and exits 0.
 *
 * Exit codes: 0 stopped by a signal; 2 bad flag, bad URL or a refused password.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { QueueError } from '../backtest/queue/queueError.ts';
import { QUEUE_PASSWORD_ENV } from '../backtest/queue/queueUrl.ts';
import { startQueueWorker, type WorkerEvent } from '../backtest/queue/queueWorker.ts';
import { positiveInt, UsageError } from './usage.ts';

interface WorkerOptions {
  queue: string;
  threads?: number;
  cacheDir?: string;
  dataDir?: string;
  lockMs?: number;
}

const line = (e: WorkerEvent): string => {
  switch (e.kind) {
    case 'started':
      return `job ${e.id} started: ${e.what}${e.attempt > 1 ? ` (run ${e.attempt})` : ''}`;
    case 'done':
      return `job ${e.id} done in ${e.ms} ms`;
    case 'failed':
      return `job ${e.id} failed: ${e.error}`;
    case 'notice':
      return e.line;
  }
};

export async function workerCommand(opts: WorkerOptions): Promise<number> {
  const say = (text: string) => process.stderr.write(`${text}\n`);
  let worker;
  try {
    worker = await startQueueWorker({
      url: opts.queue,
      threads: opts.threads ?? 1,
      cacheDir: resolve(opts.cacheDir ?? join(tmpdir(), 'mia-queue-data')),
      ...(opts.dataDir ? { sharedDir: resolve(opts.dataDir) } : {}),
      ...(opts.lockMs ? { lockMs: opts.lockMs } : {}),
      onEvent: (e) => say(line(e)),
    });
  } catch (err) {
    if (err instanceof QueueError && (err.code === 'QUEUE_URL_INVALID' || err.code === 'QUEUE_AUTH_REFUSED')) throw new UsageError(err.message);
    throw err;
  }
  say(`worker ${worker.name} serving ${worker.target} with ${opts.threads ?? 1} engine thread(s); Ctrl-C to stop`);
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  say(`worker ${worker.name}: ${signal}, stopping after ${worker.done()} job(s)`);
  await worker.close();
  return 0;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(`run backtest jobs from a Redis queue (mia sweep|backtest --walk-forward ... --queue URL); password in ${QUEUE_PASSWORD_ENV}`)
    .requiredOption('--queue <url>', `Redis of the queue: redis://HOST:PORT[/DB] (password in ${QUEUE_PASSWORD_ENV}, not on the command line)`)
    .option('--threads <n>', 'engine threads, and jobs run at once (default 1)', positiveInt('--threads'))
    .option('--cache-dir <dir>', 'where data fetched from the queue is kept, by sha256 (default: the system temp directory)')
    .option('--data-dir <dir>', 'a directory shared with the submitters (e.g. a network mount): data files are looked for there by name, checked by sha256')
    .option('--lock-ms <n>', 'job lock: a job whose worker died goes to another after about this long (default 30000)', positiveInt('--lock-ms'))
    .action(async (opts: WorkerOptions) => {
      process.exitCode = await workerCommand(opts);
    });
}
