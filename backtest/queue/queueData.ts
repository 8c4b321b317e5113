/**
 * Market data on the queue's side, named by sha256. The submitter stores each data file's
 * bytes in Redis under its hash (once: a file already there is only kept alive); a worker
 * that needs a file looks for bytes with that hash, in this order: what it verified before
 * (this process), its cache directory, the path the submitter read (same machine, or a
 * mount at the same place), a configured shared directory (by file name), and last Redis,
 * fetched once and written to its cache. Every candidate's bytes are hashed before use:
 * a file whose hash differs is never read as the data.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { QueueError } from './queueError.ts';
import { QUEUE_NAME, type DataRef } from './queueJob.ts';

/** Data stays in Redis this long after the last run that stored or used it. */
const DATA_TTL_S = 7 * 24 * 3600;

export const dataKey = (sha256: string): string => `${QUEUE_NAME}:data:${sha256}`;

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The files as the queue names them (hashing each). */
export async function dataRefs(files: readonly string[]): Promise<DataRef[]> {
  return Promise.all(
    files.map(async (f) => {
      const path = resolve(f);
      const [sha256, st] = await Promise.all([sha256File(path), stat(path)]);
      return { sha256, name: basename(path), path, bytes: st.size };
    }),
  );
}

/** Stores each file's bytes in Redis unless they are there already; refreshes their lifetime. */
export async function uploadData(redis: Redis, refs: readonly DataRef[]): Promise<void> {
  for (const ref of refs) {
    const key = dataKey(ref.sha256);
    if ((await redis.expire(key, DATA_TTL_S)) === 1) continue;
    const bytes = await readFile(ref.path);
    if (sha256Of(bytes) !== ref.sha256) throw new QueueError('QUEUE_DATA_MISMATCH', `${ref.path} changed while the run was being queued (its sha256 is no longer ${ref.sha256})`);
    await redis.set(key, bytes, 'EX', DATA_TTL_S);
  }
}

export interface DataStoreOptions {
  /** Where fetched files are kept (`<dir>/<sha256>/<name>`). */
  cacheDir: string;
  /** A directory shared with the submitters (e.g. a network mount), searched by file name. */
  sharedDir?: string;
}

/** A worker's view of the data: local paths of verified bytes, by sha256. */
export class DataStore {
  private readonly verified = new Map<string, Promise<string>>();
  /** Files fetched from Redis by this process (tests and the worker's log read it). */
  fetched = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: DataStoreOptions,
  ) {}

  /** A local path holding the bytes of `ref` (fetched from Redis at most once). */
  pathOf(ref: DataRef): Promise<string> {
    let p = this.verified.get(ref.sha256);
    if (!p) {
      p = this.find(ref);
      this.verified.set(ref.sha256, p);
      p.catch(() => this.verified.delete(ref.sha256));
    }
    return p;
  }

  private async find(ref: DataRef): Promise<string> {
    const cached = join(this.options.cacheDir, ref.sha256, ref.name);
    const candidates = [cached, ref.path, ...(this.options.sharedDir ? [join(this.options.sharedDir, ref.name)] : [])];
    for (const c of candidates) {
      if (await matches(c, ref.sha256)) return c;
    }
    const bytes = await this.redis.getBuffer(dataKey(ref.sha256));
    if (bytes === null) {
      throw new QueueError('QUEUE_DATA_MISSING', `data ${ref.name} (sha256 ${ref.sha256}) is neither on this worker (${candidates.join(', ')}) nor in Redis`);
    }
    const got = sha256Of(bytes);
    if (got !== ref.sha256) throw new QueueError('QUEUE_DATA_MISMATCH', `data ${ref.name} from Redis has sha256 ${got}, not ${ref.sha256}: refused`);
    await mkdir(join(this.options.cacheDir, ref.sha256), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, cached);
    this.fetched++;
    return cached;
  }
}

async function matches(path: string, sha256: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    return (await sha256File(path)) === sha256;
  } catch {
    return false;
  }
}
