/** Handshake framing: frames whatever the chunking, encoding per call, and Result presence. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { HandshakeFrameSplitter, logonResultPresent } from '../../../adapters/dtc/dtcClientHandshake.ts';
import { encodeMessage } from '../../../adapters/dtc/encodeMessage.ts';
import { EncodingEnum, LogonStatus } from '../../../adapters/dtc/enums.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import { anyMessage, ENCODINGS, splitAt } from './arbitraries.ts';

describe('HandshakeFrameSplitter', () => {
  it('returns each frame exactly, whatever the chunking, switching encoding between frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(anyMessage, fc.constantFrom(...ENCODINGS)), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (items, cuts) => {
          const frames = items.map(([m, encoding]) => encodeMessage(m, encoding));
          const splitter = new HandshakeFrameSplitter();
          const out: Buffer[] = [];
          let next = 0;
          for (const chunk of splitAt(Buffer.concat(frames), cuts)) {
            splitter.push(chunk);
            let frame: Buffer | undefined;
            while (next < items.length && (frame = splitter.next(items[next]![1])) !== undefined) {
              out.push(Buffer.from(frame));
              next++;
            }
          }
          expect(out).toEqual(frames);
          expect(splitter.bufferedBytes).toBe(0);
        },
      ),
    );
  });

  it('waits for more bytes, and hands over bytes that cannot frame a message', () => {
    const splitter = new HandshakeFrameSplitter(1_000);
    splitter.push(Buffer.from([16, 0, 7]));
    expect(splitter.next(EncodingEnum.BINARY)).toBeUndefined();
    splitter.push(Buffer.from([0, 1, 2, 3]));
    expect(splitter.next(EncodingEnum.BINARY)).toBeUndefined(); // 7 of 16 bytes
    expect(splitter.takeRest().length).toBe(7);
    splitter.push(Buffer.from([0x10, 0x27, 7, 0, 1, 2]));
    // Size 10000 > 1000: the decoder gets the bytes and reports SIZE_TOO_LARGE.
    expect(splitter.next(EncodingEnum.BINARY)?.length).toBe(6);
    splitter.push(Buffer.from([2, 0, 3, 0, 9]));
    expect(splitter.next(EncodingEnum.BINARY)?.length).toBe(5);
    splitter.push(Buffer.alloc(1_001, 0x20));
    expect(splitter.next(EncodingEnum.JSON)?.length).toBe(1_001);
    splitter.push(Buffer.from('{"Type":3}\0{"Ty'));
    expect(splitter.next(EncodingEnum.JSON)?.toString()).toBe('{"Type":3}\0');
    expect(splitter.takeRest().toString()).toBe('{"Ty');
  });
});

describe('logonResultPresent', () => {
  const full = createDtcMessage(MessageType.LOGON_RESPONSE, { Result: LogonStatus.ERROR });
  it('is true for every complete encoding of a LOGON_RESPONSE', () => {
    for (const encoding of ENCODINGS) expect(logonResultPresent(encodeMessage(full, encoding), encoding)).toBe(true);
  });

  it('is false when the binary Size stops before the Result', () => {
    const bytes = encodeMessage(full, EncodingEnum.BINARY);
    for (const size of [4, 8, 11]) {
      const cut = Buffer.from(bytes.subarray(0, size));
      cut.writeUInt16LE(size, 0);
      expect(logonResultPresent(cut, EncodingEnum.BINARY)).toBe(false);
    }
    const cut = Buffer.from(bytes.subarray(0, 12));
    cut.writeUInt16LE(12, 0);
    expect(logonResultPresent(cut, EncodingEnum.BINARY)).toBe(true);
  });

  it('is false for JSON without a Result, a null one, a short compact array, or garbage', () => {
    const cases = ['{"Type":2}', '{"Type":2,"Result":null}', '{"Type":2,"F":[8]}', '{"Type":2,"F":[8,null]}', 'not json', '[1,2]', 'null'];
    for (const text of cases) expect(logonResultPresent(Buffer.from(`${text}\0`), EncodingEnum.JSON), text).toBe(false);
    expect(logonResultPresent(Buffer.from('{"Type":2,"F":[8,1]}\0'), EncodingEnum.JSON_COMPACT)).toBe(true);
    expect(logonResultPresent(Buffer.from('{"Type":2,"Result":2}'), EncodingEnum.JSON)).toBe(true);
  });
});
