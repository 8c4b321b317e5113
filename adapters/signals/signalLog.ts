/**
 * The signal log: the published track record, an append-only JSON-lines file in which
 * every record carries the sha256 of the one before it. Changing, removing, inserting or
 * reordering any record breaks the chain from that record on, and `verifySignalLog`
 * names the first broken seq. Signals, their publication and their outcomes are all
 * records, so the performance of published signals is computed from the log alone.
 *
 *   {seq, time, kind, <body>, prevHash, hash}   hash = sha256(canonicalJson(record - hash))
 *
 * The chain proves the order and integrity of what it holds; anyone who kept a published
 * message (it quotes `#seq` and the hash prefix) can check that the log was not rewritten.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import type { Clock } from '../../core/clock.ts';
import { MiaError } from '../../core/errors.ts';

/** Where a MIA home keeps its signal log (`mia run` writes it, `mia signals` reads it). */
export const signalLogPath = (home: string): string => join(home, 'signals', 'signal-log.jsonl');

/** prevHash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

const finite = z.number().finite();
const id = z.string().min(1).max(200);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const signalBody = z.strictObject({
  kind: z.literal('signal'),
  signal: z.strictObject({
    id,
    symbol: id,
    side: z.enum(['long', 'short']),
    /** Reference price (the signal bar's close). */
    price: finite,
    stop: finite.optional(),
    target: finite.optional(),
    score: finite,
    /** Event time of the signal, ms UTC. */
    signalTime: finite,
  }),
});

const outcomeBody = z.strictObject({
  kind: z.literal('outcome'),
  outcome: z.strictObject({
    signalId: id,
    /** void: the signal was never traded (order rejected or cancelled unfilled). */
    result: z.enum(['win', 'loss', 'flat', 'void']),
    entryPrice: finite.optional(),
    exitPrice: finite.optional(),
    exitTime: finite.optional(),
    /** Index points, signed in the signal's favour. */
    points: finite,
    /** Dollars per contract after commissions. */
    pnl: finite,
    note: z.string().max(500).optional(),
  }),
});

const publishedBody = z.strictObject({
  kind: z.literal('published'),
  published: z.strictObject({ signalId: id, audience: z.enum(['premium', 'public']) }),
});

const bodySchema = z.discriminatedUnion('kind', [signalBody, outcomeBody, publishedBody]);
export type SignalLogBody = z.infer<typeof bodySchema>;
export type SignalEntry = z.infer<typeof signalBody>['signal'];
export type SignalOutcome = z.infer<typeof outcomeBody>['outcome'];
export type SignalAudience = z.infer<typeof publishedBody>['published']['audience'];

const chainFields = { seq: z.number().int().positive(), time: finite, prevHash: hex64, hash: hex64 };
const recordSchema = z.discriminatedUnion('kind', [signalBody.extend(chainFields), outcomeBody.extend(chainFields), publishedBody.extend(chainFields)]);

/** One record as stored. */
export type SignalRecord = z.infer<typeof recordSchema>;

/** JSON with object keys sorted at every level and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`not representable in JSON: ${String(value)}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash of a record: sha256 hex over the canonical JSON of everything but `hash`. */
export function hashRecord(record: Omit<SignalRecord, 'hash'> | SignalRecord): string {
  const { hash: _ignored, ...rest } = record as SignalRecord;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

export type SignalLogVerification =
  | { ok: true; records: SignalRecord[]; head: { seq: number; hash: string } | null }
  | {
      ok: false;
      /** The first seq that cannot be trusted (the seq expected at the broken line). */
      brokenSeq: number;
      /** 1-based line number in the file. */
      line: number;
      reason: string;
      /** The intact records before the break. */
      records: SignalRecord[];
    };

/**
 * Checks a whole log text: every line parses and validates, seqs run 1, 2, 3..., every
 * prevHash is the previous hash, every hash matches its record, outcomes and publications
 * refer to an earlier signal, and nothing is recorded twice.
 */
export function verifySignalLog(text: string): SignalLogVerification {
  const lines = text.split('\n');
  // One trailing newline ends the last record; anything else empty is a break.
  if (lines.at(-1) === '') lines.pop();
  const records: SignalRecord[] = [];
  const signals = new Set<string>();
  const outcomes = new Set<string>();
  const published = new Set<string>();
  let prev = GENESIS_HASH;
  for (let i = 0; i < lines.length; i++) {
    const seq = records.length + 1;
    const broken = (reason: string): SignalLogVerification => ({ ok: false, brokenSeq: seq, line: i + 1, reason, records });
    let json: unknown;
    try {
      json = JSON.parse(lines[i]!);
    } catch {
      return broken('not a JSON record');
    }
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return broken(`not a signal record (${issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'invalid'})`);
    }
    const r = parsed.data;
    if (r.seq !== seq) return broken(`seq ${r.seq} where ${seq} was expected (a record was removed, inserted or moved)`);
    if (r.prevHash !== prev) return broken(`prevHash does not match the hash of record ${seq - 1}`);
    if (hashRecord(r) !== r.hash) return broken('hash does not match the record (its content was changed)');
    if (r.kind === 'signal') {
      if (signals.has(r.signal.id)) return broken(`signal ${r.signal.id} recorded twice`);
      signals.add(r.signal.id);
    } else if (r.kind === 'outcome') {
      if (!signals.has(r.outcome.signalId)) return broken(`outcome for unknown signal ${r.outcome.signalId}`);
      if (outcomes.has(r.outcome.signalId)) return broken(`second outcome for signal ${r.outcome.signalId}`);
      outcomes.add(r.outcome.signalId);
    } else {
      const key = `${r.published.signalId}/${r.published.audience}`;
      if (!signals.has(r.published.signalId)) return broken(`publication of unknown signal ${r.published.signalId}`);
      if (published.has(key)) return broken(`signal ${r.published.signalId} published twice to ${r.published.audience}`);
      published.add(key);
    }
    records.push(r);
    prev = r.hash;
  }
  const last = records.at(-1);
  return { ok: true, records, head: last ? { seq: last.seq, hash: last.hash } : null };
}

/** Verifies the log at `path`; a missing file is an empty, intact log. */
export async function readSignalLog(path: string): Promise<SignalLogVerification> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, records: [], head: null };
    throw e;
  }
  return verifySignalLog(text);
}

/** The log on disk is broken: nothing is appended to it until a human has looked. */
export class SignalLogBrokenError extends MiaError<'SIGNAL_LOG_BROKEN'> {
  override readonly name = 'SignalLogBrokenError';
  constructor(
    readonly path: string,
    readonly brokenSeq: number,
    readonly reason: string,
  ) {
    super('SIGNAL_LOG_BROKEN', `${path}: the signal log is broken at seq ${brokenSeq}: ${reason}`);
  }
}

/** An open, verified log that appends. */
export interface SignalLog {
  readonly path: string;
  /** Chains, hashes and durably appends one record (appends run one at a time). */
  append(body: SignalLogBody): Promise<SignalRecord>;
  /** Every record, oldest first. */
  records(): readonly SignalRecord[];
  /** Resolves once every append requested so far has been written (or has failed). */
  flush(): Promise<void>;
}

/**
 * Opens the log at `path` (created on the first append), verifying it first. Throws
 * SignalLogBrokenError when it does not verify: appending after a break would hide it.
 */
export async function openSignalLog(path: string, clock: Clock): Promise<SignalLog> {
  const verified = await readSignalLog(path);
  if (!verified.ok) throw new SignalLogBrokenError(path, verified.brokenSeq, verified.reason);
  const records = [...verified.records];
  let queue: Promise<unknown> = Promise.resolve();

  const write = async (body: SignalLogBody): Promise<SignalRecord> => {
    const checked = bodySchema.parse(body);
    const last = records.at(-1);
    const unhashed = { seq: (last?.seq ?? 0) + 1, time: clock.now(), ...checked, prevHash: last?.hash ?? GENESIS_HASH };
    const record = { ...unhashed, hash: hashRecord(unhashed as Omit<SignalRecord, 'hash'>) } as SignalRecord;
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'a', 0o644);
    try {
      const size = (await handle.stat()).size;
      try {
        await handle.write(`${canonicalJson(record)}\n`);
        await handle.datasync();
      } catch (e) {
        // Never leave half a record behind: the next append would chain after garbage.
        await handle.truncate(size).catch(() => undefined);
        throw e;
      }
    } finally {
      await handle.close();
    }
    records.push(record);
    return record;
  };

  return {
    path,
    append(body) {
      const next = queue.then(() => write(body));
      queue = next.catch(() => undefined);
      return next;
    },
    records: () => records,
    flush: () => queue.then(() => undefined),
  };
}
