/**
 * The error the DTC codec raises for anything the peer or the message content got wrong
 * (API misuse, such as an invalid option, raises plain Errors). Fatal codes mean the byte
 * stream can no longer be split into messages: drop the connection. The others concern
 * one message whose boundaries are known, so the stream carries on after it.
 */
import { MiaError } from '../../core/errors.ts';
export type DtcFrameErrorCode =
  /** Binary Size below the 4-byte header. Fatal. */
  | 'SIZE_TOO_SMALL'
  /** Binary Size, or a JSON message without terminator, beyond the configured maximum. Fatal. */
  | 'SIZE_TOO_LARGE'
  /** The stream ended inside a message. Fatal. */
  | 'TRUNCATED'
  /** A JSON message that does not parse, is not an object, or has no integer Type. */
  | 'BAD_JSON'
  /** A well-framed message of a type MIA does not know; skipped. */
  | 'UNKNOWN_TYPE'
  /** A member of the wrong JSON type or out of range (decoding), or an unencodable value. */
  | 'BAD_FIELD'
  /** An encoding this codec does not implement (binary VLS, protocol buffers). */
  | 'UNSUPPORTED_ENCODING'
  /** The owner's frame handler threw: the rest of that chunk was not decoded. Fatal. */
  | 'HANDLER_THREW';

const FATAL: ReadonlySet<DtcFrameErrorCode> = new Set(['SIZE_TOO_SMALL', 'SIZE_TOO_LARGE', 'TRUNCATED', 'HANDLER_THREW']);

export interface DtcFrameErrorDetails {
  /** The message type involved, when known. */
  readonly messageType?: number;
  /** The member involved, for BAD_FIELD. */
  readonly field?: string;
  readonly cause?: unknown;
}

export class DtcFrameError extends MiaError<DtcFrameErrorCode> {
  override readonly name = 'DtcFrameError';
  /** True when the stream cannot be resynchronised: drop the connection. */
  readonly fatal: boolean;
  readonly messageType: number | undefined;
  readonly field: string | undefined;

  constructor(code: DtcFrameErrorCode, message: string, details: DtcFrameErrorDetails = {}) {
    // A peer we cannot decode: UNSUPPORTED_ENCODING is a protocol we lack, the rest a broken link.
    super(code, message, {
      ...(details.cause === undefined ? {} : { cause: details.cause }),
      failure: code === 'UNSUPPORTED_ENCODING' ? 'PROTOCOL_UNSUPPORTED' : code === 'HANDLER_THREW' ? 'INTERNAL' : 'CONNECTION_LOST',
    });
    this.fatal = FATAL.has(code);
    this.messageType = details.messageType;
    this.field = details.field;
  }
}

/**
 * A short printable rendering of any value for error messages; never throws (peer JSON
 * may carry objects whose `toString` is not a function).
 */
export function describeValue(value: unknown): string {
  try {
    const text = typeof value === 'string' || typeof value === 'object' ? JSON.stringify(value) : String(value);
    return text.length > 40 ? `${text.slice(0, 40)}…` : text;
  } catch {
    return typeof value;
  }
}
