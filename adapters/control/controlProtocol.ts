/**
 * The operator control channel's language: what a client (the `mia` CLI, the Discord bot)
 * may ask a running `mia run`, and what it answers. Transport-free: the HTTP server and
 * the Discord command handler both speak it to one {@link ControlHandler}.
 */
import type { z } from 'zod';
import type { controlRequestSchema, controlResponseSchema } from './controlSchemas.ts';

/** Path of the channel's one route (`POST`). */
export const CONTROL_ROUTE = '/v1/command';

/** Every command a running MIA accepts from an operator. */
export const controlCommands = [
  'status',
  'pause',
  'resume',
  'kill',
  'flatten',
  'phase.status',
  'phase.advance',
  'phase.override',
  'phase.history',
  'signals.start',
  'signals.stop',
] as const;
export type ControlCommand = (typeof controlCommands)[number];

/** Commands that cannot run without a non-empty reason (the machines would refuse them anyway). */
export const commandsNeedingReason: ReadonlySet<ControlCommand> = new Set(['kill', 'phase.override']);

/** One operator command, as the channel carries it (checked by controlSchemas.ts). */
export type ControlRequest = z.infer<typeof controlRequestSchema>;

/** What a running MIA answers (checked by controlSchemas.ts). */
export type ControlResponse = z.infer<typeof controlResponseSchema>;

/** What the channel calls; implemented over a live session in operator/controlHandler.ts. */
export interface ControlHandler {
  /** Runs one authenticated command; never throws for a refusal (ok: false instead). */
  handle(request: ControlRequest): Promise<ControlResponse>;
}

/** The status a running MIA reports (`mia status --json`, Discord /status). */
export interface ControlStatus {
  pid: number;
  home: string;
  session: {
    id: string;
    /** trading | flattening | ended | stopped */
    state: string;
    bars: number;
    /** Session (event) time of the latest bar, ISO, or null before the first. */
    time: string | null;
    signals: { long: number; short: number };
    ordersSent: number;
    riskRefusals: number;
    fills: number;
    trades: number;
  };
  phase: { id: number; name: string; signals: 'on' | 'off' };
  risk: { state: string; reasons: string[]; killedBy: string | null; killReason: string | null };
  position: { symbol: string; qty: number; avgPrice: number };
  pnl: { realized: number; open: number; session: number; today: number; equity: number };
  orders: Array<{ clientOrderId: string; side: string; qty: number; filledQty: number; type: string; purpose: string; price?: number; stopPrice?: number }>;
  feed: { kind: string; provenance: string; speed: 'max' | number; maxBars: number | null };
  venue: { kind: string; connected: boolean };
  connected: boolean;
}
