/**
 * The `mia` command. Exit codes: 0 success, 1 runtime failure (corrupt state, locked
 * home, failed session), 2 bad usage or configuration (the message names the key).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/load.ts';
import { parseInspectPort, runCommand } from './run.ts';
import { addLoaderOptions } from './loaderOptions.ts';
import { registerControlCommands } from './control.ts';
import { registerSignalsCommands } from './signals.ts';
import { registerGammaCommand } from './gamma.ts';
import { registerDtcCommand } from './dtcCheck.ts';
import { registerDtcServerCommand } from './dtcServer.ts';
import { registerDataInspect } from './dataInspect.ts';
import { registerDataDownload, registerDataRecord } from './dataDownload.ts';
import { registerMlCommands } from './ml.ts';
import { registerBacktest } from './backtest.ts';
import { registerRobustness } from './robustness.ts';
import { registerAttribution } from './attribution.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Raised by commands for a bad flag value: exit code 2 with the message. */
export class UsageError extends Error {}

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

export function parseSpeed(value: string): 'max' | number {
  if (value === 'max') return 'max';
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`--speed must be "max" or a positive number, got "${value}"`);
  return n;
}

function buildProgram(): Command {
  const program = new Command('mia')
    .description('MIA: automated, supervised ES futures trading on XState state machines')
    .exitOverride()
    .showHelpAfterError();

  const run = program
    .command('run')
    .description('run a trading session (default: a paper session on the simulated market, through the embedded paper DTC server)')
    .addOption(new Option('--feed <kind>', 'market data: the simulated market, a file replay, or Polygon live (POLYGON_API_KEY)').choices(['simulated', 'replay', 'polygon']).default('simulated'))
    .option('--replay <file>', 'market-data file for --feed replay (CSV, Sierra Chart, Lean zip, ticks, Polygon JSON, MIA cache)')
    .option('--max-bars <n>', 'end the session after N bars', positiveInt('--max-bars'))
    .option('--speed <max|N>', 'replay speed: max, or N simulated minutes per second', parseSpeed)
    .option('--seed <n>', 'seed of the simulated market', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new InvalidArgumentError(`--seed must be an integer, got "${v}"`);
      return n;
    })
    .addOption(new Option('--venue <kind>', 'dtc: over the DTC protocol (embedded paper DTC server unless --dtc-host); simulated: in process, no socket').choices(['dtc', 'simulated']))
    .option('--dtc-host <host>', 'DTC server host (default: start the paper DTC server on 127.0.0.1)')
    .option('--dtc-port <port>', 'DTC server port', positiveInt('--dtc-port'))
    .addOption(new Option('--dtc-encoding <encoding>', 'DTC encoding to ask for').choices(['binary', 'json', 'compact']))
    .option('--dtc-account <account>', 'trade account (default: the first the server lists)')
    .option('--dtc-username <user>', 'DTC logon username')
    .option('--dtc-password-env <VAR>', 'environment variable holding the DTC password')
    .option('--summary-json <file>', 'write the session summary as JSON to FILE')
    .option('--config <file>', 'configuration file (JSON); also MIA_CONFIG')
    .option('--home <dir>', 'home directory for state and logs; also MIA_HOME (default: working directory)')
    .option('--json', 'print the summary as JSON instead of a table')
    .option('--inspect', 'serve the live inspector on 127.0.0.1 (URL with its token printed and written to $MIA_HOME/inspector.url)')
    .option('--inspect-port <n>', 'inspector port on 127.0.0.1 (default 0: ephemeral)', parseInspectPort)
    .option('--inspect-stately', "also forward the inspection stream to Stately's online inspector (needs the network; fails soft)");
  addLoaderOptions(run).action(async (opts) => {
    process.exitCode = await runCommand(opts);
  });

  // Command groups whose subcommands live in their own files (cli/<name>.ts register functions).
  const data = program.command('data').description('market data: inspect files, download and record history');
  registerDataInspect(data);
  registerDataDownload(data);
  registerDataRecord(data);
  registerControlCommands(program);
  registerSignalsCommands(program);
  registerGammaCommand(program);
  registerDtcCommand(program);
  registerDtcServerCommand(program);
  registerMlCommands(program);
  registerBacktest(program);
  registerRobustness(program);
  registerAttribution(program);

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is usage.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`mia: ${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`mia: ${(err as Error).message ?? String(err)}\n`);
    return EXIT_FAILURE;
  }
}
