/**
 * Splits a DTC byte stream into messages, whatever the TCP chunking. No I/O: the owner
 * pushes chunks and receives results through a callback, in stream order.
 *
 * Memory stays bounded: only the unfinished tail of the stream is copied, never more
 * than `maxMessageSize` bytes, into a buffer allocated once; complete messages are
 * decoded in place from the chunk.
 *
 * Encoding switches (ENCODING_REQUEST / ENCODING_RESPONSE) are the owner's decision:
 * calling `setEncoding` from the callback applies to the bytes after the message being
 * delivered, even within the same chunk.
 */
import { binaryBodyDecoder } from './binaryCodec.ts';
import { SUPPORTED_ENCODINGS } from './encodeMessage.ts';
import { EncodingEnum } from './enums.ts';
import { HEADER_SIZE } from './fieldLayout.ts';
import { DtcFrameError } from './frameError.ts';
import { decodeJsonText } from './jsonCodec.ts';
import type { DtcMessage } from './messages.ts';

/** One message, or why one could not be delivered (`error.fatal` ends the stream). */
export type DtcFrameResult =
  | { readonly ok: true; readonly message: DtcMessage }
  | { readonly ok: false; readonly error: DtcFrameError };

/** Receives results synchronously; it may call `setEncoding` and nothing else on the decoder. */
export type DtcFrameHandler = (result: DtcFrameResult) => void;

export interface DtcFrameDecoderOptions {
  /** Encoding at the start of the stream; DTC sessions start in BINARY (the default). */
  readonly encoding?: number;
  /** Largest message accepted, in bytes (binary Size, or JSON text without its NUL). Default 65535. */
  readonly maxMessageSize?: number;
}

const DEFAULT_MAX_MESSAGE_SIZE = 0xffff;
const MAX_MESSAGE_SIZE_LIMIT = 16 * 1024 * 1024;

function assertSupported(encoding: number): void {
  if (!SUPPORTED_ENCODINGS.has(encoding)) {
    throw new DtcFrameError('UNSUPPORTED_ENCODING', `encoding ${encoding} is not implemented`);
  }
}

export class DtcFrameDecoder {
  readonly maxMessageSize: number;
  readonly #initialEncoding: number;
  #encoding: number;
  /** The unfinished message at the end of the stream so far: `#pending[0, #pendingLength)`. */
  readonly #pending: Buffer;
  #pendingLength = 0;
  #failure: DtcFrameError | undefined;

  constructor(options: DtcFrameDecoderOptions = {}) {
    const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    if (!Number.isInteger(max) || max < HEADER_SIZE || max > MAX_MESSAGE_SIZE_LIMIT) {
      const range = `[${HEADER_SIZE}, ${MAX_MESSAGE_SIZE_LIMIT}]`;
      throw new RangeError(`maxMessageSize must be an integer in ${range}, got ${max}`);
    }
    const encoding = options.encoding ?? EncodingEnum.BINARY;
    assertSupported(encoding);
    this.maxMessageSize = max;
    this.#initialEncoding = encoding;
    this.#encoding = encoding;
    this.#pending = Buffer.allocUnsafe(max);
  }

  /** The encoding applied to the next bytes. */
  get encoding(): number {
    return this.#encoding;
  }

  /** Bytes held for an unfinished message (never more than `maxMessageSize`). */
  get bufferedBytes(): number {
    return this.#pendingLength;
  }

  /** The fatal error that stopped the decoder, until `reset`. */
  get failure(): DtcFrameError | undefined {
    return this.#failure;
  }

  /**
   * Decodes the following bytes in `encoding`. Call it from the handler of the message
   * that negotiated it, or between pushes when no message is half received.
   * @throws DtcFrameError UNSUPPORTED_ENCODING; Error when a message is half received.
   */
  setEncoding(encoding: number): void {
    assertSupported(encoding);
    if (this.#pendingLength !== 0) {
      throw new Error('cannot switch DTC encoding in the middle of a message');
    }
    this.#encoding = encoding;
  }

  /**
   * Feeds the next chunk of the stream; `onFrame` receives each complete message or
   * message-level error in order. A fatal error is delivered once, then every later
   * push throws it until `reset`.
   *
   * An exception thrown by `onFrame` propagates unchanged, but the bytes after that
   * message are lost with it, so the decoder fails (HANDLER_THREW) rather than resume
   * mid-stream.
   * @throws DtcFrameError the fatal error, when the decoder has already failed.
   */
  push(chunk: Buffer, onFrame: DtcFrameHandler): void {
    if (this.#failure !== undefined) throw this.#failure;
    let position = 0;
    try {
      while (position < chunk.length && this.#failure === undefined) {
        if (this.#pendingLength !== 0) {
          position = this.#encoding === EncodingEnum.BINARY
            ? this.#completeBinary(chunk, position, onFrame)
            : this.#completeJson(chunk, position, onFrame);
        } else {
          position = this.#encoding === EncodingEnum.BINARY
            ? this.#nextBinary(chunk, position, onFrame)
            : this.#nextJson(chunk, position, onFrame);
        }
      }
    } catch (error) {
      if (this.#failure === undefined) {
        this.#failure = new DtcFrameError('HANDLER_THREW', 'the frame handler threw; the rest of the chunk is lost', {
          cause: error,
        });
        this.#pendingLength = 0;
      }
      throw error;
    }
  }

  /**
   * Declares the end of the stream.
   * @returns the fatal error if the decoder failed or the stream stopped inside a message
   * (TRUNCATED), else undefined.
   */
  end(): DtcFrameError | undefined {
    if (this.#failure === undefined && this.#pendingLength !== 0) {
      const held = this.#pendingLength;
      this.#failure = new DtcFrameError('TRUNCATED', `stream ended inside a message (${held} bytes held)`);
      this.#pendingLength = 0;
    }
    return this.#failure;
  }

  /** Forgets all state, for a new connection; the encoding returns to `encoding` or the initial one. */
  reset(encoding: number = this.#initialEncoding): void {
    assertSupported(encoding);
    this.#encoding = encoding;
    this.#pendingLength = 0;
    this.#failure = undefined;
  }

  /** Records a fatal error and delivers it; the position returned ends the push loop. */
  #fail(error: DtcFrameError, onFrame: DtcFrameHandler): number {
    this.#failure = error;
    this.#pendingLength = 0;
    onFrame({ ok: false, error });
    return Number.POSITIVE_INFINITY;
  }

  #hold(chunk: Buffer, from: number, to: number): number {
    chunk.copy(this.#pending, this.#pendingLength, from, to);
    this.#pendingLength += to - from;
    return to;
  }

  /** The reason a binary Size cannot frame a message, if any. */
  #badSize(size: number): DtcFrameError | undefined {
    if (size < HEADER_SIZE) return new DtcFrameError('SIZE_TOO_SMALL', `binary Size ${size} is below the header size`);
    if (size > this.maxMessageSize) {
      return new DtcFrameError('SIZE_TOO_LARGE', `binary Size ${size} exceeds the maximum ${this.maxMessageSize}`);
    }
    return undefined;
  }

  #nextBinary(chunk: Buffer, start: number, onFrame: DtcFrameHandler): number {
    const available = chunk.length - start;
    if (available < HEADER_SIZE) return this.#hold(chunk, start, chunk.length);
    const size = chunk.readUInt16LE(start);
    const bad = this.#badSize(size);
    if (bad !== undefined) return this.#fail(bad, onFrame);
    if (available < size) return this.#hold(chunk, start, chunk.length);
    deliverBinary(chunk, start, size, onFrame);
    return start + size;
  }

  #completeBinary(chunk: Buffer, start: number, onFrame: DtcFrameHandler): number {
    let position = start;
    if (this.#pendingLength < HEADER_SIZE) {
      position = this.#hold(chunk, position, Math.min(chunk.length, position + HEADER_SIZE - this.#pendingLength));
      if (this.#pendingLength < HEADER_SIZE) return position;
    }
    const size = this.#pending.readUInt16LE(0);
    const bad = this.#badSize(size);
    if (bad !== undefined) return this.#fail(bad, onFrame);
    position = this.#hold(chunk, position, Math.min(chunk.length, position + size - this.#pendingLength));
    if (this.#pendingLength < size) return position;
    this.#pendingLength = 0;
    deliverBinary(this.#pending, 0, size, onFrame);
    return position;
  }

  #tooLarge(bytes: number, onFrame: DtcFrameHandler): number {
    return this.#fail(
      new DtcFrameError('SIZE_TOO_LARGE', `JSON message of ${bytes}+ bytes exceeds the maximum ${this.maxMessageSize}`),
      onFrame,
    );
  }

  #nextJson(chunk: Buffer, start: number, onFrame: DtcFrameHandler): number {
    const nul = chunk.indexOf(0, start);
    const end = nul === -1 ? chunk.length : nul;
    if (end - start > this.maxMessageSize) return this.#tooLarge(end - start, onFrame);
    if (nul === -1) return this.#hold(chunk, start, chunk.length);
    deliverJson(chunk, start, nul, onFrame);
    return nul + 1;
  }

  #completeJson(chunk: Buffer, start: number, onFrame: DtcFrameHandler): number {
    const nul = chunk.indexOf(0, start);
    const end = nul === -1 ? chunk.length : nul;
    if (this.#pendingLength + end - start > this.maxMessageSize) {
      return this.#tooLarge(this.#pendingLength + end - start, onFrame);
    }
    this.#hold(chunk, start, end);
    if (nul === -1) return end;
    const length = this.#pendingLength;
    this.#pendingLength = 0;
    deliverJson(this.#pending, 0, length, onFrame);
    return nul + 1;
  }
}

function deliverBinary(buf: Buffer, start: number, size: number, onFrame: DtcFrameHandler): void {
  const type = buf.readUInt16LE(start + 2);
  const decode = binaryBodyDecoder(type);
  if (decode === undefined) {
    const error = new DtcFrameError('UNKNOWN_TYPE', `unknown message type ${type}`, { messageType: type });
    onFrame({ ok: false, error });
  } else {
    onFrame({ ok: true, message: decode(buf, start, size) });
  }
}

function deliverJson(buf: Buffer, start: number, end: number, onFrame: DtcFrameHandler): void {
  if (end === start) return; // a stray terminator carries no message
  let result: DtcFrameResult;
  try {
    result = { ok: true, message: decodeJsonText(buf.toString('utf8', start, end)) };
  } catch (error) {
    if (!(error instanceof DtcFrameError)) throw error;
    result = { ok: false, error };
  }
  onFrame(result);
}
