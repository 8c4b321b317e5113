/**
 * The rules an account of each kind imposes on top of MIA's own limits (`risk`): a
 * prop-firm evaluation's rule profile in phase 4 and the own live account's limits with the
 * plan's scaling rule in phase 5 (and 6). DOMAIN.md "Accounts and prop-firm rules": every
 * number is a configurable profile (firms change their terms); the defaults are the typical
 * terms of a $50K futures evaluation.
 *
 * Pure: the schema, and which rules a phase applies. The risk machine (machines/risk.ts)
 * keeps the state the rules need (high-water mark, best day) and kills on a breach; the
 * pre-trade check refuses the entries they forbid. A rule is always added to MIA's own
 * limits, never in place of them: the stricter of the two wins.
 */
import * as z from 'zod';
import { isValidTimeZone } from '../core/zonedTime.ts';
import type { PhaseName } from './gates.ts';

const money = z.number().finite().positive();
const count = z.number().int().positive();
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
const timeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. America/Chicago');

/** Both modes of a trailing drawdown: the peak follows open equity, or the balance at each day's close. */
export const trailingModes = ['intraday', 'eod'] as const;
export type TrailingMode = (typeof trailingModes)[number];

export const newsBlackoutSchema = z.strictObject({
  /** ISO-8601 instants; no entry from `from` (inclusive) to `to` (exclusive). */
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  /** What is scheduled (CPI, FOMC, NFP ...), shown in the refusal. */
  label: z.string().min(1),
});
export type NewsBlackout = z.infer<typeof newsBlackoutSchema>;

const windowsInOrder = (list: readonly NewsBlackout[], ctx: z.RefinementCtx) =>
  list.forEach((w, i) => {
    if (Date.parse(w.to) <= Date.parse(w.from)) ctx.addIssue({ code: 'custom', path: [i, 'to'], message: `blackout '${w.label}' ends before it starts` });
  });

export const propFirmRulesSchema = z.strictObject({
  /** Profit over the evaluation's start that passes it, dollars: reached, entries stop (nothing left to prove). */
  profitTarget: money.default(3_000),
  /** Realised + open loss in one trading day that breaks the rules, dollars. */
  dailyLossLimit: money.default(1_000),
  /** How far equity may fall below the high-water mark before the account is broken, dollars. */
  trailingDrawdown: money.default(2_000),
  /** intraday: the high-water mark follows open equity; eod: it moves only with each day's closing balance. */
  trailingDrawdownMode: z.enum(trailingModes).default('eod'),
  /** The floor stops trailing once it reaches the evaluation's starting balance (most firms). */
  trailingStopsAtStart: z.boolean().default(true),
  /** Largest absolute position the firm allows, contracts. */
  maxContracts: count.default(5),
  /**
   * Consistency: no trading day may make more than this share of the profit target; once a
   * day's profit reaches it, entries stop for that day (so no day can dominate the result).
   */
  consistencyMaxDayShare: z.number().gt(0).max(1).default(0.4),
  /** Entries only between these local times (flat before `end`: the firm's cut-off, e.g. 15:10 CT). */
  allowedHours: z
    .strictObject({ start: hhmm.default('08:30'), end: hhmm.default('15:10'), timeZone: timeZone.default('America/Chicago') })
    .prefault({}),
  /** Scheduled news windows in which no entry is sent. */
  newsBlackouts: z.array(newsBlackoutSchema).superRefine(windowsInOrder).default([]),
});
export type PropFirmRules = z.infer<typeof propFirmRulesSchema>;

/** One step of the scaling rule: from `profitAbove` dollars of profit, up to `maxContracts`. */
export const scalingStepSchema = z.strictObject({ profitAbove: z.number().finite().min(0), maxContracts: count });
export type ScalingStep = z.infer<typeof scalingStepSchema>;

export const liveRulesSchema = z.strictObject({
  /** Realised + open loss in one trading day that kills trading on the own account, dollars. */
  dailyLossLimit: money.default(500),
  /** Decline from the account's high-water mark that kills trading, dollars. */
  trailingDrawdown: money.default(1_500),
  trailingDrawdownMode: z.enum(trailingModes).default('intraday'),
  /**
   * The plan's scaling rule ("scaling positions" as capital grows): the position allowed
   * grows with the profit made on the own account since phase 5 began, one step at a time.
   */
  scaling: z
    .array(scalingStepSchema)
    .min(1)
    .superRefine((steps, ctx) => {
      if (steps[0]!.profitAbove !== 0) ctx.addIssue({ code: 'custom', path: [0, 'profitAbove'], message: 'the first step starts at 0 profit' });
      steps.forEach((s, i) => {
        if (i > 0 && !(s.profitAbove > steps[i - 1]!.profitAbove)) ctx.addIssue({ code: 'custom', path: [i, 'profitAbove'], message: 'steps must rise in profit' });
      });
    })
    .default([
      { profitAbove: 0, maxContracts: 1 },
      { profitAbove: 2_000, maxContracts: 2 },
      { profitAbove: 5_000, maxContracts: 3 },
    ]),
});
export type LiveRules = z.infer<typeof liveRulesSchema>;

/** The rules an account kind brings, by phase: none for paper (MIA's own limits only). */
export type AccountRules = { kind: 'propFirm'; rules: PropFirmRules } | { kind: 'live'; rules: LiveRules };

/** What the phase applies beside MIA's own limits: the prop-firm profile in phase 4, the live rules in 5 and 6. */
export function rulesForPhase(phase: PhaseName, profiles: { propFirm: PropFirmRules; live: LiveRules }): AccountRules | null {
  if (phase === 'propFirm') return { kind: 'propFirm', rules: profiles.propFirm };
  if (phase === 'ownAccount' || phase === 'signals') return { kind: 'live', rules: profiles.live };
  return null;
}

/** Contracts the scaling rule allows at `profit` dollars since the account's start. */
export function scaledMaxContracts(steps: readonly ScalingStep[], profit: number): number {
  let allowed = steps[0]?.maxContracts ?? 1;
  for (const s of steps) if (profit >= s.profitAbove) allowed = s.maxContracts;
  return allowed;
}
