/** Small hand-built option chains for the gamma tests. */
import type { OptionChainSnapshot, OptionRight } from '../../../core/types.ts';
import type { SettledOptionContract } from '../../../strategy/gamma/timeToExpiry.ts';

/** Wednesday 2024-01-10 12:00 ET. */
export const NOON = Date.parse('2024-01-10T17:00:00Z');

export const contract = (
  right: OptionRight,
  strike: number,
  openInterest: number,
  more: Partial<SettledOptionContract> = {},
): SettledOptionContract => ({ expiry: '2024-01-19', strike, right, openInterest, ...more });

export const chainOf = (contracts: SettledOptionContract[], spot = 4700, time = NOON): OptionChainSnapshot => ({
  underlying: 'SPX',
  time,
  spot,
  contracts,
  provenance: { kind: 'simulated', seed: 1 },
});
