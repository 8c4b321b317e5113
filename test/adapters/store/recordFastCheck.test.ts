/** The journal's fast record checks accept only what its zod schemas accept, with zod's output. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillSchema, orderRequestSchema } from '../../../adapters/store/domainSchemas.ts';
import { orderRecordSchema, orderStatuses } from '../../../adapters/store/journal.ts';
import { fastFill, fastOrderRecord } from '../../../adapters/store/recordFastCheck.ts';

/** A field's value: usually a good one, sometimes anything that could break a check. */
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 14, arbitrary: good },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(undefined, null, '', 'x', 0, -0, -1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, [], {}, true, 'buy', 'day', 'open'),
    },
  );
/**
 * A record of `shape`: the optional keys come and go, a required one is sometimes missing,
 * and an unknown key is sometimes added (zod orders and strips the output itself).
 */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const loose = (shape: Record<string, fc.Arbitrary<unknown>>, optional: string[]) => {
  const required = Object.keys(shape).filter((k) => !optional.includes(k));
  return fc
    .tuple(fc.record(shape, { requiredKeys: required as never[] }), rarely(fc.constantFrom(...required)), rarely(fc.string()))
    .map(([r, drop, extra]) => {
      const out: Record<string, unknown> = { ...r };
      if (drop !== undefined) delete out[drop];
      if (extra !== undefined) out[`extra${extra}`] = 1;
      return out;
    });
};

const price = fc.double({ min: 1, max: 10_000, noNaN: true });
const request = loose({
  clientOrderId: field(fc.string({ minLength: 1 })),
  symbol: field(fc.constantFrom('ES', 'ESZ5')),
  side: field(fc.constantFrom('buy', 'sell')),
  qty: field(fc.integer({ min: 1, max: 10 })),
  type: field(fc.constantFrom('market', 'limit', 'stop', 'stopLimit')),
  price: field(price),
  stopPrice: field(price),
  tif: field(fc.constantFrom('day', 'gtc', 'ioc', 'fok')),
  stopDistance: field(price),
  purpose: field(fc.constantFrom('entry', 'stop', 'target', '')),
  createdAt: field(fc.integer({ min: 0, max: 2 ** 42 })),
  ocoGroup: field(fc.string()),
}, ['price', 'stopPrice', 'stopDistance', 'ocoGroup']);
/** The keys each generator draws: a schema key missing here would go untested (and be dropped by the fast check). */
const REQUEST_KEYS = ['clientOrderId', 'symbol', 'side', 'qty', 'type', 'price', 'stopPrice', 'tif', 'stopDistance', 'purpose', 'createdAt', 'ocoGroup'];
const RECORD_KEYS = ['request', 'status', 'serverOrderId', 'filledQty', 'avgFillPrice', 'detail', 'updatedAt'];
const FILL_KEYS = ['clientOrderId', 'executionId', 'symbol', 'side', 'qty', 'price', 'time', 'commission', 'account'];
const orderRecord = loose({
  request: field(request),
  status: field(fc.constantFrom(...orderStatuses)),
  serverOrderId: field(fc.string()),
  filledQty: field(fc.nat(10)),
  avgFillPrice: field(price),
  detail: field(fc.string()),
  updatedAt: field(fc.integer({ min: 0, max: 2 ** 42 })),
}, ['serverOrderId', 'avgFillPrice', 'detail']);
const fill = loose({
  clientOrderId: field(fc.string({ minLength: 1 })),
  executionId: field(fc.string()),
  symbol: field(fc.constantFrom('ES')),
  side: field(fc.constantFrom('buy', 'sell')),
  qty: field(fc.integer({ min: 1, max: 10 })),
  price: field(price),
  time: field(fc.integer({ min: 0, max: 2 ** 42 })),
  commission: field(fc.double({ min: -5, max: 5, noNaN: true })),
  account: field(fc.string()),
}, ['account']);

/** Whatever the fast check accepts, zod accepts with the same value (keys, order, undefined keys). */
function agrees(fast: unknown, zod: { success: boolean; data?: unknown }): boolean {
  if (fast === null) return true;
  expect(zod.success).toBe(true);
  expect(fast).toStrictEqual(zod.data);
  expect(Object.keys(fast as object)).toEqual(Object.keys(zod.data as object));
  expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
  return true;
}

describe('journal record fast checks', () => {
  it('knows every key of the zod schemas: a key added to a schema fails here until the fast check and these generators learn it', () => {
    // Otherwise the fast check would accept records and silently leave the new key out of the journal.
    expect(Object.keys(orderRequestSchema.shape).sort()).toEqual([...REQUEST_KEYS].sort());
    expect(Object.keys(orderRecordSchema.shape).sort()).toEqual([...RECORD_KEYS].sort());
    expect(Object.keys(fillSchema.shape).sort()).toEqual([...FILL_KEYS].sort());
    const full = { clientOrderId: 'a', symbol: 'ES', side: 'buy', qty: 1, type: 'stopLimit', price: 1, stopPrice: 2, tif: 'day', stopDistance: 3, purpose: 'stop', createdAt: 4, ocoGroup: 'g' };
    expect(Object.keys(fastOrderRecord({ request: full, status: 'open', serverOrderId: 's', filledQty: 0, avgFillPrice: 1, detail: 'd', updatedAt: 5 })!.request).sort()).toEqual([...REQUEST_KEYS].sort());
  });

  it('an order record the fast check accepts is one zod accepts, with the same output', () => {
    fc.assert(fc.property(orderRecord, (r) => agrees(fastOrderRecord(r), orderRecordSchema.safeParse(r, { jitless: true }))), { numRuns: 3_000 });
  });

  it('a fill the fast check accepts is one zod accepts, with the same output', () => {
    fc.assert(fc.property(fill, (f) => agrees(fastFill(f), fillSchema.safeParse(f, { jitless: true }))), { numRuns: 3_000 });
  });

  it('the records generated above are often whole enough for the fast check to take them', () => {
    const taken = (xs: unknown[], f: (x: unknown) => unknown) => xs.filter((x) => f(x) !== null).length / xs.length;
    expect(taken(fc.sample(orderRecord, 2_000), fastOrderRecord)).toBeGreaterThan(0.1);
    expect(taken(fc.sample(fill, 2_000), fastFill)).toBeGreaterThan(0.1);
  });

  it('takes the records the order path writes (zod is only the fallback)', () => {
    const entry = { clientOrderId: 'Sabc-1234-1', symbol: 'ES', side: 'buy', qty: 1, type: 'limit', price: 4500.25, tif: 'day', purpose: 'entry', createdAt: 1_700_000_000_000 };
    const stop = { ...entry, clientOrderId: 'Sabc-1234-2', side: 'sell', type: 'stop', stopPrice: 4490, price: undefined, purpose: 'stop', ocoGroup: 'g1' };
    for (const r of [
      { request: entry, status: 'sent', filledQty: 0, updatedAt: 1 },
      { request: stop, status: 'open', serverOrderId: 'SIMX-9', filledQty: 0, updatedAt: 2 },
      { request: entry, status: 'filled', serverOrderId: 'SIMX-8', filledQty: 1, avgFillPrice: 4500, detail: 'done', updatedAt: 3 },
    ]) {
      expect(fastOrderRecord(r)).not.toBeNull();
      agrees(fastOrderRecord(r), orderRecordSchema.safeParse(r));
    }
    const f = { clientOrderId: 'Sabc-1234-1', executionId: 'SIMX-1', symbol: 'ES', side: 'buy', qty: 1, price: 4500, time: 5, commission: 2.25, account: 'Sim1' };
    expect(fastFill(f)).not.toBeNull();
    agrees(fastFill(f), fillSchema.safeParse(f));
  });

  it('leaves the broken ones to zod', () => {
    expect(fastOrderRecord({ request: { clientOrderId: 'a' }, status: 'sent', filledQty: 0, updatedAt: 1 })).toBeNull();
    expect(fastFill({ clientOrderId: 'a', executionId: 'x', symbol: 'ES', side: 'buy', qty: 1, price: Number.NaN, time: 1, commission: 0 })).toBeNull();
  });
});
