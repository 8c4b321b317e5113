/**
 * The backtest engine: replays bars through the very session `mia run` runs
 * (session/session.ts: the same scoring actor, risk machine, pre-trade checks, order
 * machines and orchestrator), trading with the in-process paper venue (the shared fill
 * model of core/fillModel.ts, commissions and slippage from `config.venue`), on an
 * in-memory state store and a silent logger. Parity with `mia run` is by construction.
 *
 * Beside the session, plain code observes: equity marks at every bar close (equityMarks.ts),
 * feature availability (engineFeatures.ts), and the signals (the orchestrator's SIGNAL
 * events, through the session's inspection hook). Orders, fills and trades are read from the
 * memory journal at the end; metrics come from backtest/metrics.ts only.
 *
 * The operator (`operatorResume`): risk limits such as consecutive losses latch `limited`
 * until an operator says go. With 'next-day' (opt-in) the backtest plays that operator:
 * before the first bar of each new CME trading day, if risk is limited for a reason only an
 * operator clears, it sends the OPERATOR.RESUME that `mia resume` would send, as
 * 'backtest-operator', and counts it. A kill (daily loss, trailing drawdown) is never
 * resumed: trading stops there and the result reports it. With 'never' (the default)
 * nothing is resumed, as in `mia run`, which has no automatic operator: the same file gives
 * the same trades in both.
 *
 * Warm-up (`tradeFrom`): bars before it feed the features while risk is paused by the same
 * operator (no entries), then it resumes; signals, marks and the period start there.
 *
 * Deterministic: the same bars, chains and configuration give the same result, byte for
 * byte (nothing in it comes from the wall clock).
 */
import { readFileSync } from 'node:fs';
import type { MiaConfig } from '../config/schema.ts';
import { instrumentFor, replayContract } from '../config/instruments.ts';
import { ManualClock } from '../core/clock.ts';
import type { MarketBus } from '../core/marketBus.ts';
import { tradingDay } from '../core/tradingDay.ts';
import type { Bar, BookSnapshot, OptionChainSnapshot, Provenance, Quote, TradeTick } from '../core/types.ts';
import { arrayBarTable, type BarTable } from '../core/barColumns.ts';
import { startSession, type Session } from '../session/session.ts';
import { sessionParts } from '../session/fromConfig.ts';
import { openMemoryStateStore } from '../adapters/store/memoryStateStore.ts';
import type { OrchestratorEvent } from '../machines/orchestrator.ts';
import { riskStatus, type RiskSnapshot } from '../machines/risk.ts';
import type { Scorer, ScoredSignal } from '../strategy/scorer.ts';
import { BacktestFeed } from './engineFeed.ts';
import type { VixReading } from '../adapters/files/vixDaily.ts';
import { FeatureAvailability } from './engineFeatures.ts';
import { silentLogger } from '../adapters/log/silentLogger.ts';
import { availabilityReport } from './availability.ts';
import { EquityMarks } from './equityMarks.ts';
import { assembleResult, type ObservedSignal } from './engineResult.ts';
import type { BacktestResult, DataProvenance } from './result.ts';
import { MiaError, type MiaErrorOptions } from '../core/errors.ts';

export { canonicalHash } from './engineResult.ts';

export type OperatorResumePolicy = 'next-day' | 'never';

export interface BacktestInput {
  /** The effective configuration; the engine forces venue `simulated`, feed `replay` at speed max. */
  config: MiaConfig;
  /** Bars in time order (see engineData.ts loadBacktestData), or a bar table (columns, loadBacktestTable). */
  bars: readonly Bar[] | BarTable;
  barMs: number;
  /** Provenance of the data files (empty for bars built in memory). */
  data?: DataProvenance[];
  /** Option chains in time order, published onto the bus at their time. */
  chains?: readonly OptionChainSnapshot[];
  /** VIX daily closes in day order, each applied from the next session's open (engineFeed.ts). */
  vix?: readonly VixReading[];
  /** Trades, quotes and book snapshots merged by time before each bar's close (engineFeed.ts). */
  streams?: { trades: readonly TradeTick[]; quotes: readonly Quote[]; books: readonly BookSnapshot[] };
  chainFiles?: DataProvenance[];
  /** The requested window (recorded in the provenance). */
  window?: { from: string | null; to: string | null };
  /** Bars before this time (ms UTC) only warm the features up: no entries, not judged. */
  tradeFrom?: number;
  /** Default 'never' (as `mia run`: parity by default). */
  operatorResume?: OperatorResumePolicy;
  /** Monte Carlo of the trades: runs per method, seed (default config.feed.seed). */
  monteCarlo?: { runs: number; seed?: number };
  /** Count feature availability (read off the session's scorer); default true. */
  featureAvailability?: boolean;
  /** Deliver signals that can only be counted in one orchestrator step per batch (session/signalBatcher.ts); default true. */
  batchSignals?: boolean;
  /** Bars published so far, every few thousand bars and at the end. */
  onProgress?: (bars: number, total: number) => void;
}

/** Raised when the engine cannot judge the input (no bars to replay). */
export class BacktestEmptyError extends MiaError<'BACKTEST_EMPTY'> {
  override readonly name = 'BacktestEmptyError';
  constructor(message: string, options?: MiaErrorOptions) {
    super('BACKTEST_EMPTY', message, options);
  }
}

export const BACKTEST_OPERATOR = 'backtest-operator';
const PROGRESS_EVERY = 4_096;

/** Limit reasons only an operator's go-ahead clears (machines/risk.ts needsOperator). */
const needsOperator = (r: string): boolean =>
  r === 'operator-pause' || r === 'rejects' || r === 'consecutive-losses' || r.startsWith('supervisor:');

export const MIA_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The contract a backtest trades (config/instruments.ts replayContract): the data's
 * instrument, which must be the configuration's (InstrumentMismatchError otherwise), at the
 * first judged bar. Bars built in memory carry the configuration's instrument.
 */
export function backtestContract(input: Pick<BacktestInput, 'config' | 'bars' | 'data' | 'tradeFrom'>): string {
  const tradeFrom = input.tradeFrom ?? -Infinity;
  const bars: BarTable = Array.isArray(input.bars) ? arrayBarTable(input.bars) : (input.bars as BarTable);
  let at = 0;
  while (hasBar(bars, at) && bars.timeAt(at) < tradeFrom) at++;
  const first = { time: bars.timeAt(hasBar(bars, at) ? at : 0) };
  const files = (input.data ?? []).filter((d) => d.symbol !== undefined);
  if (files.length === 0) return replayContract(instrumentFor(input.config.symbol).root, input.config.symbol, first.time, 'in-memory bars');
  let contract = '';
  for (const d of files) contract = replayContract(d.symbol!, input.config.symbol, first.time, `--data ${d.file}`);
  return files.length === 1 ? contract : replayContract(instrumentFor(contract).root, input.config.symbol, first.time);
}

/** True when bar `i` exists; a table still streaming in (adapters/files/barStream.ts) waits for it, not for its end. */
const hasBar = (bars: BarTable, i: number): boolean => (bars.has ? bars.has(i) : i < bars.length);


/** Runs one backtest; rejects when the session fails (a runtime failure, not bad input). */
export async function runBacktest(input: BacktestInput): Promise<BacktestResult> {
  const { barMs } = input;
  const bars: BarTable = Array.isArray(input.bars) ? arrayBarTable(input.bars) : (input.bars as BarTable);
  if (!hasBar(bars, 0)) throw new BacktestEmptyError('no bars to replay (check --data and --from/--to)');
  // A table still streaming in has no length yet: the session runs until the bars end, and
  // the market-data actor learns where they end by looking ahead (remainingWithin below).
  const streaming = bars.has !== undefined;
  let handedOut = 0;
  const config: MiaConfig = {
    ...input.config,
    // The contract of the data's dates (never a fixed label), of the configured instrument only.
    symbol: backtestContract(input),
    venue: { ...input.config.venue, kind: 'simulated' },
    feed: { ...input.config.feed, kind: 'replay', speed: 'max' },
  };
  const policy = input.operatorResume ?? 'never';
  const tradeFrom = input.tradeFrom ?? -Infinity;
  const instrument = instrumentFor(config.symbol);
  const chains = input.chains ?? [];

  let session: Session | null = null;
  const send = (e: OrchestratorEvent) => session!.send(e);
  const riskSnapshot = (): RiskSnapshot | undefined => session!.actor.getSnapshot().children.risk?.getSnapshot() as RiskSnapshot | undefined;

  let operatorResumes = 0;
  let warmingUp = bars.timeAt(0) < tradeFrom;
  const feed = new BacktestFeed({
    bars,
    barMs,
    chains,
    bus: () => session!.bus,
    ...(input.streams ? { streams: input.streams } : {}),
    ...(input.vix && input.vix.length > 0 ? { vix: { readings: input.vix, symbol: config.strategy.volatility.vixSymbol } } : {}),
    onNewDay: (bar, day) => {
      if (policy !== 'next-day' || warmingUp || bar.time < tradeFrom) return;
      const risk = riskSnapshot();
      if (!risk || riskStatus(risk) !== 'limited' || !risk.context.reasons.some(needsOperator)) return;
      operatorResumes++;
      send({ type: 'OPERATOR.RESUME', who: BACKTEST_OPERATOR, reason: `new CME trading day ${day} (--operator-resume next-day)`, time: bar.time });
    },
  });
  const fresh = bars.freshBars === true;
  const source = {
    next: (): Bar | null => {
      handedOut++;
      const bar = feed.next();
      // Labelled here when the table hands out fresh bars: the session feed then does not copy each one to relabel it.
      if (bar && fresh) bar.symbol = config.symbol;
      if (bar && warmingUp && bar.time >= tradeFrom) {
        warmingUp = false;
        send({ type: 'OPERATOR.RESUME', who: BACKTEST_OPERATOR, reason: 'warm-up over', time: bar.time });
      }
      return bar;
    },
    ...(streaming
      ? {
          remainingWithin: (max: number): number | null => {
            if (hasBar(bars, handedOut + max)) return null; // the common case: one look
            let left = 0;
            while (hasBar(bars, handedOut + left)) left++;
            return left;
          },
        }
      : {}),
  };

  // The bar that ends the session (its venue stage fills the last flatten) still reaches the
  // strategy and the observers after the end: that bar's signals and marks are not the session's.
  let ended = false;
  // Only what the result reports (the feature vector of 100k signals is ~100 MB); the same
  // availability lists are shared (interned by their names).
  const signals: ObservedSignal[] = [];
  const availableLists = new Map<string, string[]>();
  const onSignal = (signal: ScoredSignal) => {
    if (ended || signal.time < tradeFrom) return;
    const key = signal.available.join(',');
    let available = availableLists.get(key);
    if (!available) availableLists.set(key, (available = [...signal.available]));
    signals.push({ time: signal.time, side: signal.side, score: signal.score, threshold: signal.threshold, price: signal.price, available });
  };

  const availability = input.featureAvailability === false ? null : new FeatureAvailability();
  if (availability) availability.countFrom = tradeFrom;

  const first = { time: bars.timeAt(0) };
  const data0 = input.data?.[0];
  // The hash read when used (the session's summary): a streamed file's is known at its end.
  const provenance: Provenance = data0
    ? {
        kind: 'replay',
        file: data0.file,
        get sha256() {
          return data0.sha256;
        },
      }
    : { kind: 'replay', file: 'in-memory bars', sha256: '' };
  // Journal times are event times here: the store's clock follows the session's.
  const storeClock = new ManualClock(first.time);
  const store = openMemoryStateStore({ clock: storeClock });
  const logger = silentLogger();
  // A backtest reads no environment: no secrets, no endpoints, nothing outside its inputs.
  const parts = sessionParts(config, { store, logger, env: {}, replay: { source, barMs, provenance, firstTime: first.time }, maxBars: streaming ? Infinity : bars.length });
  session = startSession({
    config,
    store,
    logger,
    parts,
    persist: false,
    onSignal,
    ...(availability ? { onScored: (scorer: Scorer, bar: Bar) => !ended && availability.count(scorer, bar) } : {}),
    batchSignals: input.batchSignals ?? true,
  });
  const s = session;
  if (warmingUp) send({ type: 'OPERATOR.PAUSE', who: BACKTEST_OPERATOR, reason: 'warm-up: features only', time: first.time });

  const vixSymbol = config.strategy.volatility.vixSymbol;
  const marks = new EquityMarks(config.startingEquity, instrument.pointValue);
  const bus: MarketBus = s.bus;
  let published = 0;
  let lastBar: Bar | null = null;
  // A streaming table's length is its estimate until its end (progress only).
  const progressTotal = (): number => {
    const b = bars as BarTable & { settled?: boolean; estimate?: number };
    return b.settled === false ? Math.max(published, Math.round(b.estimate ?? published)) : bars.length;
  };
  const unsubscribe = [
    bus.subscribe('observer', {
      onBar(bar) {
        if (ended || bar.symbol === vixSymbol) return; // a VIX reading is not a price of the instrument
        storeClock.set(bar.time + barMs);
        published++;
        lastBar = bar;
        if (bar.time >= tradeFrom) marks.onClose(bar.time + barMs, bar.close, s.actor.getSnapshot().context.book);
        if (input.onProgress && published % PROGRESS_EVERY === 0) input.onProgress(published, progressTotal());
      },
    }),
  ];

  // Risk as the session ended, read before the session stops its actors.
  let risk: RiskSnapshot | undefined;
  const onEnded = s.actor.on('session.ended', () => {
    ended = true;
    risk = riskSnapshot();
  });
  let summary;
  try {
    summary = await s.done;
  } finally {
    for (const u of unsubscribe) u();
    onEnded.unsubscribe();
  }
  input.onProgress?.(published, bars.length);
  await store.close();
  const endBar = lastBar as Bar | null;
  if (endBar && endBar.time >= tradeFrom) marks.settle(endBar.time + barMs, endBar.close, s.actor.getSnapshot().context.book);

  let judgedAt = 0;
  while (judgedAt < bars.length && bars.timeAt(judgedAt) < tradeFrom) judgedAt++;
  const judged = judgedAt < bars.length ? { time: bars.timeAt(judgedAt) } : undefined;
  if (!judged) throw new BacktestEmptyError('every bar is in the warm-up: nothing to judge');
  const ending = lastBar as Bar | null;
  return assembleResult({
    input,
    config,
    policy,
    summary: { ...summary, bars: published },
    journal: store.journal,
    signals,
    marks: marks.finish(),
    featureAvailability: availability?.shares() ?? {},
    ...(availability
      ? {
          availability: availabilityReport({
            weights: config.strategy.weights,
            minAvailableWeight: config.strategy.minAvailableWeight,
            barShares: availability.shares(),
            meanWeightShare: availability.meanWeightShare(),
            navaleProxyShare: availability.navaleProxyShare(),
            signals: signals.map((x) => ({ available: x.available })),
            heldByAvailability: availability.scorer?.availabilityHeld ?? 0,
            heldByMl: availability.scorer?.mlFiltered ?? 0,
          }),
        }
      : {}),
    operatorResumes,
    risk: risk
      ? {
          finalState: riskStatus(risk),
          reasons: [...risk.context.reasons],
          killed:
            risk.context.killedAt !== null
              ? { time: new Date(risk.context.killedAt).toISOString(), by: risk.context.killedBy ?? 'unknown', reason: risk.context.killReason ?? '' }
              : null,
        }
      : { finalState: summary.riskState, reasons: [], killed: null },
    firstDay: tradingDay(judged.time),
    lastTime: ending ? ending.time + barMs : judged.time + barMs,
    pointValue: instrument.pointValue,
    miaVersion: MIA_VERSION,
  });
}
