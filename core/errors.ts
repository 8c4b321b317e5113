/**
 * One error convention for all of MIA: every error MIA raises on purpose is a `MiaError`
 * with a stable machine-readable `code` and, when it wraps another failure, its `cause`
 * (the standard `Error.cause`). Callers branch on `code`, never on message text; the
 * message stays for humans. Module-specific classes (DtcClientError, PolygonError,
 * ConfigError, ...) extend it and keep their own extra fields.
 *
 * Codes are stable: they appear in journals, audit records and `CHILD.FAILED`, so a code
 * once shipped keeps its meaning. A class's codes are UPPER_SNAKE_CASE strings unless
 * it already had codes of its own before this convention (those keep their spelling).
 */

/** Any error code; each class narrows it to its own union. */
export type MiaErrorCode = string;

/**
 * Why a supervised child (market data, scoring, execution) or one of its connections
 * failed: what `CHILD.FAILED` carries, so supervision and risk can tell a refused logon
 * (an operator must act) from a timeout or a lost link (worth retrying).
 */
export const FAILURE_CODES = [
  /** The peer refused our credentials or logon for good (bad key, no-reconnect). */
  'LOGON_REFUSED',
  /** No answer in time: a connect, handshake or request timed out. */
  'TIMEOUT',
  /** The link dropped (closed, reset, dead peer) and reconnecting gave up. */
  'CONNECTION_LOST',
  /** The peer speaks something we do not implement (e.g. a DTC encoding). */
  'PROTOCOL_UNSUPPORTED',
  /** The peer logged us off and asked us not to come back. */
  'LOGGED_OFF',
  /** The peer answered, but not with what we needed (no trade account, bad data). */
  'PEER_REFUSED',
  /** A bug or an unexpected throw inside MIA: not the outside world's doing. */
  'INTERNAL',
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

export interface MiaErrorOptions {
  cause?: unknown;
  /** What the error means to a supervisor, when it is about the outside world (default INTERNAL). */
  failure?: FailureCode;
}

export class MiaError<Code extends MiaErrorCode = MiaErrorCode> extends Error {
  override name = 'MiaError';
  readonly code: Code;
  /** What this error means to a supervisor: a refused logon, a timeout, a lost link, ... */
  readonly failure: FailureCode;

  constructor(code: Code, message: string, options: MiaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.failure = options.failure ?? ((FAILURE_CODES as readonly string[]).includes(code) ? (code as FailureCode) : 'INTERNAL');
  }
}

/** The error's code when it has one (a MiaError, or a Node system error such as ECONNREFUSED), else null. */
export function errorCode(error: unknown): string | null {
  if (error instanceof MiaError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What an error means to a supervisor: a MiaError's `failure`, else INTERNAL. */
export function failureCodeOf(error: unknown): FailureCode {
  return error instanceof MiaError ? error.failure : 'INTERNAL';
}
