/**
 * The `mia` command. Exit codes: 0 success, 1 runtime failure (corrupt state, locked
 * home, failed session), 2 bad usage or configuration (the message names the key).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/configError.ts';
import { miaVersion } from './version.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, addLogOptions, parseInspectPort, parseSpeed, positiveInt } from './usage.ts';

type Registrar = (program: Command) => unknown;

/**
 * The command groups whose modules live in their own files, loaded only when their command
 * runs: `mia status` need not load the trading engine (a start costs a module load per file).
 */
const registrars: Record<string, Registrar> = {
  data: async (program) => {
    const [{ registerDataInspect }, { registerDataDownload, registerDataRecord }, { registerDataCheck }] = await Promise.all([import('./dataInspect.ts'), import('./dataDownload.ts'), import('./dataCheck.ts')]);
    const data = program.command('data').description('market data: inspect files, download and record history, check ES and SPX access');
    registerDataInspect(data);
    registerDataDownload(data);
    registerDataRecord(data);
    registerDataCheck(data);
  },
  control: async (program) => (await import('./control.ts')).registerControlCommands(program),
  signals: async (program) => (await import('./signals.ts')).registerSignalsCommands(program),
  gamma: async (program) => (await import('./gamma.ts')).registerGammaCommand(program),
  dtc: async (program) => (await import('./dtcCheck.ts')).registerDtcCommand(program),
  dtcServer: async (program) => (await import('./dtcServer.ts')).registerDtcServerCommand(program),
  ml: async (program) => (await import('./ml.ts')).registerMlCommands(program),
  backtest: async (program) => (await import('./backtest.ts')).registerBacktest(program),
  robustness: async (program) => (await import('./robustness.ts')).registerRobustness(program),
  attribution: async (program) => (await import('./attribution.ts')).registerAttribution(program),
  config: async (program) => (await import('./config.ts')).registerConfigCommands(program),
  journal: async (program) => (await import('./journal.ts')).registerJournalCommand(program),
  calibrate: async (program) => (await import('./calibrate.ts')).registerCalibrate(program),
  killDrill: async (program) => (await import('./killDrill.ts')).registerKillDrill(program),
  worker: async (program) => (await import('./worker.ts')).registerWorker(program),
  discord: async (program) => (await import('./discordTestAlert.ts')).registerDiscordCommands(program),
};

/** Which registrars a command name needs (`run` takes the control channel's flags too). */
const groupsOf: Record<string, readonly string[]> = {
  run: ['control'],
  data: ['data'],
  status: ['control'],
  pause: ['control'],
  resume: ['control'],
  kill: ['control'],
  flatten: ['control'],
  phase: ['control'],
  signals: ['signals'],
  gamma: ['gamma'],
  dtc: ['dtc'],
  'dtc-server': ['dtcServer'],
  ml: ['ml'],
  backtest: ['backtest'],
  sweep: ['robustness'],
  compare: ['robustness'],
  stress: ['robustness'],
  attribution: ['attribution'],
  evidence: ['attribution'],
  config: ['config'],
  journal: ['journal'],
  calibrate: ['calibrate'],
  worker: ['worker'],
  discord: ['discord'],
};

/**
 * `mia run`: a session. Registered only for `mia run` itself, help and unknown commands;
 * its data-file options (time zones, formats) load with it.
 */
async function registerRun(program: Command): Promise<void> {
  const [{ addLoaderOptions }, { addReplayInputOptions }] = await Promise.all([import('./loaderOptions.ts'), import('./replayInputOptions.ts')]);
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
    .option('--reset-state', 'move the saved machine state (orchestrator, risk, deployment) to state/backup-<time>/ and start fresh; the ledger stays')
    .option('--inspect', 'serve the live inspector on 127.0.0.1 (URL with its token printed and written to $MIA_HOME/inspector.url)')
    .option('--inspect-port <n>', 'inspector port on 127.0.0.1 (default 0: ephemeral)', parseInspectPort)
    .option('--inspect-stately', "also forward the inspection stream to Stately's online inspector (needs the network; fails soft)");
  addReplayInputOptions(addLoaderOptions(addLogOptions(run))).action(async (opts) => {
    const { runCommand } = await import('./run.ts');
    process.exitCode = await runCommand(opts);
  });
}

async function buildProgram(command: string | undefined, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('mia')
    .description('MIA: automated, supervised ES futures trading on XState state machines')
    .version(miaVersion(), '-V, --version', 'print the MIA version')
    .exitOverride()
    // One line per usage error: the command's help is one --help away, not 70 lines of it.
    .configureOutput({ outputError: (text, write) => write(`mia: ${text.replace(/^error: /, '').trimEnd()} (--help for usage)\n`) });

  // Help or an unknown command: every group, so that help lists them all and errors name them.
  // `mia kill --drill` is the kill-switch drill (cli/killDrill.ts), not the control command.
  const drill = command === 'kill' && argv.includes('--drill');
  const named = command !== undefined ? groupsOf[command] : undefined;
  // `mia run`'s two dozen options only where they can be used or listed.
  if (command === 'run' || named === undefined) await registerRun(program);
  const groups = drill ? ['killDrill'] : named || Object.keys(registrars).filter((g) => g !== 'killDrill');
  for (const group of groups) await registrars[group]!(program);

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv[2], argv);
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
