import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBinary } from '../../../adapters/dtc/binaryCodec.ts';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { encodeMessage } from '../../../adapters/dtc/encodeMessage.ts';
import { EncodingEnum } from '../../../adapters/dtc/enums.ts';
import { DtcFrameError } from '../../../adapters/dtc/frameError.ts';
import { DtcFrameDecoder, type DtcFrameResult } from '../../../adapters/dtc/frameDecoder.ts';
import { encodeJson, encodeJsonCompact } from '../../../adapters/dtc/jsonCodec.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { DtcMessage } from '../../../adapters/dtc/messages.ts';
import { anyMessage, ENCODINGS, encodeStream, expectedAfter, splitAt } from './arbitraries.ts';

/** Pushes every chunk and collects the results in order. */
function feed(decoder: DtcFrameDecoder, chunks: readonly Buffer[], onMessage?: (m: DtcMessage) => void): DtcFrameResult[] {
  const results: DtcFrameResult[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk, (result) => {
      results.push(result);
      if (result.ok) onMessage?.(result.message);
    });
  }
  return results;
}

const messagesOf = (results: readonly DtcFrameResult[]): DtcMessage[] =>
  results.flatMap((r) => (r.ok ? [r.message] : []));
const errorsOf = (results: readonly DtcFrameResult[]): DtcFrameError[] =>
  results.flatMap((r) => (r.ok ? [] : [r.error]));

const cuts = fc.array(fc.nat(), { maxLength: 40 });

describe('reassembly across arbitrary chunk boundaries', () => {
  for (const encoding of ENCODINGS) {
    it(`delivers every message, in order, whatever the split (encoding ${encoding})`, () => {
      fc.assert(
        fc.property(fc.array(anyMessage, { minLength: 1, maxLength: 12 }), cuts, (messages, points) => {
          const decoder = new DtcFrameDecoder({ encoding });
          const results = feed(decoder, splitAt(encodeStream(messages, encoding), points));
          expect(errorsOf(results)).toEqual([]);
          expect(messagesOf(results)).toEqual(messages.map((m) => expectedAfter(m, encoding)));
          expect(decoder.bufferedBytes).toBe(0);
          expect(decoder.end()).toBeUndefined();
        }),
        { numRuns: 150 },
      );
    });
  }

  it('delivers a stream fed one byte at a time, multi-byte UTF-8 split included', () => {
    const logoff = createDtcMessage(MessageType.LOGOFF, { Reason: 'arrêt demandé — ¥€😀' });
    for (const encoding of ENCODINGS) {
      const bytes = encodeStream([logoff, logoff], encoding);
      const decoder = new DtcFrameDecoder({ encoding });
      const results = feed(decoder, [...bytes].map((b) => Buffer.from([b])));
      expect(messagesOf(results)).toEqual([logoff, logoff]);
    }
  });

  it('accepts messages shorter and longer than our layout in one stream', () => {
    const update = createDtcMessage(MessageType.ORDER_UPDATE, { ClientOrderID: 'MIA-7', Username: 'u' });
    const old = encodeBinary(update).subarray(0, 688);
    old.writeUInt16LE(688, 0);
    const newer = Buffer.concat([encodeBinary(update), Buffer.alloc(40, 0xee)]);
    newer.writeUInt16LE(newer.length, 0);
    const results = feed(new DtcFrameDecoder(), [Buffer.concat([old, newer, encodeBinary(update)])]);
    expect(messagesOf(results)).toEqual([{ ...update, Username: '' }, update, update]);
  });
});

describe('switching encoding mid-stream', () => {
  const response = createDtcMessage(MessageType.ENCODING_RESPONSE, { Encoding: EncodingEnum.JSON });
  const logon = createDtcMessage(MessageType.LOGON_RESPONSE, { Result: 1, TradingIsSupported: 1 });
  const heartbeat = createDtcMessage(MessageType.HEARTBEAT, { CurrentDateTime: 1756300439 });

  /** A client: switches to the encoding the server's ENCODING_RESPONSE names. */
  function client(decoder: DtcFrameDecoder) {
    return (m: DtcMessage) => {
      if (m.Type === MessageType.ENCODING_RESPONSE) decoder.setEncoding(m.Encoding);
    };
  }

  it('applies setEncoding to the bytes after the current message, within one chunk', () => {
    const stream = Buffer.concat([encodeBinary(response), encodeJson(logon), encodeJsonCompact(heartbeat)]);
    const decoder = new DtcFrameDecoder();
    const results = feed(decoder, [stream], client(decoder));
    expect(messagesOf(results)).toEqual([response, logon, heartbeat]);
    expect(decoder.encoding).toBe(EncodingEnum.JSON);
  });

  it('does so whatever the chunking', () => {
    const stream = Buffer.concat([encodeBinary(response), encodeJson(logon), encodeJson(heartbeat)]);
    fc.assert(
      fc.property(cuts, (points) => {
        const decoder = new DtcFrameDecoder();
        const results = feed(decoder, splitAt(stream, points), client(decoder));
        expect(messagesOf(results)).toEqual([response, logon, heartbeat]);
      }),
    );
  });

  it('lets a server switch after the ENCODING_REQUEST it answered', () => {
    const request = createDtcMessage(MessageType.ENCODING_REQUEST, { Encoding: EncodingEnum.JSON_COMPACT });
    const logonRequest = createDtcMessage(MessageType.LOGON_REQUEST, { Username: 'mia', HeartbeatIntervalInSeconds: 10 });
    const decoder = new DtcFrameDecoder();
    const results = feed(decoder, [Buffer.concat([encodeBinary(request), encodeJsonCompact(logonRequest)])], (m) => {
      if (m.Type === MessageType.ENCODING_REQUEST) decoder.setEncoding(EncodingEnum.JSON_COMPACT);
    });
    expect(messagesOf(results)).toEqual([request, logonRequest]);
  });

  it('refuses to switch in the middle of a message, or to an encoding it does not implement', () => {
    const decoder = new DtcFrameDecoder();
    feed(decoder, [encodeBinary(heartbeat).subarray(0, 6)]);
    expect(() => decoder.setEncoding(EncodingEnum.JSON)).toThrow(/middle of a message/);
    expect(() => new DtcFrameDecoder().setEncoding(EncodingEnum.PROTOCOL_BUFFERS)).toThrow(DtcFrameError);
    expect(() => new DtcFrameDecoder({ encoding: EncodingEnum.BINARY_VLS })).toThrow(DtcFrameError);
  });
});

describe('framing errors', () => {
  const heartbeat = encodeBinary(createDtcMessage(MessageType.HEARTBEAT, { CurrentDateTime: 1 }));

  it('reports an unknown binary type and skips exactly its Size', () => {
    const unknown = Buffer.from([12, 0, 0x0f, 0x27, 1, 2, 3, 4, 5, 6, 7, 8]);
    const results = feed(new DtcFrameDecoder(), [Buffer.concat([heartbeat, unknown, heartbeat])]);
    expect(results.map((r) => (r.ok ? r.message.Type : r.error.code))).toEqual([3, 'UNKNOWN_TYPE', 3]);
    expect(errorsOf(results)[0]).toMatchObject({ fatal: false, messageType: 9999 });
  });

  it('stops at a Size below the header, then refuses input until reset', () => {
    const decoder = new DtcFrameDecoder();
    const results = feed(decoder, [Buffer.concat([heartbeat, Buffer.from([2, 0, 3, 0]), heartbeat])]);
    expect(results.map((r) => (r.ok ? r.message.Type : r.error.code))).toEqual([3, 'SIZE_TOO_SMALL']);
    const fatal = errorsOf(results)[0]!;
    expect(fatal.fatal).toBe(true);
    expect(decoder.failure).toBe(fatal);
    expect(() => decoder.push(heartbeat, () => undefined)).toThrow(fatal);
    decoder.reset();
    expect(messagesOf(feed(decoder, [heartbeat]))).toHaveLength(1);
  });

  it('stops at a Size beyond the configured maximum', () => {
    const decoder = new DtcFrameDecoder({ maxMessageSize: 512 });
    const update = encodeBinary(createDtcMessage(MessageType.ORDER_UPDATE));
    const results = feed(decoder, [heartbeat, update.subarray(0, 3), update.subarray(3)]);
    expect(results.map((r) => (r.ok ? r.message.Type : r.error.code))).toEqual([3, 'SIZE_TOO_LARGE']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('reports TRUNCATED when the stream ends inside a message', () => {
    const decoder = new DtcFrameDecoder();
    feed(decoder, [heartbeat, heartbeat.subarray(0, 9)]);
    expect(decoder.bufferedBytes).toBe(9);
    expect(decoder.end()).toMatchObject({ code: 'TRUNCATED', fatal: true });
    expect(() => decoder.push(heartbeat, () => undefined)).toThrow(DtcFrameError);
  });

  it('in JSON, reports a bad message and carries on with the next one', () => {
    const ok = encodeJson(createDtcMessage(MessageType.HEARTBEAT));
    const stream = Buffer.concat([Buffer.from('{"Type":3,\0'), ok, Buffer.from('{"Type":301,"NoOrders":"x"}\0'), ok]);
    const results = feed(new DtcFrameDecoder({ encoding: EncodingEnum.JSON }), [stream]);
    expect(results.map((r) => (r.ok ? r.message.Type : r.error.code))).toEqual(['BAD_JSON', 3, 'BAD_FIELD', 3]);
  });

  it('in JSON, skips empty messages and stops at a message longer than the maximum', () => {
    const decoder = new DtcFrameDecoder({ encoding: EncodingEnum.JSON, maxMessageSize: 64 });
    const ok = encodeJson(createDtcMessage(MessageType.HEARTBEAT));
    const results = feed(decoder, [Buffer.from('\0\0'), ok, Buffer.from('{"Type":3,'), Buffer.alloc(60, 0x20)]);
    expect(results.map((r) => (r.ok ? r.message.Type : r.error.code))).toEqual([3, 'SIZE_TOO_LARGE']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('validates its options', () => {
    expect(() => new DtcFrameDecoder({ maxMessageSize: 3 })).toThrow(RangeError);
    expect(() => new DtcFrameDecoder({ maxMessageSize: 1.5 })).toThrow(RangeError);
  });
});

describe('hostile input', () => {
  const MAX = 1024;

  /**
   * Feeds chunks and checks the invariants: only DtcFrameError escapes, only after a
   * fatal error; every delivered result consumed at least one byte; memory stays bounded.
   */
  function survive(encoding: number, chunks: readonly Buffer[]): void {
    const decoder = new DtcFrameDecoder({ encoding, maxMessageSize: MAX });
    let delivered = 0;
    let bytes = 0;
    for (const chunk of chunks) {
      bytes += chunk.length;
      const failedBefore = decoder.failure;
      try {
        decoder.push(chunk, (result) => {
          delivered++;
          if (!result.ok) expect(result.error).toBeInstanceOf(DtcFrameError);
        });
        expect(failedBefore).toBeUndefined();
      } catch (error) {
        expect(error).toBeInstanceOf(DtcFrameError);
        expect(error).toBe(failedBefore);
      }
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(MAX);
      expect(delivered).toBeLessThanOrEqual(bytes);
    }
    const end = decoder.end();
    if (end !== undefined) expect(end.fatal).toBe(true);
  }

  const encodingArb = fc.constantFrom(...ENCODINGS);

  it('survives random bytes in random chunks', () => {
    fc.assert(
      fc.property(
        encodingArb,
        fc.array(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), { maxLength: 20 }),
        (encoding, chunks) => survive(encoding, chunks),
      ),
      { numRuns: 400 },
    );
  });

  it('survives valid streams with bytes mutated, inserted and removed', () => {
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('set', 'insert', 'delete'),
      byte: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(
        encodingArb,
        fc.array(anyMessage, { minLength: 1, maxLength: 6 }),
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        cuts,
        (encoding, messages, mutations, points) => {
          let bytes = [...encodeStream(messages, encoding)];
          for (const { at, kind, byte } of mutations) {
            const i = at % (bytes.length + 1);
            if (kind === 'set' && i < bytes.length) bytes[i] = byte;
            if (kind === 'insert') bytes.splice(i, 0, byte);
            if (kind === 'delete') bytes.splice(i, 1);
          }
          survive(encoding, splitAt(Buffer.from(bytes), points));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps memory bounded by the maximum message size under a long partial message', () => {
    const decoder = new DtcFrameDecoder({ encoding: EncodingEnum.JSON, maxMessageSize: MAX });
    const errors: DtcFrameError[] = [];
    for (let i = 0; i < 100 && decoder.failure === undefined; i++) {
      decoder.push(Buffer.alloc(100, 0x20), (r) => {
        if (!r.ok) errors.push(r.error);
      });
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(MAX);
    }
    expect(errors.map((e) => e.code)).toEqual(['SIZE_TOO_LARGE']);
  });

  it('lets an exception thrown by the handler propagate, then refuses input: the stream position is lost', () => {
    const decoder = new DtcFrameDecoder();
    const boom = new Error('handler failed');
    const heartbeat = encodeMessage(createDtcMessage(MessageType.HEARTBEAT), EncodingEnum.BINARY);
    const seen: DtcFrameResult[] = [];
    expect(() =>
      decoder.push(Buffer.concat([heartbeat, heartbeat]), (result) => {
        seen.push(result);
        throw boom;
      }),
    ).toThrow(boom);
    expect(seen).toHaveLength(1);
    expect(decoder.failure).toMatchObject({ code: 'HANDLER_THREW', fatal: true, cause: boom });
    expect(() => decoder.push(heartbeat, () => undefined)).toThrow(decoder.failure!);
    decoder.reset();
    expect(messagesOf(feed(decoder, [heartbeat]))).toHaveLength(1);
  });
});
