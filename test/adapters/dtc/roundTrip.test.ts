import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBinary } from '../../../adapters/dtc/binaryCodec.ts';
import { encodeMessage } from '../../../adapters/dtc/encodeMessage.ts';
import { EncodingEnum } from '../../../adapters/dtc/enums.ts';
import { DtcFrameError } from '../../../adapters/dtc/frameError.ts';
import { decodeJson } from '../../../adapters/dtc/jsonCodec.ts';
import { MessageType } from '../../../adapters/dtc/messageType.ts';
import type { DtcMessage } from '../../../adapters/dtc/messages.ts';
import { createDtcMessage } from '../../../adapters/dtc/createMessage.ts';
import { ENCODINGS, expectedAfter, LAYOUTS, messageArbitrary } from './arbitraries.ts';

const decode = (bytes: Buffer, encoding: number): DtcMessage =>
  encoding === EncodingEnum.BINARY ? decodeBinary(bytes) : decodeJson(bytes);

describe('round trip of every message type in every encoding', () => {
  it('covers every message type MIA knows', () => {
    expect(LAYOUTS.map((l) => l.type).sort((a, b) => a - b)).toEqual(
      Object.values(MessageType).sort((a, b) => a - b),
    );
  });

  for (const layout of LAYOUTS) {
    for (const encoding of ENCODINGS) {
      it(`${layout.name} in encoding ${encoding}`, () => {
        fc.assert(
          fc.property(messageArbitrary(layout), (message) => {
            const bytes = encodeMessage(message, encoding);
            expect(decode(bytes, encoding)).toEqual(expectedAfter(message, encoding));
          }),
          { numRuns: 60 },
        );
      });
    }
  }

  it('keeps -0, DBL_MAX in a plain double, and absent doubles, in all encodings', () => {
    const update = createDtcMessage(MessageType.ORDER_UPDATE, { Price1: -0, AverageFillPrice: 5e-324 });
    const position = createDtcMessage(MessageType.POSITION_UPDATE, { Quantity: Number.MAX_VALUE });
    for (const encoding of ENCODINGS) {
      const u = decode(encodeMessage(update, encoding), encoding);
      expect(Object.is((u as typeof update).Price1, -0)).toBe(true);
      expect((u as typeof update).AverageFillPrice).toBe(5e-324);
      expect((u as typeof update).Price2).toBeUndefined();
      expect((decode(encodeMessage(position, encoding), encoding) as typeof position).Quantity).toBe(Number.MAX_VALUE);
    }
  });
});

describe('encodeMessage', () => {
  it('refuses encodings it does not implement', () => {
    const heartbeat = createDtcMessage(MessageType.HEARTBEAT);
    for (const encoding of [EncodingEnum.BINARY_VLS, EncodingEnum.PROTOCOL_BUFFERS, 9]) {
      expect(() => encodeMessage(heartbeat, encoding)).toThrow(
        expect.objectContaining({ code: 'UNSUPPORTED_ENCODING' }) as DtcFrameError,
      );
    }
  });
});

describe('createDtcMessage', () => {
  it('fills every member the caller leaves out with the header default', () => {
    expect(createDtcMessage(MessageType.OPEN_ORDERS_REQUEST, { RequestID: 7 })).toEqual({
      Type: 300,
      RequestID: 7,
      RequestAllOrders: 1,
      ServerOrderID: '',
      TradeAccount: '',
    });
    const replace = createDtcMessage(MessageType.CANCEL_REPLACE_ORDER, { ServerOrderID: 'S1', Price1: 6500 });
    expect(replace).toMatchObject({ Price1: 6500, Price1IsSet: 1, Price2IsSet: 1, Quantity: 0 });
  });

  it('refuses an unknown type', () => {
    expect(() => createDtcMessage(9999 as typeof MessageType.HEARTBEAT)).toThrow(DtcFrameError);
  });
});
