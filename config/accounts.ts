/**
 * Trading accounts by kind, and which phase may trade which kind (DOMAIN.md "Accounts and
 * prop-firm rules"). Phases 0-3 trade paper only (the simulated venue, the embedded paper
 * DTC server, or a server account the configuration declares `paper`); phase 4 prop-firm
 * only; phase 5 live only; phase 6 is phase 5 plus Discord signals, so live only.
 *
 * Pure: what account a configuration trades and whether a phase allows it. The session
 * refuses to log on with a disallowed account; the pre-trade check refuses every order.
 */
import * as z from 'zod';
import type { PhaseName } from './gates.ts';

export const accountKinds = ['paper', 'propFirm', 'live'] as const;
export type AccountKind = (typeof accountKinds)[number];

export const accountSchema = z.strictObject({
  /** The trade account as the venue names it (DTC TradeAccount). */
  id: z.string().min(1),
  kind: z.enum(accountKinds),
  /** Free text for the operator (broker, firm, evaluation size ...). */
  description: z.string().optional(),
});
export type AccountConfig = z.infer<typeof accountSchema>;

/** Declared accounts; ids are unique (one id, one kind, never two answers). */
export const accountsSchema = z.array(accountSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((a, i) => {
    if (seen.has(a.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `account '${a.id}' is declared twice` });
    seen.add(a.id);
  });
});

/** The in-process paper venue's account: paper by construction. */
export const SIMULATED_ACCOUNT = 'SIMULATED';
/** The account of the paper DTC server MIA embeds: paper by construction. */
export const EMBEDDED_PAPER_ACCOUNT = 'PAPER1';

/** The account a session trades. `kind` null: not declared, so never traded. */
export interface TradedAccount {
  id: string;
  kind: AccountKind | null;
  /** Where the kind comes from. */
  origin: 'simulated-venue' | 'embedded-paper-server' | 'declared' | 'undeclared';
}

/** The venue fields that decide the account (config.venue). */
export interface VenueAccountSettings {
  kind: 'dtc' | 'simulated';
  dtc: { host: string | null; account: string | null };
}

/**
 * The account the configured venue trades, or why it cannot be known before logon: a
 * remote DTC server must be given the account by name (otherwise the server's first
 * account would be traded, whatever its kind).
 */
export function tradedAccount(venue: VenueAccountSettings, accounts: readonly AccountConfig[]): TradedAccount | { error: string } {
  if (venue.kind === 'simulated') return { id: SIMULATED_ACCOUNT, kind: 'paper', origin: 'simulated-venue' };
  if (venue.dtc.host === null) return { id: EMBEDDED_PAPER_ACCOUNT, kind: 'paper', origin: 'embedded-paper-server' };
  const id = venue.dtc.account;
  if (id === null) {
    return { error: `venue.dtc.account is not set: a DTC server at ${venue.dtc.host} is traded only on an account named (--dtc-account) and declared in accounts` };
  }
  const declared = accounts.find((a) => a.id === id);
  return declared ? { id, kind: declared.kind, origin: 'declared' } : { id, kind: null, origin: 'undeclared' };
}

/** Account kinds each phase trades (phase 6 `signals` runs beside phase 5). */
export const phaseAccountKinds: Readonly<Record<PhaseName, readonly AccountKind[]>> = {
  setup: ['paper'],
  calibration: ['paper'],
  backtest: ['paper'],
  simulation: ['paper'],
  propFirm: ['propFirm'],
  ownAccount: ['live'],
  signals: ['live'],
};

export type AccountVerdict = { ok: true } | { ok: false; reason: string };

/** Whether `phase` may trade `account`; the refusal names both. */
export function accountAllowed(account: Pick<TradedAccount, 'id' | 'kind'> | null | undefined, phase: { id: number; name: PhaseName }): AccountVerdict {
  const allowed = phaseAccountKinds[phase.name];
  const where = `phase ${phase.id} ${phase.name} trades only ${allowed.join('/')} accounts`;
  if (!account) return { ok: false, reason: `the traded account is unknown; ${where}` };
  if (account.kind === null) return { ok: false, reason: `account '${account.id}' is not declared in accounts; ${where}` };
  if (!allowed.includes(account.kind)) return { ok: false, reason: `account '${account.id}' is ${account.kind}; ${where}` };
  return { ok: true };
}
