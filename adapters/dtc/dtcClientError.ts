/**
 * The error the DTC client raises to its caller: every failed send, request or session
 * carries one of these codes, so the execution actor can tell "never left MIA" from
 * "the server said no" from "no answer in time" without parsing messages.
 */
import { MiaError, type FailureCode, type MiaErrorOptions } from '../../core/errors.ts';

export type DtcClientErrorCode =
  /** No logged-on session: the message was not written. */
  | 'NOT_CONNECTED'
  /** The session ended before a queued message was written, or before a request was answered. */
  | 'DISCONNECTED'
  /** The caller stopped the client. */
  | 'STOPPED'
  /** No complete answer to a request within its timeout. */
  | 'TIMEOUT'
  /** The server answered a request with its reject message (RejectText in the message). */
  | 'REJECTED'
  /** The message could not be encoded (a bad member value); nothing was written. */
  | 'ENCODE_FAILED'
  /** The server announced an encoding this client does not implement. */
  | 'UNSUPPORTED_ENCODING'
  /** The server refused the logon (Result not SUCCESS, or no Result at all). */
  | 'LOGON_REFUSED'
  /** Reconnect attempts exhausted. */
  | 'RECONNECT_EXHAUSTED';

/** What each code means to a supervisor (core/errors.ts FailureCode). */
const FAILURE: Readonly<Record<DtcClientErrorCode, FailureCode>> = {
  NOT_CONNECTED: 'CONNECTION_LOST',
  DISCONNECTED: 'CONNECTION_LOST',
  STOPPED: 'INTERNAL',
  TIMEOUT: 'TIMEOUT',
  REJECTED: 'PEER_REFUSED',
  ENCODE_FAILED: 'INTERNAL',
  UNSUPPORTED_ENCODING: 'PROTOCOL_UNSUPPORTED',
  LOGON_REFUSED: 'LOGON_REFUSED',
  RECONNECT_EXHAUSTED: 'CONNECTION_LOST',
};

export class DtcClientError extends MiaError<DtcClientErrorCode> {
  override readonly name = 'DtcClientError';

  /** `failure` overrides the code's default meaning (e.g. reconnects exhausted by timeouts: TIMEOUT). */
  constructor(code: DtcClientErrorCode, message: string, options: MiaErrorOptions = {}) {
    super(code, message, { ...options, failure: options.failure ?? FAILURE[code] });
  }
}
