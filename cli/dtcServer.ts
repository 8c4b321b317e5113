/**
 * `mia dtc-server`: MIA's paper-trading DTC server on 127.0.0.1, fed by the seeded
 * simulated market at a chosen speed (default one simulated minute per real second, so
 * orders see moving prices), until SIGINT/SIGTERM. Prints one line,
 * `dtc-server listening on 127.0.0.1:<port>`, once it accepts connections.
 *
 * Exit codes: 0 stopped by a signal; 1 runtime failure (port taken, corrupt state file);
 * 2 bad usage or configuration (the message names the flag or key).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { commissionPerContract, instrumentFor } from '../config/instruments.ts';
import { ManualClock } from '../core/clock.ts';
import { consoleLogFormat, createLogger } from '../adapters/log/logger.ts';
import { SimulatedBars } from '../adapters/simulated/simulatedBars.ts';
import { startPaperDtcServer, type PaperDtcServer } from '../adapters/dtc/paperServer.ts';
import { resolveHome } from './home.ts';
import { parseSpeed, positiveInt, UsageError, collect, portNumber, addLogOptions, type LogOptions } from './usage.ts';

const BAR_MS = 60_000;
const SLICE = 512;
/** TRADE_ACCOUNT is a 32-byte char array, NUL included. */
const MAX_ACCOUNT_LENGTH = 31;

export interface DtcServerOptions extends LogOptions {
  port: number;
  encodingAny?: boolean;
  account: string[];
  balance?: number;
  margin?: number;
  username?: string;
  passwordEnv?: string;
  state?: string;
  feed: 'simulated' | 'none';
  seed?: number;
  speed?: 'max' | number;
  maxBars?: number;
  config?: string;
  home?: string;
}

const dollars = (flag: string, allowZero: boolean) => (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new InvalidArgumentError(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} number of dollars, got "${value}"`);
  }
  return n;
};

const integer = (flag: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${flag} must be an integer, got "${value}"`);
  return n;
};

/** Adds `mia dtc-server` to `parent`. */
export function registerDtcServerCommand(parent: Command): void {
  addLogOptions(parent.command('dtc-server'))
    .description('run the paper-trading DTC server on 127.0.0.1, fed by the simulated market, until SIGINT/SIGTERM')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 = any free port)', portNumber('--port'), 11_099)
    .option('--encoding-any', 'also accept clients that skip the ENCODING_REQUEST and speak JSON or compact JSON from their first byte')
    .option('--account <name>', 'trade account (repeat for more; default PAPER1)', collect, [])
    .option('--balance <dollars>', 'starting balance of each new account (default: startingEquity)', dollars('--balance', false))
    .option('--margin <dollars>', 'margin per open contract (default: venue.marginPerContract)', dollars('--margin', true))
    .option('--username <name>', 'require this username at logon')
    .option('--password-env <VAR>', 'require the password held in environment variable VAR at logon')
    .option('--state <file>', 'keep orders, positions and fills in FILE (restored at start, saved after every change)')
    .addOption(new Option('--feed <kind>', 'market data fed to the engine').choices(['simulated', 'none']).default('simulated'))
    .option('--seed <n>', 'seed of the simulated market (default: feed.seed)', integer('--seed'))
    .option('--speed <max|N>', 'N simulated minutes per real second, or max (default 1)', parseSpeed)
    .option('--max-bars <n>', 'stop the feed after N bars (the server keeps running); default unlimited, feed.maxBars at max speed', positiveInt('--max-bars'))
    .option('--config <file>', 'configuration file (JSON); also MIA_CONFIG')
    .option('--home <dir>', 'home directory for logs; also MIA_HOME (default: working directory)')
    .action(async (opts: DtcServerOptions) => {
      process.exitCode = await dtcServerCommand(opts);
    });
}

function credentials(opts: DtcServerOptions, env: NodeJS.ProcessEnv): { username?: string; password?: string } {
  if (opts.passwordEnv === undefined) return opts.username === undefined ? {} : { username: opts.username, password: '' };
  if (opts.username === undefined) throw new UsageError('--password-env needs --username');
  const password = env[opts.passwordEnv];
  if (password === undefined || password === '') throw new UsageError(`--password-env: environment variable ${opts.passwordEnv} is not set`);
  return { username: opts.username, password };
}

function accounts(names: string[]): string[] | undefined {
  for (const name of names) {
    if (name === '' || name.length > MAX_ACCOUNT_LENGTH) throw new UsageError(`--account must be 1 to ${MAX_ACCOUNT_LENGTH} characters, got "${name}"`);
  }
  if (new Set(names).size !== names.length) throw new UsageError(`--account given twice: ${names.join(', ')}`);
  return names.length > 0 ? names : undefined;
}

/** Runs the server until a signal; returns the exit code. */
export async function dtcServerCommand(opts: DtcServerOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const auth = credentials(opts, env);
  const accountNames = accounts(opts.account);
  const config = loadConfig({ ...(opts.config ? { file: opts.config } : {}), env, overrides: opts.seed !== undefined ? { feed: { seed: opts.seed } } : {} });
  const instrument = instrumentFor(config.symbol);
  const home = resolveHome(opts.home, env);
  const logger = createLogger({
    home,
    folder: 'dtc_server',
    level: opts.logLevel ?? config.log.level,
    name: 'dtc-server',
    console: consoleLogFormat(opts.logConsole ?? 'auto', process.stderr.isTTY === true),
  });
  const clock = new ManualClock(Date.parse(config.feed.start));

  let server: PaperDtcServer;
  try {
    server = await startPaperDtcServer({
      port: opts.port,
      clock,
      ...(accountNames ? { accounts: accountNames } : {}),
      startingBalance: opts.balance ?? config.startingEquity,
      slippageTicks: config.venue.slippageTicks,
      commissionPerContract: commissionPerContract(config),
      marginPerContract: opts.margin ?? config.venue.marginPerContract,
      heartbeatSeconds: config.connection.heartbeatSeconds,
      tickSize: instrument.tickSize,
      barMs: BAR_MS,
      detectEncoding: opts.encodingAny ?? false,
      ...(opts.state !== undefined ? { stateFile: resolve(opts.state) } : {}),
      ...auth,
      logger,
    });
  } catch (err) {
    logger.error({ err }, 'dtc-server could not start');
    process.stderr.write(`mia: dtc-server: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`dtc-server listening on 127.0.0.1:${server.port}\n`);

  const speed = opts.speed ?? 1;
  const maxBars = opts.maxBars ?? (speed === 'max' ? config.feed.maxBars : Number.POSITIVE_INFINITY);
  const feed = opts.feed === 'simulated' ? startFeed(server, clock, config.symbol, config.feed.seed, Date.parse(config.feed.start), instrument.tickSize, speed, maxBars, logger) : null;
  logger.info({ port: server.port, feed: opts.feed, speed, seed: config.feed.seed }, 'dtc-server running');

  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  logger.warn({ signal }, 'dtc-server stopping on signal');
  feed?.stop();
  await server.close();
  logger.flush?.();
  return 0;
}

/**
 * Publishes simulated bars to the server: at speed N one bar every 1000 / N ms, at max in
 * slices that yield to the event loop (clients stay served). A restored engine resumes
 * after the last price it saw, from that price.
 */
function startFeed(
  server: PaperDtcServer,
  clock: ManualClock,
  symbol: string,
  seed: number,
  configuredStart: number,
  tickSize: number,
  speed: 'max' | number,
  maxBars: number,
  logger: { info(o: object, m: string): void; error(o: object, m: string): void },
): { stop(): void } {
  const lastSeen = server.venue.exportState().marks.reduce((t, m) => Math.max(t, m.time), 0);
  const start = Math.max(configuredStart, lastSeen);
  const startPrice = server.venue.markFor(symbol);
  const bars = new SimulatedBars({ symbol, seed, start, tickSize, ...(startPrice !== undefined ? { startPrice } : {}) });
  clock.set(start);
  let published = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const step = (): boolean => {
    if (published >= maxBars) {
      server.onEnd();
      logger.info({ bars: published }, 'simulated feed ended');
      return false;
    }
    const bar = bars.next();
    clock.set(bar.time + BAR_MS);
    server.onBar(bar);
    published++;
    return true;
  };
  const run = () => {
    timer = undefined;
    if (stopped) return;
    try {
      if (speed === 'max') {
        for (let i = 0; i < SLICE; i++) if (!step()) return;
        timer = setTimeout(run, 0);
      } else if (step()) {
        timer = setTimeout(run, 1_000 / speed);
      }
    } catch (err) {
      logger.error({ err }, 'simulated feed failed; the server keeps running without data');
    }
  };
  timer = setTimeout(run, 0);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
