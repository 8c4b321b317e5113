/**
 * Validation of LoaderOptions, shared by every loader: a bad option is a DataFileError
 * with code 'bad-option' naming the option, before any row is read.
 */
import { rolesFromOption, type ColumnMap } from './columnRoles.ts';
import { ZoneClock } from '../../core/zonedTime.ts';
import { DataFileError, SERIES_FORMATS, type LoaderOptions } from './seriesTypes.ts';

/** The zone for naive timestamps: the option, else the format's default. */
export function zoneFor(file: string, options: LoaderOptions, fallback: string): ZoneClock {
  const tz = options.tz ?? fallback;
  try {
    return new ZoneClock(tz);
  } catch {
    throw new DataFileError('bad-option', file, `unknown time zone "${tz}" (expected an IANA zone such as America/New_York or UTC)`, 'tz');
  }
}

/** Column roles from the `columns` option, or undefined when not given. */
export function columnsOption(file: string, options: LoaderOptions): ColumnMap | undefined {
  if (!options.columns) return undefined;
  try {
    return rolesFromOption(options.columns);
  } catch (err) {
    throw new DataFileError('bad-option', file, (err as Error).message, 'columns');
  }
}

/** Checks the options that do not depend on the format. */
export function checkCommonOptions(file: string, options: LoaderOptions): void {
  if (options.format !== undefined && !(SERIES_FORMATS as readonly string[]).includes(options.format)) {
    throw new DataFileError('bad-option', file, `unknown format "${options.format}" (known: ${SERIES_FORMATS.join(', ')})`, 'format');
  }
  if (options.tickSize !== undefined && !(Number.isFinite(options.tickSize) && options.tickSize >= 0)) {
    throw new DataFileError('bad-option', file, `tick size must be a number >= 0 (0 disables the check), got ${options.tickSize}`, 'tickSize');
  }
  if (options.roll !== undefined && options.roll !== 'volume' && options.roll !== 'calendar') {
    throw new DataFileError('bad-option', file, `roll must be "volume" or "calendar", got "${String(options.roll)}"`, 'roll');
  }
  if (options.tz !== undefined) zoneFor(file, options, 'UTC');
  columnsOption(file, options);
}
