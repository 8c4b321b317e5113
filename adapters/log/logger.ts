/**
 * MIA's logs: pino JSON lines in `<home>/logs/<folder>/mia.log`, one folder per deployment
 * phase (e.g. `phase_3_simulation_3months`). Writes are synchronous so that the lines
 * before a crash are on disk; this is affordable because the hot path never logs.
 * Optionally the same lines also go to the console (stderr): human-readable through
 * pino-pretty on a terminal, or JSON. Redaction happens before either stream sees a line.
 */
import { join } from 'node:path';
import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';

/** pino-pretty is loaded only when a console wants it: every other command starts without it. */
const loadPretty = (): typeof PinoPretty => createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;

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
  /** Also log to the console: `pretty` (human-readable), `json` (lines as in the file) or `off` (default). */
  console?: ConsoleLogFormat;
  /** Where console lines go (default: stderr, so that stdout stays the command's output). */
  consoleStream?: NodeJS.WritableStream;
}

export type ConsoleLogFormat = 'pretty' | 'json' | 'off';

/** `auto`: pretty when the console is a terminal, nothing otherwise (pipes get the command's output only). */
export function consoleLogFormat(choice: ConsoleLogFormat | 'auto', isTty: boolean): ConsoleLogFormat {
  return choice === 'auto' ? (isTty ? 'pretty' : 'off') : choice;
}

function consoleDestination(format: 'pretty' | 'json', stream: NodeJS.WritableStream | undefined): DestinationStream {
  if (format === 'json') return (stream as DestinationStream | undefined) ?? pino.destination({ fd: 2, sync: true });
  const colorize = stream === undefined && process.stderr.isTTY === true;
  return loadPretty()({
    colorize,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
    ...(stream ? { destination: stream } : { destination: 2 }),
  });
}

/** Path of the log file for `home` and `folder`. */
export function logFilePath(home: string, folder: string): string {
  if (folder === '' || folder === '.' || folder === '..' || /[/\\]/.test(folder)) {
    throw new Error(`log folder must be a single path segment, got ${JSON.stringify(folder)}`);
  }
  return join(home, 'logs', folder, 'mia.log');
}

/** A pino logger appending JSON lines to `logFilePath(home, folder)` (directories created). */
export function createLogger(options: LoggerOptions): Logger {
  return createFolderLogger(options).logger;
}

/** A logger whose file can follow the deployment phase: `moveTo(folder)` sends the next lines to that folder's file. */
export interface FolderLogger {
  logger: Logger;
  readonly folder: string;
  moveTo(folder: string): void;
}

export function createFolderLogger({ home, folder: first, level, name, console = 'off', consoleStream }: LoggerOptions): FolderLogger {
  let folder = first;
  let file = pino.destination({ dest: logFilePath(home, folder), sync: true, mkdir: true });
  const dest: DestinationStream = { write: (line: string) => void file.write(line) };
  const moveTo = (next: string): void => {
    if (next === folder) return;
    const opened = pino.destination({ dest: logFilePath(home, next), sync: true, mkdir: true });
    const old = file;
    file = opened;
    folder = next;
    old.end();
  };
  const logger = pinoLogger({ level, name, dest, console, consoleStream });
  return {
    logger,
    get folder() {
      return folder;
    },
    moveTo,
  };
}

function pinoLogger({ level, name, dest, console, consoleStream }: { level: LevelWithSilent; name: string | undefined; dest: DestinationStream; console: ConsoleLogFormat; consoleStream: NodeJS.WritableStream | undefined }): Logger {
  const options = {
    level,
    ...(name === undefined ? {} : { name }),
    redact: { paths: [...redactedPaths], censor: REDACTED },
  };
  if (console === 'off' || level === 'silent') return pino(options, dest);
  const streamLevel = level as Exclude<LevelWithSilent, 'silent'>;
  return pino(options, pino.multistream([{ level: streamLevel, stream: dest }, { level: streamLevel, stream: consoleDestination(console, consoleStream) }]));
}

/** A logger that writes nothing (pino-free: see silentLogger.ts). */
export { silentLogger } from './silentLogger.ts';
