/**
 * MIA's logs: pino JSON lines in `<home>/logs/<folder>/mia.log`, one folder per deployment
 * phase (e.g. `phase_3_simulation_3months`). Writes are synchronous so that the lines
 * before a crash are on disk; this is affordable because the hot path never logs.
 */
import { join } from 'node:path';
import { pino, type LevelWithSilent, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log file, at the top level and one or two levels down. */
export const secretKeys = [
  'password',
  'Password',
  'token',
  'apiKey',
  'api_key',
  'secret',
  'authorization',
  'DISCORD_TOKEN',
  'POLYGON_API_KEY',
] as const;

export const redactedPaths: readonly string[] = secretKeys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export const REDACTED = '[redacted]';

export interface LoggerOptions {
  /** MIA home; logs go under `<home>/logs`. */
  home: string;
  /** The deployment phase's folder name: a single path segment. */
  folder: string;
  level: LevelWithSilent;
  /** Component name, added to every line. */
  name?: string;
}

/** Path of the log file for `home` and `folder`. */
export function logFilePath(home: string, folder: string): string {
  if (folder === '' || folder === '.' || folder === '..' || /[/\\]/.test(folder)) {
    throw new Error(`log folder must be a single path segment, got ${JSON.stringify(folder)}`);
  }
  return join(home, 'logs', folder, 'mia.log');
}

/** A pino logger appending JSON lines to `logFilePath(home, folder)` (directories created). */
export function createLogger({ home, folder, level, name }: LoggerOptions): Logger {
  const dest = pino.destination({ dest: logFilePath(home, folder), sync: true, mkdir: true });
  return pino(
    {
      level,
      ...(name === undefined ? {} : { name }),
      redact: { paths: [...redactedPaths], censor: REDACTED },
    },
    dest,
  );
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
