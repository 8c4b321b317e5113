/**
 * `<home>/evidence/`: the evidence the deployment gates judge (config/gates.ts), kept as a
 * content-addressed, hash-chained and authenticated log, written only through `record()`
 * (which MIA's commands call: `mia backtest`, `mia evidence paper`, `mia dtc check` ...).
 *
 * - Each record is `records/<id>.json`, where `id` is the sha256 of the canonical JSON of
 *   the record without `id` and `mac`: an edited record no longer matches its name.
 * - Each record names the previous one (`prev`) and its position (`seq`); `chain.json` names
 *   the last: a record added beside the chain, or one removed from it, shows.
 * - Each record, and the head, carries an HMAC-SHA256 (`mac`) keyed by a secret generated
 *   into the home on first use (`<home>/keys/evidence.key`, mode 0600).
 *
 * Honest limits: the hash chain alone only detects edits: anyone with MIA's code could
 * rebuild a whole chain around a hand-written record. The HMAC is what makes a hand-written
 * record fail: without the key nobody can chain one. The key is a file in the home, so it
 * protects against editing evidence by hand, not against someone who reads that file (or
 * runs MIA's code on the home to record whatever they like): that is an operating-system
 * permission question, not one a local file format can answer.
 *
 * Reads are synchronous (the control handler judges an advance inside one call); a record
 * is written under an exclusive append lock (`.append.lock`) so that two MIA commands never
 * fork the chain, each file atomically (temporary + rename).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { gateTransitions, setupChecks, type Evidence, type GateTransition } from '../../config/gates.ts';
import { canonicalJson } from '../signals/signalLog.ts';
import { jsonValueSchema, type JsonValue } from './domainSchemas.ts';
import { MiaError } from '../../core/errors.ts';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a YYYY-MM-DD day');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex');

const provenanceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('simulated'), seed: z.number().int() }),
  z.object({ kind: z.literal('replay'), file: z.string().min(1), sha256: hex64 }),
  z.object({ kind: z.literal('polygon') }),
  z.object({ kind: z.literal('dtc-paper') }),
  z.object({ kind: z.literal('live') }),
]);

const evidenceSchema = z.object({
  metrics: z.record(z.string(), z.number().finite()),
  provenance: z.array(provenanceSchema),
  period: z.object({ from: isoDay, to: isoDay }),
  checks: z.partialRecord(z.enum(setupChecks), z.boolean()).optional(),
  producedAt: z.iso.datetime(),
  source: z.string().min(1),
});

const storedEvidenceSchema = z.object({
  transition: z.enum(gateTransitions),
  evidence: evidenceSchema,
  /** What a reader wants to know beyond the numbers (config hash, files, model, windows ...). */
  detail: z.record(z.string(), jsonValueSchema).optional(),
});

const FORMAT = 'mia-evidence/1';

const recordSchema = z.strictObject({
  format: z.literal(FORMAT),
  id: hex64,
  seq: z.number().int().positive(),
  prev: hex64.nullable(),
  /** The MIA command that recorded it, e.g. `mia backtest`. */
  producedBy: z.string().min(1),
  piece: storedEvidenceSchema,
  mac: hex64,
});
type EvidenceRecord = z.infer<typeof recordSchema>;

const headSchema = z.strictObject({ head: hex64, seq: z.number().int().positive(), mac: hex64 });

/** One piece of evidence for one gate, as stored. */
export interface StoredEvidence {
  transition: GateTransition;
  evidence: Evidence;
  detail?: Record<string, JsonValue>;
}

/** A verified record: the piece, its id (content hash), position and file. */
export interface EvidenceEntry extends StoredEvidence {
  id: string;
  seq: number;
  producedBy: string;
  file: string;
}

/** A file under evidence/ that cannot be trusted, and why (edited, added by hand, missing ...). */
export interface CorruptEvidence {
  file: string;
  reason: string;
}

/** Raised by `latest()` while the store does not verify. */
export class CorruptEvidenceError extends MiaError<'EVIDENCE_CORRUPT'> {
  override readonly name = 'CorruptEvidenceError';
  constructor(readonly corrupt: readonly CorruptEvidence[]) {
    super('EVIDENCE_CORRUPT',
      `evidence cannot be judged while ${corrupt.length === 1 ? 'a file is' : `${corrupt.length} files are`} not trusted: ${corrupt
        .map((c) => `${c.file}: ${c.reason}`)
        .join('; ')} (mia evidence verify; move the file away, then retry)`,
    );
  }
}

export interface EvidenceStore {
  /** `<home>/evidence`. */
  readonly dir: string;
  /** Appends `piece` to the chain, recorded by `producedBy` (a MIA command); returns the file. */
  record(piece: StoredEvidence, producedBy?: string): Promise<string>;
  /** Every verified record (chain order) and every file that does not verify. */
  list(): { entries: EvidenceEntry[]; corrupt: CorruptEvidence[] };
  /** The most recent verified piece for `transition` (by producedAt); throws CorruptEvidenceError. */
  latest(transition: GateTransition): EvidenceEntry | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const recordId = (r: Omit<EvidenceRecord, 'id' | 'mac'>) => sha256(canonicalJson({ format: r.format, seq: r.seq, prev: r.prev, producedBy: r.producedBy, piece: r.piece }));

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `at ${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** `<home>/keys/evidence.key`: 32 random bytes (hex), created 0600 on first record. */
export const evidenceKeyPath = (home: string) => join(home, 'keys', 'evidence.key');

function readKey(home: string): Buffer | null {
  const path = evidenceKeyPath(home);
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8').trim();
  return /^[0-9a-f]{64}$/.test(text) ? Buffer.from(text, 'hex') : null;
}

function ensureKey(home: string): Buffer {
  const existing = readKey(home);
  if (existing) return existing;
  const path = evidenceKeyPath(home);
  mkdirSync(join(home, 'keys'), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    // 'wx': a racer that created it first wins; we read theirs.
    writeFileSync(path, `${key.toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(path, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const key2 = readKey(home);
  if (!key2) throw new Error(`${path} is not a MIA evidence key (64 hex characters): move it away only if no evidence was recorded with it`);
  return key2;
}

const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');

function writeAtomic(file: string, text: string): void {
  const tmp = join(file, '..', `.${file.slice(file.lastIndexOf('/') + 1)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Exclusive append lock: a file created with 'wx', holding our pid; a dead owner's lock is taken over. */
async function withAppendLock<T>(dir: string, fn: () => T): Promise<T> {
  const lock = join(dir, '.append.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(lock, 'utf8').trim());
      let alive = false;
      try {
        process.kill(owner, 0);
        alive = true;
      } catch (err) {
        alive = (err as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (!alive) unlinkSync(lock);
      else if (attempt >= 200) throw new Error(`evidence append lock ${lock} held by pid ${owner} for 10 s`);
      else await sleep(50);
    }
  }
  try {
    return fn();
  } finally {
    unlinkSync(lock);
  }
}

/** The whole verification of the store: verified records in chain order, and every problem. */
export function verifyEvidence(home: string): { entries: EvidenceEntry[]; corrupt: CorruptEvidence[]; head: { id: string; seq: number } | null } {
  const dir = join(home, 'evidence');
  const recordsDir = join(dir, 'records');
  const entries: EvidenceEntry[] = [];
  const corrupt: CorruptEvidence[] = [];
  if (!existsSync(dir)) return { entries, corrupt, head: null };
  const key = readKey(home);

  // Anything in evidence/ itself but the chain's head is not MIA's (older MIA wrote loose files).
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'records' || name === 'chain.json') continue;
    corrupt.push({ file: join(dir, name), reason: 'not a record of the evidence chain: added by hand (or by an older MIA); evidence is recorded only by MIA commands' });
  }

  const byId = new Map<string, { record: EvidenceRecord; file: string }>();
  const names = existsSync(recordsDir) ? readdirSync(recordsDir).filter((n) => !n.startsWith('.')).sort() : [];
  for (const name of names) {
    const file = join(recordsDir, name);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      corrupt.push({ file, reason: `invalid JSON: ${(e as Error).message}` });
      continue;
    }
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success) {
      corrupt.push({ file, reason: `not an evidence record: schema mismatch ${describe(parsed.error)}` });
      continue;
    }
    const record = parsed.data;
    const id = recordId(record);
    if (name !== `${record.id}.json` || id !== record.id) {
      corrupt.push({ file, reason: `edited: its content hashes to ${id.slice(0, 12)}, not to the id it is stored under (${name.replace(/\.json$/, '').slice(0, 12)})` });
      continue;
    }
    if (!key) {
      corrupt.push({ file, reason: `cannot be authenticated: the evidence key ${evidenceKeyPath(home)} is missing or unreadable` });
      continue;
    }
    if (!sameHex(record.mac, mac(key, record.id))) {
      corrupt.push({ file, reason: 'not written by MIA: its authentication code does not match this home\'s evidence key (hand-written or copied from another home)' });
      continue;
    }
    byId.set(record.id, { record, file });
  }

  const headFile = join(dir, 'chain.json');
  let head: { id: string; seq: number } | null = null;
  if (existsSync(headFile)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(headFile, 'utf8'));
    } catch {
      raw = null;
    }
    const parsed = headSchema.safeParse(raw);
    if (!parsed.success) corrupt.push({ file: headFile, reason: 'the chain head is unreadable' });
    else if (!key || !sameHex(parsed.data.mac, mac(key, `${parsed.data.seq}:${parsed.data.head}`))) {
      corrupt.push({ file: headFile, reason: 'the chain head is not authenticated by this home\'s evidence key (edited by hand)' });
    } else head = { id: parsed.data.head, seq: parsed.data.seq };
  }

  // A crash between a record's write and the head's leaves an authenticated record right
  // after the head: MIA wrote it (its MAC says so), so it is the chain's tail.
  // One at most: appends are serialised, so a crash leaves one such record.
  const headTrusted = head !== null || !existsSync(headFile);
  const tail = headTrusted ? [...byId.values()].find((r) => r.record.prev === (head?.id ?? null) && r.record.seq === (head?.seq ?? 0) + 1) : undefined;
  if (tail) head = { id: tail.record.id, seq: tail.record.seq };

  // Walk from the head: every link must be there, in sequence.
  const onChain = new Set<string>();
  const chain: { record: EvidenceRecord; file: string }[] = [];
  if (head) {
    let id: string | null = head.id;
    let expected = head.seq;
    while (id !== null) {
      const found = byId.get(id);
      if (!found) {
        const tampered = names.includes(`${id}.json`);
        if (!tampered) corrupt.push({ file: join(recordsDir, `${id}.json`), reason: `missing: record ${expected} of the chain was removed` });
        break;
      }
      if (found.record.seq !== expected) {
        corrupt.push({ file: found.file, reason: `out of sequence: record ${found.record.seq} where ${expected} belongs` });
        break;
      }
      onChain.add(id);
      chain.push(found);
      id = found.record.prev;
      expected -= 1;
      if (id === null && expected !== 0) corrupt.push({ file: found.file, reason: `the chain starts at record ${found.record.seq}, not 1: earlier records were removed` });
    }
  }
  for (const [id, { file }] of byId) {
    if (!onChain.has(id)) corrupt.push({ file, reason: 'not on the evidence chain: added beside it (by hand or from another home)' });
  }
  for (const { record, file } of chain.reverse()) entries.push({ ...(record.piece as StoredEvidence), id: record.id, seq: record.seq, producedBy: record.producedBy, file });
  return { entries, corrupt, head };
}

/** Opens (without creating) the evidence folder of `home`. */
export function openEvidenceStore(home: string): EvidenceStore {
  const dir = join(home, 'evidence');
  const list = () => {
    const { entries, corrupt } = verifyEvidence(home);
    return { entries, corrupt };
  };
  return {
    dir,
    async record(piece, producedBy = 'mia') {
      const valid = storedEvidenceSchema.parse(piece) as StoredEvidence;
      mkdirSync(join(dir, 'records'), { recursive: true });
      const key = ensureKey(home);
      return withAppendLock(dir, () => {
        const { head, corrupt } = verifyEvidence(home);
        // Never extend a chain that does not verify: the new record would vouch for it.
        if (corrupt.length > 0) throw new CorruptEvidenceError(corrupt);
        const body = { format: FORMAT, seq: (head?.seq ?? 0) + 1, prev: head?.id ?? null, producedBy, piece: JSON.parse(JSON.stringify(valid)) as StoredEvidence };
        const id = recordId(body as Omit<EvidenceRecord, 'id' | 'mac'>);
        const record: EvidenceRecord = { ...(body as Omit<EvidenceRecord, 'id' | 'mac'>), id, mac: mac(key, id) };
        const file = join(dir, 'records', `${id}.json`);
        writeAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
        writeAtomic(join(dir, 'chain.json'), `${JSON.stringify({ head: id, seq: record.seq, mac: mac(key, `${record.seq}:${id}`) })}\n`);
        return file;
      });
    },
    list,
    latest(transition) {
      const { entries, corrupt } = list();
      if (corrupt.length > 0) throw new CorruptEvidenceError(corrupt);
      const ofGate = entries.filter((e) => e.transition === transition);
      // Stable: equal producedAt keeps chain order.
      return ofGate.sort((a, b) => Date.parse(a.evidence.producedAt) - Date.parse(b.evidence.producedAt)).at(-1);
    },
  };
}
