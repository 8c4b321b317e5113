/** The order path's warm-up after logon: pure, in every encoding the client can negotiate. */
import { describe, expect, it } from 'vitest';
import { EncodingEnum } from '../../../adapters/dtc/enums.ts';
import { warmOrderPath } from '../../../adapters/dtc/orderPathWarmUp.ts';

const route = { account: 'Sim1', symbol: 'ESZ5', exchange: 'CME' };

describe('warmOrderPath', () => {
  it.each([EncodingEnum.BINARY, EncodingEnum.JSON, EncodingEnum.JSON_COMPACT])('encodes sample orders in encoding %i and touches nothing else', (encoding) => {
    const bytes = warmOrderPath(route, encoding, 3);
    expect(bytes).toBeGreaterThan(0);
    // Same input, same bytes: nothing is remembered between calls.
    expect(warmOrderPath(route, encoding, 3)).toBe(bytes);
    expect(route).toEqual({ account: 'Sim1', symbol: 'ESZ5', exchange: 'CME' });
  });
});
