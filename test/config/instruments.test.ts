/**
 * Instruments from the data: ES, MES, NQ and MNQ specs (point value, tick, commission), the
 * front quarterly contract of a date by the 8-days-before-expiry roll, and a file of
 * another instrument than the configuration's refused with a message naming both.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { commissionPerContract, frontContractAt, instrumentFor, InstrumentMismatchError, replayContract } from '../../config/instruments.ts';
import { frontQuarterly, contractSymbol, expiryDate, rollDay } from '../../core/contractRoll.ts';
import { configSchema } from '../../config/schema.ts';

const at = (iso: string) => Date.parse(iso);

describe('instrument specifications', () => {
  it('knows ES, MES, NQ and MNQ by root or contract symbol', () => {
    expect(instrumentFor('ESZ25').pointValue).toBe(50);
    expect(instrumentFor('MESH24-CME').pointValue).toBe(5);
    expect(instrumentFor('NQU23').pointValue).toBe(20);
    expect(instrumentFor('MNQ').pointValue).toBe(2);
    for (const root of ['ES', 'MES', 'NQ', 'MNQ']) {
      const i = instrumentFor(root);
      expect(i.tickValue).toBeCloseTo(i.tickSize * i.pointValue, 12);
      expect(i.commissionPerContract).toBeGreaterThan(0);
    }
    expect(() => instrumentFor('GCZ25')).toThrow(/expected ES, MES, NQ or MNQ/);
  });

  it('takes the commission of the configured instrument unless venue.commissionPerContract is set', () => {
    expect(commissionPerContract(configSchema.parse({ symbol: 'MES' }))).toBe(instrumentFor('MES').commissionPerContract);
    expect(commissionPerContract(configSchema.parse({ symbol: 'ES' }))).toBe(2.25);
    expect(commissionPerContract(configSchema.parse({ symbol: 'MES', venue: { commissionPerContract: 1 } }))).toBe(1);
  });
});

describe('front quarterly contract', () => {
  it('rolls 8 calendar days before the third-Friday expiry', () => {
    // ESU23 expires Friday 2023-09-15: its roll day is 2023-09-07.
    expect(contractSymbol(frontQuarterly('ES', '2023-09-06'))).toBe('ESU23');
    expect(contractSymbol(frontQuarterly('ES', '2023-09-07'))).toBe('ESZ23');
    expect(contractSymbol(frontQuarterly('ES', '2023-12-20'))).toBe('ESH24');
    expect(contractSymbol(frontQuarterly('NQ', '2025-10-09'))).toBe('NQZ25');
    // Trading days follow CME's 17:00 CT boundary: Sunday evening belongs to Monday.
    expect(frontContractAt('ES', at('2023-09-24T22:00:00Z'))).toBe('ESZ23');
  });

  it('is always a quarterly contract whose roll day is after the day, and the nearest such', () => {
    const day = fc.date({ min: new Date('2000-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, (d) => {
        const c = frontQuarterly('ES', d);
        expect([3, 6, 9, 12]).toContain(c.month);
        expect(rollDay(c) > d).toBe(true);
        const previous = c.month === 3 ? { root: 'ES', year: c.year - 1, month: 12 } : { root: 'ES', year: c.year, month: c.month - 3 };
        expect(rollDay(previous) <= d).toBe(true);
        expect(expiryDate(c) > d).toBe(true);
      }),
    );
  });
});

describe('replay contract', () => {
  it('labels a continuous file with the front contract of its first trading day', () => {
    expect(replayContract('ES', 'ESZ25', at('2023-03-08T05:00:00Z'))).toBe('ESH23');
    expect(replayContract('ES', 'ES', at('2023-09-25T13:30:00Z'))).toBe('ESZ23');
    expect(replayContract('NQ', 'NQ', at('2025-10-09T16:00:00Z'))).toBe('NQZ25');
  });

  it('keeps the contract a file names (Lean ESZ13)', () => {
    expect(replayContract('ESZ13', 'ESZ25', at('2013-10-07T13:30:00Z'))).toBe('ESZ13');
  });

  it('refuses a file of another instrument, naming both and how to trade it', () => {
    const err = (() => {
      try {
        replayContract('NQ', 'ESZ25', at('2025-10-09T16:00:00Z'), '--data nq.csv');
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(InstrumentMismatchError);
    expect(err!.message).toMatch(/--data nq\.csv holds NQ .*\$20 a point.* trades ES .*\$50 a point.*"symbol": "NQ"/);
    expect(() => replayContract('MES', 'ES', 0)).toThrow(InstrumentMismatchError);
  });
});
