/**
 * Encoding dispatch: one message to the bytes of the negotiated encoding.
 */
import { encodeBinary } from './binaryCodec.ts';
import { EncodingEnum } from './enums.ts';
import { DtcFrameError } from './frameError.ts';
import { encodeJson, encodeJsonCompact } from './jsonCodec.ts';
import type { DtcMessage } from './messages.ts';

/** The encodings this codec implements. */
export const SUPPORTED_ENCODINGS: ReadonlySet<number> = new Set([
  EncodingEnum.BINARY,
  EncodingEnum.JSON,
  EncodingEnum.JSON_COMPACT,
]);

/**
 * Encodes `message` in `encoding` (JSON forms include their NUL terminator).
 * @throws DtcFrameError UNSUPPORTED_ENCODING, UNKNOWN_TYPE or BAD_FIELD.
 */
export function encodeMessage(message: DtcMessage, encoding: number): Buffer {
  switch (encoding) {
    case EncodingEnum.BINARY:
      return encodeBinary(message);
    case EncodingEnum.JSON:
      return encodeJson(message);
    case EncodingEnum.JSON_COMPACT:
      return encodeJsonCompact(message);
    default:
      throw new DtcFrameError('UNSUPPORTED_ENCODING', `encoding ${encoding} is not implemented`);
  }
}
