/**
 * Streams on the queue (`--chains`, `--vix`, `--stream` with `--queue`): the submitter names
 * each stream file by content, as it names the bars (queueData.ts), and a worker turns the
 * names back into local paths of verified bytes, so its runs replay exactly the streams of
 * the in-process run. A chains directory travels as the chain files in it and is rebuilt on
 * the worker under the same names: the chain loader then reads, orders and skips the same
 * files (a different underlying's exports included, so its skip report is the same).
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isChainFileName } from '../chainSource.ts';
import type { StreamSources } from '../sweepStreams.ts';
import { dataRefs, type DataStore } from './queueData.ts';
import type { DataRef, StreamRefs } from './queueJob.ts';

/** The stream files of `sources` by content; undefined when there are none. */
export async function streamRefs(sources: StreamSources | undefined): Promise<StreamRefs | undefined> {
  if (!sources) return undefined;
  const out: StreamRefs = {};
  if (sources.chains !== undefined) {
    const dir = (await stat(sources.chains)).isDirectory();
    const files = dir ? (await readdir(sources.chains)).filter(isChainFileName).sort().map((n) => join(sources.chains!, n)) : [sources.chains];
    out.chains = { dir, files: await dataRefs(files) };
  }
  if (sources.vix !== undefined) [out.vix] = await dataRefs([sources.vix]);
  if (sources.stream !== undefined && sources.stream.length > 0) out.stream = await dataRefs(sources.stream);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Every file a job's streams name (what the submitter uploads). */
export const streamDataRefs = (refs: StreamRefs | undefined): DataRef[] => [...(refs?.chains?.files ?? []), ...(refs?.vix ? [refs.vix] : []), ...(refs?.stream ?? [])];

const chainDirs = new Map<string, Promise<string>>();

/** A directory holding the chain files under their submitted names (built once per set). */
function chainDir(store: DataStore, files: readonly DataRef[], cacheDir: string): Promise<string> {
  const key = createHash('sha256')
    .update(files.map((f) => `${f.sha256} ${f.name}`).join('\n'))
    .digest('hex');
  let got = chainDirs.get(key);
  if (!got) {
    got = (async () => {
      const dir = join(cacheDir, 'chains', key);
      await mkdir(dir, { recursive: true });
      for (const f of files) {
        const path = await store.pathOf(f);
        const target = join(dir, f.name);
        // Another worker process may build the same set: each file lands whole (rename).
        const tmp = `${target}.${process.pid}.tmp`;
        await copyFile(path, tmp);
        await rename(tmp, target);
      }
      return dir;
    })();
    chainDirs.set(key, got);
    got.catch(() => chainDirs.delete(key)); // a failed build is retried, not remembered
  }
  return got;
}

/** Local paths for a job's streams, as the engine takes them (undefined: bars only). */
export async function streamSources(store: DataStore, refs: StreamRefs | undefined, cacheDir: string): Promise<StreamSources | undefined> {
  if (!refs) return undefined;
  const out: { chains?: string; vix?: string; stream?: string[] } = {};
  if (refs.chains) out.chains = refs.chains.dir ? await chainDir(store, refs.chains.files, cacheDir) : await store.pathOf(refs.chains.files[0]!);
  if (refs.vix) out.vix = await store.pathOf(refs.vix);
  if (refs.stream) out.stream = await Promise.all(refs.stream.map((r) => store.pathOf(r)));
  return out;
}
