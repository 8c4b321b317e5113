import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PolygonChainError, latestPolygonTimestamp, parsePolygonChain, parsePolygonChainReport } from '../../../adapters/files/polygonChain.ts';
import type { SettledOptionContract } from '../../../strategy/gamma/timeToExpiry.ts';
import { hasSharedData, sharedData } from '../../fixtures/sharedData.ts';

const MOCK = 'polygon/rest-mocks/v3/snapshot/options/AAPL.json';
const SINGLE = 'polygon/rest-mocks/v3/snapshot/options/AAPL/O;AAPL230616C00150000.json';
const OPENAPI = [
  'polygon/openapi-examples/polygon-io__client-js/v3_snapshot_options_underlyingAsset.json',
  'polygon/openapi-examples/massive-com__client-js/v3_snapshot_options_underlyingAsset.json',
];
const read = (rel: string): unknown => JSON.parse(readFileSync(sharedData(rel), 'utf8'));
const TIME = Date.parse('2023-05-01T15:00:00Z');

/** An SPX-style result: an index underlying reports `value`, not `price`. */
const spxResult = (ticker: string, type: string, strike: number, more: Record<string, unknown> = {}) => ({
  details: { contract_type: type, exercise_style: 'european', expiration_date: '2024-01-19', shares_per_contract: 100, strike_price: strike, ticker },
  greeks: { delta: 0.5, gamma: 0.004, theta: -1, vega: 3 },
  implied_volatility: 0.13,
  open_interest: 1200,
  last_quote: { bid: 40, ask: 41 },
  day: { volume: 300, close: 40.5 },
  underlying_asset: { ticker: 'I:SPX', value: 4697.24 },
  ...more,
});

describe.skipIf(![MOCK, SINGLE, ...OPENAPI].every(hasSharedData))('Polygon option snapshot fixtures', () => {
  it('reads the client-python mock: one AAPL call with its greeks, OI and the underlying price', () => {
    const snap = parsePolygonChain(read(MOCK), { underlying: 'AAPL', time: TIME });
    expect(snap).toEqual({
      underlying: 'AAPL',
      time: TIME,
      spot: 159.9606,
      provenance: { kind: 'polygon' },
      contracts: [{
        expiry: '2023-06-16', strike: 150, right: 'call', openInterest: 8133, settlement: 'pm',
        bid: 28.9, ask: 29.25, last: 29.25, volume: 8, iv: 0.3570277203465058, delta: 0.6436614934293701, gamma: 0.0061735291012820675,
      }],
    });
  });

  it('reads the single-contract endpoint and both OpenAPI examples', () => {
    expect(parsePolygonChain(read(SINGLE), { underlying: 'AAPL', time: TIME }).contracts).toHaveLength(1);
    for (const rel of OPENAPI) {
      const snap = parsePolygonChain(read(rel), { underlying: 'AAPL', time: TIME });
      expect(snap.spot).toBe(147);
      // gamma 0 is Polygon's own figure (deep in the money), kept; IV 5 = 500 % kept too.
      expect(snap.contracts).toEqual([expect.objectContaining({ expiry: '2022-01-21', strike: 150, right: 'call', openInterest: 1543, gamma: 0, iv: 5 })]);
    }
  });

  it('finds a stand-in time: the latest nanosecond timestamp in the body', () => {
    expect(latestPolygonTimestamp(read(MOCK))).toBe(Math.floor(1678718527714665700 / 1e6));
    expect(latestPolygonTimestamp({ results: [] })).toBeNull();
  });
});

describe('Polygon chain parser', () => {
  it('reads SPX contracts: settlement from the OSI root, spot from the index value', () => {
    const body = {
      status: 'OK',
      results: [
        spxResult('O:SPX240119C04700000', 'call', 4700),
        spxResult('O:SPXW240119P04700000', 'put', 4700, { greeks: undefined, implied_volatility: 0 }),
      ],
    };
    const snap = parsePolygonChain(body, { underlying: 'SPX', time: TIME });
    expect(snap.spot).toBe(4697.24);
    const [call, put] = snap.contracts as SettledOptionContract[];
    expect(call).toMatchObject({ settlement: 'am', gamma: 0.004, iv: 0.13, delta: 0.5, last: 40.5, volume: 300 });
    expect(put!.settlement).toBe('pm');
    // No greeks and an IV of 0: both absent, never a placeholder.
    expect(put!.gamma).toBeUndefined();
    expect(put!.iv).toBeUndefined();
    expect(parsePolygonChain(body, { underlying: 'SPX', time: TIME, spot: 4701 }).spot).toBe(4701);
  });

  it('joins saved pages and reports contracts it leaves out', () => {
    const pages = [
      { status: 'OK', results: [spxResult('O:SPXW240119C04700000', 'call', 4700), spxResult('O:SPXW240119C04800000', 'other', 4800)] },
      { status: 'OK', results: [spxResult('O:SPXW240119P04600000', 'put', 4600, { open_interest: null })] },
    ];
    const { snapshot, report } = parsePolygonChainReport(pages, { underlying: 'SPX', time: TIME });
    expect(snapshot.contracts).toHaveLength(1);
    expect(report).toEqual({
      results: 3,
      contracts: 1,
      spotSource: 'underlying_asset',
      dropped: [
        { path: '[0].results[1]', ticker: 'O:SPXW240119C04800000', reason: 'contract_type "other" is neither call nor put' },
        { path: '[1].results[0]', ticker: 'O:SPXW240119P04600000', reason: 'no open_interest' },
      ],
    });
  });

  it('names the offending path of a body of the wrong shape', () => {
    const bad = (body: unknown) => () => parsePolygonChain(body, { underlying: 'SPX', time: TIME });
    expect(bad({ results: [spxResult('O:SPX', 'call', Number.NaN)] })).toThrow(/results\[0\]\.details\.strike_price/);
    expect(bad({ results: [spxResult('O:SPX', 'call', 4700, { details: { contract_type: 'call', strike_price: 1, expiration_date: '19/01/2024' } })] })).toThrow(
      /results\[0\]\.details\.expiration_date: expected a YYYY-MM-DD date/,
    );
    expect(bad({ results: [{ ...spxResult('O:SPX', 'call', 4700), open_interest: 'many' }] })).toThrow(/results\[0\]\.open_interest/);
    expect(bad({ status: 'OK' })).toThrow(/Polygon returned status OK/);
    expect(bad({ status: 'ERROR', error: 'Unknown API Key' })).toThrow(/status ERROR: Unknown API Key/);
    expect(bad({ results: 'nope' })).toThrow(/not a Polygon options snapshot: results/);
    expect(bad(null)).toThrow(PolygonChainError);
    expect(bad([])).toThrow(/empty array/);
    expect(bad([{ results: [] }, 7])).toThrow(/\[1\]/);
    expect(bad({ results: [spxResult('O:SPX', 'call', 4700, { underlying_asset: null })] })).toThrow(/no underlying price/);
    expect(() => parsePolygonChain({ results: [] }, { underlying: 'SPX', time: Number.NaN, spot: 1 })).toThrow(/time/);
    expect(() => parsePolygonChain({ results: [] }, { underlying: '', time: TIME, spot: 1 })).toThrow(/underlying/);
    expect(() => parsePolygonChain({ results: [] }, { underlying: 'SPX', time: TIME, spot: -1 })).toThrow(/spot/);
    expect(parsePolygonChain({ results: [] }, { underlying: 'SPX', time: TIME, spot: 4700 }).contracts).toEqual([]);
  });

  it('never throws anything but PolygonChainError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ results: fc.array(fc.jsonValue(), { maxLength: 4 }) })), (body) => {
        try {
          parsePolygonChain(body, { underlying: 'SPX', time: TIME });
        } catch (err) {
          expect(err).toBeInstanceOf(PolygonChainError);
        }
      }),
    );
  });
});
