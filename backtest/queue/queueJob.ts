/**
 * One unit of work on the queue: one backtest request (one parameter set on one window)
 * over data named by sha256, and what a worker answers. Requests and outcomes cross as
 * V8 structured-clone bytes (base64), not JSON: -0, NaN, Infinity and undefined fields
 * come back exactly, so the collected result is byte-identical to the in-process run's
 * (BullMQ stores job data and return values as JSON strings around them).
 *
 * A job carries no secret: the configuration holds none by design (secrets come from the
 * environment), and a request whose configuration has a secret-looking key with a value
 * is refused before it is queued.
 */
import { isDeepStrictEqual } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { maskSecrets } from '../../config/maskSecrets.ts';
import type { LoaderOptions } from '../../adapters/files/seriesTypes.ts';
import type { BacktestOutcome, BacktestRequest } from '../sweepRunner.ts';
import { QueueError } from './queueError.ts';

/** The BullMQ queue `mia worker` serves and runs submit to. */
export const QUEUE_NAME = 'mia-backtest';
export const JOB_NAME = 'backtest';
/** Version of the job format: a worker refuses jobs of another (2: jobs may carry streams, which a format-1 worker would drop). */
export const JOB_FORMAT = 2;

/** A data file by content: a worker finds or fetches the bytes whose sha256 this is. */
export interface DataRef {
  sha256: string;
  /** The file's name (its extension tells the format), and where the submitter read it. */
  name: string;
  path: string;
  bytes: number;
}

/**
 * The streams replayed beside the bars (`--chains`, `--vix`, `--stream`), by content like the
 * bars. A chains directory travels as the chain files in it (`dir`), and a worker rebuilds a
 * directory of them under their names, so the chain loader reads and skips the same files.
 */
export interface StreamRefs {
  chains?: { dir: boolean; files: DataRef[] };
  vix?: DataRef;
  stream?: DataRef[];
}

export interface QueueJobData {
  format: typeof JOB_FORMAT;
  run: string;
  index: number;
  files: DataRef[];
  loader: LoaderOptions;
  /** Absent: bars only. */
  streams?: StreamRefs;
  /** The request, structured-clone bytes in base64. */
  request: string;
  /** The parameters that set this job apart from the others of its batch, for people. */
  params: Record<string, unknown>;
  window: { from: string | null; to: string | null };
}

export interface QueueJobResult {
  /** The worker that ran it (`host:pid`). */
  by: string;
  ms: number;
  /** The outcome, structured-clone bytes in base64. */
  outcome: string;
}

export const encode = (value: unknown): string => serialize(value).toString('base64');
export const decode = <T>(text: string): T => deserialize(Buffer.from(text, 'base64')) as T;

export const encodeRequest = (r: BacktestRequest): string => {
  if (!isDeepStrictEqual(maskSecrets(r.config), r.config)) {
    throw new QueueError('QUEUE_SECRET_IN_JOB', 'a configuration key that looks like a secret has a value: secrets come from the environment and never go into a job');
  }
  return encode(r);
};
export const decodeOutcome = (r: QueueJobResult): BacktestOutcome => decode<BacktestOutcome>(r.outcome);

/** Leaves of a plain object as dotted paths (arrays are leaves). */
function leaves(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
}

/**
 * For each request, the configuration values that differ between the requests of the
 * batch (the swept parameters), by dotted path: what a failure report names.
 */
export function batchParams(requests: readonly BacktestRequest[]): Array<Record<string, unknown>> {
  const flat = requests.map((r) => {
    const m = new Map<string, unknown>();
    leaves(r.config, '', m);
    return m;
  });
  const keys = new Set<string>();
  for (const m of flat) for (const k of m.keys()) keys.add(k);
  const varying = [...keys].filter((k) => flat.some((m) => !isDeepStrictEqual(m.get(k), flat[0]!.get(k))));
  return flat.map((m) => Object.fromEntries(varying.map((k) => [k, m.get(k)])));
}

/** "strategy.stopPoints=4, days 2023-03-13..2023-03-14" */
export function describeJob(d: Pick<QueueJobData, 'params' | 'window'>): string {
  const params = Object.entries(d.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const days = `days ${d.window.from ?? '(first)'}..${d.window.to ?? '(last)'}`;
  return params.length > 0 ? `${params.join(' ')}, ${days}` : `the base configuration, ${days}`;
}
