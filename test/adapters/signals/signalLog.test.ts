/**
 * The hash-chained signal log: appends chain, any change, removal, insertion or reordering
 * is detected at the first broken seq, a broken log is never appended to, and the
 * canonical serialisation does not depend on key order.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.ts';
import {
  GENESIS_HASH,
  SignalLogBrokenError,
  canonicalJson,
  hashRecord,
  openSignalLog,
  verifySignalLog,
  type SignalLogBody,
} from '../../../adapters/signals/signalLog.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';
import { createHash } from 'node:crypto';

const tempHome = useTempHomes('mia-signal-log-');

const signal = (i: number): SignalLogBody => ({
  kind: 'signal',
  signal: { id: `S-${i}`, symbol: 'ESZ25', side: i % 2 ? 'long' : 'short', price: 6000 + i / 4, stop: 5992 + i / 4, target: 6012 + i / 4, score: 0.31, signalTime: 1_762_180_000_000 + i * 60_000 },
});

/** A log of `n` signals, each published to premium and then resolved, as lines of text. */
async function buildLog(n: number): Promise<{ path: string; lines: string[] }> {
  const path = join(tempHome(), 'signals', 'signal-log.jsonl');
  const clock = new ManualClock(1_800_000_000_000);
  const log = await openSignalLog(path, clock);
  for (let i = 1; i <= n; i++) {
    clock.advance(1000);
    const kind = i % 3;
    if (kind === 1 || i === 1) await log.append(signal(i));
    else if (kind === 2) await log.append({ kind: 'published', published: { signalId: `S-${i - 1}`, audience: 'premium' } });
    else await log.append({ kind: 'outcome', outcome: { signalId: `S-${i - 2}`, result: 'win', points: 3, pnl: 145.5 } });
  }
  return { path, lines: readFileSync(path, 'utf8').trimEnd().split('\n') };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('signal log', () => {
  it('appends chained records that verify; each hash is the sha256 of the sorted-key record', async () => {
    const { lines } = await buildLog(7);
    expect(lines).toHaveLength(7);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown> & { hash: string; prevHash: string; seq: number });
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(records[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < records.length; i++) expect(records[i]!.prevHash).toBe(records[i - 1]!.hash);
    // Independent check of one hash: keys sorted by hand, no whitespace.
    const first = records[0]!;
    const s = (first.signal as Record<string, unknown>)!;
    const manual = `{"kind":"signal","prevHash":"${GENESIS_HASH}","seq":1,"signal":{"id":"${s.id}","price":${s.price},"score":${s.score},"side":"${s.side}","signalTime":${s.signalTime},"stop":${s.stop},"symbol":"${s.symbol}","target":${s.target}},"time":${first.time}}`;
    expect(first.hash).toBe(sha256(manual));
    const v = verifySignalLog(`${lines.join('\n')}\n`);
    expect(v).toMatchObject({ ok: true, head: { seq: 7, hash: records[6]!.hash } });
  });

  it('property: changing any field of record k breaks the log exactly at seq k', async () => {
    const { lines } = await buildLog(9);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.constantFrom('time', 'price', 'side', 'pnl', 'signalId', 'hash', 'prevHash', 'seq'), (k, field) => {
        const record = JSON.parse(lines[k]!) as Record<string, any>;
        const before = JSON.stringify(record);
        if (field === 'time') record.time += 1;
        else if (field === 'hash') record.hash = record.hash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
        else if (field === 'prevHash') record.prevHash = record.prevHash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
        else if (field === 'seq') record.seq += 10;
        else if (record.kind === 'signal' && field === 'price') record.signal.price += 0.25;
        else if (record.kind === 'signal' && field === 'side') record.signal.side = record.signal.side === 'long' ? 'short' : 'long';
        else if (record.kind === 'outcome' && field === 'pnl') record.outcome.pnl += 100;
        else if (record.kind === 'outcome' && field === 'signalId') record.outcome.signalId += '0';
        else if (record.kind === 'published' && field === 'signalId') record.published.audience = 'public';
        else record.time -= 1;
        expect(JSON.stringify(record)).not.toBe(before);
        const tampered = [...lines];
        tampered[k] = JSON.stringify(record);
        const v = verifySignalLog(`${tampered.join('\n')}\n`);
        expect(v.ok).toBe(false);
        if (!v.ok) {
          expect(v.brokenSeq).toBe(k + 1);
          expect(v.line).toBe(k + 1);
          expect(v.records).toHaveLength(k);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('detects removal, insertion, reordering, a rehashed record and a torn tail', async () => {
    const { lines } = await buildLog(6);
    const text = (ls: string[]) => `${ls.join('\n')}\n`;
    const brokenAt = (ls: string[] | string) => {
      const v = verifySignalLog(typeof ls === 'string' ? ls : text(ls));
      return v.ok ? null : v.brokenSeq;
    };
    expect(brokenAt(lines.filter((_, i) => i !== 2))).toBe(3);
    expect(brokenAt([...lines.slice(0, 3), lines[1]!, ...lines.slice(3)])).toBe(4);
    expect(brokenAt([lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)])).toBe(2);
    // An attacker who rewrites record 3 and recomputes its hash still breaks record 4's link.
    const r3 = JSON.parse(lines[2]!) as Record<string, any>;
    r3.time += 5;
    r3.hash = hashRecord(r3 as never);
    expect(brokenAt([...lines.slice(0, 2), JSON.stringify(r3), ...lines.slice(3)])).toBe(4);
    // Half a record at the end (a crash mid-write).
    expect(brokenAt(`${text(lines)}${lines[5]!.slice(0, 40)}`)).toBe(7);
    // A blank line in the middle.
    expect(brokenAt(`${lines.slice(0, 2).join('\n')}\n\n${lines.slice(2).join('\n')}\n`)).toBe(3);
    expect(brokenAt(text(lines))).toBeNull();
    expect(verifySignalLog('')).toMatchObject({ ok: true, head: null });
  });

  it('refuses records that contradict the log: unknown signal, second outcome, double publication', () => {
    const chain = (bodies: SignalLogBody[]) => {
      let prev = GENESIS_HASH;
      return `${bodies
        .map((b, i) => {
          const unhashed = { seq: i + 1, time: 1000 + i, ...b, prevHash: prev };
          const hash = hashRecord(unhashed as never);
          prev = hash;
          return canonicalJson({ ...unhashed, hash });
        })
        .join('\n')}\n`;
    };
    const win = { kind: 'outcome', outcome: { signalId: 'S-1', result: 'win', points: 1, pnl: 48 } } as const;
    expect(verifySignalLog(chain([signal(1), win]))).toMatchObject({ ok: true });
    expect(verifySignalLog(chain([win]))).toMatchObject({ ok: false, brokenSeq: 1, reason: 'outcome for unknown signal S-1' });
    expect(verifySignalLog(chain([signal(1), win, win]))).toMatchObject({ ok: false, brokenSeq: 3 });
    expect(verifySignalLog(chain([signal(1), signal(1)]))).toMatchObject({ ok: false, brokenSeq: 2 });
    const pub = { kind: 'published', published: { signalId: 'S-1', audience: 'public' } } as const;
    expect(verifySignalLog(chain([signal(1), pub, pub]))).toMatchObject({ ok: false, brokenSeq: 3 });
  });

  it('never appends to a broken log, and leaves it untouched', async () => {
    const { path, lines } = await buildLog(4);
    const r2 = JSON.parse(lines[1]!) as Record<string, any>;
    r2.time += 1;
    const tampered = `${[lines[0], JSON.stringify(r2), ...lines.slice(2)].join('\n')}\n`;
    writeFileSync(path, tampered);
    const err = await openSignalLog(path, new ManualClock(0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignalLogBrokenError);
    expect((err as SignalLogBrokenError).brokenSeq).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe(tampered);
  });

  it('concurrent appends keep one chain; a reopened log continues it', async () => {
    const path = join(tempHome(), 'log.jsonl');
    const clock = new ManualClock(5);
    const log = await openSignalLog(path, clock);
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(signal(i + 1))));
    const again = await openSignalLog(path, clock);
    expect(again.records()).toHaveLength(20);
    const next = await again.append({ kind: 'published', published: { signalId: 'S-20', audience: 'premium' } });
    expect(next.seq).toBe(21);
    const v = verifySignalLog(readFileSync(path, 'utf8'));
    expect(v.ok && v.records.map((r) => r.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it('refuses a body that is not a signal record, appending nothing', async () => {
    const path = join(tempHome(), 'log.jsonl');
    const log = await openSignalLog(path, new ManualClock(5));
    await expect(log.append({ kind: 'signal', signal: { id: '', symbol: 'ES', side: 'long', price: Number.NaN, score: 0, signalTime: 0 } })).rejects.toThrow();
    expect(log.records()).toHaveLength(0);
    await log.append(signal(1));
    expect(log.records()[0]!.seq).toBe(1);
  });
});

describe('canonicalJson', () => {
  it('property: key order does not matter, and it parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        const reversed = JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        ) as unknown;
        expect(canonicalJson(reversed)).toBe(text);
      }),
    );
  });
});
