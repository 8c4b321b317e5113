/**
 * A bad configuration value, naming its key: `mia` exits 2 on it. Its own module, free of
 * the schema (zod), so that commands that only report it start without loading the schema.
 */
import { MiaError } from '../core/errors.ts';

/** One thing wrong with a configuration: the dotted key (or the file) and why. */
export interface ConfigIssue {
  key: string;
  reason: string;
}

export class ConfigError extends MiaError<'CONFIG_INVALID'> {
  /** Every issue found, the first being `key`/`reason` (a file is validated as a whole). */
  readonly issues: readonly ConfigIssue[];
  constructor(
    /** Dotted path of the offending key, e.g. `risk.dailyLossLimit`, or the file. */
    readonly key: string,
    readonly reason: string,
    issues?: readonly ConfigIssue[],
  ) {
    const all = issues && issues.length > 0 ? issues : [{ key, reason }];
    super('CONFIG_INVALID', `invalid configuration: ${all.map((i) => `${i.key}: ${i.reason}`).join('; ')}`);
    this.name = 'ConfigError';
    this.issues = all;
  }
}
