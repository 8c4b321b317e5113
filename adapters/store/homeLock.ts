/**
 * One MIA process per home: `<home>/state/lock` names the pid that owns the home.
 *
 * The lock is published atomically (written to a private temp file, then hard-linked to
 * `lock`, which fails if `lock` exists), so a reader never sees a half-written pid.
 * A lock whose pid is dead is stale and taken over. A lock naming our own pid is stale
 * when it predates this process (a container restarted with the same pid); otherwise
 * another store in this very process holds it.
 */
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isAlive } from './processAlive.ts';
import { MiaError } from '../../core/errors.ts';

/** The home is owned by another live process (or another store in this one). */
export class HomeLockedError extends MiaError<'HOME_LOCKED'> {
  override readonly name = 'HomeLockedError';
  constructor(
    readonly lockPath: string,
    readonly ownerPid: number,
  ) {
    super('HOME_LOCKED', 
      `MIA home is locked by pid ${ownerPid} (${lockPath}): two instances never share a home. ` +
        `Stop that process, or delete the lock only if you are sure pid ${ownerPid} is not MIA.`,
    );
  }
}

export interface HomeLock {
  readonly path: string;
  readonly pid: number;
  /** Removes the lock if it still names this process. Idempotent. */
  release(): Promise<void>;
}

async function readOwner(lockPath: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const pid = Number(text.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new Error(`unreadable home lock ${lockPath} (content ${JSON.stringify(text)}): check for another MIA, then delete it`);
  }
  return pid;
}

/** Whether the lock at `lockPath`, naming `pid`, is held by a running process. */
async function isHeld(lockPath: string, pid: number): Promise<boolean> {
  if (pid !== process.pid) return isAlive(pid);
  try {
    return (await stat(lockPath)).mtimeMs >= performance.timeOrigin;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * Takes `<stateDir>/lock` for this process, or throws `HomeLockedError`.
 * `stateDir` must exist.
 */
export async function acquireHomeLock(stateDir: string): Promise<HomeLock> {
  const lockPath = join(stateDir, 'lock');
  const pid = process.pid;
  const tmpPath = join(stateDir, `.lock.${pid}.tmp`);
  await writeFile(tmpPath, `${pid}\n`);
  try {
    // A few rounds cover a racer releasing or taking over between our steps.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(tmpPath, lockPath);
        return makeLock(lockPath, pid);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = await readOwner(lockPath);
      if (owner === undefined) continue;
      if (await isHeld(lockPath, owner)) throw new HomeLockedError(lockPath, owner);
      await unlink(lockPath).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    }
    throw new Error(`could not take the home lock ${lockPath}: it keeps changing hands`);
  } finally {
    await unlink(tmpPath).catch(() => undefined);
  }
}

function makeLock(path: string, pid: number): HomeLock {
  let released = false;
  return {
    path,
    pid,
    async release() {
      if (released) return;
      released = true;
      if ((await readOwner(path)) === pid) await unlink(path);
    },
  };
}
