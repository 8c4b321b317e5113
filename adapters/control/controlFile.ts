/**
 * `<home>/control.json`: where a running `mia run` listens and the token it accepts.
 * Written atomically with mode 0600 (only the owner can read the token), removed on a
 * clean exit. A file left by a crashed process names a dead pid and counts as absent.
 */
import { chmod, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { endpointSchema } from './controlSchemas.ts';
import { isAlive } from '../store/processAlive.ts';
import { MiaError } from '../../core/errors.ts';

export const CONTROL_FILE = 'control.json';

/** Where to reach a running MIA: a loopback TCP port or a unix socket, and its token. */
export type ControlEndpoint = z.infer<typeof endpointSchema>;

/** `control.json` exists but cannot be trusted (not JSON, wrong shape). */
export class ControlFileError extends MiaError<'CONTROL_FILE_INVALID'> {
  override readonly name = 'ControlFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super('CONTROL_FILE_INVALID', `${path}: ${reason}`);
  }
}

export const controlFilePath = (home: string): string => join(home, CONTROL_FILE);

/** Publishes `endpoint` for clients: temp file created 0600, then renamed over the old one. */
export async function writeControlFile(home: string, endpoint: ControlEndpoint): Promise<string> {
  const path = controlFilePath(home);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(endpoint)}\n`, { mode: 0o600 });
  // The mode of writeFile only applies on creation: make sure of it before the token goes live.
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return path;
}

/**
 * The endpoint of the MIA running at `home`, or null when none runs (no file, or a file
 * left by a process that is gone). Throws ControlFileError for a file that does not parse.
 */
export async function readControlFile(home: string): Promise<ControlEndpoint | null> {
  const path = controlFilePath(home);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ControlFileError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ControlFileError(path, `not valid JSON (${(e as Error).message})`);
  }
  const { endpointSchema } = await import('./controlSchemas.ts');
  // jitless: one parse per process, where compiling zod's fast path costs more than it saves.
  const parsed = endpointSchema.safeParse(json, { jitless: true });
  if (!parsed.success) throw new ControlFileError(path, `unexpected content (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return isAlive(parsed.data.pid) ? parsed.data : null;
}

/** Removes `control.json` if it still names `pid` (never another process's file). */
export async function removeControlFile(home: string, pid: number): Promise<void> {
  const path = controlFilePath(home);
  try {
    const current = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown };
    if (current.pid !== pid) return;
    await unlink(path);
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}
