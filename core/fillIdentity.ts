/**
 * Which fill is which. A venue's execution id is unique on that venue only: MIA's paper DTC
 * server and its in-process venue both number fills `SIMX-1`, `SIMX-2` ..., two paper servers
 * may both call their account PAPER1, and a home trades several venues over its life (paper,
 * then a prop firm, then its own account). MIA's ClientOrderIDs are unique across homes, runs
 * and venues, so a fill is the same as one already known when the execution id matches and
 * so does the order; a fill reconciliation could not tie to any order (told under
 * `venue:<ServerOrderID>`) is the same execution as a known one of the same account.
 */
import type { Fill } from './types.ts';

export type FillIdentity = Pick<Fill, 'executionId' | 'clientOrderId' | 'account'>;

const untied = (f: FillIdentity): boolean => f.clientOrderId.startsWith('venue:');

/** True when `known` and `fill` are the same execution. */
export function sameFill(known: FillIdentity, fill: FillIdentity): boolean {
  if (known.executionId !== fill.executionId) return false;
  if (known.clientOrderId === fill.clientOrderId) return true;
  // Untied on one side: the account decides (a record without one, from before fills carried it, matches).
  return (untied(known) || untied(fill)) && (known.account === undefined || fill.account === undefined || known.account === fill.account);
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

/** A compact key for a bounded memory of recent fills (the orchestrator's, on the live path: the order is always known there). */
export const fillKey = (fill: FillIdentity): string => `${fill.clientOrderId}\u0000${fill.executionId}`;
