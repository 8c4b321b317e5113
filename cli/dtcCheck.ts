/**
 * `mia dtc check`: the phase-0 round trip against a DTC server (connect, negotiate, log
 * on, accounts, positions, one test order followed to its end, cancelled if working).
 * Exit codes: 0 the round trip completed; 1 it did not (refused, rejected, no answer);
 * 2 bad flags. The password comes from the environment variable named by
 * `--password-env` and is never printed.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import { runDtcCheck, type DtcCheckResult } from '../adapters/dtc/dtcClientRoundTrip.ts';
import type { DtcEncodingName } from '../adapters/dtc/dtcClient.ts';
import { EXIT_FAILURE, EXIT_OK, positiveInt, UsageError, portNumber } from './usage.ts';
import { standaloneConnection } from '../actors/connectionHost.ts';
import { loadConfig } from '../config/load.ts';
import { openEvidenceStore } from '../adapters/store/evidenceStore.ts';
import { resolveHome } from './home.ts';

interface DtcCheckFlags {
  host: string;
  port: number;
  encoding: DtcEncodingName;
  symbol: string;
  exchange: string;
  account: string;
  username?: string;
  passwordEnv?: string;
  market?: boolean;
  limitPrice?: number;
  side: 'buy' | 'sell';
  keepPosition?: boolean;
  timeout: number;
  heartbeat: number;
  json?: boolean;
  home?: string;
  config?: string;
}

function price(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`--limit-price must be a positive number, got "${value}"`);
  return n;
}

function heartbeatSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3600) throw new InvalidArgumentError(`--heartbeat must be an integer number of seconds in 1-3600, got "${value}"`);
  return n;
}

/** Adds the `dtc` command group and its `check` subcommand to `program`. */
export function registerDtcCommand(program: Command): Command {
  const dtc = program.command('dtc').description('DTC protocol: check a server end to end');
  dtc
    .command('check')
    .description('connect, log on, list accounts and positions, send one test order, follow and cancel it, report the round trip')
    .option('--host <host>', 'DTC server host', '127.0.0.1')
    .requiredOption('--port <port>', 'DTC server port', portNumber('--port', 1))
    .addOption(new Option('--encoding <encoding>', 'encoding to ask for').choices(['binary', 'json', 'compact']).default('binary'))
    .requiredOption('--symbol <symbol>', 'symbol of the test order, as the server names it (e.g. ESZ25)')
    .option('--exchange <exchange>', 'exchange of the symbol, when the server wants one', '')
    .requiredOption('--account <account>', 'trade account of the test order')
    .option('--username <user>', 'logon username')
    .option('--password-env <VAR>', 'environment variable holding the logon password')
    .option('--market', 'send a market order (it fills, then an opposite market order offsets it) instead of a far limit')
    .option('--limit-price <price>', 'price of the test limit (default: 10% away from the market snapshot)', price)
    .addOption(new Option('--side <side>', 'side of the test order').choices(['buy', 'sell']).default('buy'))
    .option('--keep-position', 'with --market: do not offset the fill')
    .option('--timeout <ms>', 'wait at most this long for the logon and each answer', positiveInt('--timeout'), 10_000)
    .option('--heartbeat <seconds>', 'heartbeat interval to ask for', heartbeatSeconds, 10)
    .option('--json', 'print the result as JSON')
    .option('--home <dir>', 'record the round trip as phase-0 evidence in this home; also MIA_HOME')
    .option('--config <file>', 'configuration declaring the account (accounts); also MIA_CONFIG')
    .action(async (flags: DtcCheckFlags) => {
      process.exitCode = await dtcCheckCommand(flags);
    });
  return dtc;
}

async function dtcCheckCommand(flags: DtcCheckFlags): Promise<number> {
  let password: string | undefined;
  if (flags.passwordEnv !== undefined) {
    password = process.env[flags.passwordEnv];
    if (password === undefined) throw new UsageError(`--password-env: environment variable ${flags.passwordEnv} is not set`);
  }
  if (flags.market && flags.limitPrice !== undefined) throw new UsageError('--market and --limit-price exclude each other');
  const result = await runDtcCheck({
    host: flags.host,
    port: flags.port,
    encoding: flags.encoding,
    symbol: flags.symbol,
    exchange: flags.exchange,
    account: flags.account,
    ...(flags.username === undefined ? {} : { username: flags.username }),
    ...(password === undefined ? {} : { password }),
    market: flags.market === true,
    side: flags.side,
    ...(flags.limitPrice === undefined ? {} : { limitPrice: flags.limitPrice }),
    keepPosition: flags.keepPosition === true,
    timeoutMs: flags.timeout,
    heartbeatSeconds: flags.heartbeat,
    clock: systemClock,
    connection: standaloneConnection,
  });
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatCheck(result));
  // Phase-0 evidence: recorded in the home named by --home or MIA_HOME (never in a working
  // directory by accident), for a completed round trip on an account declared paper.
  const home = flags.home ?? process.env.MIA_HOME;
  if (home !== undefined && result.ok) {
    const config = loadConfig(flags.config ? { file: flags.config } : {});
    const kind = config.accounts.find((a) => a.id === flags.account)?.kind ?? null;
    if (kind !== 'paper') {
      // A note, not an error: the check itself succeeded (JSON output stays the result alone).
      if (!flags.json) process.stdout.write(`evidence    not recorded: account '${flags.account}' is ${kind ?? 'not declared'} (declare it paper in accounts)\n`);
    } else {
      const now = new Date(systemClock.now()).toISOString();
      const file = await openEvidenceStore(resolveHome(home)).record(
        {
          transition: 'setup->calibration',
          evidence: { metrics: {}, provenance: [{ kind: 'dtc-paper' }], period: { from: now.slice(0, 10), to: now.slice(0, 10) }, checks: { dtcRoundTrip: true }, producedAt: now, source: 'dtc-check' },
          detail: { host: flags.host, port: flags.port, account: flags.account, accountKind: kind, roundTripMs: result.roundTripMs, serverName: result.logon?.serverName ?? null },
        },
        'mia dtc check',
      );
      process.stderr.write(`evidence: ${file}\n`);
    }
  }
  return result.ok ? EXIT_OK : EXIT_FAILURE;
}

/** The result for a human: one line per step. */
export function formatCheck(r: DtcCheckResult): string {
  const lines = [`dtc check ${r.host}:${r.port}  ${r.ok ? 'OK' : 'FAILED'}`];
  lines.push(`encoding    asked ${r.encoding.requested}, using ${r.encoding.negotiated ?? '-'}`);
  if (r.logon) lines.push(`logon       ${r.logon.serverName || '(unnamed server)'}${r.logon.tradingSupported ? ', trading supported' : ', TRADING NOT SUPPORTED'}`);
  if (r.accounts.length > 0) lines.push(`accounts    ${r.accounts.join(', ')}`);
  if (r.balance) lines.push(`balance     ${r.balance.cashBalance} ${r.balance.currency} (available ${r.balance.availableForNewPositions})`);
  if (r.logon) lines.push(`positions   ${r.positions.length === 0 ? 'none' : r.positions.map((p) => `${p.symbol} ${p.quantity} @ ${p.averagePrice}`).join(', ')}`);
  for (const [label, o] of [['order', r.order], ['offset', r.offset]] as const) {
    if (!o) continue;
    const terms = `${o.side} ${o.quantity} ${o.type}${o.price === null ? '' : ` @ ${o.price}`}`;
    lines.push(`${label.padEnd(11)} ${o.clientOrderId} (${o.serverOrderId || 'no server id'}) ${terms}: ${o.updates.map((u) => u.status).join(' -> ') || 'no update'}`);
  }
  if (r.roundTripMs !== null) lines.push(`round trip  ${r.roundTripMs} ms`);
  for (const error of r.errors) lines.push(`error       ${error}`);
  return `${lines.join('\n')}\n`;
}
