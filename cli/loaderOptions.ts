/**
 * The loader options every command that reads a market-data file accepts (`mia data
 * inspect`, `mia run --replay`, `mia backtest --data`): --format, --columns, --tz, plus
 * --symbol, --tick-size, --roll and --back-adjust for multi-contract files.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DataFileError, SERIES_FORMATS, type LoaderOptions } from '../adapters/files/seriesTypes.ts';
import { isValidTimeZone } from '../core/zonedTime.ts';
import { UsageError } from './usage.ts';

function parseColumns(value: string): string[] {
  const list = value.split(',').map((s) => s.trim());
  if (list.every((s) => s === '' || s === '-')) throw new InvalidArgumentError('--columns needs at least one role, e.g. time,open,high,low,close,volume');
  return list;
}

function parseTickSize(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`--tick-size must be a number >= 0 (0 disables the check), got "${value}"`);
  return n;
}

function parseZone(value: string): string {
  if (!isValidTimeZone(value)) throw new InvalidArgumentError(`--tz must be an IANA zone such as America/New_York or UTC, got "${value}"`);
  return value;
}

/** Adds the loader options to a command; read them back with loaderOptionsFrom(). */
export function addLoaderOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'market-data file format (default: detected from the file)').choices(SERIES_FORMATS))
    .option('--columns <roles>', 'column roles in file order, comma-separated, - to skip (e.g. time,open,high,low,close,volume)', parseColumns)
    .option('--tz <zone>', 'IANA zone of timestamps without one (default: UTC for Lean, America/New_York for CSV and Sierra)', parseZone)
    .option('--symbol <symbol>', 'symbol of the rows; in a multi-contract file, the contract to keep (ESZ13 or 201312)')
    .option('--tick-size <n>', 'tick size for the off-tick check, 0 to disable (default: the instrument\'s)', parseTickSize)
    .addOption(new Option('--roll <rule>', 'multi-contract files: contract of each trading day by volume or by the calendar roll').choices(['volume', 'calendar']))
    .option('--back-adjust', 'multi-contract files: back-adjust prices across contract rolls');
}

/** LoaderOptions from the parsed options of a command built with addLoaderOptions(). */
export function loaderOptionsFrom(opts: Record<string, unknown>): LoaderOptions {
  const out: LoaderOptions = {};
  if (opts.format !== undefined) out.format = opts.format as LoaderOptions['format'];
  if (opts.columns !== undefined) out.columns = opts.columns as string[];
  if (opts.tz !== undefined) out.tz = opts.tz as string;
  if (opts.symbol !== undefined) out.symbol = opts.symbol as string;
  if (opts.tickSize !== undefined) out.tickSize = opts.tickSize as number;
  if (opts.roll !== undefined) out.roll = opts.roll as 'volume' | 'calendar';
  if (opts.backAdjust) out.backAdjust = true;
  return out;
}

/**
 * The error a command should throw for a loader failure: a bad option, a missing file
 * or an unknown format is bad usage (exit code 2, the message names the option or file);
 * anything else stays a runtime failure (exit code 1).
 */
export function loaderErrorForCli(err: unknown): Error {
  if (err instanceof DataFileError && err.isUsage) return new UsageError(err.option ? `--${kebab(err.option)}: ${err.message}` : err.message);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * For commands whose README says data errors exit 2 (`mia backtest`, `mia run --feed
 * replay`): any file the loaders refuse (unreadable, unsupported such as quotes-only, bad
 * rows beyond use) is the operator's input to change, named, exit code 2.
 */
export function dataErrorForCli(err: unknown): Error {
  if (err instanceof DataFileError) return new UsageError(err.option ? `--${kebab(err.option)}: ${err.message}` : err.message);
  return loaderErrorForCli(err);
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
