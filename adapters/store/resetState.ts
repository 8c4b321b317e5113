/**
 * `mia run --reset-state`: the machine snapshots (orchestrator, risk, deployment) move to
 * `<home>/state/backup-<time>/`, so the next session starts fresh; nothing is deleted.
 * The ledger (orders, fills) and the audit trail stay: they are the history the fresh
 * session reconciles against. Done under the home lock: never under a running session.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireHomeLock } from './homeLock.ts';

const SNAPSHOTS = ['orchestrator.json', 'risk.json', 'deployment.json'] as const;

export interface ResetResult {
  /** Where the moved files are, null when there was nothing to move. */
  backup: string | null;
  moved: string[];
}

export async function resetState(home: string, now: number): Promise<ResetResult> {
  const stateDir = join(home, 'state');
  if (!existsSync(stateDir)) return { backup: null, moved: [] };
  const lock = await acquireHomeLock(stateDir);
  try {
    const present = SNAPSHOTS.filter((f) => existsSync(join(stateDir, f)));
    if (present.length === 0) return { backup: null, moved: [] };
    const backup = join(stateDir, `backup-${new Date(now).toISOString().replace(/[:.]/g, '-')}`);
    await mkdir(backup, { recursive: true });
    for (const f of present) await rename(join(stateDir, f), join(backup, f));
    return { backup, moved: [...present] };
  } finally {
    await lock.release();
  }
}
