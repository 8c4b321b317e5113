/**
 * Fill identity (core/fillIdentity.ts): an execution id is unique on its venue account only,
 * so a home that traded one venue and then another never takes the second venue's fill for
 * one it already holds, and a fill told twice (live, then by reconciliation untied to its
 * order) is still recognised by its account.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FillIndex, fillKey, sameFill, type FillIdentity } from '../../core/fillIdentity.ts';

const identity = fc.record(
  { executionId: fc.constantFrom('SIMX-1', 'SIMX-2', 'E9'), clientOrderId: fc.constantFrom('A-1', 'B-1', 'venue:5'), account: fc.constantFrom('PAPER1', 'PROP-1', undefined) },
  { requiredKeys: ['executionId', 'clientOrderId'] },
) as fc.Arbitrary<FillIdentity>;

describe('fill identity', () => {
  it('tells two venues numbering from SIMX-1 apart, and a fill retold under another order the same', () => {
    const paper = { executionId: 'SIMX-1', clientOrderId: 'A-1', account: 'PAPER1' };
    expect(sameFill(paper, { executionId: 'SIMX-1', clientOrderId: 'B-1', account: 'PROP-1' })).toBe(false);
    expect(sameFill(paper, { executionId: 'SIMX-1', clientOrderId: 'venue:5', account: 'PAPER1' })).toBe(true);
    // Two servers that both call their account PAPER1: the orders tell their fills apart.
    expect(sameFill(paper, { executionId: 'SIMX-1', clientOrderId: 'B-1', account: 'PAPER1' })).toBe(false);
    // A record from before fills carried their account: the order decides, or the account is unknown.
    expect(sameFill({ executionId: 'SIMX-1', clientOrderId: 'A-1' }, { executionId: 'SIMX-1', clientOrderId: 'A-1', account: 'PAPER1' })).toBe(true);
    expect(sameFill({ executionId: 'SIMX-1', clientOrderId: 'A-1' }, { executionId: 'SIMX-1', clientOrderId: 'B-1', account: 'PROP-1' })).toBe(false);
    expect(sameFill({ executionId: 'SIMX-1', clientOrderId: 'A-1' }, { executionId: 'SIMX-1', clientOrderId: 'venue:5', account: 'PAPER1' })).toBe(true);
  });

  it('the index answers exactly sameFill against what it holds, and the key separates what sameFill separates', () => {
    fc.assert(
      fc.property(fc.array(identity, { maxLength: 8 }), identity, (held, probe) => {
        const index = new FillIndex();
        for (const h of held) index.add(h);
        expect(index.has(probe)).toBe(held.some((h) => sameFill(h, probe)));
        for (const h of held) if (fillKey(h) === fillKey(probe)) expect(sameFill(h, probe)).toBe(true);
      }),
    );
  });
});
