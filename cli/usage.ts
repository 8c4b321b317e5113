/**
 * What every `mia` command shares for its flags and exit codes. Kept free of heavy imports:
 * `cli/main.ts` loads a command's module only when that command runs.
 */
import { InvalidArgumentError } from 'commander';

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
