/**
 * The shared loader options (cli/loaderOptions.ts) parsed in-process by commander: what
 * `mia data inspect`, `mia run --replay` and `mia backtest --data` accept.
 */
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../adapters/files/seriesTypes.ts';
import { addLoaderOptions, loaderErrorForCli, loaderOptionsFrom } from '../../cli/loaderOptions.ts';
import { UsageError } from '../../cli/usage.ts';

function parse(args: string[]) {
  const cmd = addLoaderOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} })).argument('<file>');
  cmd.parse(['node', 'x', 'f.csv', ...args]);
  return loaderOptionsFrom(cmd.opts());
}

describe('addLoaderOptions / loaderOptionsFrom', () => {
  it('maps every flag to LoaderOptions', () => {
    expect(parse([])).toEqual({});
    expect(
      parse(['--format', 'sierra', '--columns', 'date,clock,-,open,high,low,close', '--tz', 'UTC', '--symbol', 'ESZ13', '--tick-size', '0', '--roll', 'calendar', '--back-adjust']),
    ).toEqual({ format: 'sierra', columns: ['date', 'clock', '-', 'open', 'high', 'low', 'close'], tz: 'UTC', symbol: 'ESZ13', tickSize: 0, roll: 'calendar', backAdjust: true });
  });

  it.each([
    [['--format', 'excel'], /Allowed choices are csv, sierra/],
    [['--tz', 'Mars/Olympus'], /--tz must be an IANA zone/],
    [['--tick-size', '-1'], /--tick-size must be a number >= 0/],
    [['--tick-size', 'abc'], /--tick-size must be a number >= 0/],
    [['--columns', ',-,'], /--columns needs at least one role/],
    [['--roll', 'weekly'], /Allowed choices are volume, calendar/],
  ])('%j is refused by commander (exit code 2 in mia)', (args, message) => {
    let error: unknown;
    try {
      parse(args);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).message).toMatch(message);
  });

  it('loader errors: usage kinds become UsageError naming the flag, the rest stay runtime failures', () => {
    const usage = loaderErrorForCli(new DataFileError('bad-option', '/f', 'unknown time zone "X"', 'tickSize'));
    expect(usage).toBeInstanceOf(UsageError);
    expect(usage.message).toBe('--tick-size: unknown time zone "X"');
    expect(loaderErrorForCli(new DataFileError('not-found', '/f', 'no such file: /f'))).toBeInstanceOf(UsageError);
    const runtime = loaderErrorForCli(new DataFileError('unreadable', '/f', 'corrupt'));
    expect(runtime).not.toBeInstanceOf(UsageError);
    expect(runtime.message).toBe('corrupt');
  });
});
