/**
 * What every `mia` command shares for its flags and exit codes. Kept free of heavy imports:
 * `cli/main.ts` loads a command's module only when that command runs.
 */
import { InvalidArgumentError } from 'commander';
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

/** A TCP port flag on 127.0.0.1: 0 asks the system for a free one. */
export function portNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError(`${name} must be an integer from 0 to 65535, got "${value}"`);
    return n;
  };
}

export const parseInspectPort = portNumber('--inspect-port');
