/**
 * What every `mia` command shares for its flags and exit codes. Kept free of heavy imports:
 * `cli/main.ts` loads a command's module only when that command runs.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MiaError, type MiaErrorOptions } from '../core/errors.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Raised by commands for a bad flag value: exit code 2 with the message. */
export class UsageError extends MiaError<'USAGE'> {
  constructor(message: string, options?: MiaErrorOptions) {
    super('USAGE', message, options);
  }
}

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

/** A TCP port flag: 0 (the default lowest) asks the system for a free one; a client's target port passes `lowest` 1. */
export function portNumber(name: string, lowest: 0 | 1 = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < lowest || n > 65_535) throw new InvalidArgumentError(`${name} must be an integer from ${lowest} to 65535, got "${value}"`);
    return n;
  };
}

/** A repeatable flag (`--data a --data b`): commander calls it once per occurrence. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export const parseInspectPort = portNumber('--inspect-port');

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelChoice = (typeof LOG_LEVELS)[number];

/** Options of a command that logs: `--log-level` (file and console) and `--log-console`. */
export interface LogOptions {
  logLevel?: LogLevelChoice;
  logConsole?: 'auto' | 'pretty' | 'json' | 'off';
}

/** `--log-level` overrides `log.level`; the console shows the log on a terminal (pretty), never on a pipe unless asked. */
export function addLogOptions(command: Command): Command {
  return command
    .addOption(new Option('--log-level <level>', 'log level of the log file and the console (default: log.level of the configuration, info)').choices(LOG_LEVELS))
    .addOption(
      new Option('--log-console <format>', 'also log to stderr: auto (human-readable on a terminal, nothing on a pipe), pretty, json or off')
        .choices(['auto', 'pretty', 'json', 'off'])
        .default('auto'),
    );
}
