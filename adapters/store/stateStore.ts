/**
 * All of MIA's runtime state for one home: `<home>/state/*.json`, one file per concern,
 * owned by a single process through `<home>/state/lock`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.ts';
import { openAuditTrail, type AuditTrail } from './auditTrail.ts';
import { acquireHomeLock } from './homeLock.ts';
import { journalDir, openJournal, type Journal } from './journal.ts';
import { openSnapshotSlot, type SnapshotSlot } from './snapshotSlot.ts';

export interface StateStore {
  /** `<home>/state`. */
  readonly stateDir: string;
  /** state/orchestrator.json: the root machine's persisted snapshot. */
  readonly orchestrator: SnapshotSlot;
  /** state/risk.json: the risk machine's persisted snapshot. */
  readonly risk: SnapshotSlot;
  /** state/deployment.json: the deployment machine's persisted snapshot (phase progress). */
  readonly deployment: SnapshotSlot;
  /** state/ledger/*.jsonl: orders, fills, trades (append-only, one file per trading day). */
  readonly journal: Journal;
  /** state/audit.jsonl: the operator audit trail (append-only). */
  readonly audit: AuditTrail;
  /** Resolves once every write requested so far is on disk. */
  flush(): Promise<void>;
  /** Flushes, refuses further writes and releases the home lock. Idempotent. */
  close(): Promise<void>;
}

export interface StateStoreOptions {
  /** Stamps savedAt / updatedAt / audit times. */
  clock: Clock;
}

/**
 * Locks `home` for this process and opens its state files. Throws `HomeLockedError` if
 * another live process owns the home and `CorruptStateError` if a file cannot be trusted
 * (the lock is released again in both failure cases that got that far).
 */
export async function openStateStore(home: string, { clock }: StateStoreOptions): Promise<StateStore> {
  const stateDir = join(home, 'state');
  await mkdir(stateDir, { recursive: true });
  const lock = await acquireHomeLock(stateDir);
  let parts: [SnapshotSlot, SnapshotSlot, SnapshotSlot, Journal, AuditTrail];
  try {
    parts = await Promise.all([
      openSnapshotSlot(join(stateDir, 'orchestrator.json'), clock),
      openSnapshotSlot(join(stateDir, 'risk.json'), clock),
      openSnapshotSlot(join(stateDir, 'deployment.json'), clock),
      openJournal(journalDir(stateDir), clock),
      openAuditTrail(join(stateDir, 'audit.jsonl'), clock),
    ]);
  } catch (e) {
    await lock.release();
    throw e;
  }
  const [orchestrator, risk, deployment, journal, audit] = parts;
  const all = [orchestrator, risk, deployment, journal, audit];
  let closing: Promise<void> | undefined;

  return {
    stateDir,
    orchestrator,
    risk,
    deployment,
    journal,
    audit,
    async flush() {
      await Promise.all(all.map((d) => d.flush()));
    },
    close() {
      closing ??= (async () => {
        // Release the lock even if a last write failed, then report the failure.
        const results = await Promise.allSettled(all.map((d) => d.close()));
        await lock.release();
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      })();
      return closing;
    },
  };
}
