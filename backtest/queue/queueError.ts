/**
 * What goes wrong on the job queue, by code: a bad --queue URL (a usage error), Redis lost
 * for longer than the run waits, a job that failed for good (with its parameters), data a
 * worker cannot find or whose bytes do not match their sha256.
 */
import { MiaError } from '../../core/errors.ts';

export type QueueErrorCode = 'QUEUE_URL_INVALID' | 'QUEUE_REDIS_LOST' | 'QUEUE_JOB_FAILED' | 'QUEUE_JOB_LOST' | 'QUEUE_DATA_MISSING' | 'QUEUE_DATA_MISMATCH' | 'QUEUE_SECRET_IN_JOB';

export class QueueError extends MiaError<QueueErrorCode> {
  override readonly name = 'QueueError';
  constructor(code: QueueErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}
