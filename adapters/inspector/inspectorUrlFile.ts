/**
 * `<home>/inspector.url`: the address of the running inspector, token included. It is a
 * secret like control.json: written atomically with mode 0600, removed on a clean stop,
 * and only when it still holds our URL (never another process's file).
 */
import { chmod, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const INSPECTOR_URL_FILE = 'inspector.url';

export const inspectorUrlPath = (home: string): string => join(home, INSPECTOR_URL_FILE);

/** Publishes `url` (one line): temp file created 0600, then renamed over any old one. */
export async function writeInspectorUrl(home: string, url: string): Promise<string> {
  const path = inspectorUrlPath(home);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${url}\n`, { mode: 0o600 });
  // writeFile's mode only applies on creation: be sure before the token is on disk for good.
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return path;
}

/** Removes the file if it still holds `url`. */
export async function removeInspectorUrl(home: string, url: string): Promise<void> {
  const path = inspectorUrlPath(home);
  try {
    if ((await readFile(path, 'utf8')).trim() !== url) return;
    await unlink(path);
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}
