/**
 * What goes wrong on the job queue, by code: a bad --queue URL or a refused password (usage
 * errors), Redis lost
 * for longer than the run waits, a job that failed for good (with its parameters), data a
 * worker cannot find or whose bytes do not match their sha256.
 */
import { MiaError } from '../../core/errors.ts';

export type QueueErrorCode = 'QUEUE_URL_INVALID' | 'QUEUE_AUTH_REFUSED' | 'QUEUE_REDIS_LOST' | 'QUEUE_JOB_FAILED' | 'QUEUE_JOB_LOST' | 'QUEUE_DATA_MISSING' | 'QUEUE_DATA_MISMATCH' | 'QUEUE_SECRET_IN_JOB';

export class QueueError extends MiaError<QueueErrorCode> {
  override readonly name = 'QueueError';
  constructor(code: QueueErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/** Redis refused our credentials: waiting will not help. */
export function authRefusal(err: unknown, safeUrl: string): QueueError | null {
  const m = err instanceof Error ? err.message : String(err);
  if (!/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(m)) return null;
  return new QueueError('QUEUE_AUTH_REFUSED', `--queue: Redis at ${safeUrl} refused the credentials (set the password in MIA_QUEUE_PASSWORD or the URL): ${m.split('\n')[0]}`);
}
