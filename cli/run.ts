/**
 * `mia run`: load and validate the configuration, open the home (lock, state, journal),
 * run one session, print its summary, and leave everything persisted. SIGINT/SIGTERM stop
 * the session cleanly (state persisted, lock released).
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { systemClock } from '../core/clock.ts';
import { openStateStore, type StateStore } from '../adapters/store/stateStore.ts';
import { escapeControl } from '../core/escapeControl.ts';
import { consoleLogFormat, createFolderLogger } from '../adapters/log/logger.ts';
import { logFolderOf, type DeploymentSnapshot } from '../machines/deployment.ts';
import { startSession } from '../session/session.ts';
import { sessionParts, sessionSurfaces, type SessionSurfaces } from '../session/fromConfig.ts';
import { firstReplayInputFlag, type ReplayInputOptions } from './replayInputOptions.ts';
import { UsageError, type LogOptions } from './usage.ts';
import type { LoadedReplay } from './runReplay.ts';
import { resolveHome } from './home.ts';
import { formatSummary } from './summary.ts';
import type { Session, SessionSummary } from '../session/session.ts';
import type { RiskSnapshot } from '../machines/risk.ts';
import { describeRisk } from '../operator/riskCause.ts';
import { FeatureAvailability } from '../backtest/engineFeatures.ts';
import type { RunSummary } from './summary.ts';

export interface RunOptions extends Record<string, unknown>, LogOptions, ReplayInputOptions {
  feed: 'simulated' | 'replay' | 'polygon';
  /** Market-data file for `--feed replay` (loader options: --format, --columns, --tz ...); --chains, --vix and --stream beside it. */
  replay?: string;
  venue?: 'dtc' | 'simulated';
  dtcHost?: string;
  dtcPort?: number;
  dtcEncoding?: 'binary' | 'json' | 'compact';
  dtcAccount?: string;
  dtcUsername?: string;
  dtcPasswordEnv?: string;
  maxBars?: number;
  speed?: 'max' | number;
  seed?: number;
  summaryJson?: string;
  config?: string;
  home?: string;
  json?: boolean;
  /** Control channel: TCP port on 127.0.0.1 (default ephemeral) or a unix socket. */
  controlPort?: number;
  controlSocket?: string;
  /** Live inspector page on 127.0.0.1 (`--inspect`, `--inspect-port`), and Stately forwarding. */
  inspect?: boolean;
  inspectPort?: number;
  inspectStately?: boolean;
  /** Move the machine snapshots to a backup folder and start fresh (the ledger stays). */
  resetState?: boolean;
}

export async function runCommand(opts: RunOptions): Promise<number> {
  const feed: Record<string, unknown> = { kind: opts.feed };
  if (opts.maxBars !== undefined) feed.maxBars = opts.maxBars;
  if (opts.speed !== undefined) feed.speed = opts.speed;
  if (opts.seed !== undefined) feed.seed = opts.seed;
  const dtc: Record<string, unknown> = {};
  if (opts.dtcHost !== undefined) dtc.host = opts.dtcHost;
  if (opts.dtcPort !== undefined) dtc.port = opts.dtcPort;
  if (opts.dtcEncoding !== undefined) dtc.encoding = opts.dtcEncoding;
  if (opts.dtcAccount !== undefined) dtc.account = opts.dtcAccount;
  if (opts.dtcUsername !== undefined) dtc.username = opts.dtcUsername;
  if (opts.dtcPasswordEnv !== undefined) dtc.passwordEnv = opts.dtcPasswordEnv;
  const venue: Record<string, unknown> = { ...(opts.venue !== undefined ? { kind: opts.venue } : {}), ...(Object.keys(dtc).length > 0 ? { dtc } : {}) };
  const log = opts.logLevel !== undefined ? { log: { level: opts.logLevel } } : {};
  const loaded = loadConfig({ ...(opts.config ? { file: opts.config } : {}), overrides: { feed, ...log, ...(Object.keys(venue).length > 0 ? { venue } : {}) } });
  // Polygon without its key (or with a bad endpoint override) is exit 2 now, before the home
  // is locked or anything starts, as for the data commands.
  if (loaded.feed.kind === 'polygon') (await import('../adapters/polygon/polygonSettings.ts')).polygonSettings(loaded, process.env);
  const home = resolveHome(opts.home);
  const streamFlag = firstReplayInputFlag(opts);
  if (streamFlag !== null && loaded.feed.kind !== 'replay') throw new UsageError(`${streamFlag}: only with --feed replay (a stream goes beside a replay's bars)`);
  // The file loaders, streams and the backtest's feed load only for a replay.
  const replay: LoadedReplay | undefined = loaded.feed.kind === 'replay' ? await (await import('./runReplay.ts')).loadReplay(opts.replay ?? loaded.feed.replayFile, opts, loaded) : undefined;
  // Each stream's coverage, as mia backtest reports it.
  if (replay?.streams) for (const line of (await import('./replayInputs.ts')).coverageLines(replay.streams)) process.stderr.write(`${line}\n`);
  // A replay trades the contract of its data's dates (as mia backtest does), never a fixed label.
  const config = replay ? { ...loaded, symbol: replay.contract } : loaded;

  // Journal, audit and lock times are operator facts: they take the real clock. Trading
  // logic takes the session clock (event time) inside the session.
  const reset = opts.resetState ? await (await import('../adapters/store/resetState.ts')).resetState(home, systemClock.now()) : null;
  if (reset?.backup) process.stderr.write(`mia: --reset-state: ${reset.moved.join(', ')} moved to ${reset.backup}; starting fresh (the ledger and audit trail stay)\n`);
  const store = await openStateStore(home, { clock: systemClock });
  let dropEarly = (): void => undefined;
  let released = false;
  let surfaces: SessionSurfaces | undefined;
  const release = async () => {
    if (released) return;
    released = true;
    await surfaces?.close();
    await store.close();
  };
  try {
    const savedDeployment = store.deployment.load()?.snapshot as { value?: { phase?: unknown; signals?: unknown } } | undefined;
    const logs = createFolderLogger({
      home,
      folder: logFolderOf(savedDeployment?.value),
      level: config.log.level,
      name: 'mia',
      console: consoleLogFormat(opts.logConsole ?? 'auto', process.stderr.isTTY === true),
    });
    const logger = logs.logger;
    logger.info({ home, config: { ...config, gates: undefined } }, 'mia run starting');
    if (reset) {
      logger.warn({ reset }, 'state reset by the operator (--reset-state)');
      await store.audit.append({ who: 'operator', action: 'reset-state', args: { backup: reset.backup, moved: reset.moved }, result: 'ok' });
    }

    // `--speed N` without `--max-bars` plays until stopped (by a signal or the operator).
    const untilStopped = typeof opts.speed === 'number' && opts.maxBars === undefined;
    // A replay plays its whole file unless --max-bars says otherwise.
    const replayBars = replay && opts.maxBars === undefined ? { maxBars: replay.bars } : {};
    // The control channel opens before the session trades: without a kill switch, no trading.
    // `mia phase advance` judges the home's evidence chain (verified at each advance: operator/phaseCommands.ts).
    // Without --inspect no inspection hook at all: zero cost on the session's inspection path.
    // A signal while the surfaces and the session start (control.json is already there) is kept
    // and acted upon once the session can stop cleanly, instead of killing the process half-open.
    let earlySignal: NodeJS.Signals | null = null;
    const early = (signal: NodeJS.Signals) => void (earlySignal = signal);
    process.once('SIGINT', early);
    process.once('SIGTERM', early);
    dropEarly = () => {
      process.off('SIGINT', early);
      process.off('SIGTERM', early);
    };
    surfaces = await sessionSurfaces(config, {
      home,
      store,
      logger,
      clock: systemClock,
      env: process.env,
      control: { port: opts.controlPort, socket: opts.controlSocket },
      maxBars: untilStopped ? null : replay && opts.maxBars === undefined ? replay.bars : config.feed.maxBars,
      // A --json run keeps stdout for the summary's JSON: the URLs go to stderr then.
      inspector: { page: opts.inspect === true, stately: opts.inspectStately === true, ...(opts.inspectPort !== undefined ? { port: opts.inspectPort } : {}), say: (line) => void (opts.json ? process.stderr : process.stdout).write(`${line}\n`) },
    });
    // Which features had data on this session's bars (price-only data feeds few of them).
    const availability = new FeatureAvailability();
    const parts = sessionParts(config, { store, logger, env: process.env, ...(replay ? { replay: replay.feed } : {}), ...replayBars, ...(untilStopped ? { maxBars: Infinity } : {}) });
    replay?.attach(parts.bus);
    // Start-up figure: process uptime when the first bar reaches the session (measured, never used in logic).
    let firstBarMs: number | null = null;
    const firstBarWatch = parts.bus.subscribe('observer', {
      onBar: () => {
        firstBarMs = Math.round(performance.now());
        firstBarWatch();
      },
    });
    const session = startSession({ config, store, logger, parts, surfaces: surfaces.list, onScored: (scorer, bar) => availability.count(scorer, bar) });
    // The log folder follows the phase live (a promotion, an override, signals on or off), not only at start.
    const folderWatch = session.actor.getSnapshot().children.deployment?.subscribe({
      next: (snap) => {
        const folder = logFolderOf((snap as DeploymentSnapshot).value);
        if (folder === logs.folder) return;
        logger.info({ from: logs.folder, to: folder }, 'phase changed: the log moves to its folder');
        logs.moveTo(folder);
        logger.info({ folder }, 'log continues here after a phase change');
      },
      // A failing deployment actor is the orchestrator's to supervise, not an unhandled error here.
      error: () => undefined,
    });
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      signalled = true;
      logger.warn({ signal }, 'stopping on signal');
      void session.stop(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    dropEarly();
    if (earlySignal !== null) onSignal(earlySignal);
    // A venue that never logs on and reconciles is a failed run, not an idle one.
    let neverReady: string | null = null;
    void session.venueReady(config.venue.readyTimeoutMs).then((r) => {
      if (r.ready) return;
      neverReady = `the venue never became ready within venue.readyTimeoutMs (${config.venue.readyTimeoutMs} ms): ${r.why}`;
      logger.error({ why: r.why }, 'venue never became ready');
      void session.stop('venue never ready');
    });
    let summary;
    try {
      await surfaces.attached();
      const ended = await session.done;
      // Stopped by the operator before the timeout: a stop, not a venue failure.
      if (neverReady === null && !signalled) {
        const r = await session.venueReady(0);
        if (!r.ready) neverReady = `the session ended before the venue was ready: ${r.why}`;
      }
      summary = { ...explained(ended, session, store), featureAvailability: availability.shares(), firstBarMs, ...(replay?.streams ? { streams: replay.streams } : {}) };
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      folderWatch?.unsubscribe();
      await surfaces.close();
    }
    if (opts.summaryJson) {
      const file = resolve(opts.summaryJson);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
    }
    process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`);
    if (neverReady !== null) {
      process.stderr.write(`mia: ${escapeControl(neverReady)}\n`);
      return 1;
    }
    return summary.persistenceErrors > 0 ? 1 : 0;
  } finally {
    dropEarly();
    await release();
  }
}

/** The summary with the risk state's cause (`limited (3 consecutive losses, limit 3)`), read off the risk machine. */
function explained(summary: SessionSummary, session: Session, store: StateStore): RunSummary {
  // A stopped session has let go of its children: the risk machine's last persisted snapshot says the same.
  const live = session.actor.getSnapshot().children.risk?.getSnapshot() as RiskSnapshot | undefined;
  const risk = live ?? (store.risk.load()?.snapshot as RiskSnapshot | undefined);
  return { ...summary, riskCause: risk?.context && risk.value ? describeRisk(risk) : summary.riskState };
}

/** `--inspect-port`: 0 (an ephemeral port) to 65535. */
export { parseInspectPort } from './usage.ts';
