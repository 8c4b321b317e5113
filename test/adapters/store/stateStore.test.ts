import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { ManualClock } from '../../../core/clock.ts';
import { tradingDay } from '../../../core/tradingDay.ts';
import type { Fill, OrderRequest, Trade } from '../../../core/types.ts';
import { CorruptStateError } from '../../../adapters/store/jsonDocument.ts';
import { orderStatuses, type OrderRecord } from '../../../adapters/store/journal.ts';
import { openStateStore } from '../../../adapters/store/stateStore.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const newHome = useTempHomes('mia-store-');
const T0 = Date.UTC(2025, 10, 3, 14, 30);

const request = (clientOrderId: string, extra: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId,
  symbol: 'ESZ25',
  side: 'buy',
  qty: 1,
  type: 'limit',
  price: 5000.25,
  tif: 'day',
  stopDistance: 4,
  purpose: 'entry',
  createdAt: T0,
  ...extra,
});

const fill = (executionId: string, time: number, extra: Partial<Fill> = {}): Fill => ({
  clientOrderId: 'o1',
  executionId,
  symbol: 'ESZ25',
  side: 'buy',
  qty: 1,
  price: 5000.25,
  time,
  commission: 2.25,
  ...extra,
});

const trade: Trade = {
  symbol: 'ESZ25',
  side: 'long',
  qty: 1,
  entryTime: T0,
  exitTime: T0 + 60_000,
  entryPrice: 5000.25,
  exitPrice: 5002,
  commission: 4.5,
  pnl: 83,
};

describe('openStateStore', () => {
  it('keeps every document under <home>/state and reads each back after a reopen', async () => {
    const home = newHome();
    const clock = new ManualClock(T0);
    const store = await openStateStore(home, { clock });
    await store.orchestrator.save({ value: 'trading', context: { generation: 2 }, output: undefined });
    clock.advance(1_000);
    await store.risk.save({ value: 'limited', context: { rejects: 3 } });
    await store.deployment.save({ value: 'phase_3_simulation', context: { since: T0 } });
    await store.journal.upsertOrder({ request: request('o1'), status: 'open', serverOrderId: 'S1', filledQty: 0 });
    await store.journal.recordFill(fill('x1', T0 + 5));
    await store.journal.recordTrade(trade);
    await store.audit.append({ who: 'operator', action: 'kill', args: { reason: 'test' }, result: 'ok' });
    await store.close();

    expect(readdirSync(home)).toEqual(['state']);
    expect(readdirSync(join(home, 'state')).sort()).toEqual(['audit.jsonl', 'deployment.json', 'ledger', 'orchestrator.json', 'risk.json']);
    // One append-only file per CME trading day (T0 is a Tuesday afternoon in Chicago).
    expect(readdirSync(join(home, 'state', 'ledger'))).toEqual([`${tradingDay(T0)}.jsonl`]);

    const again = await openStateStore(home, { clock: new ManualClock(0) });
    expect(again.orchestrator.load()).toEqual({ snapshot: { value: 'trading', context: { generation: 2 } }, savedAt: T0 });
    expect(again.risk.load()).toEqual({ snapshot: { value: 'limited', context: { rejects: 3 } }, savedAt: T0 + 1_000 });
    expect(again.deployment.load()?.snapshot).toEqual({ value: 'phase_3_simulation', context: { since: T0 } });
    expect(again.journal.orders()).toEqual([
      { request: request('o1'), status: 'open', serverOrderId: 'S1', filledQty: 0, updatedAt: T0 + 1_000 },
    ]);
    expect(again.journal.fills()).toEqual([fill('x1', T0 + 5)]);
    expect(again.journal.trades()).toEqual([trade]);
    expect(again.audit.entries()).toEqual([{ at: T0 + 1_000, who: 'operator', action: 'kill', args: { reason: 'test' }, result: 'ok' }]);
    await again.close();
  });

  it("opening readies today's ledger file off the order path; closing without a record leaves no file", async () => {
    const home = newHome();
    const ledger = join(home, 'state', 'ledger');
    const store = await openStateStore(home, { clock: new ManualClock(T0) });
    expect(readdirSync(ledger)).toEqual([`${tradingDay(T0)}.jsonl`]);
    expect(readFileSync(join(ledger, `${tradingDay(T0)}.jsonl`), 'utf8')).toBe('');
    await store.close();
    expect(readdirSync(ledger)).toEqual([]);
  });

  it('a fresh home has nothing saved', async () => {
    const store = await openStateStore(newHome(), { clock: new ManualClock(0) });
    expect(store.orchestrator.load()).toBeUndefined();
    expect(store.risk.load()).toBeUndefined();
    expect(store.deployment.load()).toBeUndefined();
    expect(store.journal.orders()).toEqual([]);
    expect(store.journal.lastFillTime()).toBeUndefined();
    expect(store.audit.entries()).toEqual([]);
    await store.close();
  });

  it('restores a real XState persisted snapshot after the JSON round trip', async () => {
    const machine = createMachine({
      id: 'toy',
      initial: 'idle',
      context: { n: 0 },
      states: { idle: { on: { GO: 'busy' } }, busy: { on: { GO: 'idle' } } },
    });
    const home = newHome();
    const store = await openStateStore(home, { clock: new ManualClock(T0) });
    const actor = createActor(machine).start();
    actor.send({ type: 'GO' });
    await store.orchestrator.save(actor.getPersistedSnapshot());
    await store.close();

    const again = await openStateStore(home, { clock: new ManualClock(T0) });
    const saved = again.orchestrator.load();
    const restored = createActor(machine, { snapshot: saved?.snapshot as never }).start();
    expect(restored.getSnapshot().value).toBe('busy');
    restored.send({ type: 'GO' });
    expect(restored.getSnapshot().value).toBe('idle');
    await again.close();
  });

  it('refuses a snapshot JSON cannot hold faithfully, writing nothing', async () => {
    const home = newHome();
    const store = await openStateStore(home, { clock: new ManualClock(T0) });
    await expect(store.risk.save({ drawdown: Number.NaN })).rejects.toThrow(/non-finite/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(store.risk.save(cyclic)).rejects.toThrow();
    expect(store.risk.load()).toBeUndefined();
    expect(readdirSync(join(home, 'state'))).not.toContain('risk.json');
    await store.close();
  });

  describe('journal', () => {
    it('upserts orders by clientOrderId, stamping updatedAt from the clock', async () => {
      const clock = new ManualClock(T0);
      const store = await openStateStore(newHome(), { clock });
      await store.journal.upsertOrder({ request: request('o1'), status: 'created', filledQty: 0 });
      await store.journal.upsertOrder({ request: request('o2', { side: 'sell' }), status: 'sent', filledQty: 0 });
      clock.advance(250);
      const updated = await store.journal.upsertOrder({
        request: request('o1'),
        status: 'partiallyFilled',
        serverOrderId: 'S9',
        filledQty: 1,
        avgFillPrice: 5000.25,
      });
      expect(updated.updatedAt).toBe(T0 + 250);
      expect(store.journal.orders().map((o) => [o.request.clientOrderId, o.status, o.updatedAt])).toEqual([
        ['o1', 'partiallyFilled', T0 + 250],
        ['o2', 'sent', T0],
      ]);
      expect(store.journal.order('o1')?.serverOrderId).toBe('S9');
      expect(store.journal.order('nope')).toBeUndefined();
      expect(store.journal.order('toString')).toBeUndefined();
      await store.close();
    });

    it('records a fill once per executionId, even when the copy arrives before the write ends', async () => {
      const home = newHome();
      const store = await openStateStore(home, { clock: new ManualClock(T0) });
      const [first, racing] = await Promise.all([
        store.journal.recordFill(fill('x1', T0)),
        store.journal.recordFill(fill('x1', T0)),
      ]);
      expect([first, racing]).toEqual([true, false]);
      expect(await store.journal.recordFill(fill('x2', T0 + 1))).toBe(true);
      await store.close();

      const again = await openStateStore(home, { clock: new ManualClock(T0) });
      expect(await again.journal.recordFill(fill('x1', T0, { price: 1 }))).toBe(false);
      expect(again.journal.fills().map((f) => f.executionId)).toEqual(['x1', 'x2']);
      // The reopened journal knows its executions (reconciliation asks it after a restart).
      expect([again.journal.hasFill(fill('x1', T0)), again.journal.hasFill(fill('x2', T0)), again.journal.hasFill(fill('x3', T0))]).toEqual([true, true, false]);
      // An execution id is unique on its account only: another venue's x1, for another order, is a new fill.
      expect(again.journal.hasFill({ ...fill('x1', T0), clientOrderId: 'o9', account: 'PROP-1' })).toBe(false);
      expect(await again.journal.recordFill(fill('x1', T0 + 60_000, { clientOrderId: 'o9', account: 'PROP-1' }))).toBe(true);
      expect(await again.journal.recordFill(fill('x1', T0 + 60_000, { clientOrderId: 'venue:77', account: 'PROP-1' }))).toBe(false);
      expect(again.journal.fills().map((f) => f.executionId)).toEqual(['x1', 'x2', 'x1']);
      await again.close();
    });

    it('lastFillTime is the latest fill time, whatever the arrival order', async () => {
      const home = newHome();
      const store = await openStateStore(home, { clock: new ManualClock(T0) });
      await store.journal.recordFill(fill('a', T0 + 500));
      await store.journal.recordFill(fill('b', T0 + 100));
      expect(store.journal.lastFillTime()).toBe(T0 + 500);
      await store.close();
      const again = await openStateStore(home, { clock: new ManualClock(T0) });
      expect(again.journal.lastFillTime()).toBe(T0 + 500);
      await again.close();
    });

    it('refuses malformed records without touching the journal', async () => {
      const store = await openStateStore(newHome(), { clock: new ManualClock(T0) });
      await expect(store.journal.recordFill(fill('', T0))).rejects.toThrow();
      await expect(store.journal.recordFill(fill('x', T0, { qty: 0 }))).rejects.toThrow();
      await expect(store.journal.upsertOrder({ request: request('o1', { qty: 1.5 }), status: 'open', filledQty: 0 })).rejects.toThrow();
      await expect(store.journal.recordTrade({ ...trade, pnl: Number.POSITIVE_INFINITY })).rejects.toThrow();
      expect(store.journal.fills()).toEqual([]);
      expect(store.journal.orders()).toEqual([]);
      expect(store.journal.trades()).toEqual([]);
      expect(await store.journal.recordFill(fill('x', T0))).toBe(true);
      await store.close();
    });

    it('matches a plain model over any sequence of operations, before and after a reopen', async () => {
      type Op =
        | { kind: 'order'; id: number; status: OrderRecord['status']; filledQty: number }
        | { kind: 'fill'; exec: number; time: number; price: number }
        | { kind: 'trade'; pnl: number };
      const op: fc.Arbitrary<Op> = fc.oneof(
        fc.record({ kind: fc.constant('order' as const), id: fc.nat(4), status: fc.constantFrom(...orderStatuses), filledQty: fc.nat(3) }),
        fc.record({ kind: fc.constant('fill' as const), exec: fc.nat(6), time: fc.integer({ min: 0, max: 1e6 }), price: fc.integer({ min: 1, max: 40_000 }) }),
        fc.record({ kind: fc.constant('trade' as const), pnl: fc.integer({ min: -5_000, max: 5_000 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
          const home = newHome();
          const clock = new ManualClock(T0);
          const store = await openStateStore(home, { clock });
          const orders = new Map<string, OrderRecord>();
          const fills: Fill[] = [];
          const trades: Trade[] = [];
          for (const o of ops) {
            clock.advance(1);
            if (o.kind === 'order') {
              const entry = { request: request(`o${o.id}`), status: o.status, filledQty: o.filledQty };
              await store.journal.upsertOrder(entry);
              orders.set(`o${o.id}`, { ...entry, updatedAt: clock.now() });
            } else if (o.kind === 'fill') {
              const f = fill(`x${o.exec}`, T0 + o.time, { price: o.price / 4 });
              const fresh = !fills.some((g) => g.executionId === f.executionId);
              expect(await store.journal.recordFill(f)).toBe(fresh);
              if (fresh) fills.push(f);
            } else {
              const t = { ...trade, pnl: o.pnl };
              await store.journal.recordTrade(t);
              trades.push(t);
            }
          }
          await store.close();
          const again = await openStateStore(home, { clock });
          expect(again.journal.orders()).toEqual([...orders.values()]);
          expect(again.journal.fills()).toEqual(fills);
          expect(again.journal.trades()).toEqual(trades);
          expect(again.journal.lastFillTime()).toBe(fills.length === 0 ? undefined : Math.max(...fills.map((f) => f.time)));
          await again.close();
        }),
        { numRuns: 30 },
      );
    });
  });

  describe('audit trail', () => {
    it('only ever appends: each earlier file is a prefix of the next', async () => {
      const home = newHome();
      const clock = new ManualClock(T0);
      const store = await openStateStore(home, { clock });
      const path = join(home, 'state', 'audit.jsonl');
      let previous = '';
      for (let i = 0; i < 5; i++) {
        clock.advance(1_000);
        const entry = await store.audit.append({ who: `op${i % 2}`, action: 'flatten', args: { i, skip: undefined }, result: { ok: i !== 3 } });
        expect(entry).toEqual({ at: clock.now(), who: `op${i % 2}`, action: 'flatten', args: { i }, result: { ok: i !== 3 } });
        // Byte for byte: the earlier file is a prefix, and the new line is the entry.
        const bytes = readFileSync(path, 'utf8');
        expect(bytes.startsWith(previous)).toBe(true);
        expect(JSON.parse(bytes.slice(previous.length))).toEqual(entry);
        previous = bytes;
      }
      expect(store.audit.entries().map((e) => e.at)).toEqual([1, 2, 3, 4, 5].map((s) => T0 + s * 1_000));
      await store.close();
    });

    it('exposes no way to rewrite or drop entries', async () => {
      const store = await openStateStore(newHome(), { clock: new ManualClock(T0) });
      expect(Object.keys(store.audit).sort()).toEqual(['append', 'close', 'entries', 'flush', 'path']);
      await store.close();
    });
  });

  describe('corrupt state files', () => {
    const files = ['orchestrator.json', 'risk.json', 'deployment.json'];
    const variants: { name: string; bytes: (file: string) => string; reason: RegExp }[] = [
      { name: 'unparsable JSON', bytes: () => '{"snapshot": {"value": "trading"', reason: /invalid JSON/ },
      { name: 'valid JSON, wrong shape', bytes: () => '{"unexpected": true}', reason: /schema mismatch/ },
    ];
    for (const file of files) {
      for (const v of variants) {
        it(`${file}: ${v.name} is refused loudly and left byte for byte`, async () => {
          const home = newHome();
          const path = join(home, 'state', file);
          const ok = await openStateStore(home, { clock: new ManualClock(T0) });
          await ok.close();
          writeFileSync(path, v.bytes(file));
          const error = await openStateStore(home, { clock: new ManualClock(T0) }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(CorruptStateError);
          expect((error as Error).message).toContain(path);
          expect((error as Error).message).toMatch(v.reason);
          expect(readFileSync(path, 'utf8')).toBe(v.bytes(file));
          expect(readdirSync(join(home, 'state')).filter((f) => f !== 'ledger' && f !== 'audit.jsonl')).toEqual([file]);
        });
      }
    }

    it('names the file and line of a ledger record that fails its schema, and leaves it', async () => {
      const home = newHome();
      const store = await openStateStore(home, { clock: new ManualClock(T0) });
      await store.journal.recordFill(fill('x1', T0));
      await store.journal.recordFill(fill('x2', T0));
      await store.close();
      const path = join(home, 'state', 'ledger', `${tradingDay(T0)}.jsonl`);
      const lines = readFileSync(path, 'utf8').split('\n');
      const bad = [lines[0], lines[1]!.replace('"qty":1', '"qty":"one"'), ''].join('\n');
      writeFileSync(path, bad);
      await expect(openStateStore(home, { clock: new ManualClock(T0) })).rejects.toThrow(new RegExp(`${path}.*line 2: fill\\.qty`));
      // A damaged line before the last is no crash artefact: refused, never cut.
      writeFileSync(path, [lines[0], '{"k":"fill", garbage', lines[1], ''].join('\n'));
      await expect(openStateStore(home, { clock: new ManualClock(T0) })).rejects.toThrow(/line 2 is not JSON/);
      expect(readFileSync(path, 'utf8')).toContain('garbage');
    });

    it('tolerates a torn last record (kill -9 mid-write): reported, set aside, the rest kept', async () => {
      const home = newHome();
      const store = await openStateStore(home, { clock: new ManualClock(T0) });
      await store.journal.recordFill(fill('x1', T0));
      await store.journal.recordFill(fill('x2', T0));
      await store.close();
      const path = join(home, 'state', 'ledger', `${tradingDay(T0)}.jsonl`);
      const whole = readFileSync(path, 'utf8');
      const secondStart = whole.indexOf('\n') + 1;
      writeFileSync(path, whole.slice(0, secondStart + 17));
      const again = await openStateStore(home, { clock: new ManualClock(T0) });
      expect(again.journal.fills().map((f) => f.executionId)).toEqual(['x1']);
      const torn = (again.journal as unknown as { replay: { torn: { file: string; line: number; keptIn: string }[] } }).replay.torn;
      expect(torn).toEqual([expect.objectContaining({ file: path, line: 2, keptIn: `${path}.torn` })]);
      expect(readFileSync(`${path}.torn`, 'utf8')).toBe(`${whole.slice(secondStart, secondStart + 17)}\n`);
      // Appending after the cut starts on a fresh line: the next open reads everything.
      await again.journal.recordFill(fill('x3', T0));
      await again.close();
      const third = await openStateStore(home, { clock: new ManualClock(T0) });
      expect(third.journal.fills().map((f) => f.executionId)).toEqual(['x1', 'x3']);
      await third.close();
    });

    it('imports a former journal.json into the ledger once', async () => {
      const home = newHome();
      mkdirSync(join(home, 'state'), { recursive: true });
      const legacy = { orders: { o1: { request: request('o1'), status: 'filled', filledQty: 1, updatedAt: T0 } }, fills: [fill('x1', T0)], trades: [trade] };
      writeFileSync(join(home, 'state', 'journal.json'), JSON.stringify(legacy));
      const store = await openStateStore(home, { clock: new ManualClock(T0) });
      expect(store.journal.orders().map((o) => o.request.clientOrderId)).toEqual(['o1']);
      expect(store.journal.fills()).toEqual([fill('x1', T0)]);
      expect(store.journal.trades()).toEqual([trade]);
      await store.close();
      expect(existsSync(join(home, 'state', 'journal.json'))).toBe(false);
      expect(existsSync(join(home, 'state', 'journal.json.imported'))).toBe(true);
      const again = await openStateStore(home, { clock: new ManualClock(T0) });
      expect(again.journal.fills()).toEqual([fill('x1', T0)]);
      await again.close();
    });

    it('releases the home lock after refusing, so a repaired home opens', async () => {
      const home = newHome();
      const path = join(home, 'state', 'risk.json');
      await (await openStateStore(home, { clock: new ManualClock(T0) })).close();
      writeFileSync(path, 'garbage');
      await expect(openStateStore(home, { clock: new ManualClock(T0) })).rejects.toBeInstanceOf(CorruptStateError);
      writeFileSync(path, JSON.stringify({ snapshot: { value: 'normal' }, savedAt: T0 }));
      const store = await openStateStore(home, { clock: new ManualClock(T0) });
      expect(store.risk.load()).toEqual({ snapshot: { value: 'normal' }, savedAt: T0 });
      await store.close();
    });
  });

  it('two homes never share files', async () => {
    const homeA = newHome();
    const homeB = newHome();
    const [a, b] = await Promise.all([
      openStateStore(homeA, { clock: new ManualClock(T0) }),
      openStateStore(homeB, { clock: new ManualClock(T0) }),
    ]);
    await Promise.all([
      a.journal.recordFill(fill('only-in-A', T0)),
      b.journal.recordFill(fill('only-in-B', T0)),
      a.orchestrator.save({ home: 'A' }),
      b.orchestrator.save({ home: 'B' }),
    ]);
    expect(a.journal.fills().map((f) => f.executionId)).toEqual(['only-in-A']);
    expect(b.journal.fills().map((f) => f.executionId)).toEqual(['only-in-B']);
    await Promise.all([a.close(), b.close()]);
    const bytes = (home: string) =>
      readdirSync(join(home, 'state'), { recursive: true, withFileTypes: true })
        .filter((f) => f.isFile())
        .map((f) => readFileSync(join(f.parentPath, f.name), 'utf8'))
        .join('\n');
    expect(bytes(homeA)).toContain('only-in-A');
    expect(bytes(homeA)).not.toMatch(/only-in-B|"B"/);
    expect(bytes(homeB)).toContain('only-in-B');
    expect(bytes(homeB)).not.toMatch(/only-in-A|"A"/);
  });

  it('close flushes unawaited writes, releases the lock and refuses later writes', async () => {
    const home = newHome();
    const store = await openStateStore(home, { clock: new ManualClock(T0) });
    const pending = Array.from({ length: 50 }, (_, i) => store.journal.recordFill(fill(`x${i}`, T0 + i)));
    await store.close();
    expect(readdirSync(join(home, 'state'))).not.toContain('lock');
    const again = await openStateStore(home, { clock: new ManualClock(T0) });
    expect(again.journal.fills()).toHaveLength(50);
    await again.close();
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 50 }, () => true));
    await expect(store.journal.recordTrade(trade)).rejects.toThrow(/closed/);
    await store.close();
  });
});
