/**
 * The first messages of a DTC connection (ENCODING_RESPONSE, LOGON_RESPONSE) are handed
 * to the frame decoder one raw frame at a time, for two reasons:
 * - the encoding switches exactly after the ENCODING_RESPONSE, even when the server's
 *   next bytes arrive in the same TCP chunk;
 * - the client must see the raw LOGON_RESPONSE: the header's default Result is SUCCESS,
 *   so a response cut short before its Result decodes as a success. Only the raw frame
 *   says whether the server actually sent a Result.
 * After the logon the client pushes whole chunks to the decoder again.
 */
import { EncodingEnum } from './enums.ts';

const HEADER_SIZE = 4;
/** Offset and width of LOGON_RESPONSE.Result in the binary layout. */
const RESULT_END = 8 + 4;

/** Splits raw bytes into frames, one at a time, in an encoding chosen per call. */
export class HandshakeFrameSplitter {
  readonly #maxMessageSize: number;
  #buffer: Buffer = Buffer.alloc(0);

  constructor(maxMessageSize = 0xffff) {
    this.#maxMessageSize = maxMessageSize;
  }

  /** Bytes received and not yet returned as a frame. */
  get bufferedBytes(): number {
    return this.#buffer.length;
  }

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
  }

  /**
   * The next complete frame in `encoding` (JSON frames keep their NUL), or undefined when
   * more bytes are needed. Bytes that cannot frame a message (Size below the header or
   * above the maximum, an over-long JSON text) are returned whole, for the decoder to
   * report its fatal error on them.
   */
  next(encoding: number): Buffer | undefined {
    const buf = this.#buffer;
    if (encoding === EncodingEnum.BINARY) {
      if (buf.length < HEADER_SIZE) return undefined;
      const size = buf.readUInt16LE(0);
      if (size < HEADER_SIZE || size > this.#maxMessageSize) return this.takeRest();
      return buf.length < size ? undefined : this.#take(size);
    }
    const nul = buf.indexOf(0);
    if (nul === -1) return buf.length > this.#maxMessageSize ? this.takeRest() : undefined;
    return this.#take(nul + 1);
  }

  /** Everything still buffered (the bytes after the handshake), emptying the splitter. */
  takeRest(): Buffer {
    const rest = this.#buffer;
    this.#buffer = Buffer.alloc(0);
    return rest;
  }

  reset(): void {
    this.#buffer = Buffer.alloc(0);
  }

  #take(length: number): Buffer {
    const frame = this.#buffer.subarray(0, length);
    this.#buffer = this.#buffer.subarray(length);
    return frame;
  }
}

/**
 * Whether a raw LOGON_RESPONSE frame really carries its Result member: binary Size
 * reaching past it, a named JSON `Result` that is not null, or a compact array with a
 * second value (ProtocolVersion comes first).
 */
export function logonResultPresent(frame: Buffer, encoding: number): boolean {
  if (encoding === EncodingEnum.BINARY) return frame.length >= HEADER_SIZE && frame.readUInt16LE(0) >= RESULT_END;
  const end = frame.indexOf(0);
  try {
    const parsed: unknown = JSON.parse(frame.toString('utf8', 0, end === -1 ? frame.length : end));
    if (typeof parsed !== 'object' || parsed === null) return false;
    const record = parsed as Record<string, unknown>;
    const compact = record['F'];
    if (Array.isArray(compact)) return compact.length >= 2 && compact[1] !== null;
    return Object.hasOwn(record, 'Result') && record['Result'] !== null;
  } catch {
    return false;
  }
}
