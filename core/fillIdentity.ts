/**
 * Which fill is which. A venue's execution id is unique on that venue's account only: MIA's
 * paper DTC server and its in-process venue both number fills `SIMX-1`, `SIMX-2` ... and a
 * home trades several venues over its life (paper, then a prop firm, then its own account).
 * So a fill is the same as one already known when the execution id matches and either the
 * account matches (fills stamped by a DTC venue) or the order does (fills with no account:
 * the in-process venue, and ledgers written before fills carried their account).
 */
import type { Fill } from './types.ts';

export type FillIdentity = Pick<Fill, 'executionId' | 'clientOrderId' | 'account'>;

/** True when `known` and `fill` are the same execution. */
export function sameFill(known: FillIdentity, fill: FillIdentity): boolean {
  if (known.executionId !== fill.executionId) return false;
  if (known.account !== undefined && fill.account !== undefined) return known.account === fill.account;
  return known.clientOrderId === fill.clientOrderId;
}

/**
 * The fills a journal knows, by execution id: `has` answers `sameFill` against each of them
 * (a handful at most share an id), `add` remembers one.
 */
export class FillIndex {
  readonly #byId = new Map<string, FillIdentity[]>();

  has(fill: FillIdentity): boolean {
    return this.#byId.get(fill.executionId)?.some((k) => sameFill(k, fill)) ?? false;
  }

  add(fill: FillIdentity): void {
    const known: FillIdentity = { executionId: fill.executionId, clientOrderId: fill.clientOrderId, ...(fill.account !== undefined ? { account: fill.account } : {}) };
    const list = this.#byId.get(fill.executionId);
    if (list) list.push(known);
    else this.#byId.set(fill.executionId, [known]);
  }
}

/** A compact key for a bounded memory of recent fills (the orchestrator's): account-scoped when the fill has one. */
export const fillKey = (fill: FillIdentity): string => (fill.account !== undefined ? `${fill.account}\u0000${fill.executionId}` : `\u0000${fill.clientOrderId}\u0000${fill.executionId}`);
