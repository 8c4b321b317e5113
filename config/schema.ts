/**
 * The one validated configuration. Every default here is the embedded default that
 * `npm start` runs on; a file (`--config` / `MIA_CONFIG`) and `MIA__a__b=value`
 * environment variables override it (see config/load.ts).
 */
import * as z from 'zod';
import { polygonSchema } from './polygonSchema.ts';
import { discordSchema } from './discordSchema.ts';
import { strategySchema } from './strategySchema.ts';
import { mlSchema } from './mlSchema.ts';
import { backtestSchema } from './backtestSchema.ts';
import { accountsSchema } from './accounts.ts';
import { liveRulesSchema, propFirmRulesSchema } from './accountRules.ts';

const money = z.number().finite().positive();
const count = z.number().int().positive();

export const riskLimitsSchema = z.strictObject({
  /** Largest absolute position, contracts. */
  maxContracts: count.default(2),
  /** Largest single order, contracts. */
  maxOrderSize: count.default(2),
  /** Worst-case loss of one new order at its protective stop, dollars. */
  maxLossPerTrade: money.default(500),
  /** Realised + open loss in one CME trading day that kills trading, dollars. */
  dailyLossLimit: money.default(1000),
  /** Peak-to-current equity decline that kills trading, dollars. */
  trailingDrawdown: money.default(2500),
  /** Intraday: the peak follows open equity; eod: the peak moves only at day close. */
  trailingDrawdownMode: z.enum(['intraday', 'eod']).default('intraday'),
  maxTradesPerDay: count.default(10),
  maxConsecutiveLosses: count.default(4),
  /** Orders accepted in any rolling 60 s window. */
  maxOrdersPerMinute: count.default(20),
  /** Rejects in a row that put risk into limited. */
  rejectsToLimited: count.default(3),
  /**
   * Margin one new contract needs, dollars (intraday ES at retail brokers is a few
   * hundred); a venue that reports its own per-contract margin overrides it. Entries
   * are refused when the account's available funds cannot carry them.
   */
  marginPerContract: z.number().finite().min(0).default(500),
  /** An entry must carry a protective stop distance (worst-case loss is otherwise unbounded). */
  requireStop: z.boolean().default(true),
  /**
   * Longest an open position may stay without a working protective stop, event-time ms;
   * past it MIA flattens, alerts and goes limited.
   */
  unprotectedMaxMs: count.default(5_000),
  /** Phase 4: the prop firm's rule profile, applied on top of the limits above (config/accountRules.ts). */
  propFirm: propFirmRulesSchema.prefault({}),
  /** Phases 5-6: the own live account's limits and the plan's scaling rule, on top of the limits above. */
  live: liveRulesSchema.prefault({}),
});
export type RiskLimits = z.infer<typeof riskLimitsSchema>;

const gate = z.record(z.string(), z.number().finite());

/** Phase-gate thresholds (DOMAIN.md); keys are metric names, see config/gates.ts. */
export const gatesSchema = z.strictObject({
  // Minimum samples: trades (calibration, >= 100 where the plan is silent), years of data
  // (backtest, the plan's 2-3 years), wall-clock paperMonths on live data (simulation, the
  // plan's 3 months), tradingDays (prop firm, >= 20), closed signals (>= 30).
  calibration: gate.default({ winRate: 0.55, profitFactor: 1.5, sharpe: 1.0, maxDrawdownPct: 0.10, recoveryFactor: 2.0, trades: 100 }),
  backtest: gate.default({ annualReturn: 0.15, sharpe: 1.2, maxDrawdownPct: 0.15, monthlyStability: 0.20, robustness: 0.80, years: 2 }),
  simulation: gate.default({ paperMonths: 3, totalReturn: 0.05, winRate: 0.55, profitFactor: 1.5, monthlyStability: 0.15 }),
  propFirm: gate.default({ monthlyReturn: 0.03, winRate: 0.55, riskBreaches: 0, tradingDays: 20 }),
  signals: gate.default({ signalWinRate: 0.60, signals: 30 }),
});
export type GateThresholds = z.infer<typeof gatesSchema>;

export const configSchema = z.strictObject({
  /** Traded contract; the venue mapping (e.g. ESZ25-CME) lives with the venue. */
  symbol: z.string().min(1).default('ESZ25'),
  /** Starting account equity for paper sessions and percentage metrics, dollars. */
  startingEquity: money.default(50_000),
  feed: z
    .strictObject({
      /** simulated: the seeded simulated market; replay: `replayFile`; polygon: live (POLYGON_API_KEY). */
      kind: z.enum(['simulated', 'replay', 'polygon']).default('simulated'),
      /** The market-data file a replay plays (any format `mia data inspect` reads). */
      replayFile: z.string().min(1).nullable().default(null),
      seed: z.number().int().default(42),
      /** 'max' replays as fast as possible; N plays N simulated minutes per real second. */
      speed: z.union([z.literal('max'), z.number().positive()]).default('max'),
      /** Bars a default session runs before it ends by itself. */
      maxBars: count.default(2_000),
      /** First bar's open time of the simulated session (ISO-8601 UTC). */
      start: z.iso.datetime().default('2025-11-03T14:30:00Z'),
      /** Quiet period after which market data counts as stale, event-time ms. */
      staleAfterMs: count.default(180_000),
    })
    .prefault({}),
  venue: z
    .strictObject({
      /**
       * dtc: orders go over the DTC protocol to `venue.dtc.host`, or, when no host is set,
       * to a paper DTC server MIA starts on 127.0.0.1 and feeds with the session's market
       * data. simulated: the same paper matching engine in process, with no socket.
       */
      kind: z.enum(['dtc', 'simulated']).default('dtc'),
      dtc: z
        .strictObject({
          /** DTC server host; null starts the embedded paper DTC server. */
          host: z.string().min(1).nullable().default(null),
          port: z.number().int().min(0).max(65_535).default(11_099),
          encoding: z.enum(['binary', 'json', 'compact']).default('binary'),
          /** Trade account; null takes the first account the server lists. */
          account: z.string().min(1).nullable().default(null),
          username: z.string().default(''),
          /** Name of the environment variable holding the password (never the password itself). */
          passwordEnv: z.string().min(1).nullable().default(null),
          /** Symbol and exchange as the server names them; null sends MIA's symbol as is. */
          symbol: z.string().min(1).nullable().default(null),
          exchange: z.string().default('CME'),
          /** Outgoing messages per second (orders, cancels, requests). */
          maxMessagesPerSecond: count.default(20),
          /**
           * Messages that may leave back to back before that rate applies: 2 lets a bracket's
           * legs go together while the requests after a logon are spaced (Sierra Chart may
           * reject a burst of requests, claiming RequestID 0).
           */
          burstMessages: count.default(2),
          /** Seconds to wait for a request's answer before treating the link as broken. */
          requestTimeoutSeconds: count.default(10),
          /**
           * Days of fills history the server keeps. Reconciliation asks for every fill since
           * the last one journaled; an outage longer than this is reported and puts risk in
           * limited instead of guessing what was missed.
           */
          fillHistoryDays: count.default(30),
        })
        .prefault({}),
      /**
       * On SIGTERM/SIGINT, how long (ms) to wait at most for orders in flight to be answered
       * by the venue and their fills journaled before the session stops.
       */
      stopWaitMs: count.default(5_000),
      /**
       * `mia run` exits 1 when the venue is not logged on and reconciled within this many
       * milliseconds of the start (unreachable, silent, garbage, logon refused), saying why.
       */
      readyTimeoutMs: count.default(30_000),
      /** Margin per contract the paper venue charges (a real venue reports its own). */
      marginPerContract: z.number().finite().min(0).default(500),
      /** Market orders fill this many ticks through the quote. */
      slippageTicks: z.number().min(0).default(1),
      /** Dollars per contract per side (a round turn is twice this); null = the instrument's (config/instruments.ts: ES $2.25, MES $0.62 ...). */
      commissionPerContract: z.number().min(0).nullable().default(null),
    })
    .prefault({}),
  /** Sizing, exits and the confluence (config/strategySchema.ts). */
  strategy: strategySchema.prefault({}),
  risk: riskLimitsSchema.prefault({}),
  gates: gatesSchema.prefault({}),
  supervision: z
    .strictObject({
      /** Child restarts allowed inside the window before escalating to risk. */
      maxRestarts: count.default(3),
      windowMs: count.default(60_000),
      backoffBaseMs: count.default(200),
      backoffMaxMs: count.default(10_000),
    })
    .prefault({}),
  connection: z
    .strictObject({
      heartbeatSeconds: count.default(10),
      maxReconnectAttempts: count.default(8),
      backoffBaseMs: count.default(500),
      backoffMaxMs: count.default(30_000),
    })
    .prefault({}),
  polygon: polygonSchema.prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  discord: discordSchema.prefault({}),
  ml: mlSchema.prefault({}),
  /** Robustness: walk-forward, sweeps, stress windows, A/B (config/backtestSchema.ts). */
  backtest: backtestSchema.prefault({}),
  /** Declared trade accounts by kind (config/accounts.ts): what each phase may trade. */
  accounts: accountsSchema.default([]),
});

export type MiaConfig = z.infer<typeof configSchema>;
export type MiaConfigInput = z.input<typeof configSchema>;

// jitless: a one-off parse; zod's compiled fast path costs more to build (~40 ms at start-up) than it saves here.
export const defaultConfig = (): MiaConfig => configSchema.parse({}, { jitless: true });
